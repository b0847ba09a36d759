"""The image half of the "GANs" section in AppTest: the shipped DCGAN's samples with the judge's captions and its
measured goals, the latent walk, the discriminator's scores on real and generated images, URL state, a short live
training, a diverging learning rate (message and reset), and a training that waits its turn on a busy server.
It runs under the 2-D GAN Lab in the Generative models page's "GANs" section."""
import threading

import pytest
from streamlit.testing.v1 import AppTest

from core import checkpoints
from core.generative import gan_images
from core.generative.ui import gan_images as page
from core.ui import cache
from tests.pages import apptest

pytestmark = pytest.mark.skipif(not checkpoints.exists("fashion_gan"), reason="fashion_gan is not built")


def open_section(**params) -> AppTest:
    return apptest.open_page("generative", "GANs", **params)


def captions(at: AppTest) -> str:
    return " ".join(c.value for c in at.caption)


def text(at: AppTest) -> str:
    return " ".join(m.value for m in at.markdown)


def images(at: AppTest, starts: str = "", ends: str = "") -> list:
    """The image elements (each a row of pictures) all of whose captions start and end so: the 2-D lab above
    may show pictures of its own."""
    return [e for e in at.get("image")
            if e.proto.imgs and all(i.caption.startswith(starts) and i.caption.endswith(ends) for i in e.proto.imgs)]


def test_the_samples_view_shows_the_grid_with_the_judges_captions_and_the_measured_goals():
    at = open_section()
    assert not at.exception and not at.error and not at.warning
    assert any(s.value == "On images: a DCGAN learns to draw clothes" for s in at.subheader)
    assert at.segmented_control(key="gimg_view").value == "Samples"
    metrics = {m.label: m.value for m in at.metric}
    scores = checkpoints.read_manifest()["fashion_gan"].metrics
    assert metrics["Crispness: judge's confidence"] == f"{scores['mean_top_probability']:.1%}"
    assert metrics["Variety: entropy of the classes"].startswith(f"{scores['entropy_ratio']:.1%}")
    assert at.slider(key="gimg_seed").value == 0
    grid = images(at, ends="%")
    assert len(grid) == 1 and len(grid[0].proto.imgs) == page.GRID
    assert "ignored" not in " ".join(i.value for i in at.info)


def test_new_samples_change_the_seed_and_grouping_keeps_them():
    at = open_section()
    before = [i.caption for i in images(at, ends="%")[0].proto.imgs]
    at.button(key="gimg_new").click().run()
    assert at.slider(key="gimg_seed").value == 1 and at.query_params["gimg_seed"] == "1"
    after = [i.caption for i in images(at, ends="%")[0].proto.imgs]
    assert after != before
    at.toggle(key="gimg_group").set_value(True).run()
    grouped = [i.caption for i in images(at, ends="%")[0].proto.imgs]
    assert sorted(grouped) == sorted(after) and not at.exception


def test_a_seeds_pictures_are_drawn_once_for_everyone():
    at = open_section(gimg_seed="417")  # a seed no other test of this process asks for
    drawn = []
    handle = cache.model("fashion_gan").generator.register_forward_hook(lambda *_: drawn.append(1))
    try:
        at.run()
        again = open_section(gimg_seed="417")  # the next student
        assert not drawn and not again.exception
        assert [i.caption for i in images(again, ends="%")[0].proto.imgs] == \
            [i.caption for i in images(at, ends="%")[0].proto.imgs]
        at.slider(key="gimg_seed").set_value(418).run()
        assert len(drawn) == 1  # a new seed: one batch drawn
    finally:
        handle.remove()


def test_url_parameters_open_the_walk_and_a_bad_one_is_ignored():
    at = open_section(gimg_view="Walk in latent space", gimg_from="11", gimg_to="12", gimg_steps="6",
                      gimg_path="great circle")
    assert not at.exception and not at.error
    assert at.slider(key="gimg_from").value == 11 and at.slider(key="gimg_steps").value == 6
    strip = images(at, ends="%")
    assert len(strip) == 1 and len(strip[0].proto.imgs) == 6
    assert at.segmented_control(key="gimg_path").value == "great circle"
    at = open_section(gimg_view="Walk in latent space", gimg_steps="99", gimg_seed="abc")
    assert not at.exception
    notice = " ".join(i.value for i in at.info)
    assert "Some settings in this link were ignored" in notice and "gimg_steps=99" in notice
    assert at.slider(key="gimg_steps").value == 10


def test_the_discriminator_view_scores_real_and_generated_images():
    at = open_section(gimg_view="Real or generated?", gimg_batch="5")
    assert not at.exception and not at.error
    assert "Generating a new image = fooling the classifier" in text(at)
    rows = images(at, starts="D = ")
    assert len(rows) == 2 and all(len(r.proto.imgs) == page.STRIP for r in rows)
    scores = [float(i.caption.split("= ")[1]) for r in rows for i in r.proto.imgs]
    assert all(0 <= s <= 1 for s in scores)
    assert "fool the discriminator" in captions(at)


def test_a_short_live_training_shows_snapshots_and_both_losses(monkeypatch):
    monkeypatch.setattr(page, "LIVE_STEPS", (20,) + page.LIVE_STEPS)
    at = open_section(gimg_view="Train one yourself", gimg_train_steps="20")
    assert at.select_slider(key="gimg_lr").value == page.DEFAULT_LR
    at.button(key="gimg_go").click().run()
    assert not at.exception and not at.error
    assert any("Trained 20 steps" in s.value for s in at.success)
    specs = [c.proto.spec for c in at.get("vega_lite_chart")]  # the 2-D lab above draws charts of its own
    assert sum('"step"' in s and '"discriminator"' in s and '"generator"' in s for s in specs) == 1
    assert sum('"D(real images)"' in s and '"D(generated images)"' in s for s in specs) == 1
    steps = [r.proto.imgs[0].caption for r in images(at, starts="step ")]
    assert len(steps) == page.LIVE_SNAPSHOTS + 1 and steps[-1] == "step 20"  # step 0 and every kept step


def test_a_diverging_learning_rate_gives_a_message_and_a_reset(monkeypatch):
    monkeypatch.setattr(page, "LIVE_STEPS", (60,) + page.LIVE_STEPS)
    at = open_section(gimg_view="Train one yourself", gimg_train_steps="60", gimg_lr="1")
    at.button(key="gimg_go").click().run()
    assert not at.exception
    assert any("Training diverged" in e.value for e in at.error)
    at.button(key="gimg_reset").click().run()
    assert not at.error and at.select_slider(key="gimg_lr").value == page.DEFAULT_LR
    assert page.RUN not in at.session_state


def test_a_training_on_a_busy_server_waits_its_turn_and_then_trains():
    at = open_section(gimg_view="Train one yourself", gimg_train_steps=str(page.LIVE_STEPS[0]))
    other = cache.TRAININGS.join()  # another student's training, ending in two seconds
    assert cache.TRAININGS.start(other, timeout=60)
    threading.Timer(2.0, cache.TRAININGS.leave, [other]).start()
    at.button(key="gimg_go").click().run()
    assert not at.exception
    assert at.session_state[page.RUN].status == "done"
    assert cache.TRAININGS.busy == (0, 0)


def test_a_stopped_run_is_shown_as_stopped():
    at = open_section(gimg_view="Train one yourself")
    run = gan_images.Run.start(page._live_settings(40, page.DEFAULT_LR))

    def stop(step, *_):
        if step == 5:
            raise gan_images.Stop
    gan_images.train(run, page._training_images(), on_progress=stop)
    at.session_state[page.RUN] = run
    at.run()
    assert not at.exception and not at.error
    assert any("Stopped after 5 of 40 steps" in i.value for i in at.info)
    assert [r.proto.imgs[0].caption for r in images(at, starts="step ")] == ["step 0 (random start)"]
