"""The build's step scheduler (``lib.data.pipeline.engine.run_tasks``): two DuckDB workers."""

from __future__ import annotations

import threading
import time
from pathlib import Path

import pandas as pd
import pytest

from lib.data.pipeline.engine import Engine, Task, connect, run_tasks


@pytest.fixture
def eng():
    with connect("duckdb", threads=2) as e:
        yield e


def test_results_by_name_and_order_of_dependencies(eng: Engine):
    finished: list[str] = []
    lock = threading.Lock()

    def step(name: str, seconds: float = 0.0):
        def run(e: Engine) -> int:
            time.sleep(seconds)
            with lock:
                finished.append(name)
            return int(e.con.raw_sql("SELECT 40 + 2").fetchone()[0])

        return run

    tasks = [
        Task("a", step("a", 0.2)),
        Task("b", step("b", 0.05), after=("a",)),
        Task("c", step("c")),
        Task("d", step("d"), after=("b", "c")),
    ]
    started: list[tuple[str, str]] = []
    out = run_tasks(
        eng, tasks, started=lambda t: started.append((t.name, threading.current_thread().name))
    )
    assert out == {"a": 42, "b": 42, "c": 42, "d": 42}
    assert finished.index("a") < finished.index("b") < finished.index("d")
    assert finished.index("c") < finished.index("d")
    # c does not wait for a: the second worker runs it while a sleeps
    assert finished.index("c") < finished.index("a")
    # progress is reported from the caller's thread, once per task
    assert sorted(n for n, _ in started) == ["a", "b", "c", "d"]
    assert {th for _, th in started} == {threading.current_thread().name}


def test_two_tasks_run_at_once_on_duckdb(eng: Engine):
    barrier = threading.Barrier(2, timeout=10)

    def meet(e: Engine) -> str:
        barrier.wait()  # fails (BrokenBarrierError) unless both run at the same time
        return threading.current_thread().name

    out = run_tasks(eng, [Task("x", meet), Task("y", meet)])
    assert out["x"] != out["y"]


def test_each_worker_reads_and_stashes_on_its_own_cursor(eng: Engine, tmp_path: Path):
    path = tmp_path / "t.parquet"
    pd.DataFrame({"v": range(100)}).to_parquet(path)

    def total(e: Engine) -> int:
        t = e.stash(e.read(path).filter(lambda t: t.v >= 50), tmp_path / "s.parquet")
        return int(e.to_pandas(t.v.sum()))

    out = run_tasks(eng, [Task(f"t{i}", total) for i in range(6)])
    assert set(out.values()) == {sum(range(50, 100))}


def test_the_first_error_is_raised_and_stops_later_tasks(eng: Engine):
    ran: list[str] = []

    def boom(_e: Engine) -> None:
        raise RuntimeError("disk full")

    def later(_e: Engine) -> None:
        ran.append("later")

    with pytest.raises(RuntimeError, match="disk full"):
        run_tasks(eng, [Task("boom", boom), Task("later", later, after=("boom",))])
    assert ran == []


def test_a_failing_progress_callback_stops_the_build(eng: Engine):
    ran: list[str] = []

    def step(name: str):
        def run(_e: Engine) -> None:
            time.sleep(0.05)
            ran.append(name)

        return run

    tasks = [Task(f"t{i}", step(f"t{i}"), after=(f"t{i - 1}",) if i else ()) for i in range(6)]

    def cancel(t: Task) -> None:
        if t.name == "t1":
            raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        run_tasks(eng, tasks, started=cancel)
    assert len(ran) < 6


@pytest.mark.parametrize("workers", [1, 2])
def test_bad_task_lists_are_refused(eng: Engine, workers: int):
    def noop(_e: Engine) -> None:
        return None

    with pytest.raises(ValueError, match="unknown tasks"):
        run_tasks(eng, [Task("a", noop, after=("nope",))], workers=workers)
    with pytest.raises(ValueError, match="repeat"):
        run_tasks(eng, [Task("a", noop), Task("a", noop)], workers=workers)
    cycle = [Task("a", noop, after=("b",)), Task("b", noop, after=("a",))]
    with pytest.raises(ValueError, match="cycle" if workers > 1 else "listed before"):
        run_tasks(eng, cycle, workers=workers)


def test_one_worker_runs_in_list_order(eng: Engine):
    order: list[str] = []

    def step(name: str):
        return lambda _e: order.append(name)

    run_tasks(eng, [Task(n, step(n)) for n in "cab"], workers=1)
    assert order == ["c", "a", "b"]
