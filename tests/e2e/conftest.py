"""Browser tests: the real app (``streamlit run``) on a free localhost port, driven by
Playwright in Debian's Chromium. Skipped with a reason when Chromium or Playwright is absent.

The server starts on an EMPTY data folder, so the first page load builds the demo dataset
with visible progress, exactly as a newcomer sees it. It is stopped at the end whatever
happens. Screenshots go to ``artifacts/e2e/``.

The theme and visual checks (test_themes.py, test_visual.py) share a second server on the
small prebuilt demo (``data_root``: fixed seed, so the same charts every run) and one page
per colour scheme. ``--update-snapshots`` makes test_visual.py write its reference images
(``tests/e2e/__snapshots__/``) instead of comparing with them.
"""

from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest

from lib.config import PROJECT_ROOT

CHROMIUM = os.environ.get("CHROMIUM", "/usr/bin/chromium")
ARTIFACTS = PROJECT_ROOT / "artifacts" / "e2e"
CHROME_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-quic",
    "--no-first-run",
    "--disable-sync",
]


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _wait_healthy(url: str, proc: subprocess.Popen, timeout: float = 90) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"streamlit exited early with code {proc.returncode}")
        try:
            with urllib.request.urlopen(f"{url}/_stcore/health", timeout=2) as r:
                if r.status == 200:
                    return
        except OSError:
            time.sleep(0.05)
    raise TimeoutError(f"streamlit did not become healthy at {url} within {timeout} s")


SCHEMES = ("light", "dark")
#: fixed for the visual comparison: the same layout (and element sizes) every run
VIEWPORT = {"width": 1400, "height": 1800}


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption(
        "--update-snapshots",
        action="store_true",
        default=False,
        help="tests/e2e/test_visual.py: (re)write the reference images instead of comparing",
    )


@pytest.fixture(scope="session")
def chromium_path() -> str:
    if not Path(CHROMIUM).exists() and not shutil.which("chromium"):
        pytest.skip(f"browser tests need Chromium at {CHROMIUM} (apt-get install -y chromium)")
    try:
        import playwright  # noqa: F401
    except ImportError:
        pytest.skip("browser tests need the playwright package (requirements-dev.txt)")
    return CHROMIUM if Path(CHROMIUM).exists() else shutil.which("chromium")


def start_app(
    data_root: Path, log=subprocess.DEVNULL, script: str = "streamlit_app.py"
) -> tuple[subprocess.Popen, str, float]:
    """Start ``streamlit run`` on a free localhost port; return (process, url, start time).

    ``script`` is relative to the project root (the benchmarks start a bare baseline app)."""
    port = _free_port()
    env = {**os.environ, "STREAMDASH_DATA": str(data_root), "PYTHONUNBUFFERED": "1"}
    started = time.monotonic()
    proc = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "streamlit",
            "run",
            script,
            "--server.port",
            str(port),
            "--server.address",
            "127.0.0.1",
            "--server.headless",
            "true",
        ],
        cwd=PROJECT_ROOT,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    url = f"http://127.0.0.1:{port}"
    try:
        _wait_healthy(url, proc)
    except BaseException:
        stop_app(proc)
        raise
    return proc, url, started


def stop_app(proc: subprocess.Popen) -> None:
    """Stop the app and everything it started, whatever state it is in."""
    try:
        os.killpg(proc.pid, signal.SIGTERM)
        proc.wait(timeout=15)
    except (ProcessLookupError, subprocess.TimeoutExpired):
        try:
            os.killpg(proc.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass


@pytest.fixture(scope="session")
def server(chromium_path: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict]:
    """The real app on a fresh, empty data folder; yields {"url", "data_root", "log"}."""
    data_root = tmp_path_factory.mktemp("e2e-data")
    log_path = tmp_path_factory.mktemp("e2e-log") / "streamlit.log"
    with open(log_path, "w") as log:
        proc, url, _ = start_app(data_root, log)
    try:
        yield {"url": url, "data_root": data_root, "log": log_path, "proc": proc}
    finally:
        stop_app(proc)


@pytest.fixture(scope="session")
def browser(chromium_path: str):
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=chromium_path, args=CHROME_ARGS)
        yield b
        b.close()


@pytest.fixture(scope="session")
def artifacts() -> Path:
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    return ARTIFACTS


def pytest_collection_modifyitems(config, items):
    """The walk runs first among the browser tests: its first test watches the shared
    ``server`` build the demo on its first page load, which only happens once."""
    walk = [i for i in items if i.nodeid.startswith("tests/e2e/test_walk.py")]
    if walk:
        first = min(items.index(i) for i in items if i.nodeid.startswith("tests/e2e/"))
        rest = [i for i in items if i not in walk]
        items[:] = rest[:first] + walk + rest[first:]


@pytest.fixture(scope="session")
def prebuilt_server(chromium_path: str, data_root: Path, tmp_path_factory) -> Iterator[dict]:
    """The real app on the small prebuilt demo (seed 0); yields {"url", "log"}."""
    log_path = tmp_path_factory.mktemp("e2e-themes-log") / "streamlit.log"
    with open(log_path, "w") as log:
        proc, url, _ = start_app(data_root, log)
    try:
        yield {"url": url, "log": log_path}
    finally:
        stop_app(proc)


class SchemePage:
    """A browser page in one colour scheme that moves between the app's pages."""

    def __init__(self, page, scheme: str) -> None:
        from tests.e2e.helpers import ScriptRuns

        self.page, self.scheme, self.runs, self.current = page, scheme, ScriptRuns(page), None

    def open(self, title: str, timeout: float = 240) -> None:
        """Open the app page ``title`` from the sidebar and wait until its charts drew
        (nothing to do when it is the page already shown and settled)."""
        from tests.e2e.helpers import open_page, settle

        if title == self.current:
            return
        done = self.runs.finished
        open_page(self.page, title)
        self.runs.wait_after(self.page, done, timeout=timeout)
        settle(self.page, timeout=timeout)
        self.current = title


@pytest.fixture(scope="session")
def scheme_pages(prebuilt_server: dict, browser) -> Iterator[dict[str, SchemePage]]:
    """One page per colour scheme ("light", "dark") on the prebuilt app, at ``VIEWPORT``,
    showing the Overview.

    Chromium reports the scheme as the system setting (``prefers-color-scheme``), which the
    app follows (``[theme.light]`` / ``[theme.dark]`` in .streamlit/config.toml).
    """
    from tests.e2e.helpers import settle

    contexts = {
        scheme: browser.new_context(
            color_scheme=scheme, viewport=VIEWPORT, device_scale_factor=1, reduced_motion="reduce"
        )
        for scheme in SCHEMES
    }
    pages = {scheme: SchemePage(ctx.new_page(), scheme) for scheme, ctx in contexts.items()}
    for sp in pages.values():
        sp.page.goto(prebuilt_server["url"])
    for sp in pages.values():
        settle(sp.page, timeout=120)
        sp.current = "Overview"
    try:
        yield pages
    finally:
        for ctx in contexts.values():
            ctx.close()
