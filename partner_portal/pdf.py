"""PDF documents (order confirmations, line sheets, packing lists, contracts): a page
template from templates/ (or a contract's HTML) printed by WeasyPrint.

WeasyPrint takes tenths of a second per page, so the PDF is laid out in a worker thread
and never stalls the event loop; at most LAYOUT_SLOTS documents are laid out at once, so a
burst of downloads cannot take every CPU from the web server. The HTML is rendered first,
in the caller's context, so the document speaks the reader's language and time zone.
Documents name their fonts "Noto Sans CJK SC" / "Noto Sans CJK KR" (fonts-noto-cjk) so
Chinese and Korean print.

Documents carry user data (partner names, order notes, contract templates written by
brand admins), so WeasyPrint fetches nothing a document names except the portal's own
static files and the stored pictures the caller handed over (DocumentPictures). Every
other URL (file: elsewhere, http:, https:, data:, ftp:...) is refused: WeasyPrint skips
the resource and the PDF still prints. Attachments (<link rel=attachment>,
<a rel=attachment>) are fetched the same way, so they cannot carry a server file either.
"""

from __future__ import annotations

import hashlib
import logging
import mimetypes
import threading
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlsplit

import anyio.to_thread
from jinja2 import Environment

from partner_portal.templating import STATIC_DIR, create_environment

PDF_MEDIA_TYPE = "application/pdf"
# Documents laid out at the same time (each one keeps a CPU busy while it lasts).
LAYOUT_SLOTS = 2
_layout_slots = threading.BoundedSemaphore(LAYOUT_SLOTS)
logger = logging.getLogger(__name__)


@cache
def _environment() -> Environment:
    return create_environment()


def render_html(template_name: str, context: dict[str, Any]) -> str:
    return _environment().get_template(template_name).render(**context)


@dataclass
class DocumentPictures:
    """The stored pictures one document shows. ``url(path)`` gives the address to put in
    the document's HTML; the PDF's fetcher serves those files and no others."""

    files: set[Path] = field(default_factory=set)

    def url(self, path: Path) -> str:
        resolved = path.resolve()
        self.files.add(resolved)
        return resolved.as_uri()


def allowed_file(url: str, pictures: DocumentPictures | None = None) -> Path | None:
    """The local file a document may read for ``url``: one of the portal's static files or
    one of the document's own pictures. None for anything else."""
    parts = urlsplit(url)
    if parts.scheme.lower() != "file" or parts.netloc not in ("", "localhost"):
        return None
    if not parts.path.startswith("/"):
        return None
    try:
        # resolve() follows symbolic links and "..", so the checks below see the real file.
        path = Path(unquote(parts.path)).resolve(strict=True)
    except (OSError, RuntimeError, ValueError):
        return None
    if not path.is_file():
        return None
    if STATIC_DIR.resolve() in path.parents:
        return path
    if pictures is not None and path in pictures.files:
        return path
    return None


class ResourceRefused(ValueError):
    """A document named a resource it may not read (WeasyPrint skips it)."""


@cache
def _fetcher_class() -> type:
    from weasyprint.urls import URLFetcher, URLFetcherResponse  # late: see print_html_sync

    class DocumentFetcher(URLFetcher):  # type: ignore[misc]
        """Serves a document the files allowed_file allows, reading them itself: nothing
        goes through urllib, so no other scheme, host or redirect is ever opened."""

        def __init__(self, pictures: DocumentPictures | None) -> None:
            super().__init__(allowed_protocols=("file",), allow_redirects=False)
            self.pictures = pictures

        def fetch(self, url: str, headers: Any = None) -> Any:
            path = allowed_file(url, self.pictures)
            if path is None:
                logger.warning("a document named a resource it may not read: %.200s", url)
                raise ResourceRefused(f"not a file this document may read: {url[:200]}")
            media_type = mimetypes.guess_type(path.name)[0] or "application/octet-stream"
            return URLFetcherResponse(
                path.as_uri(), body=path.read_bytes(), headers={"Content-Type": media_type}
            )

    return DocumentFetcher


@dataclass(frozen=True)
class PrintedPdf:
    content: bytes
    page_count: int

    @property
    def sha256(self) -> str:
        return hashlib.sha256(self.content).hexdigest()


def print_html_sync(html: str, pictures: DocumentPictures | None = None) -> PrintedPdf:
    """The PDF of an HTML document and its number of pages, in this thread (benchmarks
    and worker threads). ``pictures``: the stored pictures the document may show."""
    from weasyprint import HTML  # imported late: loading WeasyPrint costs a second

    with _layout_slots:
        document = HTML(string=html, url_fetcher=_fetcher_class()(pictures)).render()
        return PrintedPdf(bytes(document.write_pdf()), len(document.pages))


async def print_html(html: str, pictures: DocumentPictures | None = None) -> PrintedPdf:
    """The PDF of an HTML document and its page count, laid out in a worker thread."""
    return await anyio.to_thread.run_sync(print_html_sync, html, pictures)


def html_to_pdf_sync(html: str) -> bytes:
    """The PDF of an HTML document, in this thread (benchmarks and worker threads)."""
    return print_html_sync(html).content


async def html_to_pdf(html: str, pictures: DocumentPictures | None = None) -> bytes:
    """The PDF of an HTML document, laid out in a worker thread."""
    return (await print_html(html, pictures)).content


async def render_pdf(
    template_name: str, context: dict[str, Any], pictures: DocumentPictures | None = None
) -> bytes:
    """A template (e.g. "orders/confirmation_pdf.html") rendered and printed to PDF."""
    return await html_to_pdf(render_html(template_name, context), pictures)
