"""Files under MEDIA_DIR that rows point at: pictures and issued contract PDFs.

A row can outlive its file: a database restored without its media, a disk replaced, a
file deleted by hand. Serving such a row answers 410 with a page that says the file is
missing and can be restored from a backup (never a 500), and logs it for administrators.
"""

from __future__ import annotations

import logging
from pathlib import Path

from litestar.exceptions import HTTPException

logger = logging.getLogger(__name__)


class MissingMediaFile(HTTPException):
    """The record exists but its file is not in MEDIA_DIR."""

    status_code = 410


def existing_media_file(path: Path) -> Path:
    """``path`` (a file under MEDIA_DIR a row names) if it is there; MissingMediaFile if not."""
    if not path.is_file():
        logger.error("a file in MEDIA_DIR is missing: %s (restore it from a backup)", path)
        raise MissingMediaFile(
            detail="The file of this record is missing from the server's MEDIA_DIR; "
            "an administrator can restore it from a backup."
        )
    return path
