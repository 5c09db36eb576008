"""Real public formats -> the canonical bronze tables of :mod:`lib.config`.

Formats are recognised from a file's *content* (its header, its shape for the header-less
MovieLens 100k files, or a workbook's sheets), never from its name. Every importer returns
bronze tables: the canonical columns of ``config.BRONZE_TABLES`` in canonical order, every
value a string (pandas' ``str`` dtype, missing = NA), derived values in canonical text form
(ISO dates, minutes, lists joined by ``config.LIST_SEP``). Typing, validation against the
vocabularies and de-duplication happen in silver (``lib/data/pipeline``). Nothing uploaded is
executed or unpickled.

Layout
------
``registry``              every format, one ``Format`` object each (detection + columns +
                          converter); ``formats/<family>.py`` define them: ``catalog``,
                          ``top10``, ``imdb``, ``movielens``, ``engagement`` (the seed-004
                          export), ``reports`` (Netflix "What We Watched" .xlsx), ``kaggle``
                          (titles.csv + credits.csv)
``limits``, ``archives``, ``decoding``, ``csvtext``
                          the trust boundary: size limits, zip archives and workbooks, bytes ->
                          text, delimited text and physical line numbers
``values``, ``titles``    checked column access and notes; title keys and linking
``detect``, ``loading``, ``assemble``, ``datasets``
                          format detection, files -> ImportResult, linking, import -> dataset

Public API
----------
``sniff(name, data) -> DetectedFile``
    Decode, detect the format, read and check the whole file. Raises :class:`ImportProblem`.
``read_upload(name, data, *, notes=None, skip_unknown=False) -> list[tuple[str, bytes]]``
    Unpack one upload (a zip archive is validated and expanded in memory; an .xlsx stays one
    file).
``load_files(files, *, skip_unknown=False, source="") -> ImportResult``
    Several files (zip archives allowed) -> one dataset of bronze tables, linked.
``load_source(path, *, skip_unknown=False) -> ImportResult``
    A file, a folder (recursive, regular files only) or a zip archive on disk.
``build_import(result, *, data_dir, name, source, progress=None, consume=False)``
    Import -> dataset folder (the only place both the CLI and the Import page build imports).
``import_summary(result)``  the manifest's import summary.
``normalize_title(title)``  the key used to link titles across files.
``ImportProblem``, ``PROBLEM_KINDS``, ``DetectedFile``, ``ImportResult``, ``FORMATS``
(name -> description), ``REGISTRY`` (the ``Format`` objects), ``DATA_EXTENSIONS`` and the
limits ``MAX_UPLOAD_BYTES``, ``MAX_ZIP_MEMBERS``, ``MAX_UNZIPPED_BYTES`` (values of
:mod:`lib.data.importers.limits`; patch that module to change them).
"""

from __future__ import annotations

from lib.data.importers import limits
from lib.data.importers.archives import DATA_EXTENSIONS
from lib.data.importers.base import DetectedFile, Format, ImportResult
from lib.data.importers.datasets import build_import, import_summary
from lib.data.importers.loading import load_files, load_source, read_upload, sniff
from lib.data.importers.problems import PROBLEM_KINDS, ImportProblem
from lib.data.importers.registry import BY_NAME, FORMATS, REGISTRY
from lib.data.importers.titles import normalize_title

MAX_UPLOAD_BYTES = limits.MAX_UPLOAD_BYTES
MAX_ZIP_MEMBERS = limits.MAX_ZIP_MEMBERS
MAX_UNZIPPED_BYTES = limits.MAX_UNZIPPED_BYTES

__all__ = [
    "BY_NAME",
    "DATA_EXTENSIONS",
    "FORMATS",
    "MAX_UNZIPPED_BYTES",
    "MAX_UPLOAD_BYTES",
    "MAX_ZIP_MEMBERS",
    "PROBLEM_KINDS",
    "REGISTRY",
    "DetectedFile",
    "Format",
    "ImportProblem",
    "ImportResult",
    "build_import",
    "import_summary",
    "limits",
    "load_files",
    "load_source",
    "normalize_title",
    "read_upload",
    "sniff",
]
