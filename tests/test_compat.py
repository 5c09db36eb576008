"""The module paths from before issue 16's layout still import (lib._compat), lazily.

``tests/fixtures/before_layout`` is the models folder of a dataset built before the move: its
joblib file is a fitted ``ItemKNN`` pickled by the old code under ``lib.recommend``.
"""

from __future__ import annotations

import json
import pickle
import shutil
import subprocess
import sys
import textwrap

import pytest

from lib._compat import MOVED, new_name
from lib.config import PROJECT_ROOT
from lib.data import artifacts

FIXTURE = PROJECT_ROOT / "tests" / "fixtures" / "before_layout"


def _fresh(code: str) -> dict:
    """Run ``code`` in a fresh interpreter (this process has imported everything already)."""
    command = [sys.executable, "-c", textwrap.dedent(code)]
    out = subprocess.check_output(command, cwd=PROJECT_ROOT, text=True, timeout=120)
    return json.loads(out.strip().splitlines()[-1])


def test_importing_lib_imports_nothing_heavy():
    run = _fresh(
        """
        import json, sys
        import lib
        print(json.dumps(sorted(m for m in sys.modules if m.split(".")[0] in
              ("lib", "sklearn", "scipy", "plotly", "pandas", "numpy"))))
        """
    )
    assert run == ["lib", "lib._compat"]


def test_a_class_pickled_under_its_old_module_loads_as_the_new_class():
    """Protocol 0 spells the global out: ``c<module>\\n<name>\\n``, what an old pickle holds."""
    run = _fresh(
        """
        import json, pickle, sys
        import lib
        classes = {
            "lib.recommend": "ItemKNN",
            "lib.rec_service": "RecModels",
            "lib.top10": "Top10Model",
            "lib.cluster": "KMeansResult",
        }
        got = {}
        for old, name in classes.items():
            cls = pickle.loads(f"c{old}\\n{name}\\n.".encode())
            got[old] = [cls.__module__, sys.modules[old] is sys.modules[cls.__module__]]
        print(json.dumps(got))
        """
    )
    assert run == {
        "lib.recommend": ["lib.models.recommend", True],
        "lib.rec_service": ["lib.models.rec_service", True],
        "lib.top10": ["lib.models.top10", True],
        "lib.cluster": ["lib.models.cluster", True],
    }


def test_an_old_path_is_the_same_module_object_never_a_copy():
    import importlib

    import lib.data.pipeline.silver
    import lib.models.recommend

    assert importlib.import_module("lib.recommend") is lib.models.recommend
    assert importlib.import_module("lib.pipeline.silver") is lib.data.pipeline.silver
    assert sys.modules["lib.pipeline"] is sys.modules["lib.data.pipeline"]
    assert lib.models.recommend.__spec__.name == "lib.models.recommend"
    assert lib.models.recommend.ItemKNN.__module__ == "lib.models.recommend"


@pytest.mark.parametrize("old", sorted(MOVED))
def test_every_old_path_names_an_existing_module(old):
    import importlib.util

    assert importlib.util.find_spec(new_name(old)) is not None


def test_a_dataset_built_before_the_move_loads_its_fitted_model(tmp_path, monkeypatch):
    """The artefact check compares params and library versions, not module paths: the old
    dataset's model is fresh, and unpickles as the class at its new path."""
    monkeypatch.setenv("STREAMDASH_DATA", str(tmp_path))
    folder = tmp_path / "before_layout"
    shutil.copytree(FIXTURE, folder)
    index = json.loads((folder / "models" / "index.json").read_text())
    # the fixture was written with the library versions of its day; what is under test
    # here is the module path, so the entry is brought to today's versions
    for e in index.values():
        e["versions"] = artifacts.versions()
    (folder / "models" / "index.json").write_text(json.dumps(index))
    raw = (folder / "models" / "recommend" / "viewer_itemknn.joblib").read_bytes()
    assert b"lib.recommend" in raw and b"lib.models" not in raw
    model = artifacts.load(folder, "recommend/viewer_itemknn")
    from lib.models.recommend import ItemKNN

    assert isinstance(model, ItemKNN)
    assert model.similar("a", k=2)["title_id"].tolist() == ["b", "c"]


def test_a_model_pickled_now_names_the_new_module():
    from lib.models.recommend import Popularity

    assert b"lib.models.recommend" in pickle.dumps(Popularity())


def test_the_old_cli_path_still_runs(tmp_path):
    env = {"STREAMDASH_DATA": str(tmp_path), "PATH": "/usr/bin:/bin"}
    for module in ("lib.pipeline", "lib.data.pipeline"):
        out = subprocess.run(
            [sys.executable, "-m", module, "list"],
            cwd=PROJECT_ROOT,
            env=env,
            capture_output=True,
            text=True,
            timeout=120,
        )
        assert out.returncode == 0, out.stderr
        assert "no datasets under" in out.stdout
