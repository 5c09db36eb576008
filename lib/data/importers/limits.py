"""Size limits of the trust boundary: uploads, zip archives and workbooks.

Every check reads the limits from this module at call time, so a test (or a deployment) can
lower them with ``monkeypatch.setattr(lib.data.importers.limits, "MAX_UPLOAD_BYTES", ...)``.
"""

from __future__ import annotations

from lib.data.importers.problems import ImportProblem, problem

__all__ = [
    "MAX_UPLOAD_BYTES",
    "MAX_ZIP_MEMBERS",
    "MAX_UNZIPPED_BYTES",
    "MAX_WORKBOOK_MEMBERS",
    "MAX_WORKBOOK_BYTES",
    "MAX_COMPRESSION_RATIO",
    "MAX_LIST_LITERAL_CHARS",
    "check_size",
    "too_big",
]

MAX_UPLOAD_BYTES = 200 * 1024 * 1024
"""Largest single file, zip archive, zip member or file on disk accepted (200 MiB)."""
MAX_ZIP_MEMBERS = 64
"""Most data files one zip archive may contain."""
MAX_UNZIPPED_BYTES = 1024 * 1024 * 1024
"""Largest unpacked total of one zip archive, and of one import (1 GiB)."""
MAX_WORKBOOK_MEMBERS = 256
"""Most parts an .xlsx workbook (itself a zip archive) may hold; a real report has ~20."""
MAX_WORKBOOK_BYTES = 256 * 1024 * 1024
"""Largest unpacked total of one workbook (a 16,000-row engagement report unpacks to ~6 MB)."""
MAX_COMPRESSION_RATIO = 100
"""Largest unpacked/packed ratio of a workbook part over 1 MiB (real sheets: 3-9; bombs: 1000+)."""
MAX_LIST_LITERAL_CHARS = 10_000
"""Longest list literal cell (``['drama', 'crime']``) parsed in a titles.csv."""


def too_big(name: str, size: int, limit: int | None = None) -> ImportProblem:
    """The problem for ``size`` bytes over ``limit`` (default: ``MAX_UPLOAD_BYTES``)."""
    limit = MAX_UPLOAD_BYTES if limit is None else limit
    return problem(
        "too_large",
        name,
        f"is {size / 1024**2:,.1f} MiB, over the size limit",
        expected=f"at most {limit / 1024**2:,.0f} MiB",
    )


def check_size(name: str, size: int) -> None:
    """Raise :class:`ImportProblem` when one file is over ``MAX_UPLOAD_BYTES``."""
    if size > MAX_UPLOAD_BYTES:
        raise too_big(name, size)
