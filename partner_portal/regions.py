"""Regions as a hierarchy: a country (ISO 3166-1, "CN") holds its subdivisions (ISO 3166-2,
"CN-SH"), and a subdivision may be written under an older or other code (its aliases:
"CN-31", the numeric code China used before ISO 3166-2 moved to letters in 2017; "KR-42",
Gangwon before it became KR-51 in 2023). Territories, deal registrations and their
conflicts compare regions through this module, so "CN-31" and "CN-SH" meet, and a claim
on a whole country meets a claim on one of its provinces.

The subdivisions listed are China's provinces, autonomous regions, municipalities and
special administrative regions, and Korea's provinces and metropolitan cities (the
brand's markets). A code of any other country is its own region, with its country as
parent.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache


@dataclass(frozen=True)
class Subdivision:
    code: str
    name: str  # in the country's own language
    english: str
    aliases: tuple[str, ...] = ()

    @property
    def country(self) -> str:
        return self.code[:2]


SUBDIVISIONS = (
    # China (ISO 3166-2:CN since 2017; the alias is the former numeric code, GB/T 2260).
    Subdivision("CN-BJ", "北京市", "Beijing", ("CN-11",)),
    Subdivision("CN-TJ", "天津市", "Tianjin", ("CN-12",)),
    Subdivision("CN-HE", "河北省", "Hebei", ("CN-13",)),
    Subdivision("CN-SX", "山西省", "Shanxi", ("CN-14",)),
    Subdivision("CN-NM", "内蒙古自治区", "Inner Mongolia", ("CN-15",)),
    Subdivision("CN-LN", "辽宁省", "Liaoning", ("CN-21",)),
    Subdivision("CN-JL", "吉林省", "Jilin", ("CN-22",)),
    Subdivision("CN-HL", "黑龙江省", "Heilongjiang", ("CN-23",)),
    Subdivision("CN-SH", "上海市", "Shanghai", ("CN-31",)),
    Subdivision("CN-JS", "江苏省", "Jiangsu", ("CN-32",)),
    Subdivision("CN-ZJ", "浙江省", "Zhejiang", ("CN-33",)),
    Subdivision("CN-AH", "安徽省", "Anhui", ("CN-34",)),
    Subdivision("CN-FJ", "福建省", "Fujian", ("CN-35",)),
    Subdivision("CN-JX", "江西省", "Jiangxi", ("CN-36",)),
    Subdivision("CN-SD", "山东省", "Shandong", ("CN-37",)),
    Subdivision("CN-HA", "河南省", "Henan", ("CN-41",)),
    Subdivision("CN-HB", "湖北省", "Hubei", ("CN-42",)),
    Subdivision("CN-HN", "湖南省", "Hunan", ("CN-43",)),
    Subdivision("CN-GD", "广东省", "Guangdong", ("CN-44",)),
    Subdivision("CN-GX", "广西壮族自治区", "Guangxi", ("CN-45",)),
    Subdivision("CN-HI", "海南省", "Hainan", ("CN-46",)),
    Subdivision("CN-CQ", "重庆市", "Chongqing", ("CN-50",)),
    Subdivision("CN-SC", "四川省", "Sichuan", ("CN-51",)),
    Subdivision("CN-GZ", "贵州省", "Guizhou", ("CN-52",)),
    Subdivision("CN-YN", "云南省", "Yunnan", ("CN-53",)),
    Subdivision("CN-XZ", "西藏自治区", "Tibet", ("CN-54",)),
    Subdivision("CN-SN", "陕西省", "Shaanxi", ("CN-61",)),
    Subdivision("CN-GS", "甘肃省", "Gansu", ("CN-62",)),
    Subdivision("CN-QH", "青海省", "Qinghai", ("CN-63",)),
    Subdivision("CN-NX", "宁夏回族自治区", "Ningxia", ("CN-64",)),
    Subdivision("CN-XJ", "新疆维吾尔自治区", "Xinjiang", ("CN-65",)),
    Subdivision("CN-HK", "香港特别行政区", "Hong Kong", ("CN-91",)),
    Subdivision("CN-MO", "澳门特别行政区", "Macao", ("CN-92",)),
    # Korea (ISO 3166-2:KR): special and metropolitan cities, provinces.
    Subdivision("KR-11", "서울특별시", "Seoul"),
    Subdivision("KR-26", "부산광역시", "Busan"),
    Subdivision("KR-27", "대구광역시", "Daegu"),
    Subdivision("KR-28", "인천광역시", "Incheon"),
    Subdivision("KR-29", "광주광역시", "Gwangju"),
    Subdivision("KR-30", "대전광역시", "Daejeon"),
    Subdivision("KR-31", "울산광역시", "Ulsan"),
    Subdivision("KR-50", "세종특별자치시", "Sejong"),
    Subdivision("KR-41", "경기도", "Gyeonggi"),
    Subdivision("KR-51", "강원특별자치도", "Gangwon", ("KR-42",)),
    Subdivision("KR-43", "충청북도", "North Chungcheong"),
    Subdivision("KR-44", "충청남도", "South Chungcheong"),
    Subdivision("KR-52", "전북특별자치도", "North Jeolla", ("KR-45",)),
    Subdivision("KR-46", "전라남도", "South Jeolla"),
    Subdivision("KR-47", "경상북도", "North Gyeongsang"),
    Subdivision("KR-48", "경상남도", "South Gyeongsang"),
    Subdivision("KR-49", "제주특별자치도", "Jeju"),
)


@cache
def _by_code() -> dict[str, Subdivision]:
    found: dict[str, Subdivision] = {}
    for subdivision in SUBDIVISIONS:
        for code in (subdivision.code, *subdivision.aliases):
            found[code] = subdivision
    return found


def canonical(code: str) -> str:
    """The region's current code: "CN-31" -> "CN-SH"; an unknown code as it is (upper case)."""
    code = code.strip().upper()
    known = _by_code().get(code)
    return known.code if known else code


def parent(code: str) -> str | None:
    """The region that holds this one: a subdivision's country; None for a country."""
    code = canonical(code)
    return code[:2] if "-" in code else None


def spellings(code: str) -> list[str]:
    """Every code the region may be stored under: its current code and its aliases."""
    code = canonical(code)
    known = _by_code().get(code)
    return [code, *known.aliases] if known else [code]


def overlapping(code: str) -> list[str]:
    """Every stored code of a region that overlaps this one: itself (in every spelling), the
    country holding it, and, for a country, each of its subdivisions. Two claims conflict
    when one's region is in the other's overlapping list."""
    code = canonical(code)
    codes = spellings(code)
    holder = parent(code)
    if holder is not None:
        codes.append(holder)
    else:
        for subdivision in SUBDIVISIONS:
            if subdivision.country == code:
                codes.extend((subdivision.code, *subdivision.aliases))
    return codes


def name(code: str) -> str:
    """The region's name in its own language ("上海市"), or its code when not listed."""
    known = _by_code().get(canonical(code))
    return known.name if known else canonical(code)
