"""Names of the regions partners' territories are given in (ISO 3166-2 codes of China and
Korea), in each language a document may be written in. A code not listed is shown as is."""

from __future__ import annotations

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
    names = REGION_NAMES.get(code.strip().upper())
    if names is None:
        return code
    return names[LANGUAGE_COLUMN.get(language, 0)]
