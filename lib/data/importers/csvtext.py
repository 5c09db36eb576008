"""Delimited text: first records for detection, the whole table with pyarrow, line numbers.

Line numbers are physical lines of the file (the first line is 1): blank lines and newlines
inside quoted values count, so "line 4" is what an editor shows as line 4.
"""

from __future__ import annotations

import csv
import io
import sys
from typing import Any

import pandas as pd
import pyarrow as pa
import pyarrow.csv as pacsv

from lib.data.importers.decoding import SAMPLE_CHARS
from lib.data.importers.problems import problem

__all__ = ["DELIMITERS", "first_records", "clean_header", "read_table", "data_row_line"]

DELIMITERS = (",", "\t", "|", ";")


def _reader(text: str, delimiter: str, quoting: bool) -> Any:
    csv.field_size_limit(sys.maxsize)
    return csv.reader(
        io.StringIO(text),
        delimiter=delimiter,
        quoting=csv.QUOTE_MINIMAL if quoting else csv.QUOTE_NONE,
    )


def first_records(
    sample: str, delimiter: str, n: int, *, quoting: bool = True
) -> tuple[list[list[str]], int]:
    """Up to ``n`` non-blank records of ``sample`` and the lines the first one ends on."""
    lines = sample if len(sample) < SAMPLE_CHARS else sample[: sample.rfind("\n") + 1]
    reader = _reader(lines, delimiter, quoting)
    records: list[list[str]] = []
    header_lines = 0
    try:
        for rec in reader:
            if not rec or all(not c.strip() for c in rec):
                continue
            records.append(rec)
            if len(records) == 1:
                header_lines = reader.line_num
            if len(records) >= n:
                break
    except csv.Error:
        pass
    return records, header_lines


def clean_header(cells: list[str]) -> list[str]:
    """Header names stripped of spaces and BOMs; an empty name becomes ``unnamed_<i>``."""
    out = []
    for i, cell in enumerate(cells):
        cell = cell.strip().lstrip("\ufeff").strip()
        out.append(cell or f"unnamed_{i + 1}")
    return out


def _records_with_lines(text: str, delimiter: str, quoting: bool, header: bool):
    """Yield (data row position from 0, first physical line, record) of every data record.

    Blank lines are skipped (pyarrow skips them too) but counted in the line numbers.
    """
    reader = _reader(text, delimiter, quoting)
    end = 0  # physical line the previous record ended on
    pos = -1 if header else 0
    try:
        for rec in reader:
            start = end + 1
            end = reader.line_num
            if not rec:
                continue
            if pos >= 0:
                yield pos, start, rec
            pos += 1
    except csv.Error:
        return


def data_row_line(
    text: str, delimiter: str, *, header: bool, quoting: bool, pos: int
) -> int | None:
    """Physical line on which data row ``pos`` (from 0) starts, or None if not found."""
    for i, start, _ in _records_with_lines(text, delimiter, quoting, header):
        if i == pos:
            return start
    return None


def _first_malformed(
    text: str, delimiter: str, quoting: bool, header: bool, width: int
) -> tuple[int, list[str]] | None:
    for _, start, rec in _records_with_lines(text, delimiter, quoting, header):
        if len(rec) != width:
            return start, rec
    return None


def read_table(
    name: str,
    text: str,
    utf8: bytes,
    format_name: str,
    delimiter: str,
    headers: list[str],
    header_lines: int,
) -> pd.DataFrame:
    """Read the whole file with pyarrow: every column a string, only "" is missing."""
    seen: set[str] = set()
    for h in headers:
        if h.casefold() in seen:
            raise problem("malformed", name, "has a duplicate column name", column=h, line=1)
        seen.add(h.casefold())
    bad: list[Any] = []

    def on_bad(row: Any) -> str:
        bad.append(row)
        return "skip"

    headerless = header_lines == 0
    try:
        table = pacsv.read_csv(
            io.BytesIO(utf8),
            read_options=pacsv.ReadOptions(
                column_names=headers, skip_rows=header_lines, block_size=8 << 20
            ),
            parse_options=pacsv.ParseOptions(
                delimiter=delimiter,
                quote_char=False if headerless else '"',
                newlines_in_values=not headerless,
                invalid_row_handler=on_bad,
            ),
            convert_options=pacsv.ConvertOptions(
                column_types={h: pa.string() for h in headers},
                null_values=[""],
                strings_can_be_null=True,
                quoted_strings_can_be_null=True,
            ),
        )
    except (pa.ArrowInvalid, pa.ArrowException) as exc:
        raise problem("malformed", name, f"could not be read as {format_name}: {exc}") from exc
    if bad:
        found = _first_malformed(text, delimiter, not headerless, not headerless, len(headers))
        line, fields = found if found is not None else (None, None)
        first = bad[0]
        raise problem(
            "malformed",
            name,
            f"has {len(bad):,} malformed row(s); the first has "
            f"{len(fields) if fields is not None else first.actual_columns} field(s) instead "
            f"of {len(headers)}",
            line=line,
            value=delimiter.join(fields) if fields is not None else first.text,
            expected=f"{len(headers)} fields separated by {delimiter!r} on every row",
        )
    frame = table.to_pandas()
    if len(frame) == 0:
        raise problem(
            "empty", name, "has a header but no data rows", expected="at least one data row"
        )
    return frame
