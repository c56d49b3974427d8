"""Regions as a hierarchy, in one table: a country (ISO 3166-1, "CN") holds its
subdivisions (ISO 3166-2, "CN-SH"), and a subdivision the main commercial cities in it
("CN-ZJ-HZ", Hangzhou in Zhejiang: ISO 3166-2 stops at provinces, so a city's code is its
province's and two letters of its own). A region may be written under an older or other
code (its aliases: "CN-31", the numeric code China used before ISO 3166-2 moved to
letters in 2017; "KR-42", Gangwon before it became KR-51 in 2023; a city's administrative
division code, "CN-3301", "KR-41110") and searched by other names ("Canton", "Pusan").
Territories, deal registrations and their conflicts compare regions through this module,
so "CN-31" and "CN-SH" meet, and a claim on a region meets a claim on any region inside it
(a country and its provinces, a province and its cities).

Each region is named in English, Simplified Chinese and Korean: the picker in forms shows
the reader's language with the region's parents, documents the contract's language. A
code of a country not listed is its own region, with its country as parent.
"""

from __future__ import annotations

import re
from collections.abc import Collection
from dataclasses import dataclass
from functools import cache

# How a region code is written: a country, a subdivision, optionally a city in it.
CODE_PATTERN = re.compile(r"^[A-Z]{2}-[A-Z0-9]{1,3}(-[A-Z0-9]{2,3})?$")


@dataclass(frozen=True)
class Region:
    code: str
    english: str
    chinese: str
    korean: str
    aliases: tuple[str, ...] = ()  # other codes it is or was written under
    other_names: tuple[str, ...] = ()  # other spellings people look it up by

    @property
    def country(self) -> str:
        return self.code[:2]

    @property
    def parent(self) -> str | None:
        """The region holding this one: a city's province, a province's country."""
        return self.code.rsplit("-", 1)[0] if "-" in self.code else None

    @property
    def name(self) -> str:
        """The name in the region's own language (上海市, 서울특별시)."""
        return {"CN": self.chinese, "KR": self.korean}.get(self.country, self.english)

    def name_in(self, language: str) -> str:
        if language.startswith("zh"):
            return self.chinese
        if language.startswith("ko"):
            return self.korean
        return self.english

    @property
    def names(self) -> tuple[str, ...]:
        return (self.english, self.chinese, self.korean, *self.other_names)


def _city(code: str, english: str, chinese: str, korean: str, *aliases: str) -> Region:
    """A city; ``aliases`` are its administrative division codes ("CN-3301") and other
    names it is looked up by ("Hangchow"), told apart by their country prefix."""
    codes = tuple(alias for alias in aliases if alias[:3] in ("CN-", "KR-"))
    names = tuple(alias for alias in aliases if alias[:3] not in ("CN-", "KR-"))
    return Region(code, english, chinese, korean, codes, names)


REGIONS = (
    Region("CN", "China", "中国", "중국", (), ("PRC", "中华人民共和国", "中國")),
    Region("KR", "South Korea", "韩国", "대한민국", (), ("Korea", "韓國", "한국")),
    # China (ISO 3166-2:CN since 2017; the alias is the former numeric code, GB/T 2260).
    Region("CN-BJ", "Beijing", "北京市", "베이징시", ("CN-11",), ("Peking",)),
    Region("CN-TJ", "Tianjin", "天津市", "톈진시", ("CN-12",), ("Tientsin",)),
    Region("CN-HE", "Hebei", "河北省", "허베이성", ("CN-13",)),
    Region("CN-SX", "Shanxi", "山西省", "산시성(山西)", ("CN-14",)),
    Region("CN-NM", "Inner Mongolia", "内蒙古自治区", "네이멍구자치구", ("CN-15",)),
    Region("CN-LN", "Liaoning", "辽宁省", "랴오닝성", ("CN-21",)),
    Region("CN-JL", "Jilin", "吉林省", "지린성", ("CN-22",)),
    Region("CN-HL", "Heilongjiang", "黑龙江省", "헤이룽장성", ("CN-23",)),
    Region("CN-SH", "Shanghai", "上海市", "상하이시", ("CN-31",)),
    Region("CN-JS", "Jiangsu", "江苏省", "장쑤성", ("CN-32",)),
    Region("CN-ZJ", "Zhejiang", "浙江省", "저장성", ("CN-33",)),
    Region("CN-AH", "Anhui", "安徽省", "안후이성", ("CN-34",)),
    Region("CN-FJ", "Fujian", "福建省", "푸젠성", ("CN-35",)),
    Region("CN-JX", "Jiangxi", "江西省", "장시성", ("CN-36",)),
    Region("CN-SD", "Shandong", "山东省", "산둥성", ("CN-37",)),
    Region("CN-HA", "Henan", "河南省", "허난성", ("CN-41",)),
    Region("CN-HB", "Hubei", "湖北省", "후베이성", ("CN-42",)),
    Region("CN-HN", "Hunan", "湖南省", "후난성", ("CN-43",)),
    Region("CN-GD", "Guangdong", "广东省", "광둥성", ("CN-44",)),
    Region("CN-GX", "Guangxi", "广西壮族自治区", "광시좡족자치구", ("CN-45",)),
    Region("CN-HI", "Hainan", "海南省", "하이난성", ("CN-46",)),
    Region("CN-CQ", "Chongqing", "重庆市", "충칭시", ("CN-50",), ("Chungking",)),
    Region("CN-SC", "Sichuan", "四川省", "쓰촨성", ("CN-51",)),
    Region("CN-GZ", "Guizhou", "贵州省", "구이저우성", ("CN-52",)),
    Region("CN-YN", "Yunnan", "云南省", "윈난성", ("CN-53",)),
    Region("CN-XZ", "Tibet", "西藏自治区", "시짱자치구", ("CN-54",)),
    Region("CN-SN", "Shaanxi", "陕西省", "산시성(陝西)", ("CN-61",)),
    Region("CN-GS", "Gansu", "甘肃省", "간쑤성", ("CN-62",)),
    Region("CN-QH", "Qinghai", "青海省", "칭하이성", ("CN-63",)),
    Region("CN-NX", "Ningxia", "宁夏回族自治区", "닝샤후이족자치구", ("CN-64",)),
    Region("CN-XJ", "Xinjiang", "新疆维吾尔自治区", "신장위구르자치구", ("CN-65",)),
    Region("CN-TW", "Taiwan", "台湾省", "타이완", ("CN-71",)),
    Region("CN-HK", "Hong Kong", "香港特别行政区", "홍콩", ("CN-91",), ("香港",)),
    Region("CN-MO", "Macao", "澳门特别行政区", "마카오", ("CN-92",), ("Macau", "澳門")),
    # Korea (ISO 3166-2:KR): special and metropolitan cities, provinces.
    Region("KR-11", "Seoul", "首尔特别市", "서울특별시", (), ("首爾",)),
    Region("KR-26", "Busan", "釜山广域市", "부산광역시", (), ("Pusan",)),
    Region("KR-27", "Daegu", "大邱广域市", "대구광역시", (), ("Taegu",)),
    Region("KR-28", "Incheon", "仁川广域市", "인천광역시", (), ("Inchon",)),
    Region("KR-29", "Gwangju", "光州广域市", "광주광역시", (), ("Kwangju",)),
    Region("KR-30", "Daejeon", "大田广域市", "대전광역시", (), ("Taejon",)),
    Region("KR-31", "Ulsan", "蔚山广域市", "울산광역시"),
    Region("KR-50", "Sejong", "世宗特别自治市", "세종특별자치시"),
    Region("KR-41", "Gyeonggi", "京畿道", "경기도", (), ("Kyonggi",)),
    Region(
        "KR-51", "Gangwon", "江原特别自治道", "강원특별자치도", ("KR-42",), ("강원도", "江原道")
    ),
    Region("KR-43", "North Chungcheong", "忠清北道", "충청북도", (), ("Chungbuk",)),
    Region("KR-44", "South Chungcheong", "忠清南道", "충청남도", (), ("Chungnam",)),
    Region(
        "KR-52",
        "North Jeolla",
        "全北特别自治道",
        "전북특별자치도",
        ("KR-45",),
        ("Jeonbuk", "전라북도", "全罗北道"),
    ),
    Region("KR-46", "South Jeolla", "全罗南道", "전라남도", (), ("Jeonnam",)),
    Region("KR-47", "North Gyeongsang", "庆尚北道", "경상북도", (), ("Gyeongbuk",)),
    Region("KR-48", "South Gyeongsang", "庆尚南道", "경상남도", (), ("Gyeongnam",)),
    Region("KR-49", "Jeju", "济州特别自治道", "제주특별자치도", (), ("Cheju",)),
    # China's main commercial cities (the alias is the city's GB/T 2260 code).
    _city("CN-GD-GZ", "Guangzhou", "广州市", "광저우시", "CN-4401", "Canton"),
    _city("CN-GD-SZ", "Shenzhen", "深圳市", "선전시", "CN-4403"),
    _city("CN-GD-FS", "Foshan", "佛山市", "포산시", "CN-4406"),
    _city("CN-GD-DG", "Dongguan", "东莞市", "둥관시", "CN-4419"),
    _city("CN-ZJ-HZ", "Hangzhou", "杭州市", "항저우시", "CN-3301", "Hangchow"),
    _city("CN-ZJ-NB", "Ningbo", "宁波市", "닝보시", "CN-3302"),
    _city("CN-ZJ-WZ", "Wenzhou", "温州市", "원저우시", "CN-3303"),
    _city("CN-JS-NJ", "Nanjing", "南京市", "난징시", "CN-3201", "Nanking"),
    _city("CN-JS-WX", "Wuxi", "无锡市", "우시시", "CN-3202"),
    _city("CN-JS-SZ", "Suzhou", "苏州市", "쑤저우시", "CN-3205", "Soochow"),
    _city("CN-SD-JN", "Jinan", "济南市", "지난시", "CN-3701"),
    _city("CN-SD-QD", "Qingdao", "青岛市", "칭다오시", "CN-3702", "Tsingtao"),
    _city("CN-FJ-FZ", "Fuzhou", "福州市", "푸저우시", "CN-3501"),
    _city("CN-FJ-XM", "Xiamen", "厦门市", "샤먼시", "CN-3502", "Amoy"),
    _city("CN-LN-SY", "Shenyang", "沈阳市", "선양시", "CN-2101", "Mukden"),
    _city("CN-LN-DL", "Dalian", "大连市", "다롄시", "CN-2102"),
    _city("CN-AH-HF", "Hefei", "合肥市", "허페이시", "CN-3401"),
    _city("CN-HA-ZZ", "Zhengzhou", "郑州市", "정저우시", "CN-4101"),
    _city("CN-HB-WH", "Wuhan", "武汉市", "우한시", "CN-4201"),
    _city("CN-HN-CS", "Changsha", "长沙市", "창사시", "CN-4301"),
    _city("CN-SC-CD", "Chengdu", "成都市", "청두시", "CN-5101"),
    _city("CN-YN-KM", "Kunming", "昆明市", "쿤밍시", "CN-5301"),
    _city("CN-SN-XA", "Xi'an", "西安市", "시안시", "CN-6101", "Xian", "Sian"),
    # Korea's main commercial cities outside the metropolitan cities (the alias is the
    # city's administrative division code).
    _city("KR-41-SW", "Suwon", "水原市", "수원시", "KR-41110"),
    _city("KR-41-SN", "Seongnam", "城南市", "성남시", "KR-41130", "Bundang", "분당"),
    _city("KR-41-GY", "Goyang", "高阳市", "고양시", "KR-41280", "Ilsan", "일산"),
    _city("KR-41-YI", "Yongin", "龙仁市", "용인시", "KR-41460"),
    _city("KR-43-CJ", "Cheongju", "清州市", "청주시", "KR-43110", "Chongju"),
    _city("KR-44-CA", "Cheonan", "天安市", "천안시", "KR-44130", "Chonan"),
    _city("KR-47-PH", "Pohang", "浦项市", "포항시", "KR-47110"),
    _city("KR-48-CW", "Changwon", "昌原市", "창원시", "KR-48120"),
    _city("KR-48-GH", "Gimhae", "金海市", "김해시", "KR-48250", "Kimhae"),
    _city("KR-49-JJ", "Jeju City", "济州市", "제주시", "KR-50110"),
    _city("KR-51-CC", "Chuncheon", "春川市", "춘천시", "KR-51110", "KR-42110"),
    _city("KR-51-WJ", "Wonju", "原州市", "원주시", "KR-51130", "KR-42130"),
    _city("KR-52-JJ", "Jeonju", "全州市", "전주시", "KR-52110", "KR-45110", "Chonju"),
)


@cache
def _by_code() -> dict[str, Region]:
    """Every code a listed region is written under -> the region. A city under a province
    with former codes is also found under them ("KR-45-JJ" is KR-52-JJ, Jeonju)."""
    found: dict[str, Region] = {}
    for region in REGIONS:
        found[region.code] = region
    for region in REGIONS:
        for alias in region.aliases:
            found.setdefault(alias, region)
        holder = found.get(region.parent or "")
        if holder is not None and holder.parent is not None:
            suffix = region.code.rsplit("-", 1)[1]
            for alias in holder.aliases:
                found.setdefault(f"{alias}-{suffix}", region)
    return found


@cache
def _children() -> dict[str, list[Region]]:
    children: dict[str, list[Region]] = {}
    for region in REGIONS:
        if region.parent is not None:
            children.setdefault(region.parent, []).append(region)
    return children


def find(code: str) -> Region | None:
    """The listed region written under ``code`` (any of its spellings), or None."""
    return _by_code().get(code.strip().upper())


def canonical(code: str) -> str:
    """The region's current code: "CN-31" -> "CN-SH"; an unknown code as it is (upper case)."""
    code = code.strip().upper()
    known = _by_code().get(code)
    return known.code if known else code


def parent(code: str) -> str | None:
    """The region that holds this one: a city's province, a subdivision's country; None
    for a country."""
    code = canonical(code)
    return code.rsplit("-", 1)[0] if "-" in code else None


def ancestors(code: str) -> list[str]:
    """The regions holding this one, nearest first: Hangzhou -> [CN-ZJ, CN]."""
    found = []
    holder = parent(code)
    while holder is not None:
        found.append(holder)
        holder = parent(holder)
    return found


def spellings(code: str) -> list[str]:
    """Every code the region may be stored under: its current code and its aliases."""
    code = canonical(code)
    return [spelling for spelling, region in _by_code().items() if region.code == code] or [code]


def within(code: str) -> list[str]:
    """Every stored code of this region and of the regions inside it, in every spelling:
    a province, its cities; a country, its provinces and their cities."""
    code = canonical(code)
    codes = spellings(code)
    for child in _children().get(code, ()):
        codes.extend(within(child.code))
    return codes


def overlapping(code: str) -> list[str]:
    """Every stored code of a region that overlaps this one: itself and the regions inside
    it (in every spelling), and the regions holding it. Two claims conflict when one's
    region is in the other's overlapping list."""
    codes = within(code)
    for holder in ancestors(code):
        codes.extend(spellings(holder))
    return codes


def contains(outer: str, inner: str) -> bool:
    """Whether region ``inner`` lies in ``outer`` (or is it)."""
    return canonical(outer) in (canonical(inner), *ancestors(inner))


def name(code: str) -> str:
    """The region's name in its own language ("上海市"), or its code when not listed."""
    known = _by_code().get(canonical(code))
    return known.name if known else canonical(code)


def region_name(code: str, language: str) -> str:
    """The region's name in ``language`` (en, zh_Hans or ko); the code itself if unknown."""
    known = _by_code().get(canonical(code))
    return known.name_in(language) if known else code


def document_name(code: str, language: str) -> str:
    """How a document in ``language`` names a region: a city with its province, as each
    language writes an address (浙江省杭州市, 저장성 항저우시, "Hangzhou, Zhejiang"); a
    province or a country by its own name; the code itself if unknown."""
    known = _by_code().get(canonical(code))
    if known is None:
        return code
    province = _by_code().get(known.parent or "")
    if province is None or province.parent is None:
        return known.name_in(language)
    if language.startswith("zh"):
        return province.chinese + known.chinese
    if language.startswith("ko"):
        return f"{province.korean} {known.korean}"
    return f"{known.english}, {province.english}"


def label(code: str, language: str) -> str:
    """The region's name in ``language`` with the regions holding it: "杭州市 · 浙江省 · 中国"."""
    return " · ".join(region_name(one, language) for one in (canonical(code), *ancestors(code)))


def _folded(text: str) -> str:
    return "".join(text.split()).casefold().replace("'", "")


# Administrative suffixes a name is often written without: 杭州 for 杭州市, 수원 for 수원시.
_SUFFIXES = ("特别行政区", "自治区", "特别市", "广域市", "市", "省", "특별자치시", "특별자치도",
             "특별시", "광역시", "시", "도", " city", " province")  # fmt: skip


def _short(text: str) -> str:
    folded = _folded(text)
    for suffix in _SUFFIXES:
        ending = _folded(suffix)
        if folded.endswith(ending) and len(folded) > len(ending) + 1:
            return folded[: -len(ending)]
    return folded


def resolve(text: str) -> str | None:
    """The code of the region ``text`` names: one of its codes (any spelling, "cn-31"), a
    code of a country's subdivision that is not listed ("JP-13"), or a name of exactly one
    listed region in any language, with or without its suffix ("杭州", "Hangzhou",
    "수원시"). None when it names nothing or more than one region."""
    text = text.strip()
    if not text:
        return None
    known = find(text)
    if known is not None:
        return known.code
    # A name as written first ("Jeju" is the province, "Jeju City" the city), then
    # without its suffix ("杭州" for 杭州市).
    for fold in (_folded, _short):
        wanted = fold(text)
        matches = {
            region.code for region in REGIONS if any(fold(one) == wanted for one in region.names)
        }
        if len(matches) == 1:
            return matches.pop()
    return None


def parse(text: str, countries: Collection[str]) -> str | None:
    """The code a user means by ``text`` in a form, the API or an import: a listed region
    by any code or name (resolve), or the code of a subdivision of a known country that is
    not listed ("JP-13"); None when it is neither."""
    code = resolve(text)
    if code is not None and "-" in code:
        return code
    code = canonical(text)
    if CODE_PATTERN.match(code) and code[:2] in countries:
        return code
    return None


def search(query: str, language: str, limit: int = 20) -> list[tuple[str, str]]:
    """(code, label in ``language``) of the regions whose code, a former code or a name in
    any language matches ``query``: exact codes first, then names that begin with it, then
    names that contain it."""
    wanted = _folded(query)
    if not wanted:
        return []
    ranked: list[tuple[int, int, str]] = []
    for position, region in enumerate(REGIONS):
        codes = [_folded(one) for one in (region.code, *region.aliases)]
        names = [_folded(one) for one in region.names]
        if wanted in codes:
            rank = 0
        elif any(one.startswith(wanted) for one in codes + names):
            rank = 1
        elif any(wanted in one for one in names):
            rank = 2
        else:
            continue
        ranked.append((rank, position, region.code))
    return [(code, label(code, language)) for _rank, _position, code in sorted(ranked)[:limit]]


@cache
def choices(language: str) -> tuple[tuple[str, str], ...]:
    """Every listed region as (code, label in ``language``), each country followed by its
    subdivisions and each subdivision by its cities: what the region picker offers."""
    ordered: list[tuple[str, str]] = []

    def add(region: Region) -> None:
        ordered.append((region.code, label(region.code, language)))
        for child in _children().get(region.code, ()):
            add(child)

    for region in REGIONS:
        if region.parent is None:
            add(region)
    return tuple(ordered)
