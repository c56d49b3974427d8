"""Identifiers, names and phones of demo people and organisations.

Public because bench/generate.py builds its large data set from the same pieces.
"""

from __future__ import annotations

import random
import uuid
from dataclasses import dataclass

from stdnum.cn import uscc
from stdnum.kr import brn

# --------------------------------------------------------------------------- identifiers

_ORG_CODE_WEIGHTS = (3, 7, 9, 10, 5, 8, 4, 2)
_ORG_CODE_ALPHABET = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ"


def make_uscc(rng: random.Random, division: str, registration: str = "91") -> str:
    """A unified social credit code: registration type, 6-digit division, organisation code.

    The embedded 9-character organisation code carries its own GB 11714 check
    character, the 18th character the USCC check computed by python-stdnum.
    """
    body = "".join(rng.choice("0123456789") for _ in range(8))
    remainder = (
        11
        - sum(_ORG_CODE_ALPHABET.index(c) * w for c, w in zip(body, _ORG_CODE_WEIGHTS, strict=True))
        % 11
    )
    org_check = {10: "X", 11: "0"}.get(remainder, str(remainder))
    number = f"{registration}{division}{body}{org_check}"
    number += uscc.calc_check_digit(number)
    return uscc.validate(number)


def make_brn(rng: random.Random, tax_office: str, business_type: str = "81") -> str:
    """A Korean business registration number (tax office, type, serial, check digit), as 123-45-67890."""
    serial = f"{rng.randint(1, 9999):04d}"
    digits = [int(c) for c in f"{tax_office}{business_type}{serial}"]
    weights = (1, 3, 7, 1, 3, 7, 1, 3, 5)
    total = sum(d * w for d, w in zip(digits, weights, strict=True)) + (digits[8] * 5) // 10
    number = "".join(map(str, digits)) + str((10 - total % 10) % 10)
    return brn.format(brn.validate(number))


def seeded_uuid(rng: random.Random) -> uuid.UUID:
    return uuid.UUID(int=rng.getrandbits(128), version=4)


# --------------------------------------------------------------------------- people

CN_FAMILY = (
    ("王", "Wang"), ("李", "Li"), ("张", "Zhang"), ("刘", "Liu"), ("陈", "Chen"),
    ("杨", "Yang"), ("黄", "Huang"), ("赵", "Zhao"), ("吴", "Wu"), ("周", "Zhou"),
    ("徐", "Xu"), ("孙", "Sun"), ("马", "Ma"), ("朱", "Zhu"), ("胡", "Hu"),
    ("郭", "Guo"), ("何", "He"), ("林", "Lin"), ("高", "Gao"), ("罗", "Luo"),
)  # fmt: skip
CN_GIVEN = (
    ("伟", "Wei"), ("芳", "Fang"), ("娜", "Na"), ("敏", "Min"), ("静", "Jing"),
    ("丽", "Li"), ("强", "Qiang"), ("磊", "Lei"), ("军", "Jun"), ("勇", "Yong"),
    ("艳", "Yan"), ("杰", "Jie"), ("涛", "Tao"), ("超", "Chao"), ("霞", "Xia"),
    ("秀英", "Xiuying"), ("晓燕", "Xiaoyan"), ("志强", "Zhiqiang"), ("海燕", "Haiyan"),
    ("建军", "Jianjun"), ("雪梅", "Xuemei"), ("子涵", "Zihan"), ("浩然", "Haoran"),
    ("思雨", "Siyu"), ("文博", "Wenbo"), ("佳怡", "Jiayi"), ("俊杰", "Junjie"),
)  # fmt: skip
KR_FAMILY = (
    ("김", "Kim"), ("이", "Lee"), ("박", "Park"), ("최", "Choi"), ("정", "Jung"),
    ("강", "Kang"), ("조", "Cho"), ("윤", "Yoon"), ("장", "Jang"), ("임", "Lim"),
    ("한", "Han"), ("오", "Oh"), ("서", "Seo"), ("신", "Shin"),
)  # fmt: skip
KR_GIVEN = (
    ("민준", "Minjun"), ("서연", "Seoyeon"), ("지훈", "Jihoon"), ("수진", "Sujin"),
    ("현우", "Hyunwoo"), ("지은", "Jieun"), ("성민", "Sungmin"), ("은지", "Eunji"),
    ("도윤", "Doyoon"), ("하은", "Haeun"), ("준호", "Junho"), ("유진", "Yujin"),
    ("영호", "Youngho"), ("미경", "Mikyung"), ("동현", "Donghyun"), ("소연", "Soyeon"),
)  # fmt: skip

JOB_TITLES = {
    ("CN", "distributor"): ("总经理", "采购经理", "商品经理", "财务主管", "仓储主管"),
    ("CN", "retailer"): ("店长", "老板", "副店长", "陈列主管", "收银主管"),
    ("CN", "supplier"): ("业务经理", "跟单员", "技术主管", "财务主管", "厂长"),
    ("CN", "group_client"): ("行政部经理", "人力资源总监", "采购专员", "工会主席"),
    ("KR", "distributor"): ("대표이사", "구매팀장", "영업부장", "재무담당", "물류팀장"),
    ("KR", "retailer"): ("점장", "대표", "부점장", "매장 매니저"),
    ("KR", "supplier"): ("영업부장", "생산관리 과장", "품질관리 팀장", "대표이사"),
    ("KR", "group_client"): ("총무팀장", "인사팀 과장", "구매팀 대리", "객실승무 지원팀장"),
}


@dataclass(frozen=True)
class Person:
    name: str
    romanised: str  # family name first, as on a business card: "Wang Xiaoming"

    @property
    def slug(self) -> str:
        family, _, given = self.romanised.partition(" ")
        return f"{given}.{family}".lower().replace(" ", "")


def make_person(rng: random.Random, country: str) -> Person:
    family_pool, given_pool = (KR_FAMILY, KR_GIVEN) if country == "KR" else (CN_FAMILY, CN_GIVEN)
    family, family_latin = rng.choice(family_pool)
    given, given_latin = rng.choice(given_pool)
    return Person(f"{family}{given}", f"{family_latin} {given_latin}")


def mobile_phone(rng: random.Random, country: str) -> str:
    """A mobile number in the local written form: 138 1234 5678 / 010-1234-5678."""
    if country == "KR":
        return f"010-{rng.randint(2000, 9999)}-{rng.randint(0, 9999):04d}"
    prefix = rng.choice(("135", "136", "138", "139", "150", "158", "186", "188", "177", "199"))
    return f"{prefix} {rng.randint(0, 9999):04d} {rng.randint(0, 9999):04d}"


def office_phone(rng: random.Random, country: str, area_code: str) -> str:
    """A landline with its area code: 021-6258 1234 / 02-3456-7890."""
    if country == "KR":
        return f"{area_code}-{rng.randint(200, 9999)}-{rng.randint(0, 9999):04d}"
    return f"{area_code}-{rng.randint(2000, 8999)} {rng.randint(0, 9999):04d}"


def messaging_ids(rng: random.Random, person: Person, country: str) -> tuple[str, str]:
    """(wechat_id, kakao_id): WeChat in China, KakaoTalk in Korea."""
    family, _, given = person.romanised.lower().partition(" ")
    if country == "KR":
        return "", f"{given}.{family}{rng.randint(70, 99)}"
    return f"{family}{given}_{rng.randint(1000, 9999)}", ""
