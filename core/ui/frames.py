"""Playing on the server, for the animations that are redrawn in place there (the convolution's filter): one
frame function called about every `seconds_per_frame` until it says stop, a click reruns the page (which
ends the script run, and so the loop), or `max_seconds` pass, so that a forgotten tab does not keep a shared server
busy."""
import time
from collections.abc import Callable

MAX_PLAY_SECONDS = 180


def play(frame: Callable[[], bool], seconds_per_frame: float, max_seconds: float = MAX_PLAY_SECONDS) -> bool:
    """Call `frame()` until it returns False (False is returned) or `max_seconds` pass (True: played long enough),
    sleeping out what is left of each frame."""
    started = time.perf_counter()
    while time.perf_counter() - started < max_seconds:
        frame_start = time.perf_counter()
        if not frame():
            return False
        time.sleep(max(0.0, seconds_per_frame - (time.perf_counter() - frame_start)))
    return True
