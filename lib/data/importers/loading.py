"""Files in, one :class:`ImportResult` out: sniff each file, then link them together."""

from __future__ import annotations

import datetime as dt
import logging
import os
from collections.abc import Sequence
from pathlib import Path

from lib.data.importers import archives, limits
from lib.data.importers.assemble import assemble
from lib.data.importers.base import DetectedFile, Format, ImportResult
from lib.data.importers.csvtext import data_row_line, read_table
from lib.data.importers.decoding import decode
from lib.data.importers.detect import detect_text
from lib.data.importers.problems import ImportProblem, problem
from lib.data.importers.registry import FORMATS, REGISTRY
from lib.data.importers.values import Reader

__all__ = ["sniff", "read_upload", "load_files", "load_source"]

log = logging.getLogger(__name__)
_SKIPPABLE = frozenset({"unknown_format", "empty", "not_text"})


def _convert(det: DetectedFile, fmt: Format, rd: Reader) -> DetectedFile:
    """Run the format's converter; any non-ImportProblem error still names the file."""
    frame = det.frame
    for col in fmt.must_have_values():
        if rd.has(col) and frame[rd.name_of(col)].str.strip().replace("", None).isna().all():
            raise problem(
                "empty",
                det.name,
                f"has no value in required column '{rd.name_of(col)}' on any of its "
                f"{len(frame):,} rows",
                column=rd.name_of(col),
                expected=f"a {fmt.name} file with values in {', '.join(fmt.must_have_values())}",
            )
    try:
        det._part = fmt.convert(det, rd)
    except ImportProblem:
        raise
    except Exception as exc:  # a safety net: bad input must never crash the caller
        log.exception("converting %s as %s failed", det.name, fmt.name)
        raise problem(
            "bad_value",
            det.name,
            f"could not be converted as {fmt.name} ({type(exc).__name__}: {exc})",
        ) from exc
    det.mapping = det._part.mapping
    empty = [c for c in frame.columns if frame[c].isna().all()]
    if empty:
        det.notes.append(f"{det.name}: column(s) empty in every row: {', '.join(empty)}")
    det.notes.extend(det._part.notes)
    return det


def _sniff_workbook(name: str, data: bytes) -> DetectedFile:
    for fmt in REGISTRY:
        if fmt.workbook is None:
            continue
        read = fmt.workbook(name, data)
        if read is None:
            continue
        det = DetectedFile(
            name=name,
            format=fmt.name,
            encoding="xlsx",
            rows=len(read.frame),
            columns=list(read.frame.columns),
            frame=read.frame,
            notes=list(read.notes),
            delimiter="",
            size_bytes=len(data),
            sheets=dict(read.sheets),
        )
        rd = Reader(name, read.frame, read.locate, line_label="sheet row", where=read.where)
        return _convert(det, fmt, rd)
    known = ", ".join(f.name for f in REGISTRY if f.workbook is not None)
    raise problem(
        "unknown_format",
        name,
        "is an Excel workbook but none of its sheets has the header of a known workbook "
        f"format ({known}: a 'Title' and an 'Hours Viewed' column)",
        expected="a Netflix engagement report; for another table, in Excel use File > Save "
        "As > CSV UTF-8 and upload the CSV",
    )


def _not_text_container(name: str, data: bytes) -> None:
    if archives.is_ole(data):
        raise problem(
            "not_text",
            name,
            "is an old Excel .xls file or a password-protected workbook",
            expected="an unprotected .xlsx, or CSV (in Excel: File > Save As > CSV UTF-8)",
        )
    if archives.is_office_document(data):
        raise problem(
            "not_text",
            name,
            "is an Excel/Office document but not an Excel workbook (.xlsx)",
            expected="an .xlsx engagement report or CSV files",
        )
    raise problem(
        "not_text",
        name,
        "is a zip archive, not a text file",
        expected="load it with load_files/load_source",
    )


def sniff(name: str, data: bytes) -> DetectedFile:
    """Decode ``data``, detect its format from its content and read and check every row.

    Parameters
    ----------
    name : str
        The file name, used in messages only (never to decide the format).
    data : bytes
        The file's content: a text file or an .xlsx workbook.

    Raises
    ------
    ImportProblem
        Empty, binary, over-size, unknown, incomplete or malformed input, or wrong values.
    """
    limits.check_size(name, len(data))
    if archives.is_workbook(data):
        return _sniff_workbook(name, data)
    if archives.is_zip(data) or archives.is_ole(data):
        _not_text_container(name, data)
    dec = decode(name, data)
    fmt, delimiter, headers, header_lines = detect_text(name, dec.text)
    frame = read_table(name, dec.text, dec.utf8, fmt.name, delimiter, headers, header_lines)
    det = DetectedFile(
        name=name,
        format=fmt.name,
        encoding=dec.encoding,
        rows=len(frame),
        columns=list(frame.columns),
        frame=frame,
        notes=list(dec.notes),
        delimiter=delimiter,
        size_bytes=len(data),
    )

    def locate(pos: int) -> int | None:
        return data_row_line(
            dec.text, delimiter, header=header_lines > 0, quoting=header_lines > 0, pos=pos
        )

    return _convert(det, fmt, Reader(name, frame, locate))


def read_upload(
    name: str, data: bytes, *, notes: list[str] | None = None, skip_unknown: bool = False
) -> list[tuple[str, bytes]]:
    """Unpack one uploaded file into ``(name, bytes)`` data files.

    A zip archive (recognised by its signature, not its name) is validated - no absolute paths,
    no '..', no symbolic links, no encrypted members, at most ``MAX_ZIP_MEMBERS`` files, only
    ``DATA_EXTENSIONS``, unpacked size within limits - and expanded in memory; members are named
    ``"<archive>/<member path>"``. An .xlsx workbook (also a zip) is returned as one file; its
    own checks run when it is sniffed. Anything else is returned unchanged.

    Raises
    ------
    ImportProblem
        Upload over ``MAX_UPLOAD_BYTES``, unreadable or unsafe archive.
    """
    if len(data) > limits.MAX_UPLOAD_BYTES:
        raise limits.too_big(name, len(data))
    if archives.is_workbook(data):
        return [(name, data)]
    if archives.is_office_document(data):
        _not_text_container(name, data)
    if archives.is_zip(data):
        return archives.unzip(
            name, data, notes if notes is not None else [], skip_unknown=skip_unknown
        )
    return [(name, data)]


def load_files(
    files: Sequence[tuple[str, bytes]], *, skip_unknown: bool = False, source: str = ""
) -> ImportResult:
    """Import several files (zip archives and .xlsx reports allowed) as one dataset.

    ``skip_unknown`` skips (with a note) files whose format is not recognised, that are empty
    or are not text, and zip members with other extensions, instead of raising. ``join_report``
    of the result has one entry per linked file: ``what, target, titles, matched, ambiguous,
    unmatched, match_rate, ambiguous_examples, message`` (Top 10 files and engagement reports
    also ``rows, rows_matched``).

    Raises
    ------
    ImportProblem
        On any bad input; nothing is partially imported.
    """
    notes: list[str] = []
    expanded: list[tuple[str, bytes]] = []
    for name, data in files:
        expanded += read_upload(name, data, notes=notes, skip_unknown=skip_unknown)
    total = sum(len(d) for _, d in expanded)
    if total > limits.MAX_UNZIPPED_BYTES:
        raise limits.too_big("this import", total, limits.MAX_UNZIPPED_BYTES)
    seen: dict[str, int] = {}
    dets = []
    for name, data in expanded:
        seen[name] = seen.get(name, 0) + 1
        shown = name if seen[name] == 1 else f"{name} ({seen[name]})"
        try:
            dets.append(sniff(shown, data))
        except ImportProblem as exc:
            if skip_unknown and exc.kind in _SKIPPABLE:
                notes.append(f"skipped: {exc}")
                continue
            raise
    if not dets:
        raise ImportProblem(
            "nothing to import: no file with a recognised format",
            kind="unknown_format",
            expected="one of the formats " + ", ".join(FORMATS),
        )
    started = dt.datetime.now()
    result = assemble(dets, source or ", ".join(d.name for d in dets), notes)
    log.info(
        "imported %d file(s) in %.2fs (assembly)",
        len(dets),
        (dt.datetime.now() - started).total_seconds(),
    )
    return result


def _folder_files(root: Path, notes: list[str]) -> list[tuple[str, bytes]]:
    files: list[tuple[str, bytes]] = []
    for folder, dirs, names in os.walk(root, followlinks=False):
        dirs[:] = sorted(d for d in dirs if not d.startswith("."))
        for fname in sorted(names):
            f = Path(folder) / fname
            rel = f.relative_to(root).as_posix()
            if fname.startswith("."):
                notes.append(f"{rel}: skipped hidden file")
            elif f.is_symlink():
                notes.append(f"{rel}: skipped symbolic link")
            elif not f.is_file():
                notes.append(f"{rel}: skipped (not a regular file)")
            elif f.suffix.lower() not in archives.DATA_EXTENSIONS:
                notes.append(f"{rel}: skipped (not a data file extension)")
            else:
                limits.check_size(rel, f.stat().st_size)
                files.append((rel, f.read_bytes()))
    return files


def load_source(path: str | Path, *, skip_unknown: bool = False) -> ImportResult:
    """Import a file, a folder (recursively; regular files only) or a zip archive on disk.

    In a folder, hidden files, symbolic links and files without a ``DATA_EXTENSIONS`` ending
    are skipped with a note; zip archives are validated as in :func:`read_upload`.

    Raises
    ------
    ImportProblem
        Missing path, or any bad input (see :func:`load_files`).
    """
    root = Path(path)
    if not root.exists():
        raise problem("empty", str(root), "does not exist", expected="a file, a folder or a .zip")
    notes: list[str] = []
    if root.is_dir():
        files = _folder_files(root, notes)
        if not files:
            raise problem(
                "empty", str(root), "holds no data files", expected="CSV/TSV or .xlsx files"
            )
    else:
        limits.check_size(root.name, root.stat().st_size)
        files = [(root.name, root.read_bytes())]
    result = load_files(files, skip_unknown=skip_unknown, source=str(root))
    result.notes[:0] = notes
    return result
