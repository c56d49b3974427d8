"""Demo pictures: one per colourway of every style, drawn, not downloaded."""

from __future__ import annotations

import uuid
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from partner_portal.catalog.tables import Colourway, Style, StyleImage

# One picture per colourway, a garment of the style's category
# in the colourway's colour, wider or narrower with the style's fit.
PICTURE_SIZE = (300, 400)
PICTURE_FITS = {"Classic": 0, "Slim": -12, "Relaxed": 14, "Lite": 4}
# Outlines on a 300 × 400 canvas, the garment's centre line at x = 150; negative x offsets
# are drawn mirrored so the fit can widen the body symmetrically.
GARMENT_SHAPES = {
    "top": (
        (-30, 70),
        (-10, 60),
        (10, 60),
        (30, 70),
        (105, 110),
        (85, 160),
        (60, 140),
        (60, 350),
        (-60, 350),
        (-60, 140),
        (-85, 160),
        (-105, 110),
    ),
    "shirt": (
        (-28, 62),
        (0, 80),
        (28, 62),
        (100, 100),
        (115, 300),
        (85, 305),
        (62, 150),
        (62, 350),
        (-62, 350),
        (-62, 150),
        (-85, 305),
        (-115, 300),
        (-100, 100),
    ),
    "trousers": ((-62, 50), (62, 50), (72, 360), (14, 360), (0, 130), (-14, 360), (-72, 360)),
    "jacket": (
        (-30, 58),
        (0, 70),
        (30, 58),
        (105, 95),
        (122, 320),
        (90, 325),
        (70, 160),
        (70, 360),
        (-70, 360),
        (-70, 160),
        (-90, 325),
        (-122, 320),
        (-105, 95),
    ),
}
CATEGORY_SHAPES = {
    "shirts": "shirt", "uniform": "jacket", "outerwear": "jacket", "knitwear": "top",
    "tops": "top", "trousers": "trousers",
}  # fmt: skip
PICTURE_NAMESPACE = uuid.UUID("6f2c1a4e-9b1d-4c0e-8a53-27a5d2f0c001")


def demo_picture(code: str, category: str, fit: int, colour: str) -> bytes:
    """A simple deterministic 'photo' of a style in one colour: its category's garment
    on a plain ground, with the details that tell the categories apart."""
    import io

    from PIL import Image, ImageDraw

    image = Image.new("RGB", PICTURE_SIZE, "#eceae6")
    draw = ImageDraw.Draw(image)
    shape = CATEGORY_SHAPES.get(category, "top")
    points = [
        (150 + x + (fit if x > 0 else -fit if x < 0 else 0), y) for x, y in GARMENT_SHAPES[shape]
    ]
    line = "#555555" if colour.lower() in ("#f7f5f0", "#e3d5b8") else "#222222"
    draw.polygon(points, fill=colour, outline=line)
    if shape == "shirt":
        draw.line([(150, 80), (150, 350)], fill=line, width=2)  # the placket
        for y in range(110, 340, 40):
            draw.ellipse([(146, y), (154, y + 8)], outline=line)
    elif shape == "jacket":
        draw.line([(150, 70), (150, 360)], fill=line, width=3)  # the zip
        draw.rectangle([(95 + fit, 250), (125 + fit, 290)], outline=line, width=2)
        draw.rectangle([(175 - fit, 250), (205 - fit, 290)], outline=line, width=2)
    elif shape == "top" and category == "knitwear":
        for y in range(335, 350, 5):  # the ribbed hem
            draw.line([(92 - fit, y), (208 + fit, y)], fill=line, width=1)
    elif shape == "trousers":
        draw.line([(88 - fit, 50), (212 + fit, 50)], fill=line, width=4)  # the waistband
    draw.text((12, 378), code, fill="#333333")
    buffer = io.BytesIO()
    image.save(buffer, "PNG")
    return buffer.getvalue()


async def insert_pictures(
    now: datetime, media_dir: Path, styles: list[Style], style_ids: dict[uuid.UUID, int]
) -> int:
    """A picture of every colourway of every style, written under ``media_dir``; how many."""
    from partner_portal.catalog.swatches import swatch_of

    colourways: dict[int, list[dict[str, Any]]] = {}
    for row in await Colourway.select(Colourway.style, Colourway.code, Colourway.name).order_by(
        Colourway.id
    ):
        colourways.setdefault(row["style"], []).append(row)
    images = []
    for style in styles:
        style_id = style_ids[style.uuid]
        fit = PICTURE_FITS.get(style.name_en.split(" ", 1)[0], 0)
        for position, colour in enumerate(colourways.get(style_id, []), start=1):
            image_uuid = uuid.uuid5(PICTURE_NAMESPACE, f"{style.code}/{colour['code']}")
            relative = f"styles/{style.uuid}/{image_uuid}.png"
            content = demo_picture(
                style.code, style.category, fit, swatch_of(colour["code"], colour["name"]).rgb
            )
            path = media_dir / relative
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_bytes(content)
            images.append(
                StyleImage(
                    uuid=image_uuid,
                    style=style_id,
                    path=relative,
                    content_type="image/png",
                    width=PICTURE_SIZE[0],
                    height=PICTURE_SIZE[1],
                    byte_size=len(content),
                    position=position,
                    uploaded_at=now - timedelta(days=10),
                )
            )
    await StyleImage.insert(*images).run()
    return len(images)
