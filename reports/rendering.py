"""PDF rendering of print templates (WeasyPrint): A4, PT Sans from ``static/``, no network.

This mirrors ``core/pdf.py`` of the events branch (same ``render_pdf(template_name, context)``
API and the same restricted fetcher), written here because that module was not on main yet;
the two are meant to be unified into ``core.pdf`` — then this module becomes an import of it.

The URL fetcher serves only our own static files and media: whatever a user typed into text
that ends up in a document, WeasyPrint never reaches the network (STYLE.md: InvenTree's
restricted fetcher).
"""

from __future__ import annotations

from pathlib import Path
from urllib.parse import unquote, urlsplit

from django.conf import settings
from django.contrib.staticfiles import finders
from django.core.exceptions import SuspiciousFileOperation
from django.template.loader import render_to_string

# A base URL nobody can resolve: relative links are made absolute against it, and the
# fetcher maps it back to files on disk.
BASE_URL = "http://opora.invalid/"

_CONTENT_TYPES = {
    ".css": "text/css",
    ".woff": "font/woff",
    ".woff2": "font/woff2",
    ".png": "image/png",
    ".jpg": "image/jpeg",
    ".jpeg": "image/jpeg",
    ".svg": "image/svg+xml",
}


def _inside(path: Path, root: Path) -> bool:
    try:
        path.resolve().relative_to(root.resolve())
    except ValueError:
        return False
    return True


def local_path(url: str) -> Path | None:
    """The file on disk behind one of our static or media URLs; None for anything else."""
    parts = urlsplit(url)
    if f"{parts.scheme}://{parts.netloc}/" != BASE_URL:
        return None
    path = unquote(parts.path)
    if path.startswith(settings.STATIC_URL):
        relative = path.removeprefix(settings.STATIC_URL)
        try:
            found = finders.find(relative)
        except SuspiciousFileOperation:
            return None
        if found:
            return Path(found)
        candidate = Path(settings.STATIC_ROOT) / relative
        return candidate if _inside(candidate, Path(settings.STATIC_ROOT)) and candidate.is_file() else None
    if path.startswith(settings.MEDIA_URL):
        candidate = Path(settings.MEDIA_ROOT) / path.removeprefix(settings.MEDIA_URL)
        return candidate if _inside(candidate, Path(settings.MEDIA_ROOT)) and candidate.is_file() else None
    return None


def _fetcher():
    from weasyprint import URLFetcher
    from weasyprint.urls import URLFetcherResponse

    class LocalOnlyFetcher(URLFetcher):
        def fetch(self, url, headers=None):
            path = local_path(url)
            if path is None:
                # WeasyPrint logs this and leaves the resource out; the PDF still renders.
                raise ValueError(f"Ресурс вне static/ и media/ не загружается: {url}")
            content_type = _CONTENT_TYPES.get(path.suffix.lower(), "application/octet-stream")
            return URLFetcherResponse(url, path.read_bytes(), {"Content-Type": content_type})

    return LocalOnlyFetcher()


# Print faces: the vendored latin and cyrillic subsets of PT Sans merged into one file per weight
# (fontTools.merge; same OFL licence). With the two subsets as separate faces WeasyPrint embeds
# one font with a custom encoding that text extraction (copy-paste, pypdf) reads garbled.
_FONT_FACE = (
    '@font-face {{ font-family: "PT Sans"; font-weight: {weight}; '
    'src: url("{static}fonts/pt-sans/pt-sans-print-{weight}-normal.woff"); }}\n'
)


def font_css() -> str:
    return "".join(_FONT_FACE.format(weight=weight, static=settings.STATIC_URL) for weight in (400, 700))


def render_pdf(template_name: str, context: dict) -> bytes:
    """Render ``template_name`` with ``context`` to PDF bytes (A4, PT Sans, no network).

    The page geometry (A4, running header, «стр. N из M») lives in the print base template
    ``reports/print/base.html``, so a template that extends it gets all of it.
    """
    from weasyprint import CSS, HTML
    from weasyprint.text.fonts import FontConfiguration

    html = render_to_string(template_name, context)
    fetcher = _fetcher()
    # Without a FontConfiguration shared by the stylesheet and write_pdf, WeasyPrint ignores
    # @font-face silently and falls back to the machine's fonts (output would differ per machine).
    font_config = FontConfiguration()
    fonts = CSS(string=font_css(), base_url=BASE_URL, url_fetcher=fetcher, font_config=font_config)
    return HTML(string=html, base_url=BASE_URL, url_fetcher=fetcher).write_pdf(
        stylesheets=[fonts], font_config=font_config
    )
