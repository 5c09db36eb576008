"""Project rules that are cheap to check mechanically."""

from __future__ import annotations

import re
import tomllib

from lib.config import PROJECT_ROOT

PY = [
    p
    for p in PROJECT_ROOT.rglob("*.py")
    if not {".venv", "data"} & set(p.relative_to(PROJECT_ROOT).parts[:1])
]


def test_lib_outside_ui_never_imports_streamlit():
    offenders = []
    for path in (PROJECT_ROOT / "lib").rglob("*.py"):
        if "ui" in path.relative_to(PROJECT_ROOT / "lib").parts[:1]:
            continue
        text = path.read_text(encoding="utf-8")
        if re.search(r"^\s*(import streamlit|from streamlit)", text, re.M):
            offenders.append(str(path))
    assert not offenders


def test_no_unsafe_html_anywhere_in_the_app():
    offenders = [
        str(p)
        for p in PY
        if "tests" not in p.parts
        and re.search(r"unsafe_allow_html\s*=\s*True", p.read_text(encoding="utf-8"))
    ]
    assert not offenders, "unsafe_allow_html=True lets data values render as HTML"


def test_no_pickle_or_joblib_loading_of_files():
    """Nothing unpickles a file, except the model artefacts of lib/data/artifacts.py, which load a
    ``.joblib`` file only after checking that it lies in a published dataset folder of the
    server's own data root (issue 14 allows joblib from there, never from an upload)."""
    artifacts = PROJECT_ROOT / "lib" / "data" / "artifacts.py"
    offenders = [
        str(p)
        for p in PY
        if "tests" not in p.parts
        and p != artifacts
        and re.search(r"(pickle\.loads?\(|joblib\.load\()", p.read_text(encoding="utf-8"))
    ]
    assert not offenders
    text = artifacts.read_text(encoding="utf-8")
    assert "pickle.load" not in text and text.count("joblib.load(") == 1
    guard = text.index('if kind == "joblib" and not trusted_folder(folder):')
    assert guard < text.index("joblib.load(")


def test_requirements_are_pinned():
    for name in ("requirements.txt", "requirements-dev.txt"):
        for line in (PROJECT_ROOT / name).read_text().splitlines():
            line = line.strip()
            if line and not line.startswith(("#", "-r")):
                assert "==" in line, f"{name}: {line} is not pinned"


def test_ci_runs_exactly_the_readme_test_command():
    readme = (PROJECT_ROOT / "README.md").read_text(encoding="utf-8")
    ci = (PROJECT_ROOT / ".ci" / "run").read_text(encoding="utf-8")
    blocks = re.findall(r"```(?:bash|sh)?\n(.*?)```", readme, re.S)
    test_cmd = next(b.strip() for b in blocks if "pytest" in b)
    assert test_cmd in ci


def test_xsrf_protection_is_on():
    cfg = (PROJECT_ROOT / ".streamlit" / "config.toml").read_text()
    assert re.search(r"^enableXsrfProtection\s*=\s*true", cfg, re.M)
    assert re.search(r"^gatherUsageStats\s*=\s*false", cfg, re.M)
    assert re.search(r"^maxUploadSize\s*=\s*\d+", cfg, re.M)


def test_upload_limit_of_streamlit_equals_the_importers_limit():
    """config.toml's comment says maxUploadSize matches lib.data.importers.MAX_UPLOAD_BYTES."""
    from lib.data.importers import MAX_UPLOAD_BYTES

    with open(PROJECT_ROOT / ".streamlit" / "config.toml", "rb") as fh:
        server = tomllib.load(fh)["server"]
    assert MAX_UPLOAD_BYTES == 200 * 1024 * 1024  # "Up to 200 MB per file" on the Import page
    # Streamlit counts maxUploadSize in MiB (it multiplies the option by 1024 * 1024)
    assert server["maxUploadSize"] * 1024 * 1024 == MAX_UPLOAD_BYTES


def test_no_forced_full_gc_after_every_run():
    """A full collection after each run cost 150-300 ms per interaction (see config.toml)."""
    cfg = (PROJECT_ROOT / ".streamlit" / "config.toml").read_text()
    assert re.search(r"^\[runner\][^\[]*^postScriptGC\s*=\s*false", cfg, re.M | re.S)


def _lib_imports(path):
    """Modules of ``lib`` a file imports, top-level and inside functions (``from lib import x``
    counts as ``lib.x``)."""
    import ast

    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            yield from (a.name for a in node.names if a.name.split(".")[0] == "lib")
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            if node.module == "lib":
                yield from (f"lib.{a.name}" for a in node.names)
            elif node.module.split(".")[0] == "lib":
                yield node.module


#: the layer map of lib/__init__.py: top-level name under lib -> layer (0 = foundation)
LAYERS = {
    **dict.fromkeys(("", "_compat", "config", "glossary", "filters", "chart_filters"), 0),
    "data": 1,
    "models": 2,
    **dict.fromkeys(("charts", "insights", "engagement_report", "page_kpis", "reports"), 3),
    "ui": 4,
}


def _layer(module: str) -> int:
    """The layer of a ``lib`` module (-1 when the map does not place it)."""
    parts = module.split(".")
    return LAYERS.get(parts[1] if len(parts) > 1 else "", -1)


def _module(path) -> str:
    parts = path.relative_to(PROJECT_ROOT).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def test_lib_imports_point_down_the_layers():
    """``lib/__init__.py``: a module imports from its own layer and the layers below; the one
    exception is the pipeline's models step, which runs ``lib.models``."""
    offenders = []
    for path in sorted((PROJECT_ROOT / "lib").rglob("*.py")):
        module = _module(path)
        assert _layer(module) >= 0, f"{module}: not in the layer map of lib/__init__.py"
        for imported in _lib_imports(path):
            if _layer(imported) > _layer(module) and not (
                module.startswith("lib.data.pipeline.models") and imported.startswith("lib.models")
            ):
                offenders.append(f"{module} -> {imported}")
    assert not offenders, offenders


def test_no_plotly_below_the_charts():
    offenders = []
    for path in (PROJECT_ROOT / "lib").rglob("*.py"):
        if _layer(_module(path)) < 3 and re.search(
            r"^\s*(import plotly|from plotly)", path.read_text(encoding="utf-8"), re.M
        ):
            offenders.append(str(path))
    assert not offenders


def test_no_module_path_from_before_the_layout():
    """Old paths (``lib.recommend``, ``lib.pipeline``, ...) import only through the aliases of
    :mod:`lib._compat`, for stored pickles and old command lines; the code uses the new ones."""
    from lib._compat import new_name

    offenders = [
        f"{p.relative_to(PROJECT_ROOT)}: {m}"
        for p in PY
        if p.name not in ("_compat.py", "test_compat.py")
        for m in _lib_imports(p)
        if new_name(m) is not None
    ]
    assert not offenders, offenders
