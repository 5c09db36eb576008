"""The entry script's own timing of each complete run (``STREAMDASH_RUN_LOG``), which
``benchmarks.load`` reads as the server's part of a step.

AppTest runs the entry script on the first run only (its reruns and ``switch_page`` run the
page's file), so these tests see one run; ``benchmarks.load`` prints the server's runs of
every page."""

from __future__ import annotations

from benchmarks.load import _run_log


def test_a_complete_run_appends_its_page_and_seconds(app, tmp_path, monkeypatch):
    log = tmp_path / "runs.tsv"
    log.write_text("1.0\tCatalog\t0.5\n", encoding="utf-8")  # appended to, never replaced
    monkeypatch.setenv("STREAMDASH_RUN_LOG", str(log))
    app.run()
    assert not app.exception
    lines = log.read_text(encoding="utf-8").splitlines()
    assert len(lines) == 2, lines
    stamp, page, seconds = lines[1].split("\t")
    assert float(stamp) > 1.0 and page == "Overview" and 0 < float(seconds) < 60
    assert _run_log(log) == {"Catalog": [0.5], "Overview": [float(seconds)]}


def test_nothing_is_logged_without_the_variable(app, tmp_path, monkeypatch):
    monkeypatch.delenv("STREAMDASH_RUN_LOG", raising=False)
    monkeypatch.chdir(tmp_path)  # a relative or default path would land here
    app.run()
    assert not app.exception
    assert list(tmp_path.iterdir()) == []


def test_a_log_that_cannot_be_written_does_not_break_the_page(app, tmp_path, monkeypatch):
    monkeypatch.setenv("STREAMDASH_RUN_LOG", str(tmp_path / "no-such-folder" / "runs.tsv"))
    app.run()
    assert not app.exception
    assert app.title[0].value == "Streaming catalog overview"
