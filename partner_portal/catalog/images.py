"""Pictures of styles: uploaded by the catalog's managers, checked by their content
(Pillow: JPEG, PNG or WebP, within size limits), stored under MEDIA_DIR and served only
to users who may see the style (access.get_style_image).

Line sheets take ``style_image_urls`` (pages) or ``style_image_files`` (PDFs, which
WeasyPrint reads from disk rather than through the access-controlled route).
"""

from __future__ import annotations

import io
import uuid
import warnings
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from piccolo.query.methods.select import Select
from PIL import Image, UnidentifiedImageError

from partner_portal import access, uploads
from partner_portal.access import Action, Viewer
from partner_portal.audit import services as audit_log
from partner_portal.catalog.tables import StyleImage
from partner_portal.clock import utcnow
from partner_portal.database import one_of, write_transaction
from partner_portal.i18n import gettext as _
from partner_portal.statements import Parameter, Prepared

MAX_IMAGE_BYTES = 5 * 1024 * 1024
MAX_IMAGE_SIDE = 8000
MAX_IMAGES_PER_STYLE = 12
# The formats Pillow may find in an upload, by Pillow's name for them.
FORMATS = {"JPEG": uploads.JPEG, "PNG": uploads.PNG, "WEBP": uploads.WEBP}


@dataclass(frozen=True)
class CheckedImage:
    file_type: uploads.FileType
    width: int
    height: int


def check_image(content: bytes) -> tuple[CheckedImage | None, str | None]:
    """What the bytes are, judged by their content (not the file's name): a JPEG, PNG or
    WebP picture within the size limits, or the reason it is refused."""
    if not content:
        return None, _("Choose a picture to upload.")
    if len(content) > MAX_IMAGE_BYTES:
        return None, _(
            "The picture is larger than %(megabytes)s MB. Save it smaller and try again.",
            megabytes=MAX_IMAGE_BYTES // (1024 * 1024),
        )
    try:
        with warnings.catch_warnings():
            # A decompression bomb is refused below by its size, not half-decoded.
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with Image.open(io.BytesIO(content)) as image:
                kind = image.format or ""
                width, height = image.size
                if kind in FORMATS and max(width, height) <= MAX_IMAGE_SIDE:
                    image.verify()
    except (UnidentifiedImageError, Image.DecompressionBombWarning, Image.DecompressionBombError):
        return None, _("This file is not a JPEG, PNG or WebP picture.")
    except (OSError, SyntaxError, ValueError):
        return None, _("The picture is damaged and cannot be read.")
    if kind not in FORMATS:
        return None, _("This file is not a JPEG, PNG or WebP picture.")
    if max(width, height) > MAX_IMAGE_SIDE:
        return None, _(
            "The picture is larger than %(pixels)s pixels on a side.", pixels=MAX_IMAGE_SIDE
        )
    return CheckedImage(FORMATS[kind], width, height), None


def stored_file(media_dir: Path, relative_path: str) -> Path:
    """The file of a stored picture; refuses a path that would leave the media directory."""
    root = media_dir.resolve()
    path = (root / relative_path).resolve()
    if root not in path.parents:
        raise ValueError(f"picture path outside the media directory: {relative_path!r}")
    return path


async def add_style_image(
    viewer: Viewer, style: access.VisibleStyle, content: bytes, media_dir: Path
) -> dict[str, str]:
    """Store an uploaded picture of a style after the others; returns errors by field
    (``file``), nothing stored then."""
    access.require(viewer, Action.manage_catalog)
    checked, problem = check_image(content)
    if checked is None:
        return {"file": problem or ""}
    image_uuid = uuid.uuid4()
    relative = f"styles/{style.uuid}/{uploads.stored_name(checked.file_type, image_uuid)}"
    path = stored_file(media_dir, relative)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(content)
    try:
        async with write_transaction():
            count = await StyleImage.count().where(StyleImage.style == style.id)
            if count >= MAX_IMAGES_PER_STYLE:
                path.unlink(missing_ok=True)
                return {
                    "file": _(
                        "A style has at most %(count)s pictures; remove one first.",
                        count=MAX_IMAGES_PER_STYLE,
                    )
                }
            last = await (
                StyleImage.select(StyleImage.position)
                .where(StyleImage.style == style.id)
                .order_by(StyleImage.position, ascending=False)
                .first()
            )
            await StyleImage.insert(
                StyleImage(
                    uuid=image_uuid,
                    style=style.id,
                    path=relative,
                    content_type=checked.file_type.content_type,
                    width=checked.width,
                    height=checked.height,
                    byte_size=len(content),
                    position=(last["position"] + 1) if last else 1,
                    uploaded_by=viewer.user_id,
                    uploaded_at=utcnow(),
                )
            ).run()
            await audit_log.record(
                viewer,
                entity_kind="style",
                entity_uuid=style.uuid,
                organisation_id=None,
                action="update",
                changes={"pictures": [count, count + 1]},
                summary=style.code,
            )
    except BaseException:
        path.unlink(missing_ok=True)
        raise
    return {}


async def remove_style_image(
    viewer: Viewer, style: access.VisibleStyle, image: access.VisibleStyleImage, media_dir: Path
) -> None:
    """Remove a picture of the style; its file goes once the row is gone."""
    access.require(viewer, Action.manage_catalog)
    async with write_transaction():
        await StyleImage.delete().where(
            (StyleImage.id == image.id) & (StyleImage.style == style.id)
        )
        await audit_log.record(
            viewer,
            entity_kind="style",
            entity_uuid=style.uuid,
            organisation_id=None,
            action="update",
            changes={"pictures": [image.path.rsplit("/", 1)[-1], None]},
            summary=style.code,
        )
    stored_file(media_dir, image.path).unlink(missing_ok=True)


async def make_main_image(
    viewer: Viewer, style: access.VisibleStyle, image: access.VisibleStyleImage
) -> None:
    """Put a picture first (the one line sheets show large)."""
    access.require(viewer, Action.manage_catalog)
    async with write_transaction():
        first = await (
            StyleImage.select(StyleImage.position)
            .where(StyleImage.style == style.id)
            .order_by(StyleImage.position)
            .first()
        )
        position = (first["position"] - 1) if first else 1
        await StyleImage.update({StyleImage.position: position}).where(
            (StyleImage.id == image.id) & (StyleImage.style == style.id)
        )


@Prepared
def _pictures_of_styles() -> Select:
    return (
        StyleImage.select(
            StyleImage.uuid,
            StyleImage.style,
            StyleImage.path,
            StyleImage.width,
            StyleImage.height,
            StyleImage.content_type,
        )
        .where(one_of(StyleImage.style, Parameter("styles")))
        .order_by(StyleImage.position)
        .order_by(StyleImage.id)
    )


async def style_images(style_ids: Iterable[int]) -> dict[int, list[dict[str, Any]]]:
    """The pictures of these styles, main one first (one query)."""
    wanted = sorted(set(style_ids))
    result: dict[int, list[dict[str, Any]]] = {style_id: [] for style_id in wanted}
    if not wanted:
        return result
    for row in await _pictures_of_styles.rows(styles=wanted):
        row["url"] = image_url(row["uuid"])
        result[row["style"]].append(row)
    return result


def image_url(image_uuid: Any) -> str:
    return f"/catalog/images/{image_uuid}"


async def style_image_urls(style_ids: Iterable[int]) -> dict[int, list[str]]:
    """Style id -> the URLs of its pictures, main one first (one query). The URLs answer
    only to users who may see the style, so use them in pages, not in PDFs."""
    images = await style_images(style_ids)
    return {style_id: [row["url"] for row in rows] for style_id, rows in images.items()}


async def style_image_files(style_ids: Iterable[int], media_dir: Path) -> dict[int, list[Path]]:
    """Style id -> the files of its pictures, main one first (for PDFs; one query)."""
    images = await style_images(style_ids)
    return {
        style_id: [stored_file(media_dir, row["path"]) for row in rows]
        for style_id, rows in images.items()
    }
