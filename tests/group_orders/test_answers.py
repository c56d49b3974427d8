"""What counts as an answer: a suggested size comes with one piece, and nothing chosen
is no answer."""

from __future__ import annotations

from typing import Any

from group_orders import approvals
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


async def test_a_suggested_size_comes_with_one_piece_that_can_be_changed(
    client: PortalClient, cast: Cast, settings: Any, frozen_clock: Any
) -> None:
    frozen_clock.frozen_at = NOW
    campaign = await make_campaign(cast, await make_uniform())
    [person] = await add_people(campaign, ("E1", "王小明", "零售"))
    offered = await items(campaign)
    url = f"/g/{token_for(campaign, person, settings.secret_key)}?lang=en"
    suggested = await client.post_form(
        url, {**choice_form(offered, {}), "height_cm": "175", "chest_cm": "92", "action": "suggest"}
    )
    assert suggested.status_code == 200
    shirt = offered[0]
    size_id = next(size["id"] for size in shirt.sizes if size["label"] == "175/92A")
    assert f'<option value="{size_id}" selected>175/92A' in suggested.text
    assert (
        f'name="qty_{shirt.uuid}" type="number" min="0" max="2" inputmode="numeric" value="1"'
        in (suggested.text)
    )
    # Saved as suggested, with the shirt changed to two pieces.
    form = {
        **choice_form(offered, {0: ("175/92A", 2)}),
        "height_cm": "175",
        "chest_cm": "92",
        "action": "save",
    }
    saved = await client.post_form(url, form)
    assert "Thank you. Your choices are saved" in saved.text
    summary = await approvals.progress(campaign)
    assert (summary.responded, summary.total_quantity) == (1, 2)


async def test_saving_no_pieces_is_not_an_answer(
    client: PortalClient, cast: Cast, settings: Any, frozen_clock: Any
) -> None:
    frozen_clock.frozen_at = NOW
    campaign = await make_campaign(cast, await make_uniform())
    [person] = await add_people(campaign, ("E1", "王小明", "零售"))
    offered = await items(campaign)
    url = f"/g/{token_for(campaign, person, settings.secret_key)}?lang=en"
    await client.post_form(url, {**choice_form(offered, {0: ("175/92A", 1)}), "action": "save"})
    assert (await approvals.progress(campaign)).responded == 1
    # Suggested sizes left at zero pieces: nothing is ordered, so the person has not answered.
    nothing = await client.post_form(url, {**choice_form(offered, {}), "action": "save"})
    assert "Thank you" not in nothing.text
    assert "You have chosen no pieces, so you have not answered yet" in nothing.text
    summary = await approvals.progress(campaign)
    assert (summary.responded, summary.total_quantity) == (0, 0)


async def test_stored_measurements_name_a_suggestion_but_nothing_is_chosen_until_asked(
    client: PortalClient, cast: Cast, settings: Any, frozen_clock: Any
) -> None:
    """A size is never shown chosen with 0 pieces: the page names the suggestion, and
    asking for it chooses it with one piece."""
    from group_orders.tables import Employee

    frozen_clock.frozen_at = NOW
    campaign = await make_campaign(cast, await make_uniform())
    [person] = await add_people(campaign, ("E1", "王小明", "零售"))
    await Employee.update({Employee.height_cm: 175, Employee.chest_cm: 92}).where(
        Employee.id == person.id
    )
    offered = await items(campaign)
    shirt = offered[0]
    url = f"/g/{token_for(campaign, person, settings.secret_key)}?lang=en"
    page = await client.get(url)
    assert "Suggested size: 175/92A" in page.text
    assert " selected>" not in page.text
    assert (
        f'name="qty_{shirt.uuid}" type="number" min="0" max="2" inputmode="numeric" value="0"'
        in (page.text)
    )
    asked = await client.post_form(
        url, {**choice_form(offered, {}), "height_cm": "175", "chest_cm": "92", "action": "suggest"}
    )
    assert " selected>175/92A" in asked.text
    assert (
        f'name="qty_{shirt.uuid}" type="number" min="0" max="2" inputmode="numeric" value="1"'
        in (asked.text)
    )
