"""Heavy work on a shared server: computed once for everyone, at most one computation per slot, the same result
asked for twice at once computed once."""
import threading
import time

import pytest

from core import disk_cache
from core.line import Line
from core.ui import heavy


@pytest.fixture
def one_slot(monkeypatch, tmp_path):
    monkeypatch.setenv("DASHBOARD_CACHE", str(tmp_path))
    monkeypatch.setattr(heavy, "LINE", Line(1))
    monkeypatch.setattr(heavy, "_results", type(heavy._results)())
    monkeypatch.setattr(heavy, "_computing", {})


def test_a_result_is_computed_once_and_kept_for_everyone(one_slot):
    calls = []
    assert heavy.result("k", lambda: calls.append(1) or 42, "a map") == 42
    assert heavy.result("k", lambda: calls.append(1) or 0, "a map") == 42
    assert len(calls) == 1


def test_only_the_most_recent_results_are_kept(one_slot, monkeypatch):
    monkeypatch.setattr(heavy, "MAX_RESULTS", 2)
    for k in "abc":
        heavy.result(k, lambda k=k: k.upper(), "x")
    assert list(heavy._results) == ["b", "c"]


def test_two_students_asking_for_the_same_result_at_once_share_one_computation(one_slot):
    started, release, calls, got = threading.Event(), threading.Event(), [], []

    def slow() -> int:
        calls.append(1)
        started.set()
        release.wait(30)
        return 7

    first = threading.Thread(target=lambda: got.append(heavy.result("same", slow, "x")))
    first.start()
    assert started.wait(30)
    second = threading.Thread(target=lambda: got.append(heavy.result("same", slow, "x")))
    second.start()
    release.set()
    first.join(30), second.join(30)
    assert got == [7, 7] and len(calls) == 1


def test_different_results_take_turns_on_the_slots(one_slot):
    running, most = [0], [0]
    lock = threading.Lock()

    def job() -> None:
        with lock:
            running[0] += 1
            most[0] = max(most[0], running[0])
        time.sleep(0.05)
        with lock:
            running[0] -= 1

    threads = [threading.Thread(target=heavy.result, args=(k, job, "x")) for k in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(30)
    assert most[0] == 1 and heavy.LINE.busy == (0, 0) and len(heavy._results) == 4


def test_a_computation_that_fails_frees_its_slot_and_is_not_kept(one_slot):
    with pytest.raises(ZeroDivisionError):
        heavy.result("bad", lambda: 1 / 0, "x")
    assert heavy.LINE.busy == (0, 0) and "bad" not in heavy._results
    assert heavy.result("bad", lambda: 3, "x") == 3


def test_a_result_is_read_from_disk_by_a_restarted_server_and_written_whole(one_slot, tmp_path):
    heavy.result(("map", 1), lambda: [1, 2, 3], "x")
    heavy._results.clear()  # the server restarted, or another worker asks
    assert heavy.result(("map", 1), lambda: pytest.fail("computed again"), "x") == [1, 2, 3]
    assert list(tmp_path.rglob("*.part")) == [] and len(list(tmp_path.rglob("*.pickle"))) == 1


def test_a_damaged_file_on_disk_is_computed_again(one_slot, tmp_path):
    heavy.result(("map", 2), lambda: list(range(1000)), "x")
    heavy._results.clear()
    (kept,) = tmp_path.rglob("*.pickle")
    kept.write_bytes(kept.read_bytes()[:100])  # cut short, as by a full disk
    assert heavy.result(("map", 2), lambda: "again", "x") == "again"
    assert disk_cache.read(("map", 2)) == "again"


def test_results_of_another_fingerprint_are_never_read(one_slot, monkeypatch, tmp_path):
    heavy.result(("map", 3), lambda: "old model", "x")
    monkeypatch.setattr(disk_cache, "fingerprint", lambda: "0123456789abcdef")  # a rebuilt checkpoint, or new code
    disk_cache._folder.cache_clear()
    assert disk_cache.read(("map", 3)) is disk_cache.MISSING
    assert [p.name for p in tmp_path.iterdir()] == ["0123456789abcdef"]  # the old folder is gone


def test_a_key_naming_an_object_by_its_address_stays_off_disk(one_slot, tmp_path):
    disk_cache.write(("model", object()), 1)
    assert list(tmp_path.rglob("*.pickle")) == []


def test_nothing_is_kept_on_disk_when_switched_off(one_slot, monkeypatch, tmp_path):
    monkeypatch.setenv("DASHBOARD_CACHE", "off")
    disk_cache.write(("map", 4), 1)
    assert disk_cache.read(("map", 4)) is disk_cache.MISSING and list(tmp_path.rglob("*")) == []


def test_slow_jobs_leave_one_core_to_the_interpreter():
    assert heavy.LINE.slots == max(1, heavy.CORES - 1)


def test_quick_work_is_computed_at_once_while_slow_work_holds_the_line(one_slot):
    started, release = threading.Event(), threading.Event()

    def slow() -> int:
        started.set()
        release.wait(30)
        return 1

    holder = threading.Thread(target=lambda: heavy.result("slow", slow, "x"))
    holder.start()
    assert started.wait(30)
    assert heavy.result("quick", lambda: 2, "y", quick=True) == 2  # did not wait for the slot
    release.set()
    holder.join(30)


def test_kept_says_missing_until_a_result_is_computed_then_finds_it_on_disk_too(one_slot):
    assert heavy.kept("k") is disk_cache.MISSING
    heavy.result("k", lambda: 5, "x")
    assert heavy.kept("k") == 5
    heavy._results.clear()  # a restarted server
    assert heavy.kept("k") == 5 and "k" in heavy._results


def test_a_shared_function_says_per_call_whether_it_is_quick(one_slot, monkeypatch):
    seen = []
    monkeypatch.setattr(heavy, "result", lambda key, compute, what, quick=False: seen.append(quick) or compute())

    @heavy.shared("x", quick=lambda size, **_: size < 10)
    def work(size: int, _model=None) -> int:
        return size

    assert work(3) == 3 and work(30, _model=object()) == 30
    assert seen == [True, False]
