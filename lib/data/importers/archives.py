"""Zip archives and workbooks at the trust boundary: what may be unpacked, and how much.

* A zip archive of data files is validated (no absolute paths, no '..', no symbolic links, no
  encrypted members, only data-file endings, member count and unpacked size within
  :mod:`lib.data.importers.limits`) and expanded in memory. Nothing is written to disk.
* An .xlsx workbook is a zip archive too. :func:`check_workbook` validates it before any
  parser sees it: member count, encrypted parts, each part's unpacked size and compression
  ratio, and the unpacked total, all measured by actually unpacking (a zip's declared sizes
  may lie). Macros (``vbaProject.bin``) are never run: the reader only reads cell values.
"""

from __future__ import annotations

import io
import re
import stat
import zipfile
from pathlib import PurePosixPath

from lib.data.importers import limits
from lib.data.importers.problems import problem

__all__ = [
    "DATA_EXTENSIONS",
    "is_zip",
    "is_ole",
    "is_workbook",
    "check_workbook",
    "unzip",
]

DATA_EXTENSIONS: tuple[str, ...] = (
    ".csv",
    ".tsv",
    ".txt",
    ".dat",
    ".data",
    ".item",
    ".user",
    ".base",
    ".test",
    ".xlsx",
)
"""Name endings read from folders and zip archives (MovieLens 100k uses .data/.item/.user;
Netflix's engagement reports are .xlsx). The format itself is still found from the content."""

_ZIP_SIGNATURES = (b"PK\x03\x04", b"PK\x05\x06")
_OLE_SIGNATURE = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
_CHUNK = 1 << 20


def is_zip(data: bytes) -> bool:
    """True when ``data`` starts with a zip signature (an archive, or an .xlsx workbook)."""
    return data.startswith(_ZIP_SIGNATURES)


def is_ole(data: bytes) -> bool:
    """True for an OLE compound file: an old .xls, or a password-protected .xlsx."""
    return data.startswith(_OLE_SIGNATURE)


def _names(data: bytes) -> set[str]:
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as zf:
            return set(zf.namelist())
    except (zipfile.BadZipFile, OSError, ValueError):
        return set()


def is_workbook(data: bytes) -> bool:
    """True for an Office Open XML spreadsheet (.xlsx): a zip with ``xl/workbook.xml``."""
    if not is_zip(data):
        return False
    names = _names(data)
    return "[Content_Types].xml" in names and "xl/workbook.xml" in names


def is_office_document(data: bytes) -> bool:
    """True for any Office Open XML document (.xlsx, .docx, .pptx)."""
    return is_zip(data) and "[Content_Types].xml" in _names(data)


def _unsafe_path(archive: str, member: str) -> None:
    parts = [p for p in re.split(r"[\\/]+", member) if p]
    if "\x00" in member or member.startswith(("/", "\\")) or re.match(r"^[A-Za-z]:", member):
        raise problem(
            "unsafe_archive", archive, f"contains a file with an absolute path: {member!r}"
        )
    if ".." in parts:
        raise problem(
            "unsafe_archive", archive, f"contains a path that leaves the archive ('..'): {member!r}"
        )


def _read_member(zf: zipfile.ZipFile, info: zipfile.ZipInfo, name: str, limit: int) -> bytes:
    """Unpack one member, never more than ``limit`` bytes whatever its header declares."""
    try:
        with zf.open(info) as fh:
            content = fh.read(limit + 1)
    except (zipfile.BadZipFile, NotImplementedError, OSError, EOFError, ValueError) as exc:
        raise problem("unsafe_archive", name, f"could not be unpacked ({exc})") from exc
    if len(content) > limit:
        raise limits.too_big(name, len(content), limit)
    return content


def check_workbook(name: str, data: bytes) -> None:
    """Validate an .xlsx before parsing it; raise :class:`ImportProblem` when unsafe."""
    limits.check_size(name, len(data))
    try:
        zf = zipfile.ZipFile(io.BytesIO(data))
        infos = zf.infolist()
    except (zipfile.BadZipFile, OSError, ValueError) as exc:
        raise problem("unsafe_archive", name, f"is not a readable workbook ({exc})") from exc
    with zf:
        if len(infos) > limits.MAX_WORKBOOK_MEMBERS:
            raise problem(
                "unsafe_archive",
                name,
                f"is a workbook of {len(infos):,} parts",
                expected=f"at most {limits.MAX_WORKBOOK_MEMBERS} (a real report has about 20)",
            )
        total = 0
        for info in infos:
            _unsafe_path(name, info.filename)
            if info.flag_bits & 0x1:
                raise problem(
                    "unsafe_archive",
                    name,
                    f"is an encrypted workbook (part {info.filename!r})",
                    expected="an unprotected .xlsx",
                )
            if info.is_dir():
                continue
            budget = limits.MAX_WORKBOOK_BYTES - total
            size = _unpacked_size(zf, info, f"{name}/{info.filename}", budget)
            total += size
            ratio = size / max(info.compress_size, 1)
            if size > _CHUNK and ratio > limits.MAX_COMPRESSION_RATIO:
                raise problem(
                    "unsafe_archive",
                    name,
                    f"has a part ({info.filename!r}) that unpacks {ratio:,.0f} times larger "
                    "than it is stored (a zip bomb?)",
                    expected=f"at most {limits.MAX_COMPRESSION_RATIO}:1",
                )


def _unpacked_size(zf: zipfile.ZipFile, info: zipfile.ZipInfo, name: str, budget: int) -> int:
    """Bytes one part really unpacks to, read in chunks and stopped at ``budget``."""
    size = 0
    try:
        with zf.open(info) as fh:
            while chunk := fh.read(_CHUNK):
                size += len(chunk)
                if size > budget:
                    raise limits.too_big(
                        name.rsplit("/", 1)[0] + " (unpacked)",
                        limits.MAX_WORKBOOK_BYTES + 1,
                        limits.MAX_WORKBOOK_BYTES,
                    )
    except (zipfile.BadZipFile, NotImplementedError, OSError, EOFError, ValueError) as exc:
        raise problem("unsafe_archive", name, f"could not be unpacked ({exc})") from exc
    return size


def unzip(
    name: str, data: bytes, notes: list[str], *, skip_unknown: bool
) -> list[tuple[str, bytes]]:
    """Expand a zip archive of data files in memory: ``[("<archive>/<member>", bytes)]``."""
    try:
        zf = zipfile.ZipFile(io.BytesIO(data))
        infos = zf.infolist()
    except (zipfile.BadZipFile, OSError, ValueError) as exc:
        raise problem("unsafe_archive", name, f"is not a readable zip archive ({exc})") from exc
    members = []
    for info in infos:
        member = info.filename
        _unsafe_path(name, member)
        if stat.S_ISLNK(info.external_attr >> 16):
            raise problem("unsafe_archive", name, f"contains a symbolic link: {member!r}")
        if info.is_dir():
            continue
        parts = [p for p in re.split(r"[\\/]+", member) if p]
        base = parts[-1] if parts else member
        if parts and (parts[0] == "__MACOSX" or base.startswith("._") or base == ".DS_Store"):
            notes.append(f"{name}: skipped macOS metadata file {member!r}")
            continue
        if info.flag_bits & 0x1:
            raise problem("unsafe_archive", name, f"contains an encrypted file: {member!r}")
        if PurePosixPath(base).suffix.lower() not in DATA_EXTENSIONS:
            if skip_unknown:
                notes.append(f"{name}: skipped {member!r} (not a data file extension)")
                continue
            raise problem(
                "unsafe_archive",
                name,
                f"contains an unexpected file {member!r}",
                expected="only data files ending in " + ", ".join(DATA_EXTENSIONS),
            )
        members.append(info)
    if len(members) > limits.MAX_ZIP_MEMBERS:
        raise problem(
            "too_large",
            name,
            f"contains {len(members):,} files",
            expected=f"at most {limits.MAX_ZIP_MEMBERS} files per archive",
        )
    if not members:
        raise problem(
            "empty", name, "contains no data files", expected="CSV/TSV or .xlsx report files"
        )
    declared = sum(i.file_size for i in members)
    if declared > limits.MAX_UNZIPPED_BYTES:
        raise limits.too_big(name + " (unpacked)", declared, limits.MAX_UNZIPPED_BYTES)
    out = []
    total = 0
    for info in members:
        member_name = f"{name}/{info.filename}"
        if info.file_size > limits.MAX_UPLOAD_BYTES:
            raise limits.too_big(member_name, info.file_size)
        content = _read_member(zf, info, member_name, limits.MAX_UPLOAD_BYTES)
        total += len(content)
        if total > limits.MAX_UNZIPPED_BYTES:
            raise limits.too_big(name + " (unpacked)", total, limits.MAX_UNZIPPED_BYTES)
        out.append((member_name, content))
    return out
