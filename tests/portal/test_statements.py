"""A statement built once (partner_portal/statements.py) answers each run with that run's
values, as the same query built afresh would, on either database, inside a transaction
too."""

from __future__ import annotations

from piccolo.query.methods.select import Select

from partner_portal import access
from partner_portal.accounts.services import viewer_for_user_id
from partner_portal.database import one_of, write_transaction
from partner_portal.partners.tables import Organisation
from partner_portal.statements import Parameter, Prepared
from tests.support import Cast


@Prepared
def _named() -> Select:
    return (
        Organisation.select(Organisation.id, Organisation.legal_name)
        .where(one_of(Organisation.id, Parameter("ids")) & (Organisation.kind == Parameter("kind")))
        .order_by(Organisation.id)
    )


@Prepared
def _one() -> Select:
    return (
        Organisation.select(Organisation.legal_name)
        .where(Organisation.id == Parameter("id"))
        .limit(1)
    )


async def test_each_run_binds_its_own_values(cast: Cast) -> None:
    ids = [cast.distributor_a.id, cast.distributor_b.id, cast.retailer_a.id]

    distributors = await _named.rows(ids=ids, kind="distributor")
    retailers = await _named.rows(ids=ids, kind="retailer")

    assert distributors == await Organisation.select(
        Organisation.id, Organisation.legal_name
    ).where(Organisation.id.is_in(ids) & (Organisation.kind == "distributor")).order_by(
        Organisation.id
    )
    assert [row["id"] for row in distributors] == [cast.distributor_a.id, cast.distributor_b.id]
    assert [row["id"] for row in retailers] == [cast.retailer_a.id]
    assert await _named.rows(ids=[], kind="distributor") == []


async def test_first_is_the_row_or_none(cast: Cast) -> None:
    assert await _one.first(id=cast.mill.id) == {"legal_name": cast.mill.legal_name}
    assert await _one.first(id=-1) is None


async def test_a_run_inside_a_transaction_sees_its_uncommitted_changes(cast: Cast) -> None:
    async with write_transaction():
        await Organisation.update({Organisation.legal_name: "Renamed in this transaction"}).where(
            Organisation.id == cast.bank.id
        )
        assert await _one.first(id=cast.bank.id) == {"legal_name": "Renamed in this transaction"}


async def test_a_run_shows_its_sql_as_a_piccolo_query_does(cast: Cast) -> None:
    from partner_portal.database import current_engine

    engine_class = type(current_engine())
    original = engine_class.run_querystring
    shown: list[str] = []

    async def recording(
        self: object, querystring: object, *args: object, **kwargs: object
    ) -> object:
        shown.append(str(querystring))
        return await original(self, querystring, *args, **kwargs)  # type: ignore[arg-type]

    engine_class.run_querystring = recording  # type: ignore[method-assign, assignment]
    try:
        await _one.first(id=cast.mill.id)
    finally:
        engine_class.run_querystring = original  # type: ignore[method-assign]
    assert shown == [
        str(
            Organisation.select(Organisation.legal_name)
            .where(Organisation.id == cast.mill.id)
            .limit(1)
        )
    ]


@Prepared
def _visible_organisations(viewer: access.Viewer) -> Select:
    return access.scoped(Organisation.select(Organisation.id), viewer).order_by(Organisation.id)


async def test_a_statement_narrowed_for_the_viewer_answers_each_viewer_with_their_own_rows(
    cast: Cast,
) -> None:
    """Built once per role, run for each viewer: two distributors (one built it, the other
    reuses it), a KAM and the brand's admin see what the access policy gives each."""
    members = (cast.distributor, cast.other_distributor, cast.retailer, cast.kam, cast.other_kam)
    for member in (*members, cast.admin):
        viewer = await viewer_for_user_id(member.id)
        expected = await access.scoped(Organisation.select(Organisation.id), viewer).order_by(
            Organisation.id
        )
        assert await _visible_organisations.rows(viewer) == expected, member
    first = await _visible_organisations.rows(await viewer_for_user_id(cast.distributor.id))
    assert [row["id"] for row in first] == sorted([cast.distributor_a.id, cast.retailer_a.id]), (
        "a distributor sees its own organisation and the retailers it serves"
    )
