"""Files people upload (certificates, case photos, pictures of styles).

What a file is comes from its first bytes, never from its name or the content type the
browser claims: an HTML page named ``cert.pdf`` and sent as ``application/pdf`` is still
HTML, and a browser shown it as a download or an image would be safe, shown it as a page
would run its scripts. So an upload is accepted only when its bytes are one of the types
the feature takes; it is stored under a generated name; the name the uploader gave is
kept only as text to show, without folders or control characters; and it is served as
the detected type, with a safe file name and ``X-Content-Type-Options: nosniff``.
"""

from __future__ import annotations

import re
import unicodedata
import uuid
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Literal
from urllib.parse import quote


@dataclass(frozen=True)
class FileType:
    content_type: str
    extension: str  # without the dot
    # What every file of the type starts with.
    signature: re.Pattern[bytes]


PDF = FileType("application/pdf", "pdf", re.compile(rb"%PDF-"))
PNG = FileType("image/png", "png", re.compile(rb"\x89PNG\r\n\x1a\n"))
JPEG = FileType("image/jpeg", "jpg", re.compile(rb"\xff\xd8\xff"))
GIF = FileType("image/gif", "gif", re.compile(rb"GIF8[79]a"))
WEBP = FileType("image/webp", "webp", re.compile(rb"RIFF.{4}WEBP", re.DOTALL))
MAX_NAME_LENGTH = 120


def detect_type(content: bytes, accepted: Iterable[FileType]) -> FileType | None:
    """The accepted type the bytes are, or None if they are none of them."""
    return next((kind for kind in accepted if kind.signature.match(content)), None)


def stored_name(file_type: FileType, name: uuid.UUID | None = None) -> str:
    """The name a file is stored under: a fresh (or the given) UUID and the detected
    type's extension, never anything the uploader chose."""
    return f"{name or uuid.uuid4()}.{file_type.extension}"


def display_name(uploaded_name: str, file_type: FileType, fallback: str) -> str:
    """The uploader's file name as text to show: its last path part only (no
    ``../../etc/``), without control characters, quotes or leading dots, ending in the
    detected type's extension (``report.pdf`` that is a PNG becomes ``report.png``)."""
    cleaned = _last_part_printable(uploaded_name)
    stem = cleaned.rsplit(".", 1)[0] if "." in cleaned else cleaned
    stem = stem.strip().lstrip(".").strip()[: MAX_NAME_LENGTH - len(file_type.extension) - 1]
    return f"{stem or fallback}.{file_type.extension}"


def download_headers(
    name: str, disposition: Literal["attachment", "inline"] = "attachment"
) -> dict[str, str]:
    """Headers to serve an uploaded file: a download (or an inline image) under a safe
    name (an ASCII fallback and the UTF-8 name), and no type sniffing by the browser."""
    safe = _last_part_printable(name).lstrip(".") or "file"
    ascii_name = safe.encode("ascii", "ignore").decode().replace("\\", "")
    if not ascii_name.rsplit(".", 1)[0]:
        ascii_name = "file" + ascii_name
    return {
        "Content-Disposition": (
            f"{disposition}; filename=\"{ascii_name}\"; filename*=UTF-8''{quote(safe, safe='')}"
        ),
        "X-Content-Type-Options": "nosniff",
    }


def _last_part_printable(name: str) -> str:
    """The part of a file name after its last / or \\, without control characters or the
    characters file systems and headers treat specially."""
    last_part = re.split(r"[/\\]", name or "")[-1]
    return "".join(
        character
        for character in unicodedata.normalize("NFC", last_part)
        if unicodedata.category(character)[0] != "C" and character not in "\"'<>:|?*"
    )
