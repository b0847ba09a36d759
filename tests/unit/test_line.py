"""The line for heavy work: first come, first served; at most `slots` at once; leaving frees a place or a slot."""
import threading

from core.line import Line


def test_jobs_start_in_the_order_they_came_and_no_more_than_the_slots():
    line = Line(2)
    a, b, c, d = (line.join() for _ in range(4))
    assert [line.ahead(t) for t in (a, b, c, d)] == [0, 1, 2, 3]
    assert not line.start(b)  # a is first in line
    assert line.start(a) and line.start(b)
    assert not line.start(c) and line.ahead(c) == 1  # both slots taken: the first to finish frees one
    assert line.busy == (2, 2)
    line.leave(a)
    assert line.ahead(c) == 0 and line.start(c) and line.ahead(d) == 1


def test_a_student_who_leaves_the_line_lets_the_next_one_move_up():
    line = Line(1)
    running, gone, next_one = line.join(), line.join(), line.join()
    assert line.start(running)
    line.leave(gone)  # went away while waiting
    assert line.ahead(next_one) == 1
    line.leave(running)
    assert line.start(next_one) and line.busy == (1, 0)


def test_a_waiting_job_starts_as_soon_as_the_slot_is_freed():
    line = Line(1)
    first, second = line.join(), line.join()
    assert line.start(first)
    started = threading.Event()
    waiter = threading.Thread(target=lambda: line.start(second, timeout=30) and started.set())
    waiter.start()
    assert not started.wait(0.2)  # still waiting while the first runs
    line.leave(first)
    waiter.join(30)
    assert started.is_set() and line.busy == (1, 0)
