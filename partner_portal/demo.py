"""A believable demo partner network: `threadline demo-data [--if-empty]`.

One Chinese apparel brand (杭州锦绣服饰有限公司) with its staff and KAM teams,
fabric and trim suppliers upstream, distributors with their retailers and
corporate group clients downstream, their contacts, addresses, territories and a
few months of timeline. Everything is seeded, so two loads give the same network
(timestamps are relative to the clock). Every demo user signs in with
DEMO_PASSWORD.

The helpers for identifiers, names and phones are public because bench/generate.py
builds its large data set from the same pieces.
"""

from __future__ import annotations

import random
import uuid
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from pathlib import Path
from types import ModuleType
from typing import Any

from stdnum.cn import uscc
from stdnum.kr import brn

from partner_portal.clock import utcnow
from partner_portal.database import write_transaction
from partner_portal.partners.tables import (
    Address,
    AddressKind,
    Contact,
    InteractionKind,
    Organisation,
    OrganisationKind,
    PartnerStatus,
    Role,
    Territory,
    Tier,
    TimelineEntry,
    User,
)
from partner_portal.settings import current_settings

DEMO_PASSWORD = "threadline-demo"
SEED = 20251123
TIMELINE_DAYS = 120

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


# --------------------------------------------------------------------------- the network


@dataclass
class Place:
    country: str
    region: str
    city: str
    district: str
    street: str
    postal_code: str
    area_code: str
    division: str  # CN: administrative division code in the USCC; KR: tax office code


@dataclass
class Partner:
    key: str
    kind: OrganisationKind
    legal_name: str
    english_name: str
    domain: str
    place: Place
    owner: str  # key of a brand user
    tier: Tier = Tier.standard
    status: PartnerStatus = PartnerStatus.active
    parent: str = ""
    territories: tuple[str, ...] = ()
    login: str = ""  # local part of the org admin's e-mail
    notes: str = ""
    warehouse: Place | None = None
    extra: dict[str, Any] = field(default_factory=dict)

    @property
    def country(self) -> str:
        return self.place.country


def _cn(
    region: str, city: str, district: str, street: str, postal: str, area: str, division: str
) -> Place:
    return Place("CN", region, city, district, street, postal, area, division)


def _kr(
    region: str, city: str, district: str, street: str, postal: str, area: str, office: str
) -> Place:
    return Place("KR", region, city, district, street, postal, area, office)


BRAND = Partner(
    key="brand",
    kind=OrganisationKind.brand,
    legal_name="杭州锦绣服饰有限公司",
    english_name="Hangzhou Jinxiu Apparel Co., Ltd.",
    domain="jinxiu.demo",
    place=_cn("浙江省", "杭州市", "滨江区", "江南大道3850号", "310052", "0571", "330108"),
    owner="",
    notes="品牌方。男女装、商务休闲与职业装；春夏、秋冬两季订货会。",
)

# Brand users: key -> (e-mail local part, name, romanised, role, manager key, locale, time zone)
BRAND_USERS: tuple[tuple[str, str, str, str, Role, str, str], ...] = (
    ("admin", "admin", "周雅琴", "Zhou Yaqin", Role.brand_admin, "", "zh_Hans"),
    ("lead_east", "chen.jianhua", "陈建华", "Chen Jianhua", Role.kam, "", "zh_Hans"),
    ("lead_korea", "park.jihoon", "박지훈", "Park Jihoon", Role.kam, "", "ko"),
    ("kam_wang", "wang.xiaoming", "王小明", "Wang Xiaoming", Role.kam, "lead_east", "zh_Hans"),
    ("kam_liu", "liu.yang", "刘洋", "Liu Yang", Role.kam, "lead_east", "zh_Hans"),
    ("kam_kim", "kim.minjun", "김민준", "Kim Minjun", Role.kam, "lead_korea", "ko"),
    ("kam_lee", "lee.sujin", "이수진", "Lee Sujin", Role.kam, "lead_korea", "ko"),
    ("staff_li", "li.na", "李娜", "Li Na", Role.brand_staff, "", "zh_Hans"),
    ("staff_zhao", "zhao.lei", "赵磊", "Zhao Lei", Role.brand_staff, "", "zh_Hans"),
)

SUPPLIERS = (
    Partner(
        "mill_shaoxing", OrganisationKind.fabric_supplier,
        "绍兴柯桥华纺织造有限公司", "Shaoxing Keqiao Huafang Weaving Co., Ltd.", "huafang-textile.demo",
        _cn("浙江省", "绍兴市", "柯桥区", "金柯桥大道1288号", "312030", "0575", "330603"),
        owner="kam_wang", login="sales",
        notes="主要供应全棉府绸、T/R弹力斜纹；坯布交期约4周，染色2周。",
    ),
    Partner(
        "trims_suzhou", OrganisationKind.trim_supplier,
        "苏州盛泽恒达服装辅料有限公司", "Suzhou Shengze Hengda Garment Accessories Co., Ltd.",
        "hengda-trims.demo",
        _cn("江苏省", "苏州市", "吴江区", "盛泽镇舜湖西路168号", "215228", "0512", "320509"),
        owner="kam_liu", login="orders",
        notes="纽扣、拉链、织唛与吊牌；按罗（gross）报价。",
    ),
    Partner(
        "mill_daegu", OrganisationKind.fabric_supplier,
        "주식회사 대성섬유", "Daesung Textile Co., Ltd.", "daesung-textile.demo",
        _kr("대구광역시", "대구광역시", "서구", "달서천로 212", "41709", "053", "503"),
        owner="kam_lee", login="export",
        notes="Polyester and nylon functional fabrics (Bisan dyeing complex). Quotes in USD or KRW.",
    ),
)  # fmt: skip

DISTRIBUTORS = (
    Partner(
        "dist_shanghai", OrganisationKind.distributor,
        "上海锦程服饰贸易有限公司", "Shanghai Jincheng Apparel Trading Co., Ltd.", "jincheng-sh.demo",
        _cn("上海市", "上海市", "静安区", "江宁路188号12楼", "200041", "021", "310106"),
        owner="kam_wang", tier=Tier.platinum, territories=("CN-SH", "CN-JS", "CN-ZJ"), login="buyer",
        notes="华东总代理；年度订货指标 2,800 万元，月结60天。",
        warehouse=_cn("上海市", "上海市", "嘉定区", "安亭镇墨玉路55号", "201805", "021", "310114"),
    ),
    Partner(
        "dist_beijing", OrganisationKind.distributor,
        "北京燕华服饰商贸有限公司", "Beijing Yanhua Apparel Trading Co., Ltd.", "yanhua-bj.demo",
        _cn("北京市", "北京市", "朝阳区", "建国路93号院5号楼", "100022", "010", "110105"),
        owner="kam_liu", tier=Tier.gold, territories=("CN-BJ", "CN-TJ", "CN-HE"), login="buyer",
        notes="华北代理，团购渠道资源多。",
    ),
    Partner(
        "dist_guangzhou", OrganisationKind.distributor,
        "广州南粤锦绣服装贸易有限公司", "Guangzhou Nanyue Apparel Trading Co., Ltd.", "nanyue-gz.demo",
        _cn("广东省", "广州市", "天河区", "天河路385号太古汇二座", "510620", "020", "440106"),
        owner="kam_liu", tier=Tier.gold, territories=("CN-GD", "CN-GX", "CN-FJ"), login="buyer",
        notes="华南代理；订单以补货为主，30/70 T/T。",
        warehouse=_cn("广东省", "广州市", "白云区", "太和镇广从七路18号", "510540", "020", "440111"),
    ),
    Partner(
        "dist_chengdu", OrganisationKind.distributor,
        "成都蜀锦服饰商贸有限公司", "Chengdu Shujin Apparel Trading Co., Ltd.", "shujin-cd.demo",
        _cn("四川省", "成都市", "锦江区", "春熙路88号", "610021", "028", "510104"),
        owner="kam_wang", tier=Tier.silver, territories=("CN-SC", "CN-CQ"), login="buyer",
    ),
    Partner(
        "dist_seoul", OrganisationKind.distributor,
        "서울어패럴유통 주식회사", "Seoul Apparel Distribution Co., Ltd.", "seoulapparel.demo",
        _kr("서울특별시", "서울특별시", "중구", "을지로 100", "04551", "02", "201"),
        owner="kam_kim", tier=Tier.gold, territories=("KR-11", "KR-41", "KR-28"), login="buyer",
        notes="수도권 총판. 가격은 부가세 별도, 월말 마감 후 30일 결제.",
    ),
    Partner(
        "dist_busan", OrganisationKind.distributor,
        "부산패션상사 주식회사", "Busan Fashion Trading Co., Ltd.", "busanfashion.demo",
        _kr("부산광역시", "부산광역시", "부산진구", "중앙대로 672", "47297", "051", "605"),
        owner="kam_lee", tier=Tier.silver, territories=("KR-26", "KR-48", "KR-31"), login="buyer",
    ),
)  # fmt: skip

RETAILERS = (
    # Served by the Shanghai distributor.
    Partner("ret_hangzhou", OrganisationKind.retailer, "杭州衣尚服饰店", "Hangzhou Yishang Boutique",
            "yishang-hz.demo",
            _cn("浙江省", "杭州市", "上城区", "延安路356号", "310002", "0571", "330102"),
            owner="kam_wang", parent="dist_shanghai", tier=Tier.silver, login="shop"),
    Partner("ret_nanjing", OrganisationKind.retailer, "南京金陵锦衣服饰有限公司", "Nanjing Jinling Apparel Co., Ltd.",
            "jinling-nj.demo",
            _cn("江苏省", "南京市", "秦淮区", "中山南路79号", "210005", "025", "320104"),
            owner="kam_wang", parent="dist_shanghai", login="shop"),
    Partner("ret_suzhou", OrganisationKind.retailer, "苏州雅衣服饰商行", "Suzhou Yayi Fashion Store",
            "yayi-sz.demo",
            _cn("江苏省", "苏州市", "姑苏区", "观前街102号", "215005", "0512", "320508"),
            owner="kam_wang", parent="dist_shanghai", login="shop"),
    Partner("ret_shanghai", OrganisationKind.retailer, "上海衡山服饰有限公司", "Shanghai Hengshan Apparel Co., Ltd.",
            "hengshan-sh.demo",
            _cn("上海市", "上海市", "徐汇区", "衡山路520号", "200031", "021", "310104"),
            owner="kam_wang", parent="dist_shanghai", tier=Tier.silver, login="shop"),
    Partner("ret_ningbo", OrganisationKind.retailer, "宁波天一服饰商行", "Ningbo Tianyi Fashion Store",
            "tianyi-nb.demo",
            _cn("浙江省", "宁波市", "海曙区", "中山东路88号", "315000", "0574", "330203"),
            owner="kam_wang", parent="dist_shanghai", login="shop"),
    # Beijing.
    Partner("ret_sanlitun", OrganisationKind.retailer, "北京衣品时尚服饰有限公司", "Beijing Yipin Fashion Co., Ltd.",
            "yipin-bj.demo",
            _cn("北京市", "北京市", "朝阳区", "三里屯路19号", "100027", "010", "110105"),
            owner="kam_liu", parent="dist_beijing", tier=Tier.silver, login="shop"),
    Partner("ret_tianjin", OrganisationKind.retailer, "天津滨江服饰商行", "Tianjin Binjiang Fashion Store",
            "binjiang-tj.demo",
            _cn("天津市", "天津市", "和平区", "滨江道208号", "300022", "022", "120101"),
            owner="kam_liu", parent="dist_beijing", login="shop"),
    Partner("ret_shijiazhuang", OrganisationKind.retailer, "石家庄中华服饰商店", "Shijiazhuang Zhonghua Clothing Store",
            "zhonghua-sjz.demo",
            _cn("河北省", "石家庄市", "长安区", "中山东路39号", "050011", "0311", "130102"),
            owner="kam_liu", parent="dist_beijing", status=PartnerStatus.churned, login="shop",
            notes="2025年起改做其他品牌，已停止订货。"),
    # Guangzhou.
    Partner("ret_guangzhou", OrganisationKind.retailer, "广州越秀衣尚坊服饰店", "Guangzhou Yuexiu Yishangfang Store",
            "yishangfang-gz.demo",
            _cn("广东省", "广州市", "越秀区", "北京路200号", "510030", "020", "440104"),
            owner="kam_liu", parent="dist_guangzhou", login="shop"),
    Partner("ret_shenzhen", OrganisationKind.retailer, "深圳华强锦衣服饰有限公司", "Shenzhen Huaqiang Jinyi Apparel Co., Ltd.",
            "jinyi-sz.demo",
            _cn("广东省", "深圳市", "福田区", "华强北路1002号", "518031", "0755", "440304"),
            owner="kam_liu", parent="dist_guangzhou", tier=Tier.silver, login="shop"),
    Partner("ret_dongguan", OrganisationKind.retailer, "东莞虎门锦绣服饰商行", "Dongguan Humen Jinxiu Fashion Store",
            "humen-dg.demo",
            _cn("广东省", "东莞市", "虎门镇", "银龙路58号", "523900", "0769", "441900"),
            owner="kam_liu", parent="dist_guangzhou", login="shop"),
    Partner("ret_nanning", OrganisationKind.retailer, "南宁朝阳服饰店", "Nanning Chaoyang Clothing Store",
            "chaoyang-nn.demo",
            _cn("广西壮族自治区", "南宁市", "兴宁区", "朝阳路66号", "530012", "0771", "450102"),
            owner="kam_liu", parent="dist_guangzhou", status=PartnerStatus.dormant, login="shop",
            notes="店铺装修中，预计下季度恢复订货。"),
    # Chengdu.
    Partner("ret_chengdu", OrganisationKind.retailer, "成都锦里衣舍服饰店", "Chengdu Jinli Yishe Store",
            "yishe-cd.demo",
            _cn("四川省", "成都市", "青羊区", "人民中路35号", "610031", "028", "510105"),
            owner="kam_wang", parent="dist_chengdu", login="shop"),
    Partner("ret_chongqing", OrganisationKind.retailer, "重庆渝中衣尚服饰有限公司", "Chongqing Yuzhong Yishang Apparel Co., Ltd.",
            "yuzhong-cq.demo",
            _cn("重庆市", "重庆市", "渝中区", "民族路166号", "400010", "023", "500103"),
            owner="kam_wang", parent="dist_chengdu", login="shop"),
    # Seoul.
    Partner("ret_gangnam", OrganisationKind.retailer, "주식회사 가로수패션", "Garosu Fashion Inc.", "garosu.demo",
            _kr("서울특별시", "서울특별시", "강남구", "가로수길 25", "06035", "02", "211"),
            owner="kam_kim", parent="dist_seoul", tier=Tier.silver, login="shop"),
    Partner("ret_hongdae", OrganisationKind.retailer, "홍대스타일", "Hongdae Style", "hongdaestyle.demo",
            _kr("서울특별시", "서울특별시", "마포구", "와우산로 94", "04066", "02", "105"),
            owner="kam_kim", parent="dist_seoul", login="shop", extra={"business_type": "05"}),
    Partner("ret_bundang", OrganisationKind.retailer, "분당클로젯", "Bundang Closet", "bundangcloset.demo",
            _kr("경기도", "성남시", "분당구", "정자일로 95", "13561", "031", "144"),
            owner="kam_kim", parent="dist_seoul", login="shop", extra={"business_type": "12"}),
    Partner("ret_incheon", OrganisationKind.retailer, "송도웨어", "Songdo Wear", "songdowear.demo",
            _kr("인천광역시", "인천광역시", "연수구", "컨벤시아대로 165", "21998", "032", "131"),
            owner="kam_kim", parent="dist_seoul", login="shop", extra={"business_type": "23"}),
    # Busan.
    Partner("ret_seomyeon", OrganisationKind.retailer, "서면클래식", "Seomyeon Classic", "seomyeonclassic.demo",
            _kr("부산광역시", "부산광역시", "부산진구", "서면로 68", "47285", "051", "605"),
            owner="kam_lee", parent="dist_busan", login="shop", extra={"business_type": "07"}),
    Partner("ret_changwon", OrganisationKind.retailer, "상남의류", "Sangnam Clothing", "sangnam.demo",
            _kr("경상남도", "창원시", "성산구", "상남로 77", "51494", "055", "609"),
            owner="kam_lee", parent="dist_busan", login="shop", extra={"business_type": "11"}),
)  # fmt: skip

GROUP_CLIENTS = (
    Partner(
        "client_bank", OrganisationKind.group_client,
        "浦江商业银行股份有限公司", "Pujiang Commercial Bank Co., Ltd.", "pujiangbank.demo",
        _cn("上海市", "上海市", "浦东新区", "陆家嘴环路1000号", "200120", "021", "310115"),
        owner="kam_wang", tier=Tier.gold, login="hr",
        notes="全行约 3,200 名柜面员工行服，每年春秋两次换装；按部门装箱。",
    ),
    Partner(
        "client_airline", OrganisationKind.group_client,
        "한빛항공 주식회사", "Hanbit Air Co., Ltd.", "hanbitair.demo",
        _kr("서울특별시", "서울특별시", "강서구", "하늘길 260", "07505", "02", "109"),
        owner="kam_kim", status=PartnerStatus.prospect, login="uniform",
        notes="Cabin and ground crew uniforms, about 1,400 people; tender expected next quarter.",
    ),
    Partner(
        "client_hotel", OrganisationKind.group_client,
        "云栖酒店管理集团有限公司", "Yunqi Hotels Group Co., Ltd.", "yunqihotels.demo",
        _cn("浙江省", "杭州市", "西湖区", "梅灵北路18号", "310013", "0571", "330106"),
        owner="lead_east", login="purchasing",
        notes="旗下 14 家酒店的前厅与客房制服；尺码按人收集。",
    ),
)  # fmt: skip

PARTNERS: tuple[Partner, ...] = (*SUPPLIERS, *DISTRIBUTORS, *RETAILERS, *GROUP_CLIENTS)

ROLE_FOR_KIND = {
    OrganisationKind.fabric_supplier: Role.supplier,
    OrganisationKind.trim_supplier: Role.supplier,
    OrganisationKind.distributor: Role.distributor,
    OrganisationKind.retailer: Role.retailer,
    OrganisationKind.group_client: Role.group_client,
}


def partner_role(kind: OrganisationKind | str) -> Role:
    return ROLE_FOR_KIND[OrganisationKind(kind)]


def job_family(kind: OrganisationKind | str) -> str:
    role = partner_role(kind)
    return "supplier" if role is Role.supplier else role.value


def locale_for(country: str) -> str:
    return "ko" if country == "KR" else "zh_Hans"


def time_zone_for(country: str) -> str:
    return "Asia/Seoul" if country == "KR" else "Asia/Shanghai"


def currency_for(country: str) -> str:
    return "KRW" if country == "KR" else "CNY"


def tax_id_for(rng: random.Random, partner: Partner) -> str:
    if partner.country == "KR":
        return make_brn(rng, partner.place.division, partner.extra.get("business_type", "81"))
    # Small shops registered as individual businesses (个体工商户) carry type 92.
    small_shop = partner.kind is OrganisationKind.retailer and not partner.legal_name.endswith(
        "公司"
    )
    return make_uscc(rng, partner.place.division, "92" if small_shop else "91")


# --------------------------------------------------------------------------- timeline

SKUS = ("JX26S-1032", "JX26S-2107", "JX26S-3318", "JX25W-4410", "JX25W-5126", "JX26S-6021")
CN_SIZES = ("165/84A", "170/88A", "175/92A", "180/96B", "160/84A", "170/74A")
KR_SIZES = ("90", "95", "100", "105", "110")
FABRICS = ("32s全棉府绸", "T/R弹力斜纹", "40s天丝混纺", "针织珠地网眼 220g/m²")
KR_FABRICS = ("나일론 타슬란", "폴리 스판 트윌", "기능성 쿨맥스 원단")

TEMPLATES: dict[tuple[str, str], dict[InteractionKind, tuple[str, ...]]] = {
    ("zh", "trade"): {
        InteractionKind.call: (
            "电话沟通订货会安排，对方确认{n}人参加。",
            "电话跟进补货单发货进度，{contact}反馈{sku}断码，需要补{size}。",
            "与{contact}电话确认本季度回款计划，预计月底前付清。",
            "对方来电询问秋冬新款的到货时间。",
        ),
        InteractionKind.visit: (
            "拜访门店，检查陈列和库存；{sku}卖得好，建议追加{n}件。",
            "到访仓库，盘点库存并讨论季末清货方案。",
            "陪同{contact}巡店三家，新陈列效果不错。",
        ),
        InteractionKind.meeting: (
            "季度业务回顾：年度订货指标完成{pct}%。",
            "订货会预订确认：确认第一波交期和配比1-2-2-1。",
            "讨论明年返利政策和等级评定。",
        ),
        InteractionKind.email: (
            "发送新品画册和批发价目表（含税价）。",
            "邮件确认订单 SO-{order} 的交货窗口。",
            "发送上月对账单，请对方核对。",
        ),
        InteractionKind.complaint: (
            "客户投诉：{sku} {size} 偏小，退回{n}件。",
            "投诉：上批货物晚到{days}天，影响门店上新。",
        ),
        InteractionKind.note: (
            "对方采购负责人更换，新联系人为{contact}。",
            "对方希望把信用额度提高到{amount}元，需财务审批。",
            "门店客流下降，{contact}建议多做小批量快反。",
        ),
    },
    ("zh", "supplier"): {
        InteractionKind.call: (
            "与跟单确认{fabric}坯布排产，预计{weeks}周后染色。",
            "电话催{fabric}交期，对方承诺本周发第一批。",
        ),
        InteractionKind.visit: (
            "到工厂验布：{fabric}色差在允许范围内，同意放行。",
            "走访工厂，查看新到的剑杆织机和染缸产能。",
        ),
        InteractionKind.meeting: (
            "季度供应商评审：准时交货率{pct}%，一次合格率良好。",
            "讨论下季度面料预测和锁价。",
        ),
        InteractionKind.email: (
            "发送下季度面料需求预测（不含客户信息）。",
            "邮件确认采购单 PO-{order} 的数量和缸号要求：同一订单同一缸。",
        ),
        InteractionKind.complaint: ("{fabric}第{lot}缸色差超标，要求回修。",),
        InteractionKind.note: ("对方报价上调{pct_small}%，理由是棉价上涨。",),
    },
    ("zh", "group"): {
        InteractionKind.call: (
            "与{contact}电话确认员工人数约{n}人，需要男女款。",
            "电话确认预算和发放时间。",
        ),
        InteractionKind.visit: ("上门量体，完成{n}人，剩余人员下周补量。",),
        InteractionKind.meeting: (
            "与行政部确认制服款式和面料小样。",
            "年度换装项目启动会。",
        ),
        InteractionKind.email: ("发送员工尺码收集表模板和尺码对照表（号型）。",),
        InteractionKind.complaint: ("{n}名员工反映衬衫领口偏紧，安排换货。",),
        InteractionKind.note: ("对方要求按部门分箱包装并附装箱单。",),
    },
    ("ko", "trade"): {
        InteractionKind.call: (
            "{contact}님과 통화: 신상품 수주회 일정 확인.",
            "재입고 요청 - {sku} {size} 사이즈 품절.",
            "월말 결제 일정 확인 전화.",
        ),
        InteractionKind.visit: (
            "매장 방문, 진열 상태와 재고 점검. {sku} 판매 호조.",
            "창고 방문: 시즌 말 재고 처리 방안 논의.",
        ),
        InteractionKind.meeting: (
            "분기 실적 리뷰: 연간 목표 대비 {pct}% 달성.",
            "다음 시즌 프리오더 수량과 배송 차수 협의.",
        ),
        InteractionKind.email: (
            "신상품 라인시트와 도매 가격표(부가세 별도) 발송.",
            "주문 SO-{order} 출고 일정 안내 메일 발송.",
        ),
        InteractionKind.complaint: (
            "고객 불만: {sku} 봉제 불량 {n}건, 교환 요청.",
            "배송 지연 {days}일, 매장 오픈 일정 차질.",
        ),
        InteractionKind.note: (
            "담당자 변경: 신규 구매 담당 {contact}.",
            "여신 한도 {amount_krw}원 증액 요청, 재무팀 검토 필요.",
        ),
    },
    ("ko", "supplier"): {
        InteractionKind.call: ("{fabric} 생산 일정 확인, {weeks}주 후 염색 예정.",),
        InteractionKind.visit: ("공장 방문: {fabric} 샘플 야드지 확인, 촉감 양호.",),
        InteractionKind.meeting: ("분기 공급사 평가: 납기 준수율 {pct}%.",),
        InteractionKind.email: ("다음 시즌 원단 수요 예측 발송.",),
        InteractionKind.complaint: ("{fabric} {lot}번 로트 색상 편차 초과, 재작업 요청.",),
        InteractionKind.note: ("단가 {pct_small}% 인상 통보.",),
    },
    ("ko", "group"): {
        InteractionKind.call: ("{contact}님과 통화: 유니폼 교체 인원 약 {n}명.",),
        InteractionKind.visit: ("본사 방문, 승무원 유니폼 샘플 착용 테스트.",),
        InteractionKind.meeting: ("입찰 사양 설명회 참석, 원단과 색상 요구사항 확인.",),
        InteractionKind.email: ("사이즈 수집 양식과 KS 치수표 발송.",),
        InteractionKind.complaint: ("샘플 재킷 어깨 폭 불만, 수정 요청.",),
        InteractionKind.note: ("예산 승인은 다음 분기 이사회 이후.",),
    },
    ("en", "any"): {
        InteractionKind.call: ("Call with {contact} about the next ordering fair; they will bring {n} people.",),
        InteractionKind.visit: ("Visited the showroom with {contact}; new fixtures are in.",),
        InteractionKind.meeting: (
            "Quarterly business review; agreed to trial the 1-2-2-1 prepack for the next drop.",
            "Reviewed sell-through by size; {size} sells out first.",
        ),
        InteractionKind.email: (
            "Sent the season line sheet and the wholesale price list.",
            "Asked to move payment terms from 30/70 T/T to monthly statement, net 30.",
        ),
        InteractionKind.complaint: ("Complaint: {n} pieces of {sku} arrived with wrong care labels.",),
        InteractionKind.note: ("Prefers WeChat/KakaoTalk over e-mail; reply within the day.",),
    },
}  # fmt: skip

KIND_WEIGHTS = (
    (InteractionKind.call, 30),
    (InteractionKind.visit, 15),
    (InteractionKind.meeting, 12),
    (InteractionKind.email, 22),
    (InteractionKind.complaint, 5),
    (InteractionKind.note, 16),
)
_KINDS = tuple(kind for kind, _ in KIND_WEIGHTS)
_WEIGHTS = tuple(weight for _, weight in KIND_WEIGHTS)


def timeline_text(
    rng: random.Random,
    kind: InteractionKind,
    country: str,
    org_kind: str,
    contact: str,
    year: int = 2025,
) -> str:
    """One summary line in the partner's language (now and then in English)."""
    family = {"supplier": "supplier", "group_client": "group"}.get(job_family(org_kind), "trade")
    language = "ko" if country == "KR" else "zh"
    if rng.random() < 0.12:
        language, family = "en", "any"
    template = rng.choice(TEMPLATES[(language, family)][kind])
    return template.format(
        n=rng.randint(3, 60),
        pct=rng.randint(62, 118),
        pct_small=rng.randint(3, 9),
        days=rng.randint(3, 12),
        weeks=rng.randint(2, 5),
        lot=rng.randint(1, 9),
        order=f"{year}-{rng.randint(100, 999):04d}",
        amount=f"{rng.randint(5, 40) * 100_000:,}",
        amount_krw=f"{rng.randint(5, 40) * 10_000_000:,}",
        sku=rng.choice(SKUS),
        size=rng.choice(KR_SIZES if country == "KR" else CN_SIZES),
        fabric=rng.choice(KR_FABRICS if country == "KR" and language == "ko" else FABRICS),
        contact=contact,
    )


def timeline_kind(rng: random.Random) -> InteractionKind:
    return rng.choices(_KINDS, _WEIGHTS)[0]


def is_internal(rng: random.Random, kind: InteractionKind) -> bool:
    """Mostly the brand's own notes; some e-mails and meetings are shared with the partner."""
    shared_chance = {InteractionKind.email: 0.45, InteractionKind.meeting: 0.3}.get(kind, 0.08)
    return rng.random() >= shared_chance


# --------------------------------------------------------------------------- loading


@dataclass
class DemoLogin:
    email: str
    role: str
    organisation: str


def demo_logins() -> list[DemoLogin]:
    """The sign-ins worth showing (README "Demo logins"); all use DEMO_PASSWORD."""
    brand_email = {key: f"{local}@{BRAND.domain}" for key, local, *_ in BRAND_USERS}
    logins = [
        DemoLogin(brand_email["admin"], "brand_admin", BRAND.legal_name),
        DemoLogin(brand_email["lead_east"], "kam (manager)", BRAND.legal_name),
        DemoLogin(brand_email["kam_wang"], "kam", BRAND.legal_name),
        DemoLogin(brand_email["kam_kim"], "kam", BRAND.legal_name),
        DemoLogin(brand_email["staff_li"], "brand_staff", BRAND.legal_name),
    ]
    for key in ("dist_shanghai", "dist_seoul", "ret_hangzhou", "mill_shaoxing", "client_bank"):
        partner = next(p for p in PARTNERS if p.key == key)
        role = partner_role(partner.kind).value
        logins.append(DemoLogin(f"{partner.login}@{partner.domain}", role, partner.legal_name))
    return logins


async def load_demo_data(
    only_if_empty: bool, plugins: Iterable[ModuleType] = (), media_dir: Path | None = None
) -> str:
    """Create the demo network in one transaction; return a one-line summary.

    With only_if_empty, an existing brand organisation means nothing is done. Each plugin
    with a ``load_demo_data(rng, now)`` adds its own demo rows after the kernel's and
    returns a phrase for the summary. Style pictures are written under ``media_dir``
    (default: the MEDIA_DIR setting).
    """
    from partner_portal.accounts.services import hash_password

    if only_if_empty and await Organisation.exists().where(
        Organisation.kind == OrganisationKind.brand
    ):
        return "A brand organisation already exists: demo data not loaded."
    password_hash = hash_password(DEMO_PASSWORD)
    now = utcnow()
    async with write_transaction():
        counts = await _load(random.Random(SEED), now, password_hash)
        catalog = await _load_catalog(
            random.Random(CATALOG_SEED), now, media_dir or current_settings().media_dir
        )
        orders = await _load_orders(random.Random(ORDERS_SEED), now)
        phrases = [
            await plugin.load_demo_data(random.Random(SEED), now)
            for plugin in plugins
            if hasattr(plugin, "load_demo_data")
        ]
    return (
        f"Demo data loaded: 1 brand, {counts['organisations'] - 1} partners, "
        f"{counts['users']} users, {counts['contacts']} contacts, "
        f"{counts['timeline']} timeline entries, {catalog['styles']} styles with "
        f"{catalog['skus']} SKUs, {catalog['price_lists']} price lists, "
        f"{catalog['prepacks']} prepacks, {catalog['images']} style pictures"
        + "".join(f", {phrase}" for phrase in [orders, *phrases])
        + "; "
        f"every demo user's password is {DEMO_PASSWORD!r}."
    )


async def _insert_returning_ids(table: type[Any], rows: list[Any]) -> dict[uuid.UUID, int]:
    """Bulk insert rows that carry a uuid; map uuid -> id."""
    if not rows:
        return {}
    result = await table.insert(*rows).returning(table.id, table.uuid).run()
    return {uuid.UUID(str(row["uuid"])): row["id"] for row in result}


def _address(organisation_id: int, kind: AddressKind, place: Place) -> Address:
    return Address(
        organisation=organisation_id,
        kind=kind,
        country=place.country,
        region=place.region,
        city=place.city,
        district=place.district,
        street=place.street,
        postal_code=place.postal_code,
    )


async def _load(rng: random.Random, now: datetime, password_hash: str) -> dict[str, int]:
    def ago(days_low: float, days_high: float) -> datetime:
        return now - timedelta(seconds=rng.uniform(days_low * 86_400, days_high * 86_400))

    brand_uuid = seeded_uuid(rng)
    brand_created = now - timedelta(days=900)
    brand_ids = await _insert_returning_ids(
        Organisation,
        [
            Organisation(
                uuid=brand_uuid,
                kind=BRAND.kind,
                legal_name=BRAND.legal_name,
                english_name=BRAND.english_name,
                country="CN",
                tax_id=make_uscc(rng, BRAND.place.division),
                currency="CNY",
                language="zh_Hans",
                tier=Tier.standard,
                status=PartnerStatus.active,
                phone=office_phone(rng, "CN", BRAND.place.area_code),
                email=f"info@{BRAND.domain}",
                website=f"https://www.{BRAND.domain}",
                notes=BRAND.notes,
                created_at=brand_created,
                updated_at=brand_created,
            )
        ],
    )
    brand_id = brand_ids[brand_uuid]

    # Brand users: managers first, so their team members can point at them.
    user_ids: dict[str, int] = {}
    for wave in (False, True):
        rows: list[User] = []
        keys: dict[uuid.UUID, str] = {}
        for key, local, name, _romanised, role, manager, locale in BRAND_USERS:
            if bool(manager) != wave:
                continue
            row_uuid = seeded_uuid(rng)
            keys[row_uuid] = key
            rows.append(
                User(
                    uuid=row_uuid,
                    email=f"{local}@{BRAND.domain}",
                    display_name=name,
                    password_hash=password_hash,
                    role=role,
                    organisation=brand_id,
                    is_org_admin=role is Role.brand_admin,
                    manager=user_ids[manager] if manager else None,
                    locale=locale,
                    time_zone="Asia/Seoul" if locale == "ko" else "Asia/Shanghai",
                    created_at=ago(300, 800),
                )
            )
        for row_uuid, row_id in (await _insert_returning_ids(User, rows)).items():
            user_ids[keys[row_uuid]] = row_id

    # Partners: those without a parent first, then the retailers under them.
    org_ids: dict[str, int] = {}
    for wave in (False, True):
        rows_org: list[Organisation] = []
        org_keys: dict[uuid.UUID, str] = {}
        for partner in PARTNERS:
            if bool(partner.parent) != wave:
                continue
            row_uuid = seeded_uuid(rng)
            org_keys[row_uuid] = partner.key
            created = ago(60, 720) if partner.status is not PartnerStatus.prospect else ago(20, 40)
            rows_org.append(
                Organisation(
                    uuid=row_uuid,
                    kind=partner.kind,
                    legal_name=partner.legal_name,
                    english_name=partner.english_name,
                    country=partner.country,
                    tax_id=tax_id_for(rng, partner),
                    currency=currency_for(partner.country),
                    language=locale_for(partner.country),
                    tier=partner.tier,
                    status=partner.status,
                    parent_distributor=org_ids[partner.parent] if partner.parent else None,
                    owner=user_ids[partner.owner],
                    phone=office_phone(rng, partner.country, partner.place.area_code),
                    email=f"info@{partner.domain}",
                    website=f"https://www.{partner.domain}" if rng.random() < 0.7 else "",
                    notes=partner.notes,
                    created_at=created,
                    updated_at=created + (now - created) * rng.uniform(0.3, 0.95),
                )
            )
        for row_uuid, row_id in (await _insert_returning_ids(Organisation, rows_org)).items():
            org_ids[org_keys[row_uuid]] = row_id

    addresses = [_address(brand_id, AddressKind.office, BRAND.place)]
    territories: list[Territory] = []
    partner_users: list[User] = []
    contacts: list[Contact] = []
    timeline: list[TimelineEntry] = []
    staff = [user_ids["staff_li"], user_ids["staff_zhao"]]
    managers = {key: manager for key, _l, _n, _r, _role, manager, _loc in BRAND_USERS}
    for partner in PARTNERS:
        org_id = org_ids[partner.key]
        country = partner.country
        addresses.append(_address(org_id, AddressKind.office, partner.place))
        if partner.warehouse is not None:
            addresses.append(_address(org_id, AddressKind.warehouse, partner.warehouse))
        territories.extend(
            Territory(organisation=org_id, region_code=c) for c in partner.territories
        )

        people = [make_person(rng, country) for _ in range(rng.randint(2, 4))]
        titles = rng.sample(JOB_TITLES[(country, job_family(partner.kind))], k=len(people))
        for index, (person, title) in enumerate(zip(people, titles, strict=True)):
            wechat, kakao = messaging_ids(rng, person, country)
            contacts.append(
                Contact(
                    uuid=seeded_uuid(rng),
                    organisation=org_id,
                    name=person.name,
                    romanised_name=person.romanised,
                    job_title=title,
                    phone=mobile_phone(rng, country),
                    email=f"{person.slug}@{partner.domain}",
                    wechat_id=wechat,
                    kakao_id=kakao,
                    is_primary=index == 0,
                    created_at=ago(30, 400),
                )
            )

        admin = people[0]
        partner_users.append(
            User(
                uuid=seeded_uuid(rng),
                email=f"{partner.login}@{partner.domain}",
                display_name=admin.name,
                password_hash=password_hash,
                role=partner_role(partner.kind),
                organisation=org_id,
                is_org_admin=True,
                locale=locale_for(country),
                time_zone=time_zone_for(country),
                created_at=ago(30, 400),
            )
        )

        owner_id = user_ids[partner.owner]
        manager_key = managers.get(partner.owner, "")
        entries = (
            rng.randint(3, 5) if partner.status is PartnerStatus.prospect else rng.randint(6, 12)
        )
        for _ in range(entries):
            kind = timeline_kind(rng)
            if partner.status is PartnerStatus.churned and kind is InteractionKind.visit:
                kind = InteractionKind.call
            occurred = ago(0.1, TIMELINE_DAYS)
            if partner.status in (PartnerStatus.dormant, PartnerStatus.churned):
                occurred = ago(70, TIMELINE_DAYS)  # nothing recent: that is why they are dormant
            roll = rng.random()
            if (
                partner.kind in (OrganisationKind.fabric_supplier, OrganisationKind.trim_supplier)
                and roll < 0.35
            ):
                author = rng.choice(staff)  # purchasing talks to the mills too
            elif manager_key and roll > 0.9:
                author = user_ids[manager_key]
            else:
                author = owner_id
            contact = rng.choice(people).name
            timeline.append(
                TimelineEntry(
                    uuid=seeded_uuid(rng),
                    organisation=org_id,
                    kind=kind,
                    occurred_at=occurred,
                    author=author,
                    summary=timeline_text(rng, kind, country, partner.kind, contact, occurred.year),
                    internal=is_internal(rng, kind),
                    created_at=occurred + timedelta(minutes=rng.randint(1, 240)),
                )
            )
        if partner.status in (PartnerStatus.dormant, PartnerStatus.churned):
            changed = ago(20, 60)
            timeline.append(
                TimelineEntry(
                    uuid=seeded_uuid(rng),
                    organisation=org_id,
                    kind=InteractionKind.system,
                    occurred_at=changed,
                    author=owner_id,
                    summary=f"Status changed to {partner.status.value}.",
                    internal=True,
                    created_at=changed,
                )
            )

    await Address.insert(*addresses).run()
    if territories:
        await Territory.insert(*territories).run()
    await User.insert(*partner_users).run()
    await Contact.insert(*contacts).run()
    await TimelineEntry.insert(*timeline).run()
    return {
        "organisations": 1 + len(PARTNERS),
        "users": len(BRAND_USERS) + len(partner_users),
        "contacts": len(contacts),
        "timeline": len(timeline),
    }


# --------------------------------------------------------------------------- catalog
# A season of ~60 styles (SS27) with GB/T 1335 and alpha size scales, 2–4 colourways
# each, an EAN-13 barcode (GS1 China prefix 692) on every SKU, and price lists per
# tier in CNY (tax included) plus one in KRW. Seeded apart from the partner network,
# so adding the catalog changed none of the partners.

CATALOG_SEED = SEED + 27
# GS1 prefix 692 + a company number; the item reference follows, then the check digit.
BARCODE_COMPANY = "6923456"

SIZE_SCALES = (
    ("ALPHA", "XS–3XL", "alpha", ("XS", "S", "M", "L", "XL", "XXL", "3XL")),
    (
        "GB-TOPS",
        "GB/T 1335 上装 tops",
        "china_gb",
        ("165/84A", "170/88A", "175/92A", "180/96A", "185/100A"),
    ),
    (
        "GB-BOTTOMS",
        "GB/T 1335 下装 bottoms",
        "china_gb",
        ("165/72A", "170/76A", "175/80A", "180/84A", "185/88A"),
    ),
)
COLLECTIONS = ("都市通勤 City commute", "户外机能 Outdoor tech", "团体工装 Workwear")
# (category, gender, English, Chinese, Korean, fabric, size scale, collection index)
PRODUCTS = (
    ("shirts", "men", "Oxford shirt", "牛津纺衬衫", "옥스포드 셔츠", "100% cotton", "GB-TOPS", 0),
    ("shirts", "women", "Poplin blouse", "府绸女衬衫", "포플린 블라우스", "100% cotton", "ALPHA", 0),
    ("shirts", "unisex", "Linen camp shirt", "亚麻休闲衬衫", "린넨 캠프 셔츠", "100% linen", "ALPHA", 0),
    ("tops", "unisex", "Piqué polo", "珠地网眼POLO衫", "피케 폴로 셔츠", "100% cotton piqué", "GB-TOPS", 2),
    ("tops", "unisex", "Heavy cotton tee", "重磅纯棉T恤", "헤비 코튼 티셔츠", "100% cotton 240 g/m²", "ALPHA", 0),
    ("trousers", "men", "Stretch chinos", "弹力卡其裤", "스트레치 치노 팬츠", "97% cotton 3% elastane", "GB-BOTTOMS", 0),
    ("trousers", "unisex", "Work trousers", "工装长裤", "워크 팬츠", "65% polyester 35% cotton", "GB-BOTTOMS", 2),
    ("trousers", "women", "Wide-leg trousers", "阔腿裤", "와이드 팬츠", "70% TENCEL™ 30% linen", "ALPHA", 0),
    ("knitwear", "unisex", "Merino crew neck", "美利奴圆领毛衣", "메리노 크루넥 니트", "100% merino wool", "ALPHA", 0),
    ("knitwear", "women", "Cotton cardigan", "棉质开衫", "코튼 가디건", "100% cotton", "ALPHA", 0),
    ("outerwear", "unisex", "Windbreaker", "防风夹克", "바람막이 재킷", "100% nylon taslan", "ALPHA", 1),
    ("outerwear", "men", "Down jacket", "羽绒服", "다운 재킷", "100% nylon, 90/10 duck down", "GB-TOPS", 1),
    ("outerwear", "unisex", "Rain shell", "防水冲锋衣", "방수 셸 재킷", "100% polyester, PU membrane", "ALPHA", 1),
    ("uniform", "unisex", "Work jacket", "工装夹克", "작업복 재킷", "65% polyester 35% cotton twill", "GB-TOPS", 2),
    ("uniform", "unisex", "Service shirt", "职业衬衫", "근무복 셔츠", "60% cotton 40% polyester", "GB-TOPS", 2),
)  # fmt: skip
VARIANTS = (("Classic", "经典", "클래식"), ("Slim", "修身", "슬림"), ("Relaxed", "宽松", "릴랙스드"),
            ("Lite", "轻量", "라이트"))  # fmt: skip
COLOURS = (
    ("BLK", "Black 黑色"), ("WHT", "White 白色"), ("NVY", "Navy 藏青"), ("GRY", "Grey 灰色"),
    ("KHK", "Khaki 卡其"), ("BLU", "Blue 蓝色"), ("OLV", "Olive 橄榄绿"), ("BEI", "Beige 米色"),
)  # fmt: skip
CATEGORY_CODES = {
    "shirts": "SH",
    "tops": "TS",
    "trousers": "PT",
    "knitwear": "KN",
    "outerwear": "OW",
    "uniform": "UN",
}
CARE = "30°C 机洗，不可漂白，低温熨烫。Machine wash 30°C, do not bleach, iron low."
# Wholesale as a share of the suggested retail price, per partner tier.
TIER_DISCOUNTS = (
    (Tier.platinum, "0.45"),
    (Tier.gold, "0.50"),
    (Tier.silver, "0.55"),
    (Tier.standard, "0.60"),
)
KRW_PER_CNY = 190


def make_ean13(item_reference: int) -> str:
    """An EAN-13 of the demo brand's GS1 company number with its check digit."""
    from partner_portal.catalog.forms import ean13_check_digit

    first_twelve = f"{BARCODE_COMPANY}{item_reference:05d}"
    return first_twelve + str(ean13_check_digit(first_twelve))


async def _load_catalog(rng: random.Random, now: datetime, media_dir: Path) -> dict[str, int]:
    from decimal import Decimal

    from partner_portal.catalog.tables import (
        Collection,
        Colourway,
        Price,
        PriceList,
        Season,
        Size,
        SizeScale,
        Sku,
        Style,
    )

    season_rows = (
        await Season.insert(
            Season(
                uuid=seeded_uuid(rng),
                code="SS27",
                name="2027春夏 Spring/Summer 2027",
                order_window_start=date(2026, 9, 1),
                order_window_end=date(2026, 11, 30),
                created_at=now - timedelta(days=60),
            )
        )
        .returning(Season.id)
        .run()
    )
    season_id = season_rows[0]["id"]
    collection_ids = [
        (
            await Collection.insert(Collection(uuid=seeded_uuid(rng), season=season_id, name=name))
            .returning(Collection.id)
            .run()
        )[0]["id"]
        for name in COLLECTIONS
    ]
    scale_ids: dict[str, int] = {}
    size_ids: dict[str, list[int]] = {}
    for code, name, kind, labels in SIZE_SCALES:
        scale_id = (
            await SizeScale.insert(
                SizeScale(uuid=seeded_uuid(rng), code=code, name=name, kind=kind)
            )
            .returning(SizeScale.id)
            .run()
        )[0]["id"]
        scale_ids[code] = scale_id
        rows = (
            await Size.insert(
                *(
                    Size(size_scale=scale_id, label=label, position=position)
                    for position, label in enumerate(labels, start=1)
                )
            )
            .returning(Size.id)
            .run()
        )
        size_ids[code] = [row["id"] for row in rows]

    styles: list[Style] = []
    style_scales: dict[uuid.UUID, str] = {}
    retail_prices: dict[uuid.UUID, Decimal] = {}
    number = 0
    for product in PRODUCTS:
        category, gender, english, chinese, korean, fabric, scale, collection = product
        for variant_en, variant_zh, variant_ko in VARIANTS:
            number += 1
            row_uuid = seeded_uuid(rng)
            roll = rng.random()
            status = "draft" if roll < 0.08 else "discontinued" if roll < 0.13 else "active"
            created = now - timedelta(days=rng.uniform(20, 90))
            styles.append(
                Style(
                    uuid=row_uuid,
                    code=f"SS27-{CATEGORY_CODES[category]}-{number:03d}",
                    season=season_id,
                    collection=collection_ids[collection],
                    category=category,
                    gender=gender,
                    name_en=f"{variant_en} {english.lower()}",
                    name_zh=f"{variant_zh}{chinese}",
                    name_ko=f"{variant_ko} {korean}",
                    fabric_composition=fabric,
                    care=CARE,
                    size_scale=scale_ids[scale],
                    status=status,
                    created_at=created,
                    updated_at=created,
                )
            )
            style_scales[row_uuid] = scale
            # Retail prices end in 9: 199, 299 ... 1299 yuan.
            retail_prices[row_uuid] = Decimal(rng.randint(2, 13) * 100 - 1)
    style_ids = await _insert_returning_ids(Style, styles)

    colourways: list[Colourway] = []
    colour_styles: dict[uuid.UUID, uuid.UUID] = {}
    for style in styles:
        for code, name in rng.sample(COLOURS, k=rng.randint(2, 4)):
            row_uuid = seeded_uuid(rng)
            colour_styles[row_uuid] = style.uuid
            colourways.append(
                Colourway(uuid=row_uuid, style=style_ids[style.uuid], code=code, name=name)
            )
    colour_ids = await _insert_returning_ids(Colourway, colourways)

    skus: list[Sku] = []
    for colourway in colourways:
        style_uuid = colour_styles[colourway.uuid]
        for size_id in size_ids[style_scales[style_uuid]]:
            skus.append(
                Sku(
                    uuid=seeded_uuid(rng),
                    style=style_ids[style_uuid],
                    colourway=colour_ids[colourway.uuid],
                    size=size_id,
                    barcode=make_ean13(len(skus) + 1),
                )
            )
    for start in range(0, len(skus), 500):
        await Sku.insert(*skus[start : start + 500]).run()

    prices: list[Price] = []
    for tier, share in TIER_DISCOUNTS:
        list_id = (
            await PriceList.insert(
                PriceList(
                    uuid=seeded_uuid(rng),
                    name=f"SS27 CNY {tier.value}",
                    currency="CNY",
                    tax_inclusive=True,
                    tier=tier,
                    created_at=now - timedelta(days=30),
                )
            )
            .returning(PriceList.id)
            .run()
        )[0]["id"]
        for style_uuid, retail in retail_prices.items():
            prices.append(
                Price(
                    price_list=list_id,
                    style=style_ids[style_uuid],
                    wholesale=(retail * Decimal(share)).quantize(Decimal("0.01")),
                    suggested_retail=retail,
                )
            )
    krw_id = (
        await PriceList.insert(
            PriceList(
                uuid=seeded_uuid(rng),
                name="SS27 KRW",
                currency="KRW",
                tax_inclusive=False,
                tier=None,
                created_at=now - timedelta(days=30),
            )
        )
        .returning(PriceList.id)
        .run()
    )[0]["id"]
    for style_uuid, retail in retail_prices.items():
        # Won have no minor unit: retail to the thousand, wholesale to the hundred.
        retail_krw = (retail * KRW_PER_CNY / 1000).quantize(Decimal("1")) * 1000
        prices.append(
            Price(
                price_list=krw_id,
                style=style_ids[style_uuid],
                wholesale=(retail_krw * Decimal("0.55") / 100).quantize(Decimal("1")) * 100,
                suggested_retail=retail_krw,
            )
        )
    await Price.insert(*prices).run()
    extras = await _load_catalog_extras(
        rng, now, media_dir, season_id, styles, style_ids, style_scales, size_ids, scale_ids
    )
    return {
        "styles": len(styles),
        "skus": len(skus),
        "price_lists": len(TIER_DISCOUNTS) + 2,
        **extras,
    }


# Drops of SS27 that pre-books are delivered in.
DELIVERY_WINDOWS = (
    ("Drop 1 第一波", date(2027, 1, 15), date(2027, 1, 31)),
    ("Drop 2 第二波", date(2027, 2, 15), date(2027, 2, 28)),
    ("Drop 3 第三波", date(2027, 3, 15), date(2027, 3, 31)),
)
# (scale, name, pieces per size label)
PREPACKS = (
    ("ALPHA", "1-2-2-1", {"S": 1, "M": 2, "L": 2, "XL": 1}),
    ("ALPHA", "1-2-3-2-1", {"XS": 1, "S": 2, "M": 3, "L": 2, "XL": 1}),
    ("GB-TOPS", "1-2-2-1", {"165/84A": 1, "170/88A": 2, "175/92A": 2, "180/96A": 1}),
    ("GB-BOTTOMS", "1-2-2-1", {"165/72A": 1, "170/76A": 2, "175/80A": 2, "180/84A": 1}),
)
# (from units of one style, percent off) on every tier list
VOLUME_BREAKS = ((500, "3"), (1000, "5"), (2000, "8"))
# Big sizes cost more to make: their own price on every list, this much above the style's.
BIG_SIZES = ("XXL", "3XL")
BIG_SIZE_MARKUP = "1.10"
PICTURE_COLOURS = ("#1f2a44", "#f4f1ea", "#5b6b7a", "#b59a6a", "#3f5a3a", "#2d5d8a")


def demo_picture(code: str, colour: str) -> bytes:
    """A simple deterministic 'photo' of a style: a garment shape on a plain ground."""
    import io

    from PIL import Image, ImageDraw

    image = Image.new("RGB", (480, 640), "#eeeeee")
    draw = ImageDraw.Draw(image)
    draw.polygon(
        [(150, 120), (200, 90), (280, 90), (330, 120), (400, 200), (360, 240), (330, 210),
         (330, 560), (150, 560), (150, 210), (120, 240), (80, 200)],
        fill=colour,
        outline="#333333",
    )  # fmt: skip
    draw.text((20, 600), code, fill="#333333")
    buffer = io.BytesIO()
    image.save(buffer, "PNG", optimize=False)
    return buffer.getvalue()


async def _load_catalog_extras(
    rng: random.Random,
    now: datetime,
    media_dir: Path,
    season_id: int,
    styles: list[Any],
    style_ids: dict[uuid.UUID, int],
    style_scales: dict[uuid.UUID, str],
    size_ids: dict[str, list[int]],
    scale_ids: dict[str, int],
) -> dict[str, int]:
    """Delivery windows, prepacks, volume breaks, big-size prices, one partner's own list,
    availability for every SKU and pictures of a few styles."""
    from decimal import Decimal

    from partner_portal.catalog.tables import (
        DeliveryWindow,
        PreBookAvailability,
        Prepack,
        PrepackSize,
        Price,
        PriceList,
        Size,
        Sku,
        SkuStock,
        StyleImage,
        VolumeBreak,
    )

    window_ids = [
        (
            await DeliveryWindow.insert(
                DeliveryWindow(
                    uuid=seeded_uuid(rng), season=season_id, name=name, starts_on=start, ends_on=end
                )
            )
            .returning(DeliveryWindow.id)
            .run()
        )[0]["id"]
        for name, start, end in DELIVERY_WINDOWS
    ]

    labels = {row["id"]: row["label"] for row in await Size.select(Size.id, Size.label)}
    size_by_label = {
        (scale, labels[size_id]): size_id for scale, ids in size_ids.items() for size_id in ids
    }
    for scale, name, ratio in PREPACKS:
        prepack_id = (
            await Prepack.insert(
                Prepack(
                    uuid=seeded_uuid(rng),
                    size_scale=scale_ids[scale],
                    name=name,
                    created_at=now - timedelta(days=30),
                )
            )
            .returning(Prepack.id)
            .run()
        )[0]["id"]
        await PrepackSize.insert(
            *(
                PrepackSize(prepack=prepack_id, size=size_by_label[(scale, label)], quantity=count)
                for label, count in ratio.items()
            )
        ).run()

    lists = await PriceList.select(PriceList.id, PriceList.tier, PriceList.currency)
    tier_lists = [row["id"] for row in lists if row["tier"] is not None]
    await VolumeBreak.insert(
        *(
            VolumeBreak(price_list=list_id, min_quantity=minimum, discount_percent=Decimal(pct))
            for list_id in tier_lists
            for minimum, pct in VOLUME_BREAKS
        )
    ).run()
    style_prices = await Price.select(
        Price.price_list, Price.style, Price.wholesale, Price.suggested_retail
    ).where(Price.size.is_null())
    scale_of = {style_ids[uuid_]: scale for uuid_, scale in style_scales.items()}
    currency_of = {row["id"]: row["currency"] for row in lists}
    big: list[Any] = []
    for row in style_prices:
        scale = scale_of[row["style"]]
        places = Decimal("1") if currency_of[row["price_list"]] == "KRW" else Decimal("0.01")
        for label in BIG_SIZES:
            if (scale, label) in size_by_label:
                big.append(
                    Price(
                        price_list=row["price_list"],
                        style=row["style"],
                        size=size_by_label[(scale, label)],
                        wholesale=(row["wholesale"] * Decimal(BIG_SIZE_MARKUP)).quantize(places),
                        suggested_retail=(
                            row["suggested_retail"] * Decimal(BIG_SIZE_MARKUP)
                        ).quantize(places),
                    )
                )
    await Price.insert(*big).run()

    # One distributor has agreed prices: 5% under its tier's list on eight styles.
    partner = (
        await Organisation.select(Organisation.id, Organisation.legal_name, Organisation.tier)
        .where(
            (Organisation.kind == OrganisationKind.distributor) & (Organisation.currency == "CNY")
        )
        .order_by(Organisation.id)
        .first()
    )
    if partner is not None:
        own_id = (
            await PriceList.insert(
                PriceList(
                    uuid=seeded_uuid(rng),
                    name=f"SS27 {partner['legal_name']} 协议价",
                    currency="CNY",
                    tax_inclusive=True,
                    organisation=partner["id"],
                    created_at=now - timedelta(days=20),
                )
            )
            .returning(PriceList.id)
            .run()
        )[0]["id"]
        tier_list = next(row["id"] for row in lists if row["tier"] == partner["tier"])
        agreed = [row for row in style_prices if row["price_list"] == tier_list][:8]
        await Price.insert(
            *(
                Price(
                    price_list=own_id,
                    style=row["style"],
                    wholesale=(row["wholesale"] * Decimal("0.95")).quantize(Decimal("0.01")),
                    suggested_retail=row["suggested_retail"],
                )
                for row in agreed
            )
        ).run()

    active = {style_ids[style.uuid] for style in styles if style.status == "active"}
    sku_rows = await Sku.select(Sku.id, Sku.style).order_by(Sku.id)
    stock: list[Any] = []
    pre_book: list[Any] = []
    for sku in sku_rows:
        if sku["style"] not in active:
            continue
        stock.append(
            SkuStock(
                sku=sku["id"], at_once=rng.choice((0, 0, 12, 24, 60, 120, 300)), updated_at=now
            )
        )
        for window_id in window_ids:
            quantity = rng.choice((0, 200, 500, 800, 1500))
            if quantity:
                pre_book.append(
                    PreBookAvailability(
                        sku=sku["id"], delivery_window=window_id, quantity=quantity, updated_at=now
                    )
                )
    for start in range(0, len(stock), 500):
        await SkuStock.insert(*stock[start : start + 500]).run()
    for start in range(0, len(pre_book), 500):
        await PreBookAvailability.insert(*pre_book[start : start + 500]).run()

    pictured = [style for style in styles if style.status == "active"][:6]
    images = []
    for number, style in enumerate(pictured):
        image_uuid = seeded_uuid(rng)
        relative = f"styles/{style.uuid}/{image_uuid}.png"
        content = demo_picture(style.code, PICTURE_COLOURS[number % len(PICTURE_COLOURS)])
        path = media_dir / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(content)
        images.append(
            StyleImage(
                uuid=image_uuid,
                style=style_ids[style.uuid],
                path=relative,
                content_type="image/png",
                width=480,
                height=640,
                byte_size=len(content),
                position=1,
                uploaded_at=now - timedelta(days=10),
            )
        )
    await StyleImage.insert(*images).run()
    return {"prepacks": len(PREPACKS), "images": len(images)}


# ---------------------------------------------------------------------------
# The order book's demo orders (partner_portal/orders)

ORDERS_SEED = SEED + 31
DEMO_ORDER_COUNT = 900
DEMO_HISTORY_DAYS = 730
FINISHED_STATUSES = frozenset({"shipped", "delivered", "cancelled", "rejected"})
# How the demo orders spread over the status flow (weights).
ORDER_STATUS_WEIGHTS = (
    ("draft", 4),
    ("submitted", 8),
    ("confirmed", 8),
    ("in_production", 8),
    ("partially_shipped", 5),
    ("shipped", 8),
    ("delivered", 50),
    ("cancelled", 5),
    ("rejected", 4),
)
# The steps each final status went through, after "draft".
ORDER_PATHS = {
    "draft": (),
    "submitted": ("submitted",),
    "confirmed": ("submitted", "confirmed"),
    "in_production": ("submitted", "confirmed", "in_production"),
    "partially_shipped": ("submitted", "confirmed", "in_production", "partially_shipped"),
    "shipped": ("submitted", "confirmed", "in_production", "shipped"),
    "delivered": ("submitted", "confirmed", "in_production", "shipped", "delivered"),
    "cancelled": ("submitted", "cancelled"),
    "rejected": ("submitted", "rejected"),
}
BUYER_STEPS = frozenset({"submitted", "cancelled"})
DEMO_CARRIERS = ("顺丰速运", "中通快递", "京东物流", "CJ대한통운", "한진택배", "DHL Express")
DEMO_ORDER_COMMENTS = (
    "请确认交货期，谢谢。",
    "M码能否多配一些？",
    "배송 일정을 알려 주세요.",
    "Could you confirm the delivery window?",
    "发票请开到总公司。",
    "색상 BLK 재고 있나요?",
)


async def _load_orders(rng: random.Random, now: datetime) -> str:
    """A few hundred orders of the demo's buyers in every status, priced from their price
    lists, with status history, shipments, comments and change requests. Rows go in by
    bulk inserts (not through the order services) so the demo loads in seconds."""
    import json
    from decimal import Decimal

    from partner_portal.catalog.services import prices_for_partner
    from partner_portal.catalog.tables import Sku, Style
    from partner_portal.orders.services import round_money
    from partner_portal.orders.tables import (
        ChangeRequest,
        Order,
        OrderComment,
        OrderLine,
        OrderStatusChange,
        Shipment,
        ShipmentLine,
    )

    buyers = await Organisation.select(
        Organisation.id, Organisation.kind, Organisation.owner, Organisation.legal_name
    ).where(Organisation.kind.is_in(["distributor", "retailer", "group_client"]))
    users = await User.select(User.id, User.organisation, User.role).where(User.is_active == True)  # noqa: E712
    admin = next((user["id"] for user in users if user["role"] == Role.brand_admin), None)
    people: dict[int, list[int]] = {}
    for user in users:
        people.setdefault(user["organisation"], []).append(user["id"])
    skus = await Sku.select(Sku.id, Sku.style, Sku.colourway, Sku.size).where(
        Sku.style.status == "active"  # type: ignore[attr-defined]
    )
    by_style: dict[int, dict[int, list[dict[str, Any]]]] = {}
    for sku in skus:
        by_style.setdefault(sku["style"], {}).setdefault(sku["colourway"], []).append(sku)
    style_ids = sorted(by_style)
    season = await Style.select(Style.season).where(Style.id.is_in(style_ids or [-1])).first()
    # What each buyer pays: two queries per buyer, whatever the number of orders.
    price_book = {buyer["id"]: await prices_for_partner(buyer["id"], style_ids) for buyer in buyers}
    buyers = [b for b in buyers if people.get(b["id"]) and price_book[b["id"]].best]
    if not buyers or not style_ids:
        return "0 orders"

    statuses = [status for status, _weight in ORDER_STATUS_WEIGHTS]
    weights = [weight for _status, weight in ORDER_STATUS_WEIGHTS]
    orders: list[Order] = []
    plans: list[dict[str, Any]] = []
    for _ in range(DEMO_ORDER_COUNT):
        buyer = rng.choice(buyers)
        prices = price_book[buyer["id"]]
        status = rng.choices(statuses, weights)[0]
        placer = rng.choice(people[buyer["id"]])
        channel = {"retailer": "retailer", "group_client": "group"}.get(
            buyer["kind"], "distributor"
        )
        if buyer["kind"] == "distributor" and buyer["owner"] and rng.random() < 0.2:
            channel, placer = "rep_entered", buyer["owner"]
        lines: list[dict[str, Any]] = []
        for style_id in rng.sample(style_ids, k=min(len(style_ids), rng.randint(1, 4))):
            colourways = by_style[style_id]
            chosen = rng.sample(sorted(colourways), k=min(len(colourways), rng.randint(1, 2)))
            style_lines = []
            for colourway in chosen:
                for sku in colourways[colourway]:
                    price = prices.for_item(style_id, sku["size"])
                    if price is not None and rng.random() < 0.8:
                        style_lines.append((sku, price, rng.choice((6, 12, 12, 18, 24, 36, 48))))
            pieces = sum(quantity for _sku, _price, quantity in style_lines)
            discount = prices.discount_for(style_id, pieces) if style_lines else Decimal(0)
            for sku, price, quantity in style_lines:
                gross = price.wholesale * quantity
                lines.append(
                    {
                        "sku": sku,
                        "price": price,
                        "quantity": quantity,
                        "discount": discount,
                        "gross": round_money(gross, price.currency),
                        "total": round_money(gross * (100 - discount) / 100, price.currency),
                    }
                )
        if not lines:
            continue
        currency = lines[0]["price"].currency
        # Two years of history (partner health needs it): finished orders of any age,
        # open ones from the last few months.
        age_days = DEMO_HISTORY_DAYS if status in FINISHED_STATUSES else 120
        created = now - timedelta(days=rng.uniform(1, age_days))
        path = ORDER_PATHS[status]
        moments = [created]
        for _step in path:
            moments.append(min(moments[-1] + timedelta(hours=rng.uniform(4, 24 * 9)), now))
        subtotal = sum((line["gross"] for line in lines), Decimal(0))
        total = sum((line["total"] for line in lines), Decimal(0))
        order_uuid = seeded_uuid(rng)
        ship_date = (created + timedelta(days=rng.randint(30, 90))).date()
        orders.append(
            Order(
                uuid=order_uuid,
                buyer=buyer["id"],
                placed_by=placer,
                channel=channel,
                status=status,
                currency=currency,
                price_list=lines[0]["price"].price_list_id if path else None,
                price_list_name=lines[0]["price"].price_list_name,
                season=season["season"] if season else None,
                ship_to=buyer["legal_name"],
                delivery_window_start=ship_date - timedelta(days=7),
                delivery_window_end=ship_date + timedelta(days=14),
                requested_ship_date=ship_date,
                customer_po=f"PO-{rng.randint(10000, 99999)}" if rng.random() < 0.6 else "",
                total_quantity=sum(line["quantity"] for line in lines),
                subtotal=subtotal,
                discount_total=subtotal - total,
                total=total,
                submitted_at=moments[1] if path else None,
                status_changed_at=moments[-1],
                created_at=created,
                updated_at=moments[-1],
                version=len(path) + 1,
            )
        )
        plans.append(
            {
                "uuid": order_uuid,
                "status": status,
                "lines": lines,
                "path": path,
                "moments": moments,
                "placer": placer,
                "brand_user": buyer["owner"] or admin,
                "buyer_people": people[buyer["id"]],
                "currency": currency,
            }
        )
    order_ids: dict[uuid.UUID, int] = {}
    for start in range(0, len(orders), 200):
        order_ids |= await _insert_returning_ids(Order, orders[start : start + 200])
    # Numbers as orders.services.order_number writes them: "SO-" and the id in 7 digits.
    padded = (
        "substr('0000000' || id, -7, 7)"
        if Order._meta.db.engine_type == "sqlite"
        else "lpad(id::text, 7, '0')"
    )
    await Order.raw(f"UPDATE sales_order SET number = 'SO-' || {padded} WHERE number IS NULL")

    order_lines: list[OrderLine] = []
    history: list[OrderStatusChange] = []
    comments: list[OrderComment] = []
    for plan in plans:
        order_id = order_ids[plan["uuid"]]
        shipped_share = {"partially_shipped": 0.5, "shipped": 1, "delivered": 1}.get(
            plan["status"], 0
        )
        for line in plan["lines"]:
            sku = line["sku"]
            order_lines.append(
                OrderLine(
                    order=order_id,
                    sku=sku["id"],
                    style=sku["style"],
                    colourway=sku["colourway"],
                    size=sku["size"],
                    quantity=line["quantity"],
                    unit_price=line["price"].wholesale,
                    discount_percent=line["discount"],
                    line_total=line["total"],
                    shipped_quantity=int(line["quantity"] * shipped_share),
                )
            )
        steps = ("draft", *plan["path"])
        for index, step in enumerate(steps):
            by = plan["placer"] if index == 0 or step in BUYER_STEPS else plan["brand_user"]
            history.append(
                OrderStatusChange(
                    order=order_id,
                    from_status=steps[index - 1] if index else None,
                    to_status=step,
                    changed_by=by,
                    changed_at=plan["moments"][index],
                    note="库存不足 / out of stock" if step == "rejected" else "",
                )
            )
        if rng.random() < 0.25:
            for offset, author in enumerate((plan["placer"], plan["brand_user"])):
                comments.append(
                    OrderComment(
                        uuid=seeded_uuid(rng),
                        order=order_id,
                        author=author,
                        body=rng.choice(DEMO_ORDER_COMMENTS),
                        created_at=plan["moments"][0] + timedelta(hours=2 + offset * 5),
                    )
                )
    line_ids: list[int] = []
    for start in range(0, len(order_lines), 500):
        rows = await OrderLine.insert(*order_lines[start : start + 500]).returning(OrderLine.id)
        line_ids += [row["id"] for row in rows]
    for start in range(0, len(history), 500):
        await OrderStatusChange.insert(*history[start : start + 500]).run()
    if comments:
        await OrderComment.insert(*comments).run()

    # Shipments: one per shipped order for what has gone out.
    shipments: list[Shipment] = []
    shipped_lines: list[tuple[uuid.UUID, int, int]] = []
    cursor = 0
    for plan in plans:
        ids = line_ids[cursor : cursor + len(plan["lines"])]
        cursor += len(plan["lines"])
        if plan["status"] not in ("partially_shipped", "shipped", "delivered"):
            continue
        shipment_uuid = seeded_uuid(rng)
        step = "partially_shipped" if plan["status"] == "partially_shipped" else "shipped"
        shipped_at = plan["moments"][plan["path"].index(step) + 1]
        shipments.append(
            Shipment(
                uuid=shipment_uuid,
                order=order_ids[plan["uuid"]],
                carrier=rng.choice(DEMO_CARRIERS),
                tracking_number=f"{rng.randint(10**11, 10**12 - 1)}",
                shipped_on=shipped_at.date(),
                created_by=plan["brand_user"],
                created_at=shipped_at,
            )
        )
        share = 0.5 if plan["status"] == "partially_shipped" else 1
        for line_id, line in zip(ids, plan["lines"], strict=True):
            if int(line["quantity"] * share):
                shipped_lines.append((shipment_uuid, line_id, int(line["quantity"] * share)))
    shipment_ids: dict[uuid.UUID, int] = {}
    for start in range(0, len(shipments), 200):
        shipment_ids |= await _insert_returning_ids(Shipment, shipments[start : start + 200])
    for start in range(0, len(shipped_lines), 500):
        await ShipmentLine.insert(
            *[
                ShipmentLine(shipment=shipment_ids[shipment], order_line=line_id, quantity=quantity)
                for shipment, line_id, quantity in shipped_lines[start : start + 500]
            ]
        ).run()

    # Change requests: buyers asking for more of the first line of a few open orders; most
    # wait for the brand, some were declined (so the lines stay as ordered).
    requests: list[ChangeRequest] = []
    for plan in plans:
        first_line = plan["lines"][0]
        if plan["status"] in ("submitted", "confirmed") and rng.random() < 0.25:
            before = first_line["quantity"]
            decided = rng.random() < 0.3
            requests.append(
                ChangeRequest(
                    uuid=seeded_uuid(rng),
                    order=order_ids[plan["uuid"]],
                    requested_by=plan["placer"],
                    requested_at=plan["moments"][-1] + timedelta(hours=3),
                    reason=rng.choice(
                        ("卖得很好，想加单。", "판매가 좋아 추가 주문합니다.", "Selling well")
                    ),
                    changes=json.dumps(
                        {
                            "quantities": {str(first_line["sku"]["id"]): [before, before + 12]},
                            "requested_ship_date": None,
                        }
                    ),
                    order_version=len(plan["path"]) + 1,
                    status="declined" if decided else "pending",
                    decided_by=plan["brand_user"] if decided else None,
                    decided_at=plan["moments"][-1] + timedelta(days=1) if decided else None,
                    decision_note="产能已满 / capacity is full" if decided else "",
                )
            )
    if requests:
        await ChangeRequest.insert(*requests).run()
    return (
        f"{len(orders)} orders with {len(order_lines)} lines, {len(shipments)} shipments, "
        f"{len(requests)} change requests"
    )
