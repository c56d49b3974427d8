"""Reading a printed PDF back as a person (and an attacker) would: its words, its
pictures and the files embedded in it."""

from __future__ import annotations

import io
import subprocess

from pypdf import PdfReader


def pdf_text(content: bytes) -> str:
    """The words of a PDF as pdftotext (poppler) reads them."""
    completed = subprocess.run(
        ["pdftotext", "-enc", "UTF-8", "-", "-"], input=content, capture_output=True, check=True
    )
    return completed.stdout.decode()


def embedded_files(content: bytes) -> dict[str, list[bytes]]:
    """The files attached to a PDF (document attachments), by name."""
    reader = PdfReader(io.BytesIO(content))
    return {name: list(data) for name, data in reader.attachments.items()}


def annotation_attachments(content: bytes) -> list[str]:
    """Files attached through link annotations (<a rel=attachment>), by name."""
    reader = PdfReader(io.BytesIO(content))
    names = []
    for page in reader.pages:
        for annotation in page.get("/Annots") or []:
            annotation = annotation.get_object()
            if annotation.get("/Subtype") == "/FileAttachment":
                names.append(str(annotation.get("/FS", {}).get("/F", "")))
    return names


def picture_count(content: bytes) -> int:
    """How many pictures the PDF's pages show."""
    reader = PdfReader(io.BytesIO(content))
    return sum(len(page.images) for page in reader.pages)
