"""The demo partner network: the brand, its staff and its partners (who they are, where
they sit); loaded by organisations.py."""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from typing import Any

from partner_portal.demo.people import make_brn, make_uscc
from partner_portal.partners.tables import (
    OrganisationKind,
    PartnerStatus,
    Role,
    Tier,
)

DEMO_PASSWORD = "threadline-demo"
SEED = 20251123

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
