"""The step view's pictures show what the convolution computed: padding, the filter's window and taps, the output
map filling in, and one position's arithmetic."""
import numpy as np
import pytest

from core.cnn import convolution
from core.cnn import convolution_picture as picture
from core.plots import NORMAL, PROJECTOR

IMAGE = np.linspace(0, 1, 36).reshape(6, 6)
KERNEL = convolution.KERNELS["Edge: Sobel x"]


def cell_colour(img: np.ndarray, cell: int, row: int, col: int) -> tuple[int, ...]:
    """The colour at the centre of grid square (row, col)."""
    return tuple(img[row * cell + cell // 2, col * cell + cell // 2])


@pytest.mark.parametrize("padding, dilation", [(0, 1), (1, 1), (2, 2)])
def test_from_padding_marks_exactly_the_taps_outside_the_image(padding, dilation):
    for position in range(len(convolution.convolve(IMAGE, KERNEL, 1, padding, dilation).ravel())):
        step = convolution.step_at(IMAGE, KERNEL, position, 1, padding, dilation)
        rows, cols = step.row + dilation * np.arange(3), step.col + dilation * np.arange(3)
        padded = np.pad(np.ones_like(IMAGE), padding)
        expected = padded[np.ix_(rows, cols)] == 0
        assert np.array_equal(picture.from_padding(IMAGE.shape, padding, dilation, step, 3), expected)


def test_input_picture_draws_padding_blue_pixels_grey_and_the_window_in_the_accent_colour():
    step = convolution.step_at(IMAGE, KERNEL, 0, 1, 1, 1)
    img = picture.input_picture(IMAGE, 1, step, 3, 1, NORMAL)
    cell = picture.PICTURE // 8
    assert img.shape[0] == img.shape[1] == 8 * cell + 1
    far = cell_colour(img, cell, 7, 7)  # a padding square outside the window
    assert far == picture.PAD_RGB
    inside = cell_colour(img, cell, 5, 5)  # an image pixel outside the window: grey, as its value says
    assert inside[0] == inside[1] == inside[2] == round(IMAGE[4, 4] * 255)
    tap = cell_colour(img, cell, 1, 1)  # under the window: a grey pixel tinted orange, as the accent is
    accent = picture.accent(NORMAL)
    assert accent[0] > accent[1] > accent[2] and tap[0] > tap[1] > tap[2]


def test_output_picture_greys_what_is_not_computed_yet():
    out = convolution.convolve(IMAGE, KERNEL)
    img = picture.output_picture(out, filled=5, style=NORMAL)
    cell = picture.PICTURE // max(out.shape)
    assert cell_colour(img, cell, 3, 3) == picture.EMPTY_RGB
    assert cell_colour(img, cell, 0, 1) != picture.EMPTY_RGB


@pytest.mark.parametrize("style", [NORMAL, PROJECTOR])
def test_arithmetic_picture_is_a_white_picture_with_ink_and_grows_in_projector_mode(style):
    step = convolution.step_at(IMAGE, KERNEL, 4)
    img = picture.arithmetic_picture(step, KERNEL, np.zeros((3, 3), bool), (0, 4), step.value, style)
    assert img.ndim == 3 and img.shape[2] == 3
    assert (img == 255).all(-1).mean() > 0.4 and (img < 60).all(-1).any()  # mostly white, with black text
    small = picture.arithmetic_picture(step, KERNEL, np.zeros((3, 3), bool), (0, 4), step.value, NORMAL)
    assert img.shape[1] >= small.shape[1]


def test_numbers_are_short_enough_for_their_squares():
    assert [picture._number(v) for v in (0.0001, 0.4712, -0.0941, 12.3, -250.0)] == ["0", "0.47", "-0.094", "12",
                                                                                     "-250"]
    assert picture.bound(np.zeros(3)) == 1.0 and picture.bound(np.array([-2.0, 1.0])) == 2.0
