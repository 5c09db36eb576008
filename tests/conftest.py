"""Shared fixtures: one small demo dataset built once per test session.

``STREAMDASH_DATA`` points the app (AppTest and the browser tests) at that dataset's root,
so the suite never touches the developer's ``data/`` folder.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from lib.config import PROJECT_ROOT

REALDATA = PROJECT_ROOT.parent / "shared" / "realdata"
SMALL_SCALE = 0.1  # 1,030 users, 104 titles, 10,500 sessions: builds in ~2 s


@pytest.fixture(scope="session")
def data_root(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Root folder holding a freshly built small ``demo`` dataset; exported to the app."""
    from lib.data.pipeline import build

    root = tmp_path_factory.mktemp("data")
    build(scale=SMALL_SCALE, seed=0, data_dir=root / "demo")
    previous = os.environ.get("STREAMDASH_DATA")
    os.environ["STREAMDASH_DATA"] = str(root)
    yield root
    if previous is None:
        os.environ.pop("STREAMDASH_DATA", None)
    else:
        os.environ["STREAMDASH_DATA"] = previous


@pytest.fixture(scope="session")
def demo_dir(data_root: Path) -> Path:
    return data_root / "demo"


@pytest.fixture(scope="session")
def gold(demo_dir: Path) -> dict:
    from lib.data.store import load_gold

    return load_gold(demo_dir)


def realdata(*parts: str) -> Path:
    """Path under ../shared/realdata, or skip the test with a reason when it is absent."""
    path = REALDATA.joinpath(*parts)
    if not path.exists():
        pytest.skip(f"real data not available: {path} is absent (../shared/realdata is optional)")
    return path


@pytest.fixture(autouse=True)
def _no_background_models_step_outlives_its_test():
    """A preview starts its models step in a background thread; stop it when the test ends,
    so that it neither competes for the cores nor shows in the next test's fit counters."""
    yield
    import sys

    plan = sys.modules.get("lib.data.import_plan")
    if plan is not None:
        plan.discard_models(wait=120)
