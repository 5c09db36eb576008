"""Unit tests of the load benchmark's own accounting (benchmarks/load.py)."""

from __future__ import annotations

import os
import time

from benchmarks.load import _cpu_s, _machine_busy_s, _run_log, _server_cpu


def test_run_log_groups_the_seconds_by_page_and_skips_torn_lines(tmp_path):
    log = tmp_path / "runs.tsv"
    log.write_text(
        "1.0\tOverview\t0.0125\n2.0\tCatalog\t0.2\n3.0\tOverview\t0.5\n4.0\tCata", "utf-8"
    )
    assert _run_log(log) == {"Overview": [0.0125, 0.5], "Catalog": [0.2]}
    assert _run_log(tmp_path / "absent.tsv") == {}


def test_cpu_seconds_count_the_matched_processes_work():
    group, parent = str(os.getpgid(0)), str(os.getppid())

    def me(fields, _name):  # /proc/<pid>/stat after the name: state, parent, process group
        return fields[1] == parent and fields[2] == group

    assert _cpu_s(lambda _fields, _name: False) == 0  # nothing matched, nothing counted
    before = _cpu_s(me)
    deadline = time.process_time() + 0.3
    while time.process_time() < deadline:  # 0.3 s of CPU in this process
        pass
    after = _cpu_s(me)
    assert 0.2 <= after - before < 5
    assert _server_cpu(os.getpgid(0)) >= after  # the whole group counts this process too


def test_the_machine_is_busy_at_least_while_this_process_works():
    before, wall = _machine_busy_s(), time.monotonic()
    deadline = time.process_time() + 0.3
    while time.process_time() < deadline:
        pass
    busy, wall = _machine_busy_s() - before, time.monotonic() - wall
    assert 0.2 <= busy <= wall * (os.cpu_count() or 1) + 0.1
