"""A corpus of hostile uploads, built at test time (nothing binary is committed).

Each entry is a file an attacker or a careless user could send to any upload field: programs
and web pages wearing a document's name, polyglots, decompression bombs, archives with macros
or links to other files, broken and empty files, text in the wrong encoding. ``python -m
tests.hostile_uploads DIR`` writes them to DIR to try by hand.
"""

from __future__ import annotations

import io
import struct
import sys
import zipfile
import zlib
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from core.sample_documents import tiny_image, tiny_pdf

HTML = b"<!DOCTYPE html><html><body><script>alert(document.cookie)</script></body></html>"


@dataclass(frozen=True)
class Hostile:
    slug: str
    name: str  # the name the upload claims
    build: Callable[[], bytes]
    spreadsheet: bool = True  # also sent to the spreadsheet imports (results, registry, teachers)


def _png_chunk(kind: bytes, data: bytes) -> bytes:
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)


def pixel_bomb() -> bytes:
    """A valid PNG header declaring 20000×20000 pixels (400 megapixels) in a few dozen bytes."""
    header = struct.pack(">IIBBBBB", 20_000, 20_000, 8, 2, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + _png_chunk(b"IHDR", header)
        + _png_chunk(b"IDAT", zlib.compress(b"\x00" * 1024))
        + _png_chunk(b"IEND", b"")
    )


def _zip(parts: dict[str, bytes | str], *, compression=zipfile.ZIP_DEFLATED) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression) as archive:
        for name, content in parts.items():
            archive.writestr(name, content)
    return buffer.getvalue()


_TYPES = '<?xml version="1.0"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"/>'
_WORKBOOK = (
    '<workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheets>'
    '<sheet name="Лист1" sheetId="1" r:id="rId1" '
    'xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"/></sheets></workbook>'
)


def xlsx_with_external_link() -> bytes:
    return _zip(
        {
            "[Content_Types].xml": _TYPES,
            "xl/workbook.xml": _WORKBOOK,
            "xl/worksheets/sheet1.xml": "<worksheet/>",
            "xl/externalLinks/externalLink1.xml": '<externalLink><externalBook r:id="rId1"/></externalLink>',
            "xl/externalLinks/_rels/externalLink1.xml.rels": (
                '<Relationships><Relationship Target="file:///C:/secret.xlsx" TargetMode="External"/></Relationships>'
            ),
        }
    )


def xlsx_with_macros() -> bytes:
    return _zip({"[Content_Types].xml": _TYPES, "xl/workbook.xml": _WORKBOOK, "xl/vbaProject.bin": b"\xd0\xcf macro"})


def xlsx_with_xxe() -> bytes:
    """An entity that reads a local file, in every XML part a reader opens."""
    evil = '<?xml version="1.0"?><!DOCTYPE x [<!ENTITY xxe SYSTEM "file:///etc/passwd">]><workbook>&xxe;</workbook>'
    return _zip({"[Content_Types].xml": _TYPES, "xl/workbook.xml": evil, "xl/worksheets/sheet1.xml": evil})


def docx_with_macros() -> bytes:
    return _zip({"[Content_Types].xml": _TYPES, "word/document.xml": "<w/>", "word/vbaProject.bin": b"macro"})


def docx_zip_bomb() -> bytes:
    """40 MB of zeros packed into ~40 KB: a ratio of about a thousand."""
    return _zip({"[Content_Types].xml": _TYPES, "word/document.xml": b"\x00" * (40 * 1024 * 1024)})


def zip_lying_about_its_size() -> bytes:
    """An entry whose header declares 10 bytes but that inflates to megabytes."""
    data = bytearray(_zip({"[Content_Types].xml": _TYPES, "word/document.xml": b"A" * (3 * 1024 * 1024)}))
    # Patch the declared uncompressed size (local header offset 22, central directory offset 24).
    for offset in _entry_offsets(bytes(data), b"word/document.xml"):
        data[offset : offset + 4] = struct.pack("<I", 10)
    return bytes(data)


def _entry_offsets(data: bytes, name: bytes) -> list[int]:
    offsets = []
    local = data.find(b"PK\x03\x04")
    while local != -1:
        if data[local + 30 : local + 30 + len(name)] == name:
            offsets.append(local + 22)
        local = data.find(b"PK\x03\x04", local + 4)
    central = data.find(b"PK\x01\x02")
    while central != -1:
        if data[central + 46 : central + 46 + len(name)] == name:
            offsets.append(central + 24)
        central = data.find(b"PK\x01\x02", central + 4)
    return offsets


def utf16_csv() -> bytes:
    return "Код ОО;Название\nedu203389;МБОУ СОШ № 1\n".encode("utf-16")


def oversize() -> bytes:
    """A real PDF padded past every field's limit (25 MB)."""
    return tiny_pdf() + b"%" + b"0" * (25 * 1024 * 1024)


CORPUS: list[Hostile] = [
    Hostile(
        "renamed-executable", "report.pdf", lambda: b"MZ\x90\x00\x03\x00\x00\x00\x04\x00 This program cannot be run"
    ),
    Hostile("renamed-html", "photo.png", lambda: HTML),
    Hostile("pdf-html-polyglot", "report.html", lambda: b"%PDF-1.4\n" + HTML),
    Hostile("pdf-magic-then-garbage", "report.pdf", lambda: b"%PDF-1.7\n" + bytes(range(256)) * 8),
    Hostile("jpeg-magic-then-garbage", "photo.jpg", lambda: b"\xff\xd8\xff\xe0" + b"<script>alert(1)</script>" * 40),
    Hostile("png-magic-then-garbage", "photo.png", lambda: b"\x89PNG\r\n\x1a\n" + b"\x00" * 256),
    Hostile("png-400-megapixels", "photo.png", pixel_bomb),
    Hostile("xlsx-external-link", "table.xlsx", xlsx_with_external_link),
    Hostile("xlsx-macros", "table.xlsx", xlsx_with_macros),
    Hostile("xlsx-xxe-entity", "table.xlsx", xlsx_with_xxe),
    Hostile("docx-macros", "plan.docx", docx_with_macros),
    Hostile("docx-zip-bomb", "plan.docx", docx_zip_bomb),
    Hostile("zip-lying-about-size", "plan.docx", zip_lying_about_its_size),
    Hostile("truncated-zip", "plan.docx", lambda: b"PK\x03\x04" + b"\x14\x00" * 20),
    Hostile("ole-doc", "plan.docx", lambda: b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 512),
    Hostile("empty", "report.pdf", lambda: b""),
    Hostile("utf16-csv", "table.csv", utf16_csv),
    Hostile("oversize", "report.pdf", oversize, spreadsheet=False),
]

# Real documents of each kind: a field that accepts the kind must take them.
GOOD = {"pdf": tiny_pdf, "png": lambda: tiny_image("PNG"), "jpg": lambda: tiny_image("JPEG")}


if __name__ == "__main__":  # pragma: no cover - a helper for trying the corpus by hand
    target = Path(sys.argv[1] if len(sys.argv) > 1 else "hostile-uploads")
    target.mkdir(parents=True, exist_ok=True)
    for item in CORPUS:
        (target / f"{item.slug}--{item.name}").write_bytes(item.build())
    print(f"{len(CORPUS)} files in {target}")
