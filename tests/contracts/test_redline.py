"""Redline: two issued versions of a contract compared for the brand and the partner alike,
word by word, and character by character in Chinese and Korean (a changed clause shows
exactly the characters that changed, a deleted clause is struck, an added one marked)."""

from __future__ import annotations

from typing import Any

import pytest

from contracts import comparison, drafting, redline
from contracts.tables import ContractTemplate
from partner_portal.partners.tables import User
from tests.contracts.support import issue, make_contract, make_template, seen_by, viewer
from tests.support import Cast, Member, Org, PortalClient

CHINESE_BEFORE = """<h2>第一条 合同期限</h2>
<p>本合同自2027年1月1日起生效，有效期一年。</p>
<h2>第二条 付款方式</h2>
<p>乙方应在发货前支付70%的余款。</p>
<h2>第三条 保密</h2>
<p>双方对本合同内容负有保密义务，期限三年。</p>
<h2>第四条 不可抗力</h2>
<p>因不可抗力不能履行合同的，不承担违约责任。</p>
"""
CHINESE_AFTER = """<h2>第一条 合同期限</h2>
<p>本合同自2027年1月1日起生效，有效期一年。</p>
<h2>第二条 付款方式</h2>
<p>乙方应在验收合格后三十日内支付100%的货款。</p>
<h2>第四条 不可抗力</h2>
<p>因不可抗力不能履行合同的，不承担违约责任。</p>
<h2>第五条 争议解决</h2>
<p>因本合同引起的争议，提交上海国际仲裁中心仲裁。</p>
"""
KOREAN_BEFORE = """<h2>제1조 (계약 기간)</h2>
<p>이 계약은 2027년 1월 1일부터 1년간 유효하다.</p>
<h2>제2조 (대금 지급)</h2>
<p>을은 선적 전에 잔금 70%를 지급한다.</p>
<h2>제3조 (비밀유지)</h2>
<p>양 당사자는 계약 내용을 3년간 비밀로 유지한다.</p>
<h2>제4조 (불가항력)</h2>
<p>불가항력으로 계약을 이행하지 못한 경우 책임을 지지 않는다.</p>
"""
KOREAN_AFTER = """<h2>제1조 (계약 기간)</h2>
<p>이 계약은 2027년 1월 1일부터 1년간 유효하다.</p>
<h2>제2조 (대금 지급)</h2>
<p>을은 검수 완료 후 30일 이내에 잔금 100%를 지급한다.</p>
<h2>제4조 (불가항력)</h2>
<p>불가항력으로 계약을 이행하지 못한 경우 책임을 지지 않는다.</p>
<h2>제5조 (분쟁 해결)</h2>
<p>이 계약에 관한 분쟁은 서울중앙지방법원을 관할 법원으로 한다.</p>
"""


def _changes(block: redline.BlockChange) -> list[tuple[str, str]]:
    return [(segment.change, segment.text) for segment in block.segments]


def _texts(block: redline.BlockChange) -> tuple[str, str]:
    """The block's text as the older and as the newer version had it."""
    before = "".join(s.text for s in block.segments if s.change in ("same", "del"))
    after = "".join(s.text for s in block.segments if s.change in ("same", "ins"))
    return before, after


def test_a_changed_chinese_clause_shows_the_characters_that_changed() -> None:
    compared = redline.compare(CHINESE_BEFORE, CHINESE_AFTER)
    (changed,) = [block for block in compared.blocks if block.change == "changed"]
    assert _changes(changed) == [
        ("same", "乙方应在"),
        ("del", "发货前"),
        ("ins", "验收合格后三十日内"),
        ("same", "支付"),
        ("del", "70"),
        ("ins", "100"),
        ("same", "%的"),
        ("del", "余"),
        ("ins", "货"),
        ("same", "款。"),
    ]
    assert _texts(changed) == (
        "乙方应在发货前支付70%的余款。",
        "乙方应在验收合格后三十日内支付100%的货款。",
    )


def test_a_deleted_and_an_added_chinese_clause_are_whole_blocks_in_place() -> None:
    compared = redline.compare(CHINESE_BEFORE, CHINESE_AFTER)
    assert [(block.change, block.kind, block.segments[0].text) for block in compared.blocks] == [
        ("same", "heading", "第一条 合同期限"),
        ("same", "text", "本合同自2027年1月1日起生效，有效期一年。"),
        ("same", "heading", "第二条 付款方式"),
        ("changed", "text", "乙方应在"),
        ("removed", "heading", "第三条 保密"),
        ("removed", "text", "双方对本合同内容负有保密义务，期限三年。"),
        ("same", "heading", "第四条 不可抗力"),
        ("same", "text", "因不可抗力不能履行合同的，不承担违约责任。"),
        ("added", "heading", "第五条 争议解决"),
        ("added", "text", "因本合同引起的争议，提交上海国际仲裁中心仲裁。"),
    ]
    assert (compared.count("changed"), compared.count("added"), compared.count("removed")) == (
        1,
        2,
        2,
    )


def test_a_changed_korean_clause_is_compared_by_characters() -> None:
    compared = redline.compare(KOREAN_BEFORE, KOREAN_AFTER)
    (changed,) = [block for block in compared.blocks if block.change == "changed"]
    assert _changes(changed) == [
        ("same", "을은 "),
        ("del", "선적 전"),
        ("ins", "검수 완료 후 30일 이내"),
        ("same", "에 잔금 "),
        ("del", "70"),
        ("ins", "100"),
        ("same", "%를 지급한다."),
    ]
    assert _texts(changed) == (
        "을은 선적 전에 잔금 70%를 지급한다.",
        "을은 검수 완료 후 30일 이내에 잔금 100%를 지급한다.",
    )
    assert [block.segments[0].text for block in compared.blocks if block.change == "removed"] == [
        "제3조 (비밀유지)",
        "양 당사자는 계약 내용을 3년간 비밀로 유지한다.",
    ]
    assert [block.segments[0].text for block in compared.blocks if block.change == "added"] == [
        "제5조 (분쟁 해결)",
        "이 계약에 관한 분쟁은 서울중앙지방법원을 관할 법원으로 한다.",
    ]


def test_words_of_spaced_scripts_change_whole_and_cjk_runs_by_character() -> None:
    assert redline.tokens("Pay 30% 定金 within 30 days") == [
        "Pay", " ", "30", "%", " ", "定", "金", " ", "within", " ", "30", " ", "days",
    ]  # fmt: skip
    assert _changes(
        redline.BlockChange("changed", "text", redline.compare_text("net 30 days", "net 60 days"))
    ) == [("same", "net "), ("del", "30"), ("ins", "60"), ("same", " days")]
    assert redline.compare("<p>同じ</p>", "<p>同じ</p>").changed is False


def test_the_version_numbers_asked_for_are_checked() -> None:
    assert comparison.chosen_numbers(None, None, [3, 2, 1]) == (2, 3)
    assert comparison.chosen_numbers("1", None, [3, 2, 1]) == (1, 3)
    assert comparison.chosen_numbers(None, "2", [3, 2, 1]) == (1, 2)
    for old, new in (
        ("4", None),
        ("x", None),
        ("²", None),
        ("2", "2"),
        (None, "1"),
        ("9" * 40, None),
    ):
        with pytest.raises(comparison.ChoiceRefused):
            comparison.chosen_numbers(old, new, [3, 2, 1])
    with pytest.raises(comparison.ChoiceRefused):
        comparison.chosen_numbers(None, None, [1])


async def _two_versions(
    cast: Cast, partner: Org, language: str, before: str, after: str
) -> dict[str, Any]:
    """A contract in ``language`` issued twice: the template's text and the credit limit
    changed between the versions."""
    body = before + "<p>{{ terms.credit_limit }}</p>"
    template = await make_template(cast.admin, body=body, language=language, name=language)
    contract = await make_contract(cast.admin, partner, template, currency="CNY")
    await issue(cast.admin, contract)
    await ContractTemplate.update(
        {ContractTemplate.body: after + "<p>{{ terms.credit_limit }}</p>"}
    ).where(ContractTemplate.uuid == template)
    issued = await seen_by(cast.admin, contract["uuid"])
    values = {"title": issued.title, "version": str(issued.version), **issued.terms}
    saved = await drafting.update_contract(
        await viewer(cast.admin), issued, {**values, "credit_limit": "900000"}
    )
    assert saved.saved, saved.errors
    await issue(cast.admin, contract)
    return contract


async def _in_language(member: Member, locale: str) -> None:
    await User.update({User.locale: locale}).where(User.id == member.id)


@pytest.mark.parametrize(
    ("language", "partner", "member", "before", "after", "deleted", "inserted", "words"),
    [
        (
            "zh_Hans",
            "distributor_a",
            "distributor",
            CHINESE_BEFORE,
            CHINESE_AFTER,
            "发货前",
            "验收合格后三十日内",
            ("比较版本", "已修改的段落"),
        ),
        (
            "ko",
            "distributor_b",
            "other_distributor",
            KOREAN_BEFORE,
            KOREAN_AFTER,
            "선적 전",
            "검수 완료 후 30일 이내",
            ("버전 비교", "변경된 단락"),
        ),
    ],
)
async def test_the_brand_and_the_partner_see_the_redline_in_their_language(
    client: PortalClient,
    cast: Cast,
    language: str,
    partner: str,
    member: str,
    before: str,
    after: str,
    deleted: str,
    inserted: str,
    words: tuple[str, str],
) -> None:
    contract = await _two_versions(cast, cast.organisations()[partner], language, before, after)
    url = f"/contracts/{contract['uuid']}/compare"
    for reader in (
        cast.kam if partner == "distributor_a" else cast.other_kam,
        getattr(cast, member),
    ):
        await _in_language(reader, language)
        await client.sign_in(reader)
        page = await client.get(url)
        assert page.status_code == 200, page.text
        assert f"<del>{deleted}</del>" in page.text
        assert f"<ins>{inserted}</ins>" in page.text
        assert all(word in page.text for word in words), page.text
        # The credit limit, changed in the terms and in the text.
        assert "<ins>900" in page.text and "<del>500" in page.text
        assert 'id="term-changes"' in page.text
        # The contract page leads there.
        detail = await client.get(f"/contracts/{contract['uuid']}")
        assert url in detail.text

    # Only the changes: the unchanged first clause is left out.
    only = await client.get(f"{url}?old=1&new=2&changes=only")
    assert deleted in only.text and before.split("<p>")[1].split("</p>")[0] not in only.text
    # Another partner's users do not learn the contract exists.
    stranger = cast.other_distributor if partner == "distributor_a" else cast.distributor
    await client.sign_in(stranger)
    assert (await client.get(url)).status_code == 404


async def test_a_bad_choice_of_versions_is_answered_in_place(
    client: PortalClient, cast: Cast
) -> None:
    contract = await _two_versions(
        cast, cast.distributor_a, "zh_Hans", CHINESE_BEFORE, CHINESE_AFTER
    )
    url = f"/contracts/{contract['uuid']}/compare"
    await _in_language(cast.distributor, "en")
    await client.sign_in(cast.distributor)
    for query, message in (
        ("?old=2&new=2", "Choose two different versions."),
        ("?old=7", "Choose versions that were issued."),
        ("?old=%C2%B2", "Choose versions that were issued."),
        ("?new=" + "9" * 500, "Choose versions that were issued."),
    ):
        refused = await client.get(url + query)
        assert refused.status_code == 400, query
        assert message in refused.text
        assert "<ins>" not in refused.text
    # Reversed, the older text is the one inserted.
    backwards = await client.get(f"{url}?old=2&new=1")
    assert backwards.status_code == 200
    assert "<ins>发货前</ins>" in backwards.text


async def test_a_contract_issued_once_has_nothing_to_compare(
    client: PortalClient, cast: Cast
) -> None:
    template = await make_template(cast.admin)
    contract = await make_contract(cast.admin, cast.distributor_a, template)
    await issue(cast.admin, contract)
    await _in_language(cast.kam, "en")
    await client.sign_in(cast.kam)
    page = await client.get(f"/contracts/{contract['uuid']}/compare")
    assert page.status_code == 200
    assert "Fewer than two versions have been issued" in page.text
    detail = await client.get(f"/contracts/{contract['uuid']}")
    assert "/compare" not in detail.text
