"""The types every format module and the loader share.

A format is one :class:`Format` object: how it is recognised (required columns of a header,
the shape of a header-less file, or a workbook reader), its required and optional columns,
and its converter. A converter turns the rows as received into a :class:`Part`: bronze-shaped
tables plus what linking needs.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import pandas as pd

from lib.data.importers.values import Locator, Reader

__all__ = ["Format", "Part", "Attachment", "Sheets", "DetectedFile", "ImportResult"]


@dataclass
class Sheets:
    """What a workbook format read: the rows of its data sheets as one table of strings."""

    frame: pd.DataFrame
    locate: Locator
    where: Callable[[int], str]
    sheets: dict[str, int]
    notes: list[str] = field(default_factory=list)
    extra: dict[str, Any] = field(default_factory=dict)


@dataclass
class Attachment:
    """A file that completes another one (credits.csv completes its titles.csv).

    ``targets`` are the format names it can complete; ``ids`` the target ids its rows point at
    (the target whose ids overlap most is chosen); ``apply(target, target_name)`` returns the
    completed target part and notes; ``missing`` is the message when no target is imported.
    """

    targets: tuple[str, ...]
    ids: pd.Series
    apply: Callable[[Part, str], tuple[Part, list[str]]]
    missing: str


@dataclass
class Part:
    """One file converted: bronze-shaped tables plus what linking needs.

    ``role`` decides how the loader links it: "catalog" (titles others link to), "imdb"
    (titles that fill catalog rows), "top10" / "report" (linked to titles by name and kind),
    "plain" (taken as is) or "attachment" (completes another file's part).
    """

    role: str
    tables: dict[str, pd.DataFrame]
    mapping: dict[str, str]
    notes: list[str] = field(default_factory=list)
    keys: pd.DataFrame | None = None
    skipped: bool = False
    attach: Attachment | None = None
    prefix_ids: bool = False


Converter = Callable[["DetectedFile", Reader], Part]


@dataclass(frozen=True)
class Format:
    """One importable format: detection rule, columns and converter, together.

    Parameters
    ----------
    name, description : shown on the Import page.
    convert : rows as received -> :class:`Part`.
    required, optional : columns (header names; case-insensitive). A header format is
        recognised when all required columns are present; the most specific match wins.
    nonempty : required columns that must hold a value on at least one row (default: all
        required columns), else the file is refused.
    shape : header-less text files: ``shape(sample) -> delimiter`` when the sample fits.
    workbook : workbook formats: ``workbook(name, data) -> Sheets`` or None when the workbook
        is not of this format.
    """

    name: str
    description: str
    convert: Converter
    required: tuple[str, ...] = ()
    optional: tuple[str, ...] = ()
    nonempty: tuple[str, ...] | None = None
    shape: Callable[[str], str | None] | None = None
    workbook: Callable[[str, bytes], Sheets | None] | None = None

    @property
    def headerless(self) -> bool:
        return self.shape is not None

    @property
    def container(self) -> str:
        return "workbook" if self.workbook is not None else "text"

    def must_have_values(self) -> tuple[str, ...]:
        return self.required if self.nonempty is None else self.nonempty


@dataclass
class DetectedFile:
    """One sniffed file: its format, encoding and rows as read (all values strings).

    ``frame`` holds the rows as read (header names as in the file; a workbook's rows carry
    their sheet in a first column ``sheet``), ``mapping`` maps each source column to
    ``"table.column"`` (or ``"(not imported)"``); ``sheets`` counts a workbook's data rows
    per sheet.
    """

    name: str
    format: str
    encoding: str
    rows: int
    columns: list[str]
    frame: pd.DataFrame = field(repr=False)
    notes: list[str] = field(default_factory=list)
    mapping: dict[str, str] = field(default_factory=dict)
    delimiter: str = ","
    size_bytes: int = 0
    sheets: dict[str, int] = field(default_factory=dict)
    _part: Part | None = field(default=None, repr=False, compare=False)


@dataclass
class ImportResult:
    """Several files combined into one dataset of bronze tables."""

    tables: dict[str, pd.DataFrame]
    files: list[DetectedFile]
    mappings: dict[str, dict[str, str]]
    notes: list[str]
    join_report: dict[str, dict[str, Any]]
    source: str = ""

    def summary(self) -> dict[str, Any]:
        """What was imported, as stored in the dataset's manifest under ``"import"``."""
        return {
            "files": [
                {
                    "name": f.name,
                    "format": f.format,
                    "encoding": f.encoding,
                    "rows": f.rows,
                    "sheets": dict(f.sheets),
                    "notes": list(f.notes),
                }
                for f in self.files
            ],
            "notes": list(self.notes),
            "join_report": self.join_report,
            "mappings": self.mappings,
        }
