import pytest

from partner_portal.accounts.services import password_matches
from partner_portal.accounts.users import create_user_from_cli
from partner_portal.partners.tables import User


async def test_a_brand_role_goes_to_the_brand_and_gets_a_link(cast) -> None:
    message = await create_user_from_cli(
        email="New.Admin@Brand.test",
        display_name="赵敏",
        role="brand_admin",
        organisation="",
        password="",
    )
    assert "/set-password/" in message
    row = await User.select(User.organisation, User.password_hash).where(
        User.email == "new.admin@brand.test"
    )
    assert row == [{"organisation": cast.brand.id, "password_hash": ""}]


async def test_a_password_can_be_set_directly(cast) -> None:
    message = await create_user_from_cli(
        email="buyer2@jincheng.test",
        display_name="刘洋",
        role="distributor",
        organisation="上海锦程贸易有限公司",
        password="long enough password",
    )
    assert "/set-password/" not in message
    row = await User.select(User.password_hash).where(User.email == "buyer2@jincheng.test")
    assert password_matches(row[0]["password_hash"], "long enough password")


async def test_the_organisation_may_be_given_by_uuid(cast) -> None:
    await create_user_from_cli("x@mill.test", "X", "supplier", str(cast.mill.uuid), "")
    row = await User.select(User.organisation).where(User.email == "x@mill.test").first()
    assert row == {"organisation": cast.mill.id}


@pytest.mark.parametrize(
    ("arguments", "message"),
    [
        (("a@b.test", "A", "wizard", "", ""), "unknown role"),
        (("a@b.test", "A", "retailer", "上海锦程贸易有限公司", ""), "does not fit"),
        (("KAM@brand.test", "A", "kam", "", ""), "already exists"),
        (("a@b.test", "A", "retailer", "No Such Shop", ""), "no organisation"),
        (("a@b.test", "A", "retailer", "", ""), "--organisation is required"),
        (("a@b.test", "A", "kam", "", "short"), "at least 10"),
        (("not-an-email", "A", "kam", "", ""), "e-mail"),
    ],
)
async def test_bad_input_is_refused_with_a_clear_message(cast, arguments, message) -> None:
    users_before = await User.count()
    with pytest.raises(ValueError, match=message):
        await create_user_from_cli(*arguments)
    assert await User.count() == users_before


async def test_a_brand_role_without_a_brand_says_what_to_do(database) -> None:
    with pytest.raises(ValueError, match="demo-data"):
        await create_user_from_cli("a@b.test", "A", "brand_admin", "", "")
