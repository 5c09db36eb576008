"""Bytes -> text: byte-order marks, UTF-8, single-byte Windows files and mixed files.

Rules, in order:

1. UTF-16 with a byte-order mark; UTF-8 with or without a BOM.
2. Not valid UTF-8 and no valid UTF-8 multi-byte sequence anywhere: a single-byte file
   (Windows cp1252, Latin-1 for the five bytes cp1252 leaves undefined), noted.
3. Valid UTF-8 with some stray bytes (a UTF-8 file edited by a cp1252 tool): every valid UTF-8
   sequence is decoded as UTF-8 and only the stray bytes as cp1252. The note names the first
   offending line and byte, how many bytes and lines are affected and what they became, so
   nothing is silently turned into mojibake ("AmÃ©lie").

Then a text check: a file full of control characters is not text.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from lib.data.importers import limits
from lib.data.importers.problems import problem

__all__ = ["Decoded", "decode", "SAMPLE_CHARS"]

SAMPLE_CHARS = 64 * 1024
"""Characters of a file's start used for detection and the text check."""

_UTF8_MULTIBYTE = re.compile(
    rb"[\xc2-\xdf][\x80-\xbf]|[\xe0-\xef][\x80-\xbf]{2}|[\xf0-\xf4][\x80-\xbf]{3}"
)


@dataclass
class Decoded:
    """A decoded file: its text, the encoding label, UTF-8 bytes of the text and notes."""

    text: str
    encoding: str
    utf8: bytes
    notes: list[str] = field(default_factory=list)


_CP1252_UNDEFINED = frozenset(b"\x81\x8d\x8f\x90\x9d")
_STRAY = re.compile("[\udc80-\udcff]")


def _stray_char(byte: int) -> str:
    """One stray byte as cp1252 (Latin-1 for the five bytes cp1252 leaves undefined)."""
    return bytes([byte]).decode("latin-1" if byte in _CP1252_UNDEFINED else "cp1252")


def _position(data: bytes, offset: int) -> tuple[int, int]:
    """(line, byte in the line), both from 1, of ``offset`` in ``data``."""
    line = data.count(b"\n", 0, offset) + 1
    start = data.rfind(b"\n", 0, offset) + 1
    return line, offset - start + 1


def _mixed(name: str, data: bytes, first: int) -> Decoded:
    """Decode valid UTF-8 as UTF-8 and each stray byte as cp1252; note where they were."""
    escaped = data.decode("utf-8", errors="surrogateescape")
    found = [m.start() for m in _STRAY.finditer(escaped)]
    lines: set[int] = set()
    line_no, prev = 1, 0
    for i in found[:1000]:  # line numbers of the first 1,000 stray bytes, in one pass
        line_no += escaped.count("\n", prev, i)
        prev = i
        lines.add(line_no)
    text = _STRAY.sub(lambda m: _stray_char(ord(m.group()) - 0xDC00), escaped)
    line, byte = _position(data, first)
    more = f" and the other {len(lines) - 1:,} line(s)" if len(lines) > 1 else ""
    note = (
        f"{name}: UTF-8 except {len(found):,} byte(s) on {len(lines):,}"
        f"{'+' if len(found) > 1000 else ''} line(s) that are not valid UTF-8; the first is "
        f"byte {byte} of line {line} (0x{data[first]:02X}). Those bytes were decoded as Windows "
        f"cp1252 (the first as {_stray_char(data[first])!r}) and every other character as "
        f"UTF-8; check line {line}{more} (was the file edited with another encoding?)"
    )
    return _checked(name, Decoded(text, "utf-8 + cp1252", text.encode("utf-8"), [note]))


def decode(name: str, data: bytes) -> Decoded:
    """Decode one text file; raise :class:`ImportProblem` when it is empty, binary or too big."""
    limits.check_size(name, len(data))
    if not data.strip():
        raise problem("empty", name, "is empty", expected="a header line and data rows")
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        try:
            text = data.decode("utf-16")
        except UnicodeDecodeError as exc:
            raise problem("not_text", name, "is not a text file (broken UTF-16)") from exc
        note = f"{name}: decoded as UTF-16 (byte-order mark found)"
        return _checked(name, Decoded(text, "utf-16", text.encode("utf-8"), [note]))
    if b"\x00" in data[: 1 << 20]:
        raise problem(
            "not_text",
            name,
            "is not a text file (it contains NUL bytes)",
            expected="a CSV/TSV text file",
        )
    bom = data.startswith(b"\xef\xbb\xbf")
    body = data[3:] if bom else data
    try:
        text = body.decode("utf-8")
    except UnicodeDecodeError as exc:
        first = exc.start
    else:
        return _checked(name, Decoded(text, "utf-8-sig" if bom else "utf-8", body))
    if bom or _UTF8_MULTIBYTE.search(body):
        return _mixed(name, body, first)
    try:
        text, encoding = body.decode("cp1252"), "cp1252"
    except UnicodeDecodeError:  # bytes cp1252 leaves undefined: Latin-1 (ISO-8859-1)
        text, encoding = body.decode("latin-1"), "latin-1"
    note = f"{name}: not valid UTF-8 (no UTF-8 sequence in it); decoded as {encoding}"
    return _checked(name, Decoded(text, encoding, text.encode("utf-8"), [note]))


def _checked(name: str, dec: Decoded) -> Decoded:
    sample = dec.text[:SAMPLE_CHARS]
    controls = sum(1 for ch in sample if ord(ch) < 32 and ch not in "\t\n\r\f\v")
    controls += sum(1 for ch in sample if 0x7F <= ord(ch) <= 0x9F)
    if controls > max(2, len(sample) // 100):
        raise problem(
            "not_text",
            name,
            "is not a text file (it is full of control characters)",
            expected="a CSV/TSV text file",
        )
    return dec
