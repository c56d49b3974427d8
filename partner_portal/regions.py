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


# The names documents print, in each language a contract may be written in (contracts).
# code: (English, 简体中文, 한국어)
REGION_NAMES: dict[str, tuple[str, str, str]] = {
    "CN-AH": ("Anhui", "安徽省", "안후이성"),
    "CN-BJ": ("Beijing", "北京市", "베이징시"),
    "CN-CQ": ("Chongqing", "重庆市", "충칭시"),
    "CN-FJ": ("Fujian", "福建省", "푸젠성"),
    "CN-GD": ("Guangdong", "广东省", "광둥성"),
    "CN-GS": ("Gansu", "甘肃省", "간쑤성"),
    "CN-GX": ("Guangxi", "广西壮族自治区", "광시좡족자치구"),
    "CN-GZ": ("Guizhou", "贵州省", "구이저우성"),
    "CN-HA": ("Henan", "河南省", "허난성"),
    "CN-HB": ("Hubei", "湖北省", "후베이성"),
    "CN-HE": ("Hebei", "河北省", "허베이성"),
    "CN-HI": ("Hainan", "海南省", "하이난성"),
    "CN-HK": ("Hong Kong", "香港特别行政区", "홍콩"),
    "CN-HL": ("Heilongjiang", "黑龙江省", "헤이룽장성"),
    "CN-HN": ("Hunan", "湖南省", "후난성"),
    "CN-JL": ("Jilin", "吉林省", "지린성"),
    "CN-JS": ("Jiangsu", "江苏省", "장쑤성"),
    "CN-JX": ("Jiangxi", "江西省", "장시성"),
    "CN-LN": ("Liaoning", "辽宁省", "랴오닝성"),
    "CN-MO": ("Macao", "澳门特别行政区", "마카오"),
    "CN-NM": ("Inner Mongolia", "内蒙古自治区", "네이멍구자치구"),
    "CN-NX": ("Ningxia", "宁夏回族自治区", "닝샤후이족자치구"),
    "CN-QH": ("Qinghai", "青海省", "칭하이성"),
    "CN-SC": ("Sichuan", "四川省", "쓰촨성"),
    "CN-SD": ("Shandong", "山东省", "산둥성"),
    "CN-SH": ("Shanghai", "上海市", "상하이시"),
    "CN-SN": ("Shaanxi", "陕西省", "산시성(陝西)"),
    "CN-SX": ("Shanxi", "山西省", "산시성(山西)"),
    "CN-TJ": ("Tianjin", "天津市", "톈진시"),
    "CN-TW": ("Taiwan", "台湾省", "타이완"),
    "CN-XJ": ("Xinjiang", "新疆维吾尔自治区", "신장위구르자치구"),
    "CN-XZ": ("Tibet", "西藏自治区", "시짱자치구"),
    "CN-YN": ("Yunnan", "云南省", "윈난성"),
    "CN-ZJ": ("Zhejiang", "浙江省", "저장성"),
    "KR-11": ("Seoul", "首尔特别市", "서울특별시"),
    "KR-26": ("Busan", "釜山广域市", "부산광역시"),
    "KR-27": ("Daegu", "大邱广域市", "대구광역시"),
    "KR-28": ("Incheon", "仁川广域市", "인천광역시"),
    "KR-29": ("Gwangju", "光州广域市", "광주광역시"),
    "KR-30": ("Daejeon", "大田广域市", "대전광역시"),
    "KR-31": ("Ulsan", "蔚山广域市", "울산광역시"),
    "KR-41": ("Gyeonggi", "京畿道", "경기도"),
    "KR-42": ("Gangwon", "江原道", "강원도"),
    "KR-43": ("North Chungcheong", "忠清北道", "충청북도"),
    "KR-44": ("South Chungcheong", "忠清南道", "충청남도"),
    "KR-45": ("North Jeolla", "全罗北道", "전라북도"),
    "KR-46": ("South Jeolla", "全罗南道", "전라남도"),
    "KR-47": ("North Gyeongsang", "庆尚北道", "경상북도"),
    "KR-48": ("South Gyeongsang", "庆尚南道", "경상남도"),
    "KR-49": ("Jeju", "济州特别自治道", "제주특별자치도"),
    "KR-50": ("Sejong", "世宗特别自治市", "세종특별자치시"),
}
LANGUAGE_COLUMN = {"en": 0, "zh_Hans": 1, "ko": 2}


def region_name(code: str, language: str) -> str:
    """The region's name in ``language`` (en, zh_Hans or ko); the code itself if unknown."""
    names = REGION_NAMES.get(canonical(code))
    if names is None:
        return code
    return names[LANGUAGE_COLUMN.get(language, 0)]
