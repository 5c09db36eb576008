"""Model artefacts: safe formats, freshness by params and library versions, the trust rule."""

from __future__ import annotations

import sys
import types

import numpy as np
import pandas as pd
import pytest
from sklearn.linear_model import LogisticRegression

from lib.data import artifacts
from lib.data.pipeline.models import build_models


@pytest.fixture
def root(tmp_path, monkeypatch):
    monkeypatch.setenv("STREAMDASH_DATA", str(tmp_path))
    (tmp_path / "demo").mkdir()
    return tmp_path


def test_round_trip_each_format(root):
    folder = root / "demo"
    frame = pd.DataFrame({"k": [2, 3], "score": [0.5, 0.25]})
    frame.attrs["n_titles"] = 7
    arrays = {"labels": np.array([0, 1, 1], dtype=np.int32), "xy": np.eye(3)}
    doc = {"alpha": 0.5, "grid": [1, 2]}
    assert artifacts.save(folder, "fam/table", frame, params={"seed": 0}).suffix == ".parquet"
    assert artifacts.save(folder, "fam/arrays", arrays).suffix == ".npz"
    assert artifacts.save(folder, "fam/doc", doc).suffix == ".json"
    got = artifacts.load(folder, "fam/table", {"seed": 0})
    pd.testing.assert_frame_equal(got, frame)
    assert got.attrs["n_titles"] == 7
    z = artifacts.load(folder, "fam/arrays")
    assert set(z) == {"labels", "xy"} and (z["labels"] == [0, 1, 1]).all()
    assert artifacts.load(folder, "fam/doc") == doc


def test_other_params_or_versions_are_stale(root, monkeypatch):
    folder = root / "demo"
    artifacts.save(folder, "fam/table", pd.DataFrame({"a": [1]}), params={"k": (2, 3)})
    assert artifacts.load(folder, "fam/table", {"k": [2, 3]}) is not None  # tuple == list
    assert artifacts.load(folder, "fam/table", {"k": [2, 4]}) is None
    assert artifacts.load(folder, "fam/missing") is None
    real = artifacts.versions()
    monkeypatch.setattr(artifacts, "versions", lambda: {**real, "scikit-learn": "0.0"})
    assert artifacts.load(folder, "fam/table", {"k": [2, 3]}) is None


def test_estimators_load_only_from_a_published_dataset(root):
    model = LogisticRegression().fit([[0.0], [1.0], [2.0], [3.0]], [0, 0, 1, 1])
    published = root / "demo"
    artifacts.save(published, "top10/model", model)
    assert artifacts.load(published, "top10/model").predict([[3.0]])[0] == 1
    for other in (
        root / ".previews" / "host-1-abc",
        root / "demo.building-123-abcdef12",
        root.parent / "elsewhere",
    ):
        other.mkdir(parents=True)
        artifacts.save(other, "top10/model", model)
        with pytest.raises(PermissionError, match="never from a preview or an upload"):
            artifacts.load(other, "top10/model")


def test_damaged_file_is_recomputed_not_fatal(root):
    folder = root / "demo"
    path = artifacts.save(folder, "fam/table", pd.DataFrame({"a": [1]}))
    path.write_bytes(b"not parquet")
    assert artifacts.load(folder, "fam/table") is None


def test_bad_names_refused(root):
    with pytest.raises(ValueError, match="family/name"):
        artifacts.save(root / "demo", "../escape", {"a": 1})


def test_build_models_reports_each_family_and_survives_a_failure(root, monkeypatch):
    good = types.ModuleType("lib.data.pipeline.models_fakegood")
    good.build = lambda folder, progress: (progress(0.5, "half"), {"titles": 3})[1]
    bad = types.ModuleType("lib.data.pipeline.models_fakebad")

    def fail(folder, progress):
        raise RuntimeError("boom")

    bad.build = fail
    monkeypatch.setitem(sys.modules, good.__name__, good)
    monkeypatch.setitem(sys.modules, bad.__name__, bad)
    seen: list[tuple[float, str]] = []
    out = build_models(
        root / "demo",
        lambda f, m: seen.append((f, m)),
        families=["fakegood", "fakebad"],
        span=(0.8, 1.0),
    )
    assert out["fakegood"]["titles"] == 3 and "error" not in out["fakegood"]
    assert out["fakebad"]["error"] == "RuntimeError: boom"
    fractions = [f for f, _ in seen]
    assert all(0.8 <= f <= 1.0 for f in fractions) and fractions == sorted(fractions)
    assert ("models: fakegood: half" in [m for _, m in seen]) and 0.85 in [
        round(f, 2) for f, _ in seen
    ]


def test_concurrent_saves_keep_every_index_entry(root):
    from concurrent.futures import ThreadPoolExecutor

    folder = root / "demo"
    names = [f"fam/t{i}" for i in range(24)]
    with ThreadPoolExecutor(8) as pool:
        list(pool.map(lambda n: artifacts.save(folder, n, {"n": n}), names))
    assert set(artifacts.index(folder)) == set(names)
    assert all(artifacts.load(folder, n) == {"n": n} for n in names)


def _alive(pid: int) -> bool:
    try:
        with open(f"/proc/{pid}/stat") as f:  # a zombie is gone for our purpose
            return f.read().split(") ", 1)[1][0] != "Z"
    except FileNotFoundError:
        return False


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="reads /proc")
def test_models_step_stops_its_worker_processes(root, monkeypatch):
    import os
    import time

    from joblib import Parallel, delayed

    fam = types.ModuleType("lib.data.pipeline.models_fakepool")
    fam.build = lambda folder, progress: {
        "pids": sorted(set(Parallel(n_jobs=2)(delayed(os.getpid)() for _ in range(8))))
    }
    monkeypatch.setitem(sys.modules, fam.__name__, fam)
    monkeypatch.setattr(os, "cpu_count", lambda: 2)
    pids = build_models(root / "demo", families=["fakepool"])["fakepool"]["pids"]
    assert pids and os.getpid() not in pids  # the work ran in worker processes
    deadline = time.monotonic() + 10
    while any(_alive(p) for p in pids) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert not any(_alive(p) for p in pids), "joblib's workers outlived the models step"


def test_overlapping_models_steps_stop_the_workers_once_the_last_ends(root, monkeypatch):
    import os
    import threading

    import joblib.externals.loky as loky

    stops: list[str] = []
    monkeypatch.setattr(
        loky,
        "get_reusable_executor",
        lambda: types.SimpleNamespace(shutdown=lambda wait: stops.append("stop")),
    )
    monkeypatch.setattr(os, "cpu_count", lambda: 2)
    started, release = threading.Event(), threading.Event()

    def slow(folder, progress):
        started.set()
        assert release.wait(10)
        return {}

    for name, fn in (("fakeslow", slow), ("fakefast", lambda folder, progress: {})):
        mod = types.ModuleType(f"lib.data.pipeline.models_{name}")
        mod.build = fn
        monkeypatch.setitem(sys.modules, mod.__name__, mod)
    first = threading.Thread(
        target=build_models, args=(root / "demo",), kwargs={"families": ["fakeslow"]}
    )
    first.start()
    assert started.wait(10)
    build_models(root / "demo", families=["fakefast"])
    assert stops == []  # the slow step still runs: its workers stay
    release.set()
    first.join(10)
    assert stops == ["stop"]
