"""PDF documents (order confirmations, line sheets, packing lists): a page template from
templates/ rendered by WeasyPrint.

WeasyPrint takes tenths of a second per page, so the PDF is laid out in a worker thread
and never stalls the event loop. The HTML is rendered first, in the caller's context,
so the document speaks the reader's language and time zone. Documents name their fonts
"Noto Sans CJK SC" / "Noto Sans CJK KR" (fonts-noto-cjk) so Chinese and Korean print.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from functools import cache
from typing import Any

import anyio.to_thread
from jinja2 import Environment

from partner_portal.templating import create_environment

PDF_MEDIA_TYPE = "application/pdf"


@cache
def _environment() -> Environment:
    return create_environment()


def render_html(template_name: str, context: dict[str, Any]) -> str:
    return _environment().get_template(template_name).render(**context)


@dataclass(frozen=True)
class PrintedPdf:
    content: bytes
    page_count: int

    @property
    def sha256(self) -> str:
        return hashlib.sha256(self.content).hexdigest()


def print_html_sync(html: str) -> PrintedPdf:
    """The PDF of an HTML document and its number of pages, in this thread (benchmarks
    and worker threads)."""
    from weasyprint import HTML  # imported late: loading WeasyPrint costs a second

    document = HTML(string=html).render()
    return PrintedPdf(bytes(document.write_pdf()), len(document.pages))


async def print_html(html: str) -> PrintedPdf:
    """The PDF of an HTML document and its page count, laid out in a worker thread."""
    return await anyio.to_thread.run_sync(print_html_sync, html)


def html_to_pdf_sync(html: str) -> bytes:
    """The PDF of an HTML document, in this thread (benchmarks and worker threads)."""
    return print_html_sync(html).content


async def html_to_pdf(html: str) -> bytes:
    """The PDF of an HTML document, laid out in a worker thread."""
    return (await print_html(html)).content


async def render_pdf(template_name: str, context: dict[str, Any]) -> bytes:
    """A template (e.g. "orders/confirmation_pdf.html") rendered and printed to PDF."""
    return await html_to_pdf(render_html(template_name, context))
