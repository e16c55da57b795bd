"""Bytes to text, and text to safe stored text: encodings, control characters, size limits.

Everything here runs in linear time on input of any size.
"""

from __future__ import annotations

import codecs
import re
import unicodedata

# Longer fields are cut (with a warning): no real title or abstract comes near these, and the
# extractor's spaCy doc (title + abstract) stays far below spaCy's max_length of 1,000,000.
MAX_TITLE_CHARS = 2_000
MAX_ABSTRACT_CHARS = 100_000
MAX_SHORT_CHARS = 500  # id, url, one author name
MAX_AUTHORS = 1_000

# C0 and C1 controls other than tab, newline and carriage return, lone surrogates, the XML
# non-characters U+FFFE/U+FFFF: none may stand in GraphML/GEXF (XML 1.0), so none is stored.
_CONTROLS = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ud800-\udfff\ufffe\uffff]")
# Invisible formatting that only hides or reorders text: zero-width space, word joiner, BOM,
# soft hyphen and the bidirectional embedding/override/isolate controls. (Zero-width joiner and
# non-joiner stay: emoji sequences and several scripts need them.)
_INVISIBLE = re.compile("[\u00ad\u061c\u200b\u200e\u200f\u202a-\u202e\u2060\u2066-\u2069\ufeff]")
# Characters that end a line for str.splitlines() but not in any of our formats: a form feed,
# vertical tab or U+2028 inside an abstract must not split it into several records.
_LINE_END = re.compile(r"\r\n|\r|\n")

_BINARY_MAGIC = (b"%PDF", b"PK\x03\x04", b"\x7fELF", b"\x89PNG", b"\xff\xd8\xff", b"GIF8", b"BZh",
                 b"\xfd7zXZ", b"7z\xbc\xaf", b"MZ", b"\x00asm", b"SQLite format 3")
_BOMS = ((codecs.BOM_UTF32_LE, "utf-32-le"), (codecs.BOM_UTF32_BE, "utf-32-be"), (codecs.BOM_UTF8, "utf-8"),
         (codecs.BOM_UTF16_LE, "utf-16-le"), (codecs.BOM_UTF16_BE, "utf-16-be"))
_UTF8_MULTIBYTE = re.compile(rb"[\xc2-\xdf][\x80-\xbf]|[\xe0-\xef][\x80-\xbf]{2}|[\xf0-\xf4][\x80-\xbf]{3}")


class NotText(ValueError):
    """Bytes that are no text in any encoding we read (a binary file)."""


def split_lines(text: str) -> list[str]:
    """Lines as an editor numbers them: only CR, LF and CRLF end a line."""
    return _LINE_END.split(text)


def line_of(text: str, offset: int) -> int:
    """The 1-based line number of a character offset."""
    return text.count("\n", 0, max(offset, 0)) + 1


def _looks_binary(sample: bytes) -> bool:
    if sample.startswith(_BINARY_MAGIC):
        return True
    if not sample:
        return False
    controls = sum(1 for b in sample if b < 32 and b not in (9, 10, 12, 13))
    return controls / len(sample) > 0.1


def _utf16_without_bom(sample: bytes) -> str | None:
    """UTF-16 text without a BOM: ASCII-heavy text has a zero byte in every other position."""
    if len(sample) < 4:
        return None
    even, odd = sample[0::2], sample[1::2]
    if even.count(0) > 0.4 * len(even) and odd.count(0) < 0.05 * len(odd):
        return "utf-16-be"
    if odd.count(0) > 0.4 * len(odd) and even.count(0) < 0.05 * len(even):
        return "utf-16-le"
    return None


def decode(data: bytes) -> tuple[str, str | None]:
    """Decode a file's bytes; return the text and a note when it was not clean UTF-8.

    A BOM names the encoding (UTF-8, UTF-16, UTF-32). Without one: UTF-8, BOM-less UTF-16, then
    for bytes that are not UTF-8: UTF-8 with the bad bytes replaced when the file has valid
    multi-byte UTF-8 elsewhere (a damaged UTF-8 file), else Windows-1252/Latin-1 (a legacy file).
    Raises NotText for binary data.
    """
    for bom, encoding in _BOMS:
        if data.startswith(bom):
            body = data[len(bom):]
            note = None if encoding == "utf-8" else f"read as {encoding.upper()} (byte order mark)"
            try:
                return body.decode(encoding), note
            except UnicodeDecodeError as exc:
                line = body.count(b"\n", 0, exc.start) + 1 if encoding == "utf-8" else None
                where = f"line {line}: " if line else ""
                return body.decode(encoding, errors="replace"), (
                    f"{where}bytes that are not {encoding.upper()} replaced with U+FFFD")
    sample = data[:8192]
    utf16 = _utf16_without_bom(sample)
    if utf16:
        return data.decode(utf16, errors="replace"), f"read as {utf16.upper()} (no byte order mark)"
    if _looks_binary(sample):
        raise NotText("binary data, not text")
    try:
        return data.decode("utf-8"), None
    except UnicodeDecodeError as exc:
        first_bad = exc.start
    line = data.count(b"\n", 0, first_bad) + 1
    if _UTF8_MULTIBYTE.search(data):
        text = data.decode("utf-8", errors="replace")
        bad = text.count("\ufffd") - data.count(b"\xef\xbf\xbd")
        return text, f"line {line}: {bad} byte(s) that are not UTF-8 replaced with U+FFFD"
    return _decode_cp1252(data), f"not UTF-8 (first at line {line}); read as Windows-1252/Latin-1"


def _decode_cp1252(data: bytes) -> str:
    """Windows-1252; its five unassigned bytes become U+FFFD instead of failing."""
    return data.decode("cp1252", errors="replace")


def clean_text(text: str) -> tuple[str, int]:
    """NFC text with control characters, lone surrogates and invisible formatting removed.

    Returns the text and how many control characters (not invisible formatting) were removed.
    Line breaks are kept; `fold` folds them.
    """
    text, controls = _CONTROLS.subn("", text.replace("\x0b", " ").replace("\x0c", " ")
                                    .replace("\x1c", " ").replace("\x1d", " ").replace("\x1e", " ")
                                    .replace("\x1f", " ").replace("\x85", " "))
    text = _INVISIBLE.sub("", text)
    return unicodedata.normalize("NFC", text), controls


def fold(text: str) -> str:
    """Every run of whitespace (line breaks included) as one space, none at the ends."""
    return " ".join(text.split())


def truncate(text: str, limit: int) -> str:
    """Cut to at most `limit` characters, at the last space of the final 200 when there is one."""
    if len(text) <= limit:
        return text
    cut = text[:limit]
    space = cut.rfind(" ", limit - 200)
    return (cut[:space] if space > 0 else cut).rstrip()
