"""The swatch of a colourway: which of a fixed palette of colours its code or name names.

Colourways store only a code and a name ("NVY", "Navy 藏青"); line sheets show a swatch of
each, and the demo data draws its pictures in the same colours. The page's stylesheet has
a class per palette entry (``swatch-navy``), because the Content-Security-Policy allows no
inline styles.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache


@dataclass(frozen=True)
class Swatch:
    key: str  # the palette entry: the CSS class is swatch-<key>
    rgb: str  # for pictures drawn by the server (the demo data)


PALETTE = {
    "black": "#1c1c1e",
    "white": "#f7f5f0",
    "navy": "#1f2a44",
    "grey": "#8a8f96",
    "khaki": "#b59a6a",
    "beige": "#e3d5b8",
    "blue": "#2d5d8a",
    "olive": "#5d6b3a",
    "green": "#3f7a4a",
    "red": "#b0302c",
    "pink": "#e7a1b0",
    "brown": "#6b4a32",
    "yellow": "#e8c547",
    "orange": "#e07a2e",
    "purple": "#6a4a8a",
}
# Words (and codes) that name a palette entry, in the languages the catalog is kept in.
# Longer words first, so "navy blue" is navy and "olive green" olive.
WORDS = (
    ("navy", "navy"), ("nvy", "navy"), ("藏青", "navy"), ("네이비", "navy"),
    ("olive", "olive"), ("olv", "olive"), ("橄榄", "olive"), ("올리브", "olive"),
    ("khaki", "khaki"), ("khk", "khaki"), ("卡其", "khaki"), ("카키", "khaki"),
    ("beige", "beige"), ("bei", "beige"), ("米色", "beige"), ("베이지", "beige"),
    ("black", "black"), ("blk", "black"), ("黑", "black"), ("블랙", "black"), ("검정", "black"),
    ("white", "white"), ("wht", "white"), ("白", "white"), ("화이트", "white"), ("흰", "white"),
    ("grey", "grey"), ("gray", "grey"), ("gry", "grey"), ("灰", "grey"), ("그레이", "grey"),
    ("blue", "blue"), ("blu", "blue"), ("蓝", "blue"), ("블루", "blue"), ("파랑", "blue"),
    ("green", "green"), ("grn", "green"), ("绿", "green"), ("그린", "green"),
    ("red", "red"), ("红", "red"), ("레드", "red"), ("빨강", "red"),
    ("pink", "pink"), ("pnk", "pink"), ("粉", "pink"), ("핑크", "pink"),
    ("brown", "brown"), ("brn", "brown"), ("棕", "brown"), ("咖啡", "brown"), ("브라운", "brown"),
    ("yellow", "yellow"), ("ylw", "yellow"), ("黄", "yellow"), ("옐로", "yellow"),
    ("orange", "orange"), ("org", "orange"), ("橙", "orange"), ("오렌지", "orange"),
    ("purple", "purple"), ("prp", "purple"), ("紫", "purple"), ("퍼플", "purple"),
)  # fmt: skip
OTHER = Swatch("other", "#c8c8c8")


# A line sheet asks for every colourway of the sheet on each request; the answer never changes.
@lru_cache(maxsize=8192)
def swatch_of(code: str, name: str) -> Swatch:
    """The palette entry the colourway's name names, else its code; ``other`` if neither."""
    for text in (name.lower(), code.lower()):
        for word, key in WORDS:
            if word in text:
                return Swatch(key, PALETTE[key])
    return OTHER
