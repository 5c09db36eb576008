"""Bad input: :class:`ImportProblem` and the one helper that builds its message."""

from __future__ import annotations

from typing import Any

__all__ = ["PROBLEM_KINDS", "ImportProblem", "problem"]

PROBLEM_KINDS: tuple[str, ...] = (
    "unknown_format",
    "empty",
    "not_text",
    "too_large",
    "missing_columns",
    "bad_value",
    "malformed",
    "unsafe_archive",
    "incomplete",
    "other",
)
"""Values of ``ImportProblem.kind``. ``incomplete``: a file that needs another one (credits.csv
without its titles.csv)."""


class ImportProblem(ValueError):
    """Input that cannot be imported. The message names file, column, row and what was expected.

    Attributes
    ----------
    file, column : str or None
    row : int or None
        Data row counted from 1 (the header is not a row).
    line : int or None
        Physical line in the file (the first line is 1; blank lines count), or the row number
        in a workbook's sheet.
    value : str or None
        The offending value.
    expected : str or None
        What would have been accepted.
    kind : str
        One of ``PROBLEM_KINDS``, e.g. "unknown_format", "bad_value", "unsafe_archive".
    """

    def __init__(
        self,
        message: str,
        *,
        kind: str = "other",
        file: str | None = None,
        column: str | None = None,
        row: int | None = None,
        line: int | None = None,
        value: str | None = None,
        expected: str | None = None,
    ) -> None:
        super().__init__(message)
        self.kind = kind
        self.file = file
        self.column = column
        self.row = row
        self.line = line
        self.value = value
        self.expected = expected


def problem(
    kind: str,
    file: str,
    what: str,
    *,
    column: str | None = None,
    row: int | None = None,
    line: int | None = None,
    value: Any = None,
    expected: str | None = None,
    line_label: str = "line",
) -> ImportProblem:
    """An :class:`ImportProblem` whose message reads ``file: what in column 'c' at row r ...``.

    ``line_label`` names what ``line`` counts ("line" in a text file, "sheet row" in a
    workbook).
    """
    parts = [f"{file}: {what}"]
    if column is not None:
        parts.append(f" in column '{column}'")
    if row is not None:
        parts.append(f" at row {row}" + (f" ({line_label} {line})" if line is not None else ""))
    elif line is not None:
        parts.append(f" at {line_label} {line}")
    if value is not None:
        shown = str(value)
        shown = shown if len(shown) <= 80 else shown[:77] + "..."
        parts.append(f": {shown!r}")
    if expected is not None:
        parts.append(f"; expected {expected}")
    return ImportProblem(
        "".join(parts),
        kind=kind,
        file=file,
        column=column,
        row=row,
        line=line,
        value=None if value is None else str(value),
        expected=expected,
    )
