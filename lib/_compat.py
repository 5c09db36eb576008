"""The module paths ``lib`` had before the layout of issue 16, as aliases of the new modules.

Fitted models are stored as joblib pickles, which name the module of each class (a recommender
stored before the move is ``lib.recommend.ItemKNN``); ``python -m lib.pipeline`` is the CLI
path documented before the move. :class:`AliasFinder` (installed by ``lib/__init__.py``)
makes every old path import the module it now is, **lazily**: installing it imports nothing,
and ``import lib.recommend`` (or unpickling a class of it) imports ``lib.models.recommend`` and
binds the same module object under both names - never a second copy of the module.

The project's own code uses the new paths only (``tests/test_rules.py`` checks it); the
aliases are for stored artefacts, old command lines and code written before the move.
"""

from __future__ import annotations

import importlib
import importlib.abc
import importlib.machinery
import importlib.util
import sys
from types import ModuleType

__all__ = ["MOVED", "new_name", "AliasFinder", "install"]

#: old path -> new path; a package's submodules follow it (``lib.pipeline.silver``).
MOVED: dict[str, str] = {
    **{
        f"lib.{m}": f"lib.data.{m}"
        for m in (
            "artifacts",
            "import_plan",
            "importers",
            "model_input",
            "pipeline",
            "quality",
            "schema",
            "session_query",
            "store",
            "synth",
        )
    },
    **{
        f"lib.{m}": f"lib.models.{m}"
        for m in (
            "cluster",
            "cluster_features",
            "evaluate",
            "rec_explain",
            "rec_service",
            "recommend",
            "top10",
            "top10_inputs",
        )
    },
    "lib.charts_light": "lib.charts.light",
    "lib.charts_cluster": "lib.charts.cluster",
    "lib.charts_recommend": "lib.charts.recommend",
    "lib.charts_report": "lib.charts.report",
    "lib.charts_top10": "lib.charts.top10",
}


def new_name(name: str) -> str | None:
    """The current path of module ``name`` when it is an old path, else ``None``."""
    for old, new in MOVED.items():
        if name == old or name.startswith(old + "."):
            return new + name[len(old) :]
    return None


class _AliasLoader(importlib.abc.Loader):
    """Loads an old path as the module of its new path (importing that one if needed)."""

    def __init__(self, target: str) -> None:
        self.target = target

    def create_module(self, spec: importlib.machinery.ModuleSpec) -> ModuleType:
        module = importlib.import_module(self.target)
        self._spec = module.__spec__
        return module

    def exec_module(self, module: ModuleType) -> None:
        # the import system has just set the alias spec on the module: give it its own back
        module.__spec__ = self._spec


class AliasFinder(importlib.abc.MetaPathFinder):
    """Meta-path finder of the old paths (ahead of the path finder, so that the new module is
    never loaded a second time under its old name)."""

    def find_spec(
        self, fullname: str, path: object = None, target: object = None
    ) -> importlib.machinery.ModuleSpec | None:
        if not fullname.startswith("lib.") or fullname.endswith(".__main__"):
            # a package's __main__ is found by the path finder in the new package's folder,
            # so that ``python -m lib.pipeline`` (runpy needs its code object) runs
            return None
        new = new_name(fullname)
        if new is None:
            return None
        real = importlib.util.find_spec(new)  # imports the new parent package, not ``new``
        if real is None:
            return None
        return importlib.machinery.ModuleSpec(
            fullname,
            _AliasLoader(new),
            is_package=real.submodule_search_locations is not None,
        )


def install() -> None:
    """Put :class:`AliasFinder` first on ``sys.meta_path`` (once)."""
    if not any(isinstance(f, AliasFinder) for f in sys.meta_path):
        sys.meta_path.insert(0, AliasFinder())
