"""Many analysts at once: concurrent browser sessions doing the newcomer's walk on ONE server.

    python -m benchmarks.load [--sessions 10] [--seconds 300] [--think 2] [--data-root DIR]

One server (demo data already built) and ONE Chromium with ``--sessions`` browser contexts:
each context is an independent session (own cookies, own websocket, own Streamlit session
state), which is what ten analysts are to the server. Ten separate Chromium processes on a
2-core machine starve the server and each other and measure the machine, not the app.

Every session repeats the walk until ``--seconds`` have passed: open each sidebar page in
turn and do that page's main interaction (Overview: period; Catalog and Engagement:
release-year filter; Recommender: another title; Cluster explorer: k; Top 10: IMDb rating),
pausing ``--think`` seconds between steps (reading time). A step's latency runs from the
click or key press until the app reported the script run finished AND the page settled (no
script running, no skeleton, every Plotly chart drawn). The part until the run finished is
reported apart: here the ten browsers draw on the server's two cores, while analysts'
browsers draw on their own machines. So is the part from the page's rerun request leaving
the browser (a ``rerun_script`` message on its websocket) until the run finished: the server
and the socket only, without the browser's time to perform the click or key press. A step
that does not get there within ``--timeout`` seconds (``--first-timeout`` for a session's
first visit of a page, which may train models) is an error of kind "timeout"; an error box
on the page, a JavaScript error or a failed browser action are errors too. Prints sessions,
walks completed, steps, errors by kind (with the first reasons), p50/p95/max step latency,
and the server's resident memory (the server process group) after the first complete walk,
after every session's first walk, its peak and at the end (budget: end <= 1.5 x after the
first walk). Also printed: the server's own time of each complete script run (the entry script
appends it to the file ``STREAMDASH_RUN_LOG`` names; fragment runs are not in it), per page,
and the CPU time the machine and the server used while walking: on two shared cores the
browsers' drawing, not the server, is most of the wait above. Only talks to 127.0.0.1.
"""

from __future__ import annotations

import argparse
import asyncio
import collections
import os
import re
import shutil
import statistics
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

from benchmarks.browser import _start, _stop
from lib.config import data_root
from tests.e2e.conftest import CHROME_ARGS, CHROMIUM
from tests.e2e.helpers import ERROR_SELECTORS, NAV_LINKS, READY_JS, ScriptRuns

MAX_WALKS_PER_SESSION = 200
TITLE_WORDS = ("Dragon", "Witness", "Nebula", "Puppy", "Empire", "Night", "Last", "Love")


def _procs():
    """(folder, command name, /proc/<pid>/stat fields after the name) of each live process."""
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            text = stat.read_text()
        except OSError:  # the process has exited
            continue
        name = text[text.find("(") + 1 : text.rfind(")")]
        yield stat.parent, name, text.rsplit(")", 1)[1].split()


def _cpu_s(match) -> float:
    """CPU seconds (user + system) used so far by the live processes for which
    ``match(stat_fields, command_name)`` is true."""
    total = sum(
        int(fields[11]) + int(fields[12])  # utime, stime (fields 14, 15 of the stat line)
        for _folder, name, fields in _procs()
        if match(fields, name)
    )
    return total / os.sysconf("SC_CLK_TCK")


def _server_cpu(pgid: int) -> float:
    return _cpu_s(lambda fields, _name: int(fields[2]) == pgid)  # field 5: process group


def _machine_busy_s() -> float:
    """CPU seconds the whole machine has spent busy (all cores: user, nice, system, irq,
    softirq, steal; not idle or waiting for I/O), from /proc/stat."""
    values = [int(v) for v in Path("/proc/stat").read_text().splitlines()[0].split()[1:9]]
    user, nice, system, _idle, _iowait, irq, softirq, steal = values
    return (user + nice + system + irq + softirq + steal) / os.sysconf("SC_CLK_TCK")


def _run_log(path: Path) -> dict[str, list[float]]:
    """The server's own time of each complete script run (seconds), per page, from the lines
    the entry script appends to ``STREAMDASH_RUN_LOG``."""
    runs: dict[str, list[float]] = collections.defaultdict(list)
    if path.is_file():
        for line in path.read_text(encoding="utf-8").splitlines():
            parts = line.split("\t")
            if len(parts) == 3:
                runs[parts[1]].append(float(parts[2]))
    return runs


def _rss_mib(pgid: int) -> float:
    """Resident memory of every process in the server's process group, MiB."""
    total = 0
    for folder, _name, fields in _procs():
        if int(fields[2]) != pgid:  # field 5 of /proc/<pid>/stat: process group
            continue
        try:
            for line in (folder / "status").read_text().splitlines():
                if line.startswith("VmRSS:"):
                    total += int(line.split()[1])
        except (OSError, IndexError, ValueError):
            continue
    return total / 1024


@dataclass
class Stats:
    latency: list[float] = field(default_factory=list)  # action -> page settled
    server: list[float] = field(default_factory=list)  # action -> run finished (the app's part)
    by_step: dict[str, list[float]] = field(  # action -> run finished, per kind of step
        default_factory=lambda: collections.defaultdict(list)
    )
    # the page's rerun request leaving the browser -> run finished: the server and the socket
    # only, without the browser's time to perform the click (which, on these two shared
    # cores, waits for the renderer busy drawing the ten pages)
    request: list[float] = field(default_factory=list)
    request_by_step: dict[str, list[float]] = field(
        default_factory=lambda: collections.defaultdict(list)
    )
    errors: collections.Counter = field(default_factory=collections.Counter)
    reasons: list[str] = field(default_factory=list)
    walks: int = 0
    first_walk_done: int = 0
    rss: dict[str, float] = field(default_factory=dict)
    rss_peak: float = 0.0

    def error(self, kind: str, reason: str) -> None:
        self.errors[kind] += 1
        if len(self.reasons) < 20:
            self.reasons.append(f"{kind}: {reason[:240]}")


async def _settle(page, timeout: float, quiet: float = 0.5) -> float:
    """Wait until the page stays ready (see READY_JS) for ``quiet`` seconds; return the
    (monotonic) time it became ready."""
    deadline = time.monotonic() + timeout
    calm = None
    while time.monotonic() < deadline:
        if await page.evaluate(READY_JS):
            calm = calm or time.monotonic()
            if time.monotonic() - calm >= quiet:
                return calm
        else:
            calm = None
        await asyncio.sleep(0.1)
    raise TimeoutError(f"page did not settle within {timeout:.0f} s")


async def _wait_run(runs: ScriptRuns, before: int, timeout: float) -> None:
    deadline = time.monotonic() + timeout
    while runs.finished <= before:
        if time.monotonic() > deadline:
            raise TimeoutError(f"no script run finished within {timeout:.0f} s")
        await asyncio.sleep(0.02)


async def _step(name, page, runs, action, timeout: float, stats: Stats) -> bool:
    """Do ``action``; wait for a finished run and a settled page; record latency or error."""
    before, t0 = runs.finished, time.monotonic()
    try:
        await action()
        await _wait_run(runs, before, timeout)
        t_run = time.monotonic()
        ready = await _settle(page, max(timeout - (t_run - t0), 1.0))
        stats.latency.append(ready - t0)
        stats.server.append(runs.finished_at - t0)
        stats.by_step[name].append(runs.finished_at - t0)
        sent = runs.first_request_after(t0)
        if sent == sent and sent <= runs.finished_at:
            stats.request.append(runs.finished_at - sent)
            stats.request_by_step[name].append(runs.finished_at - sent)
    except TimeoutError as exc:
        stats.error("timeout", f"{name}: {exc}")
        return False
    except Exception as exc:  # a failed click or key press: the page is not as expected
        stats.error("browser action", f"{name}: {type(exc).__name__}: {exc}")
        return False
    boxes = await page.query_selector_all(ERROR_SELECTORS)
    for box in boxes:
        stats.error("error box", f"{name}: {(await box.inner_text())[:200]}")
    return not boxes


async def _interact(title: str, walk: int, page, runs, timeout: float, stats: Stats) -> None:
    """The main interaction of a page (directions alternate so every press changes a value)."""
    key = "ArrowRight" if walk % 2 == 0 else "ArrowLeft"

    async def slider(name: re.Pattern) -> None:
        await page.get_by_role("slider", name=name).first.focus()
        await page.keyboard.press(key)

    if title == "Overview":
        period = "Monthly" if walk % 2 == 0 else "Weekly"

        async def action() -> None:
            await page.get_by_role("radio", name=period, exact=True).first.click()

    elif title in ("Catalog", "Engagement"):

        async def action() -> None:
            await slider(re.compile(r"^Release year"))

    elif title == "Recommender":

        async def action() -> None:
            await page.get_by_role("combobox", name="Title", exact=True).click()
            await page.keyboard.type(TITLE_WORDS[walk % len(TITLE_WORDS)], delay=20)
            await page.get_by_role("option").first.click(timeout=15_000)

    elif title == "Cluster explorer":

        async def action() -> None:
            await slider(re.compile(r"^Number of clusters k"))

    elif title == "Top 10 predictor":

        async def action() -> None:
            await slider(re.compile(r"^IMDb rating"))

    else:
        return
    await _step(f"{title}: interaction", page, runs, action, timeout, stats)


async def _session(i: int, browser, url: str, deadline: float, args, stats: Stats, pgid: int):
    context = await browser.new_context(viewport={"width": 1400, "height": 1000})
    page = await context.new_page()
    runs = ScriptRuns(page)
    page.on("pageerror", lambda e: stats.error("javascript", f"session {i}: {e}"))
    try:
        opened = await _step(
            "first load", page, runs, lambda: page.goto(url), args.first_timeout, stats
        )
        if not opened:
            return
        titles = [
            (await a.inner_text()).strip().splitlines()[-1].strip()
            for a in await page.query_selector_all(NAV_LINKS)
        ]
        if not titles:
            stats.error("browser action", f"session {i}: no pages listed in the sidebar")
            return
        walks = 0
        while time.monotonic() < deadline and walks < MAX_WALKS_PER_SESSION:
            timeout = args.first_timeout if walks == 0 else args.timeout
            for title in titles:
                if time.monotonic() >= deadline:
                    break
                link = page.locator(NAV_LINKS, has_text=title).first
                if await _step(f"open {title}", page, runs, link.click, timeout, stats):
                    await asyncio.sleep(args.think)
                    await _interact(title, walks, page, runs, timeout, stats)
                await asyncio.sleep(args.think)
            else:  # only a walk that visited every page counts
                walks += 1
                stats.walks += 1
                if stats.walks == 1:
                    stats.rss["after the first complete walk"] = _rss_mib(pgid)
                if walks == 1:
                    stats.first_walk_done += 1
                    if stats.first_walk_done == args.sessions:
                        stats.rss["after every session's first walk"] = _rss_mib(pgid)
    finally:
        await context.close()


async def _monitor(pgid: int, stop: asyncio.Event, stats: Stats, every: float = 5.0) -> None:
    while not stop.is_set():
        stats.rss_peak = max(stats.rss_peak, _rss_mib(pgid))
        try:
            await asyncio.wait_for(stop.wait(), timeout=every)
        except TimeoutError:
            pass


def _idle_wrapper() -> str:
    """A launcher that runs Chromium (and every process it starts) at the SCHED_IDLE
    priority of Linux: it gets only the CPU time the server leaves. (``nice`` is not enough:
    Chromium sets its own processes' nice values, and as root it may raise them.)"""
    chrt = shutil.which("chrt")
    if chrt is None:
        raise SystemExit("--browsers-idle needs chrt (util-linux)")
    path = Path(tempfile.gettempdir()) / "streamdash-chromium-idle.sh"
    path.write_text(f'#!/bin/sh\nexec {chrt} --idle 0 {CHROMIUM} "$@"\n')
    path.chmod(0o755)
    return str(path)


async def _run(url: str, pgid: int, args) -> Stats:
    from playwright.async_api import async_playwright

    stats = Stats()
    async with async_playwright() as p:
        browser = await p.chromium.launch(
            executable_path=_idle_wrapper() if args.browsers_idle else CHROMIUM, args=CHROME_ARGS
        )
        stop = asyncio.Event()
        monitor = asyncio.create_task(_monitor(pgid, stop, stats))
        deadline = time.monotonic() + args.seconds
        try:
            await asyncio.gather(
                *(
                    _session(i, browser, url, deadline, args, stats, pgid)
                    for i in range(args.sessions)
                ),
                return_exceptions=False,
            )
        finally:
            stop.set()
            await monitor
            await browser.close()
    return stats


def _p95(values: list[float]) -> float:
    v = sorted(values)
    return v[min(len(v) - 1, int(round(0.95 * (len(v) - 1))))]


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    ap.add_argument("--sessions", type=int, default=10)
    ap.add_argument("--seconds", type=float, default=300)
    ap.add_argument("--think", type=float, default=2.0, help="pause between steps (s)")
    ap.add_argument("--timeout", type=float, default=60, help="per step (s)")
    ap.add_argument(
        "--first-timeout", type=float, default=300, help="per step of a session's first walk"
    )
    ap.add_argument("--data-root", type=Path, default=None)
    ap.add_argument(
        "--browsers-idle",
        action="store_true",
        help="run Chromium at the SCHED_IDLE priority: the server gets the cores first, as "
        "with analysts' browsers on their own machines",
    )
    ap.add_argument(
        "--server-log",
        type=Path,
        default=Path(tempfile.gettempdir()) / "streamdash-load-server.log",
        help="the server's output (tracebacks behind redacted error boxes)",
    )
    args = ap.parse_args(argv)
    root = args.data_root or data_root()
    if not (root / "demo" / "manifest.json").is_file():
        raise SystemExit(f"no built demo under {root}: run python -m lib.data.pipeline build first")
    load_start = os.getloadavg()
    run_log = args.server_log.with_suffix(".runs.tsv")
    run_log.unlink(missing_ok=True)
    os.environ["STREAMDASH_RUN_LOG"] = str(run_log)  # the server inherits it
    with open(args.server_log, "w") as log:
        proc, url, _ = _start(root, log)
    pgid = proc.pid  # start_app starts the server in a new session: pgid = its pid
    t0 = time.monotonic()
    try:
        rss_start = _rss_mib(pgid)
        print(
            f"server pid {proc.pid}: {rss_start:.0f} MiB at start; load average "
            f"{load_start[0]:.1f} / {load_start[1]:.1f} / {load_start[2]:.1f} on "
            f"{os.cpu_count()} cores; {args.sessions} sessions in one Chromium"
            f"{' at SCHED_IDLE priority' if args.browsers_idle else ''} for {args.seconds:.0f} s",
            flush=True,
        )
        cpu0, busy0, t_walk = _server_cpu(pgid), _machine_busy_s(), time.monotonic()
        stats = asyncio.run(_run(url, pgid, args))
        cpu_server, busy = _server_cpu(pgid) - cpu0, _machine_busy_s() - busy0
        t_walk = time.monotonic() - t_walk
        rss_end = _rss_mib(pgid)
    finally:
        _stop(proc)
    wall = time.monotonic() - t0
    load_end = os.getloadavg()
    lat = sorted(stats.latency)
    n_err = sum(stats.errors.values())
    print(
        f"\nsessions {args.sessions}, walking {args.seconds:.0f} s (wall {wall:.0f} s): "
        f"{stats.walks} walks completed, {len(lat) + n_err} steps, {n_err} errors"
    )
    if stats.errors:
        print("errors by kind: " + ", ".join(f"{k} {v}" for k, v in stats.errors.most_common()))
        for reason in stats.reasons[:10]:
            print("  ", reason)
    for what, values in (
        ("action -> run finished and page settled", lat),
        ("action -> run finished (server and socket only)", sorted(stats.server)),
        ("rerun request sent -> run finished (server and socket)", sorted(stats.request)),
    ):
        if values:
            p95 = values[min(len(values) - 1, int(round(0.95 * (len(values) - 1))))]
            print(
                f"step latency, {what}: p50 {statistics.median(values):.2f} s, p95 "
                f"{p95:.2f} s, max {values[-1]:.2f} s ({len(values)} steps)"
            )
    for what, per in (("action", stats.by_step), ("rerun request sent", stats.request_by_step)):
        if not per:
            continue
        print(f"{what} -> run finished, per step (p50 / p95 / max, steps):")  # the tail
        for name, values in sorted(per.items(), key=lambda kv: -_p95(kv[1])):
            v = sorted(values)
            print(
                f"  {name:<34} {statistics.median(v):5.2f} / {_p95(v):5.2f} / {v[-1]:5.2f} s"
                f"  ({len(v)})"
            )
    runs = _run_log(run_log)
    every = sorted(v for values in runs.values() for v in values)
    if every:
        print(
            f"server time of each complete script run (the entry script's own clock; fragment "
            f"runs not included): p50 {statistics.median(every):.2f} s, p95 {_p95(every):.2f} "
            f"s, max {every[-1]:.2f} s ({len(every)} runs)"
        )
        for page, values in sorted(runs.items(), key=lambda kv: -_p95(kv[1])):
            v = sorted(values)
            print(
                f"  {page:<34} {statistics.median(v):5.2f} / {_p95(v):5.2f} / {v[-1]:5.2f} s"
                f"  ({len(v)})"
            )
    cores = os.cpu_count() or 1
    print(
        f"CPU while walking ({t_walk:.0f} s x {cores} cores = {t_walk * cores:.0f} CPU s): the "
        f"machine busy {busy:.0f} s ({busy / (t_walk * cores):.0%}); the server "
        f"{cpu_server:.0f} s ({cpu_server / t_walk:.0%} of one core); the rest (Chromium, "
        f"Playwright, this script) {busy - cpu_server:.0f} s"
    )
    first = stats.rss.get("after the first complete walk", float("nan"))
    for label, value in stats.rss.items():
        print(f"server memory {label}: {value:.0f} MiB")
    ratio = rss_end / first if first == first and first else float("nan")
    verdict = "no complete walk" if ratio != ratio else "met" if ratio <= 1.5 else "MISSED"
    print(
        f"server memory peak (sampled every 5 s): {max(stats.rss_peak, rss_end):.0f} MiB; at "
        f"the end: {rss_end:.0f} MiB = {ratio:.2f} x after the first walk (budget 1.5 x: "
        f"{verdict})"
    )
    print(f"load average at the end: {load_end[0]:.1f} / {load_end[1]:.1f} / {load_end[2]:.1f}")


if __name__ == "__main__":
    main()
