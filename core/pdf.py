"""One way to turn a print template into a PDF (WeasyPrint), shared by every document.

Fonts come from our own ``static/`` (PT Sans is vendored), the page is A4, and the URL
fetcher serves only our static files and media: a document never reaches the network,
whatever a user typed into the text that ends up in it (STYLE.md: InvenTree's restricted
fetcher). Use ``{% static %}`` and ``MEDIA_URL`` paths in print templates.
"""

from __future__ import annotations

from pathlib import Path
from urllib.parse import unquote, urlsplit

from django.conf import settings
from django.contrib.staticfiles import finders
from django.core.exceptions import SuspiciousFileOperation
from django.template.loader import render_to_string

# A base URL nobody can resolve: relative links in the template are made absolute against
# it, and the fetcher maps it back to files on disk.
BASE_URL = "http://opora.invalid/"


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
            return URLFetcherResponse(url, path.read_bytes(), {"Content-Type": _content_type(path)})

    return LocalOnlyFetcher()


def _content_type(path: Path) -> str:
    return {
        ".css": "text/css",
        ".woff": "font/woff",
        ".woff2": "font/woff2",
        ".png": "image/png",
        ".jpg": "image/jpeg",
        ".jpeg": "image/jpeg",
        ".svg": "image/svg+xml",
    }.get(path.suffix.lower(), "application/octet-stream")


# Fonts and page size for every document; templates add their own styles after it.
BASE_CSS = """
@page { size: A4; margin: 20mm 18mm; }
html { font-family: "PT Sans", sans-serif; font-size: 11pt; }
"""
# Print faces: the vendored latin and cyrillic subsets of PT Sans merged into one file per weight
# (fontTools.merge; same OFL licence). With the subsets as two faces of one family WeasyPrint
# embeds one font with a «Custom» encoding that text extraction (copy-paste, pypdf) reads garbled.
_FONT_FACE = (
    '@font-face {{ font-family: "PT Sans"; font-weight: {weight}; '
    'src: url("{static}fonts/pt-sans/pt-sans-print-{weight}-normal.woff"); }}\n'
)


def _base_css(static_url: str) -> str:
    faces = "".join(_FONT_FACE.format(weight=weight, static=static_url) for weight in (400, 700))
    return faces + BASE_CSS


def render_pdf(template_name: str, context: dict) -> bytes:
    """Render ``template_name`` with ``context`` to PDF bytes (A4, PT Sans, no network).

    Reports extend ``reports/print/base.html`` for the running header and «стр. N из M».
    """
    from weasyprint import CSS, HTML
    from weasyprint.text.fonts import FontConfiguration

    html = render_to_string(template_name, context)
    fetcher = _fetcher()
    # Without one FontConfiguration shared by the stylesheet and write_pdf, WeasyPrint ignores
    # @font-face silently and uses the machine's fonts: the output would differ per machine.
    font_config = FontConfiguration()
    base_css = CSS(
        string=_base_css(settings.STATIC_URL), base_url=BASE_URL, url_fetcher=fetcher, font_config=font_config
    )
    return HTML(string=html, base_url=BASE_URL, url_fetcher=fetcher).write_pdf(
        stylesheets=[base_css], font_config=font_config
    )


def warm_up() -> float:
    """Render a one-line document once, so the first real one does not pay for WeasyPrint's start.

    The first render of a process loads WeasyPrint, Pango and the fonts (about 3 s on the
    reference machine, against about 1 s for a three-page passport afterwards). Each prefork pool
    child of the Celery worker calls this when it starts, a threads or solo worker when it is ready
    (``reports.tasks``); returns the seconds it took.
    """
    import time

    from django.template import engines

    started = time.perf_counter()
    from weasyprint import CSS, HTML
    from weasyprint.text.fonts import FontConfiguration

    engines["django"]  # the template engine, loaded once as well
    fetcher = _fetcher()
    font_config = FontConfiguration()
    css = CSS(string=_base_css(settings.STATIC_URL), base_url=BASE_URL, url_fetcher=fetcher, font_config=font_config)
    # A table, a running string and an SVG: each loads code paths of its own on first use.
    sample = (
        "<style>@page { @top-left { content: string(h) } } .h { string-set: h content() }</style>"
        '<p class="h">Опора <b>Опора</b></p><table><thead><tr><th>А</th></tr></thead><tbody><tr><td>1</td></tr>'
        '</tbody></table><svg xmlns="http://www.w3.org/2000/svg" width="20" height="20"><rect width="9" '
        'height="9" fill="#0d6efd"/><text x="1" y="18" font-family="PT Sans">1</text></svg>'
    )
    HTML(string=sample, base_url=BASE_URL, url_fetcher=fetcher).write_pdf(stylesheets=[css], font_config=font_config)
    return time.perf_counter() - started
