"""The catalog's newer routes in the access matrix: prepacks, delivery windows,
availability, pictures, size charts, volume breaks and the xlsx files (the older catalog routes are
in tests/portal/access_routes.py, whose style, season and price_list subjects these
reuse)."""

from __future__ import annotations

import io
import uuid
from datetime import UTC, date, datetime
from typing import Any

from PIL import Image

from partner_portal.catalog.tables import (
    DeliveryWindow,
    Prepack,
    Season,
    SizeScale,
    Style,
    StyleImage,
)
from partner_portal.settings import load_settings
from tests.access_matrix import CATALOG_MANAGERS, Route, Subject, SubjectContext, anyone, only
from tests.portal.access_routes import style

MANAGERS = only(CATALOG_MANAGERS)

ROUTES = {
    "GET /api/v1/styles": Route(anyone),
    "GET /api/v1/styles/{style_id:uuid}": Route(anyone, "style"),
    "GET /catalog/prepacks": Route(MANAGERS),
    "GET /catalog/prepacks/new": Route(MANAGERS),
    "POST /catalog/prepacks/new": Route(MANAGERS),
    "GET /catalog/prepacks/{prepack_id:uuid}/edit": Route(MANAGERS, "prepack"),
    "POST /catalog/prepacks/{prepack_id:uuid}/edit": Route(MANAGERS, "prepack"),
    "POST /catalog/prepacks/{prepack_id:uuid}/delete": Route(MANAGERS, "prepack"),
    "POST /catalog/price-lists/{price_list_id:uuid}/volume-breaks": Route(MANAGERS, "price_list"),
    "POST /catalog/seasons/{season_id:uuid}/delivery-windows": Route(MANAGERS, "season"),
    "POST /catalog/delivery-windows/{window_id:uuid}/delete": Route(MANAGERS, "delivery_window"),
    "GET /catalog/styles/{style_id:uuid}/availability": Route(MANAGERS, "style"),
    "POST /catalog/styles/{style_id:uuid}/availability": Route(MANAGERS, "style"),
    "POST /catalog/styles/{style_id:uuid}/images": Route(MANAGERS, "style"),
    "GET /catalog/styles/{style_id:uuid}/size-chart": Route(MANAGERS, "style"),
    "POST /catalog/styles/{style_id:uuid}/size-chart": Route(MANAGERS, "style"),
    "POST /catalog/styles/{style_id:uuid}/size-chart/delete": Route(MANAGERS, "style"),
    # Everyone who sees the (active) style sees its pictures.
    "GET /catalog/images/{image_id:uuid}": Route(anyone, "style_image"),
    "POST /catalog/images/{image_id:uuid}/delete": Route(MANAGERS, "style_image"),
    "POST /catalog/images/{image_id:uuid}/main": Route(MANAGERS, "style_image"),
    "GET /catalog/styles/export.xlsx": Route(MANAGERS),
    "GET /catalog/prices/export.xlsx": Route(MANAGERS),
    "GET /catalog/availability/export.csv": Route(MANAGERS),
    "GET /catalog/availability/export.xlsx": Route(MANAGERS),
    "GET /catalog/import-template.xlsx": Route(MANAGERS),
    "POST /api/v1/stock-levels": Route(MANAGERS),
    "GET /api/v1/stock-levels": Route(MANAGERS),
    "PUT /api/v1/styles/{style_id:uuid}/external-ref": Route(MANAGERS, "style"),
    # Writing the catalog through the API: the catalog's managers, as the style form.
    "POST /api/v1/styles": Route(MANAGERS),
    "POST /api/v1/styles/bulk": Route(MANAGERS),
    "PUT /api/v1/styles/{style_id:uuid}": Route(MANAGERS, "style"),
    "POST /api/v1/styles/{style_id:uuid}/archive": Route(MANAGERS, "style"),
}


# Rows that a route may delete are made afresh for each member of the cast.


async def prepack(context: SubjectContext, target: str | None) -> Any:
    await style(context, target)
    scale = await SizeScale.select(SizeScale.id).where(SizeScale.code == "ALPHA").first()
    assert scale is not None
    row = (
        await Prepack.insert(
            Prepack(
                size_scale=scale["id"],
                name=f"{context.member}-{uuid.uuid4().hex[:6]}",
                created_at=datetime.now(UTC),
            )
        )
        .returning(Prepack.uuid)
        .run()
    )
    return row[0]["uuid"]


async def delivery_window(context: SubjectContext, target: str | None) -> Any:
    await style(context, target)
    season = await Season.select(Season.id).where(Season.code == "SS27").first()
    assert season is not None
    row = (
        await DeliveryWindow.insert(
            DeliveryWindow(
                season=season["id"],
                name=f"{context.member}-{uuid.uuid4().hex[:6]}",
                starts_on=date(2027, 2, 1),
                ends_on=date(2027, 2, 15),
            )
        )
        .returning(DeliveryWindow.uuid)
        .run()
    )
    return row[0]["uuid"]


async def style_image(context: SubjectContext, target: str | None) -> Any:
    """A picture of the matrix's active style, with its file in the app's MEDIA_DIR."""
    style_uuid = await style(context, target)
    row = await Style.select(Style.id).where(Style.uuid == style_uuid).first()
    assert row is not None
    image_uuid = uuid.uuid4()
    relative = f"styles/{style_uuid}/{image_uuid}.png"
    path = load_settings().media_dir / relative
    path.parent.mkdir(parents=True, exist_ok=True)
    buffer = io.BytesIO()
    Image.new("RGB", (4, 4), "navy").save(buffer, "PNG")
    path.write_bytes(buffer.getvalue())
    await StyleImage.insert(
        StyleImage(
            uuid=image_uuid,
            style=row["id"],
            path=relative,
            content_type="image/png",
            width=4,
            height=4,
            byte_size=len(buffer.getvalue()),
            uploaded_at=datetime.now(UTC),
        )
    ).run()
    return image_uuid


SUBJECTS = {
    "prepack": Subject(prepack),
    "delivery_window": Subject(delivery_window),
    "style_image": Subject(style_image),
}
