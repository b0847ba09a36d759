"""The CNN page's Convolution section in AppTest: the default view, URL parameters, Step, Back and Play, the value
shown at a step against core.cnn.convolution, an editable kernel from the URL, a filter that does not fit, bad URL
values, and each image source."""
import re

import pytest
from PIL import Image
from streamlit.testing.v1 import AppTest

from core import uploads
from core.cnn import convolution
from core.data import images
from tests.pages import apptest

FORMULA = re.compile(r"Position \*\*(\d+)\*\* of (\d+): output pixel \(row (\d+), column (\d+)\) = .* = \*\*(.+)\*\*")


def open_section(**params) -> AppTest:
    return apptest.open_page("cnns", "Convolution", **params)


def shown_step(at: AppTest) -> tuple[int, int, int, int, float]:
    """(position, positions, row, column, value) from the line above the step view's pictures."""
    found = [FORMULA.fullmatch(m.value) for m in at.main.markdown if m.value.startswith("Position")]
    assert len(found) == 1 and found[0], [m.value for m in at.main.markdown]
    position, n, row, column, value = found[0].groups()
    return int(position), int(n), int(row), int(column), float(value)


def notices(at: AppTest) -> str:
    return " ".join(i.value for i in at.info)


def test_the_default_view_shows_the_step_maps_and_parameter_counts():
    at = open_section()
    assert not at.exception and not at.error and not at.warning
    assert "ignored" not in notices(at)
    assert at.selectbox(key="conv_kernel").value == "Edge: Sobel x"
    assert shown_step(at)[:4] == (1, 26 * 26, 0, 0)
    assert at.multiselect(key="conv_filters").value == ["Edge: Sobel x", "Edge: Sobel y", "Edge: Laplacian",
                                                       "Blur: Gaussian 3×3"]
    assert [m.label for m in at.metric] == ["Dense layer", "Convolution"]
    assert apptest.bound(at, "conv_pos") and at.slider(key="conv_pos").value == 1


def test_url_parameters_set_the_kernel_stride_padding_dilation_and_position_and_the_value_is_the_convolutions():
    at = open_section(conv_source="Handwritten digit", conv_item_Hand="7", conv_kernel="Edge: Laplacian",
                      conv_stride="2", conv_padding="1", conv_dilation="2", conv_pos="40")
    assert not at.exception and not at.warning
    assert (at.slider(key="conv_stride").value, at.slider(key="conv_padding").value,
            at.slider(key="conv_dilation").value, at.slider(key="conv_pos").value) == (2, 1, 2, 40)
    side = convolution.output_size(28, 3, 2, 1, 2)
    out = convolution.convolve(images.mnist_5k("test")[0][7] / 255, convolution.KERNELS["Edge: Laplacian"], 2, 1, 2)
    position, n, row, column, value = shown_step(at)
    assert (position, n, row, column) == (40, side * side, 39 // side, 39 % side)
    assert value == pytest.approx(out[row, column], rel=1e-3, abs=1e-3)


def test_step_and_back_move_the_filter_and_wrap_around():
    at = open_section(conv_stride="4")  # a 7×7 output map
    at.button(key="conv_step").click().run()
    assert shown_step(at)[0] == 2 and at.slider(key="conv_pos").value == 2
    at.button(key="conv_back").click().run()
    at.button(key="conv_back").click().run()
    assert shown_step(at)[:4] == (49, 49, 6, 6)  # from the first position back to the last
    at.button(key="conv_step").click().run()
    assert shown_step(at)[0] == 1


def test_play_runs_to_the_end_of_the_map_and_stops_there():
    at = open_section(conv_stride="4", conv_speed="1 row")
    at.button(key="conv_play").click().run()
    assert not at.exception
    assert shown_step(at)[:2] == (49, 49) and at.slider(key="conv_pos").value == 49
    assert at.button(key="conv_play").label == "Play"


@pytest.mark.parametrize("params, image", [
    ({"conv_source": "Photo", "conv_photo": "coffee"},
     lambda: uploads.to_grayscale_28(Image.fromarray(images.photos()["coffee"].image))),
    ({"conv_source": "Fashion-MNIST item", "conv_item_Fash": "5"}, lambda: images.fashion_mnist(train=False)[0][5]),
    ({"conv_source": "Handwritten digit", "conv_item_Hand": "3"}, lambda: images.mnist_5k("test")[0][3]),
])
def test_each_image_source_shows_the_convolution_of_its_28_by_28_image(params, image):
    at = open_section(**params, conv_kernel="Emboss", conv_padding="2", conv_pos="300")
    assert not at.exception and not at.error and not at.warning
    out = convolution.convolve(image() / 255, convolution.KERNELS["Emboss"], padding=2)
    _, n, row, column, value = shown_step(at)
    assert n == out.size and value == pytest.approx(out[row, column], rel=1e-3, abs=1e-3)


def test_an_editable_kernel_from_the_url_is_the_one_used():
    grid = "1,2,3,4,5,6,7,8,9"
    at = open_section(conv_source="Handwritten digit", conv_kernel="Your own 3×3", conv_own3=grid, conv_pos="200")
    assert not at.exception and "ignored" not in notices(at)
    kernel = convolution.kernel_from_text(grid, 3)
    out = convolution.convolve(images.mnist_5k("test")[0][0] / 255, kernel)
    _, _, row, column, value = shown_step(at)
    assert value == pytest.approx(out[row, column], rel=1e-3, abs=1e-3)
    assert at.query_params["conv_own3"] == grid


def test_a_dilation_that_does_not_fit_gives_a_warning_not_an_exception():
    at = open_section(conv_dilation="14")
    assert not at.exception and not at.error
    assert any("does not fit" in w.value and "29×29" in w.value for w in at.warning)
    assert [m.label for m in at.metric] == ["Dense layer", "Convolution"]  # parameter sharing is still shown


def test_bad_url_values_are_ignored_with_a_notice():
    at = open_section(conv_stride="9", conv_kernel="Nope", conv_filters="Edge: Sobel x,Nope", conv_pos="abc")
    assert not at.exception
    notice = notices(at)
    for bad in ("conv_stride=9", "conv_kernel=Nope", "conv_filters=Edge: Sobel x,Nope", "conv_pos=abc"):
        assert bad in notice
    assert at.slider(key="conv_stride").value == 1 and at.selectbox(key="conv_kernel").value == "Edge: Sobel x"
    at2 = open_section(conv_kernel="Your own 5×5", conv_own5="1,2,3")
    assert "conv_own5=1,2,3" in notices(at2) and not at2.exception


def test_chosen_filters_each_give_an_output_map_and_its_relu():
    at = open_section(conv_filters="Emboss,Sharpen")
    assert not at.exception
    assert at.multiselect(key="conv_filters").value == ["Emboss", "Sharpen"]
    captions = [i.caption for image in at.main.get("image") for i in image.proto.imgs]
    assert captions[-4:] == ["Emboss", "Sharpen", "ReLU(Emboss)", "ReLU(Sharpen)"]


def test_a_smaller_output_map_keeps_the_position_inside_it():
    at = open_section(conv_pos="600")
    at.slider(key="conv_stride").set_value(4).run()
    assert not at.exception
    assert shown_step(at)[:2] == (49, 49) and at.slider(key="conv_pos").value == 49
