"""Playing on the server: frames until the frame function says stop, or the time allowed is up."""
from core.ui import frames


def test_frames_run_until_the_frame_says_stop():
    calls = []
    assert frames.play(lambda: calls.append(1) or len(calls) < 3, seconds_per_frame=0.0) is False
    assert len(calls) == 3


def test_a_forgotten_tab_stops_playing_when_the_time_allowed_is_up():
    calls = []
    assert frames.play(lambda: calls.append(1) or True, seconds_per_frame=0.0, max_seconds=0.0) is True
    assert calls == []
