"""Small real documents (a one-page PDF, PNG and JPEG photos) that core.uploads accepts.

For the demo's evidence and for tests: a document that only starts like a PDF is refused since
uploads are checked by decoding them. Built at call time, deterministic, a few hundred bytes.
"""

from __future__ import annotations

import io


def tiny_pdf(*, pages: int = 1) -> bytes:
    from pypdf import PdfWriter

    writer = PdfWriter()
    for _ in range(pages):
        writer.add_blank_page(width=595, height=842)  # A4 in points
    writer.add_metadata({"/Producer": "Opora"})
    buffer = io.BytesIO()
    writer.write(buffer)
    return buffer.getvalue()


def tiny_image(fmt: str = "PNG", *, size: tuple[int, int] = (40, 30)) -> bytes:
    from PIL import Image

    buffer = io.BytesIO()
    Image.new("RGB", size, (200, 60, 40)).save(buffer, format=fmt)
    return buffer.getvalue()
