"""Convolution by hand agrees with torch: output maps, the step-by-step view, and parameter counts."""
import numpy as np
import pytest
import torch
import torch.nn.functional as F
from torch import nn

from core.cnn import convolution


def torch_conv(image: np.ndarray, kernel: np.ndarray, **kw) -> np.ndarray:
    x = torch.from_numpy(image)[None, None]
    w = torch.from_numpy(kernel)[None, None]
    return F.conv2d(x, w, **kw)[0, 0].numpy()


def test_convolve_equals_torch_conv2d_for_random_shapes_strides_paddings_and_dilations():
    rng = np.random.default_rng(0)
    for _ in range(200):
        k, stride, padding, dilation = rng.integers(1, 6), rng.integers(1, 4), rng.integers(0, 4), rng.integers(1, 4)
        span = dilation * (k - 1) + 1
        h, w = rng.integers(max(1, span - 2 * padding), 20, size=2)
        image, kernel = rng.normal(size=(h, w)), rng.normal(size=(k, k))
        ours = convolution.convolve(image, kernel, stride, padding, dilation)
        expected = torch_conv(image, kernel, stride=int(stride), padding=int(padding), dilation=int(dilation))
        assert ours.shape == expected.shape == (convolution.output_size(h, k, stride, padding, dilation),
                                                convolution.output_size(w, k, stride, padding, dilation))
        np.testing.assert_allclose(ours, expected, atol=1e-10)


def test_every_named_kernel_matches_torch_and_the_identity_returns_the_image():
    image = np.random.default_rng(1).random((12, 9))
    for name, kernel in convolution.KERNELS.items():
        np.testing.assert_allclose(convolution.convolve(image, kernel, padding=kernel.shape[0] // 2),
                                   torch_conv(image, kernel, padding=kernel.shape[0] // 2), atol=1e-12, err_msg=name)
    np.testing.assert_allclose(convolution.convolve(image, convolution.KERNELS["Identity"], padding=1), image)
    blurs = [k for name, k in convolution.KERNELS.items() if name.startswith("Blur")]
    assert all(np.isclose(k.sum(), 1) for k in blurs)  # blurs keep the brightness
    assert convolution.KERNELS["Edge: Sobel x"].sum() == convolution.KERNELS["Edge: Laplacian"].sum() == 0


def test_sobel_x_finds_a_vertical_edge_and_relu_keeps_only_positive_responses():
    image = np.zeros((6, 6))
    image[:, 3:] = 1.0  # dark left half, bright right half
    response = convolution.convolve(image, convolution.KERNELS["Edge: Sobel x"])  # (4, 4)
    assert np.all(response[:, 1:3] == 4) and np.all(response[:, [0, 3]] == 0)
    np.testing.assert_array_equal(convolution.relu(np.array([-2.0, 0.0, 3.0])), [0.0, 0.0, 3.0])


@pytest.mark.parametrize("stride, padding, dilation", [(1, 0, 1), (2, 1, 1), (1, 2, 2), (3, 1, 2)])
def test_step_values_fill_the_output_map_in_reading_order(stride, padding, dilation):
    rng = np.random.default_rng(2)
    image, kernel = rng.normal(size=(9, 11)), rng.normal(size=(3, 3))
    out = convolution.convolve(image, kernel, stride, padding, dilation)
    steps = list(convolution.steps(image, kernel, stride, padding, dilation))
    assert len(steps) == out.size
    np.testing.assert_allclose([s.value for s in steps], out.ravel())
    padded = np.pad(image, padding)
    for s in steps:
        taps = padded[s.row:s.row + dilation * 2 + 1:dilation, s.col:s.col + dilation * 2 + 1:dilation]
        np.testing.assert_array_equal(s.patch, taps)  # the window really sits at (row, col) of the padded image
        np.testing.assert_allclose(s.product, taps * kernel)
    assert (steps[1].row, steps[1].col) == (0, stride)


def test_a_filter_that_does_not_fit_is_refused():
    with pytest.raises(ValueError):
        convolution.convolve(np.zeros((3, 3)), np.zeros((5, 5)))
    with pytest.raises(ValueError):
        convolution.convolve(np.zeros((3, 3)), np.zeros((3, 3)), stride=0)


@pytest.mark.parametrize("h, w, c_in, c_out, k", [(28, 28, 1, 8, 3), (7, 5, 3, 4, 5), (4, 4, 2, 2, 1)])
def test_parameter_counts_equal_those_of_nn_linear_and_nn_conv2d(h, w, c_in, c_out, k):
    counts = convolution.parameter_counts(h, w, c_in, c_out, k)
    dense = nn.Linear(h * w * c_in, h * w * c_out)
    conv = nn.Conv2d(c_in, c_out, k, padding=k // 2)
    assert conv(torch.zeros(1, c_in, h, w)).shape == (1, c_out, h, w)  # the same output size as the dense layer
    assert counts == {"dense": sum(p.numel() for p in dense.parameters()),
                      "conv": sum(p.numel() for p in conv.parameters())}


@pytest.mark.parametrize("stride, padding, dilation", [(1, 0, 1), (2, 1, 1), (1, 3, 2), (3, 2, 3)])
def test_step_at_is_that_step_and_its_value_is_torch_conv2d_at_that_pixel(stride, padding, dilation):
    rng = np.random.default_rng(3)
    image, kernel = rng.random((28, 28)), rng.normal(size=(5, 5))
    steps = list(convolution.steps(image, kernel, stride, padding, dilation))
    expected = torch_conv(image, kernel, stride=stride, padding=padding, dilation=dilation)
    for position in (0, 1, len(steps) // 2, len(steps) - 1):
        step, ref = convolution.step_at(image, kernel, position, stride, padding, dilation), steps[position]
        assert (step.row, step.col, step.value) == (ref.row, ref.col, ref.value)
        np.testing.assert_array_equal(step.product, ref.product)
        assert step.value == pytest.approx(expected.ravel()[position], abs=1e-9)
    with pytest.raises(IndexError):
        convolution.step_at(image, kernel, len(steps), stride, padding, dilation)


def test_a_kernel_written_as_text_round_trips_and_bad_text_is_refused():
    kernel = np.array([[-1.0, 0, 1], [-2, 0.5, 2], [-1, 0, 1e-3]])
    text = convolution.kernel_to_text(kernel)
    assert text == "-1,0,1,-2,0.5,2,-1,0,0.001"
    np.testing.assert_array_equal(convolution.kernel_from_text(text, 3), kernel)
    assert convolution.kernel_from_text(" 1, 2,3,4,5,6,7,8,9 ", 3)[2, 2] == 9
    for bad, k in (("1,2,3", 3), ("a,b,c,d,e,f,g,h,i", 3), ("1,2,3,4,5,6,7,8,nan", 3), ("", 3),
                   ("1,2,3,4,5,6,7,8,1000", 3), (",".join("1" * 9), 5)):
        with pytest.raises(ValueError):
            convolution.kernel_from_text(bad, k)
