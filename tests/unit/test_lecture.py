"""The lecture file (core.lecture) checked against the notes: the parts and their time budgets in the notes' order,
every stop's page and section present, stops in the notes' order, every question and link taken from the notes."""
import re

from core import lecture

NOTES_TEXT = (lecture.ROOT / "docs" / "tutorial-2-notes.txt").read_text()  # the lecture notes, as given
HEADINGS = {  # each part's heading in the notes
    "Tutorial 2": "Tutorial 2 – CNNs, RNNs, GANs et al.",
    "Reflections on Assignment 1": "Reflections on Assignment 1",
    "Quick Recap of Tutorial 1": "Quick Recap of Tutorial 1", "Feed-forward networks": "Feed-Forward Networks",
    "Convolutional neural networks": "Convolutional Neural Networks",
    "Recurrent neural networks": "Recurrent Neural Networks",
    "GANs and other generative models": "GANs and other generative models",
    "Adversarial examples and out-of-distribution generalization":
        "Adversarial Examples and Out of distribution Generalization", "Summary": "Summary - 1"}
NOTES_QUESTIONS = (  # every question the notes ask the class, in their order
    "how do you find legs in the image?", "Which of these data sets would be hard to train a classifier for?",
    "why do we need non-linear nodes?", "Why have multiple layers?", "in RNN - across region",
    "Which word indicates blank would be kitchen?", "Which one is fair?", "What can we do with face image?",
    "Time i.e. video frames?", "Pose?")


def test_every_stop_draws_an_existing_section():
    for stop in lecture.STOPS:
        assert (lecture.ROOT / stop.page).exists(), stop.title
        if stop.section:
            module = next(s for s in lecture.SEGMENTS if s.file == stop.page).section(stop.section).module
            assert (lecture.ROOT / (module.replace(".", "/") + ".py")).exists()
        else:
            assert stop.text, f"text stop {stop.title!r} has no text"


def test_parts_and_stops_follow_the_notes():
    parts = [p.title for p in lecture.PARTS]
    assert list(HEADINGS) == parts
    positions = [NOTES_TEXT.index(HEADINGS[p]) for p in parts]
    assert positions == sorted(positions)
    minutes = [int(m) for m in re.findall(r"\((\d+) minutes\)", NOTES_TEXT)]
    assert minutes == [p.minutes for p in lecture.PARTS if p.minutes] == [2, 5, 20, 10, 10, 10, 10]
    order = [parts.index(s.part) for s in lecture.STOPS]
    assert order == sorted(order), "stops leave the notes' order of parts"
    assert all(p in {s.part for s in lecture.STOPS} for p in parts)


def test_data_a_vs_b_opens_feed_forward_and_ood_asks_time_first():
    feed_forward = [s for s in lecture.STOPS if s.part == "Feed-forward networks"]
    assert feed_forward[0].section == "Data A vs Data B"
    ood = [s for s in lecture.STOPS if s.section == "Out-of-distribution generalization"]
    assert dict(ood[0].preset)["ood_view"].startswith("Time")


def test_every_question_of_the_notes_is_asked_in_order_with_an_answer():
    asked = [s for s in lecture.STOPS if s.question]
    assert len(asked) == len(NOTES_QUESTIONS) and all(s.answer for s in asked)
    positions = [NOTES_TEXT.index(q) for q in NOTES_QUESTIONS]
    assert positions == sorted(positions)


def test_every_link_of_the_notes_is_on_the_resources_stop():
    resources = next(s for s in lecture.STOPS if s.title == "Resources")
    links = set(re.findall(r"<(https?://[^>]+)>", NOTES_TEXT))
    assert links == set(lecture.LINKS.values())
    assert all(url in resources.text for url in links)


def test_the_notes_error_on_overfitting_is_corrected():
    recap = next(s for s in lecture.STOPS if "overfitting" in s.text)
    assert "good **training** performance" in recap.text and "Corrected" in recap.text


def test_every_link_is_also_where_the_notes_use_it():
    shown = {name for s in lecture.STOPS for name in s.links} | {
        name for s in lecture.STOPS if s.title == "Resources for building further" for name in lecture.LINKS
        if lecture.LINKS[name] in s.text}
    assert shown == set(lecture.LINKS)
