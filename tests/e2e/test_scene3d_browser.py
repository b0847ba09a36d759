"""The 3-D figures in a real browser: drawn on a canvas (no WebGL), turned by dragging, the hidden layer's training
played frame by frame, and a student's turn kept when a control reruns the page."""
from core import plots

PIXELS = """(canvas, colours) => {
    // how many pixels of the canvas are close to each colour (#rrggbb), and the picture itself
    const data = canvas.getContext("2d").getImageData(0, 0, canvas.width, canvas.height).data;
    const targets = colours.map((c) => [1, 3, 5].map((i) => parseInt(c.slice(i, i + 2), 16)));
    const counts = targets.map(() => 0);
    for (let p = 0; p < data.length; p += 4) {
        targets.forEach((t, k) => {
            if (Math.abs(data[p] - t[0]) + Math.abs(data[p + 1] - t[1]) + Math.abs(data[p + 2] - t[2]) < 30) counts[k]++;
        });
    }
    return { counts, picture: canvas.toDataURL() };
}"""


def scene(app, key: str, part: str = ""):
    """The 3-D figure keyed `key` (inside its component's shadow root, which Playwright's locators enter)."""
    return app.page.locator(f".st-key-{key} .scene3d" + (f" {part}" if part else ""))


def drawn(app, key: str) -> dict:
    return scene(app, key, "canvas").evaluate(PIXELS, list(plots.NORMAL.palette[:2]))


def drag(app, key: str, dx: float, dy: float) -> None:
    scene(app, key, "canvas").scroll_into_view_if_needed()
    box = scene(app, key, "canvas").bounding_box()
    x, y = box["x"] + box["width"] / 2, box["y"] + box["height"] / 2
    app.page.mouse.move(x, y)
    app.page.mouse.down()
    app.page.mouse.move(x + dx, y + dy, steps=6)
    app.page.mouse.up()


def test_data_b_lifted_and_the_hidden_layer_are_drawn_turned_and_played(app):
    app.open("recap", section="Data A vs Data B", ab_lift="1")
    app.assert_no_exception()
    for key in ("ab_lifted", "ab_hidden"):
        scene(app, key).wait_for(state="visible")
        assert int(scene(app, key).get_attribute("data-drawn")) >= 1
        assert min(drawn(app, key)["counts"]) > 50  # both classes' points are on the canvas
    assert "a flat plane gets" in scene(app, "ab_lifted", ".scene3d-title").inner_text()
    before, azimuth = drawn(app, "ab_lifted")["picture"], scene(app, "ab_lifted").get_attribute("data-azimuth")
    drag(app, "ab_lifted", 120, 30)
    app.page.wait_for_function("([e, a]) => e.dataset.azimuth !== a",
                               arg=[scene(app, "ab_lifted").element_handle(), azimuth])
    assert drawn(app, "ab_lifted")["picture"] != before
    app.screenshot("recap-data-b-lifted-turned")

    last = int(scene(app, "ab_hidden", "input[type=range]").get_attribute("max"))
    first_title = scene(app, "ab_hidden", ".scene3d-title").inner_text()
    assert first_title.startswith("step 0:") and last > 10
    scene(app, "ab_hidden", ".scene3d-controls button").click()
    app.page.wait_for_function("([e, n]) => e.dataset.frame === String(n)",
                               arg=[scene(app, "ab_hidden").element_handle(), last], timeout=30_000)
    assert scene(app, "ab_hidden", ".scene3d-title").inner_text() != first_title
    assert "training step" in scene(app, "ab_hidden", ".scene3d-controls").inner_text()
    app.assert_no_exception()
    app.screenshot("recap-hidden-layer-trained")


def test_the_landscape_keeps_the_students_turn_when_a_control_reruns_the_page(app):
    app.open("feed_forward", section="Gradient descent and SGD")
    scene(app, "gd_surface_3d").wait_for(state="visible")
    drag(app, "gd_surface_3d", -90, 0)
    app.page.wait_for_function("(e) => e.dataset.azimuth !== '-50'",
                               arg=scene(app, "gd_surface_3d").element_handle())
    turned = scene(app, "gd_surface_3d").get_attribute("data-azimuth")
    app.page.locator(".st-key-gd_show_momentum label").click()
    scene(app, "gd_surface_3d", ".scene3d-legend").get_by_text("momentum", exact=False).wait_for()
    app.wait_idle()
    app.assert_no_exception()
    assert scene(app, "gd_surface_3d").get_attribute("data-azimuth") == turned
    app.screenshot("feed-forward-landscape-turned")


def test_the_landscape_in_projector_mode(app):
    app.open("feed_forward", section="Gradient descent and SGD", projector="1")
    scene(app, "gd_surface_3d").wait_for(state="visible")
    app.assert_no_exception()
    assert scene(app, "gd_surface_3d").evaluate("e => e.classList.contains('projector')")
    app.screenshot("feed-forward-landscape-projector")
