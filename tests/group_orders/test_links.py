"""Personal links: unguessable, untamperable, expiring, and showing one person only."""

from __future__ import annotations

import re
from datetime import timedelta
from typing import Any

from group_orders import links
from group_orders.records import CampaignRecord, EmployeeRecord
from group_orders.tables import Employee
from tests.group_orders.support import (
    NOW,
    add_people,
    choice_form,
    items,
    make_campaign,
    make_uniform,
    token_for,
)
from tests.support import Cast, PortalClient


async def _two_people(cast: Cast) -> tuple[CampaignRecord, list[EmployeeRecord]]:
    campaign = await make_campaign(cast, await make_uniform())
    people = await add_people(campaign, ("E1", "王小明", "零售"), ("E2", "李秀英", "运营"))
    return campaign, sorted(people, key=lambda person: person.employee_number)


async def test_a_link_opens_only_its_own_employees_page(
    client: PortalClient, cast: Cast, settings: Any, frozen_clock: Any
) -> None:
    frozen_clock.frozen_at = NOW
    campaign, (first, second) = await _two_people(cast)
    offered = await items(campaign)
    second_url = f"/g/{token_for(campaign, second, settings.secret_key)}"
    await client.post_form(second_url, choice_form(offered, {0: ("175/92A", 2)}, action="save"))
    response = await client.get(f"/g/{token_for(campaign, first, settings.secret_key)}?lang=en")
    assert response.status_code == 200
    assert "王小明" in response.text
    # the employee number as a word: the page's signed links may contain "E2" by chance
    assert "李秀英" not in response.text
    assert not re.search(r"(?<![\w.-])E2(?![\w.-])", response.text)
    # The second person's chosen size is not pre-selected on the first person's page.
    assert (
        f'name="qty_{offered[0].uuid}" type="number" min="0" max="2" inputmode="numeric" value="0"'
        in response.text
    )


async def test_guessed_tampered_and_expired_links_get_a_plain_error_page(
    client: PortalClient, cast: Cast, settings: Any, frozen_clock: Any
) -> None:
    frozen_clock.frozen_at = NOW
    campaign, (person, _other) = await _two_people(cast)
    token = token_for(campaign, person, settings.secret_key)
    key, expires, signature = token.split(".")
    forged_expiry = f"{key}.{int(expires) + 86_400 * 365}.{signature}"
    other_key = f"{links.new_link_key()}.{expires}.{signature}"
    flipped = token[:-1] + ("A" if token[-1] != "A" else "B")
    signed_elsewhere = links.make_token("another-secret", person.link_key, NOW + timedelta(days=9))
    for bad in (
        "nonsense",
        forged_expiry,
        other_key,
        flipped,
        signed_elsewhere,
        "a.b.c",
        "1.99999999999999.x",
    ):
        response = await client.get(f"/g/{bad}")
        assert response.status_code == 404, bad
        assert "This link does not work" in response.text
        assert "王小明" not in response.text
    posted = await client.post_form(f"/g/{flipped}", {"action": "save"})
    assert posted.status_code == 404
    frozen_clock.frozen_at = NOW + timedelta(days=14 + 31)
    expired = await client.get(f"/g/{token}")
    assert expired.status_code == 404


async def test_a_link_signed_with_a_far_expiry_ends_when_the_campaigns_links_do(
    client: PortalClient, cast: Cast, settings: Any, frozen_clock: Any
) -> None:
    # Whoever holds the key (or a link signed with a leaked one) cannot make a link that
    # outlives its campaign: the server bounds the expiry by the campaign's own dates.
    frozen_clock.frozen_at = NOW
    campaign, (person, _other) = await _two_people(cast)
    ten_years = links.make_token(settings.secret_key, person.link_key, NOW + timedelta(days=3650))
    assert (await client.get(f"/g/{ten_years}")).status_code == 200
    frozen_clock.frozen_at = links.link_expiry(campaign.closes_on) + timedelta(minutes=1)
    response = await client.get(f"/g/{ten_years}")
    assert response.status_code == 404
    assert "王小明" not in response.text


async def test_after_the_closing_date_the_link_shows_the_choices_but_refuses_changes(
    client: PortalClient, cast: Cast, settings: Any, frozen_clock: Any
) -> None:
    frozen_clock.frozen_at = NOW
    campaign, (person, _other) = await _two_people(cast)
    offered = await items(campaign)
    url = f"/g/{token_for(campaign, person, settings.secret_key)}?lang=en"
    saved = await client.post_form(url, choice_form(offered, {0: ("170/88A", 1)}, action="save"))
    assert saved.status_code == 200 and "Your choices are saved" in saved.text
    frozen_clock.frozen_at = NOW + timedelta(days=20)
    shown = await client.get(url)
    assert shown.status_code == 200 and "not open for choices" in shown.text
    refused = await client.post_form(url, choice_form(offered, {0: ("175/92A", 2)}, action="save"))
    assert refused.status_code == 400 and "closed" in refused.text


async def test_the_page_speaks_the_employees_language(
    client: PortalClient, cast: Cast, settings: Any, frozen_clock: Any
) -> None:
    frozen_clock.frozen_at = NOW
    campaign, (person, _other) = await _two_people(cast)
    url = f"/g/{token_for(campaign, person, settings.secret_key)}"
    korean = await client.get(url + "?lang=ko")
    assert 'lang="ko"' in korean.text and "Service shirt 한" in korean.text
    chinese = await client.get(url + "?lang=zh_Hans")
    assert "Service shirt 中" in chinese.text


async def test_the_link_sheet_prints_each_persons_own_link_with_its_qr_code(
    client: PortalClient, cast: Cast, settings: Any
) -> None:
    campaign, (with_mail, without_mail) = await _two_people(cast)
    await Employee.update({Employee.email: ""}).where(Employee.id == without_mail.id)
    await client.sign_in(cast.client)

    sheet = await client.get(f"/group-orders/{campaign.uuid}/link-sheet")
    assert sheet.status_code == 200
    assert without_mail.name in sheet.text and with_mail.name not in sheet.text
    assert f"/g/{token_for(campaign, without_mail, settings.secret_key)}" in sheet.text
    assert sheet.text.count('class="go-qr"><svg') == 1

    everyone = await client.get(f"/group-orders/{campaign.uuid}/link-sheet?who=all")
    for person in (with_mail, without_mail):
        assert f"/g/{token_for(campaign, person, settings.secret_key)}" in everyone.text
    assert everyone.text.count('class="go-qr"><svg') == 2
