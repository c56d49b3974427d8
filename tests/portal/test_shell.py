from tests.support import PortalClient


async def test_a_signed_out_visitor_is_sent_to_the_login_page(client: PortalClient) -> None:
    response = await client.get("/partners?kind=retailer")
    assert response.status_code == 303
    assert response.headers["location"] == "/login?next=/partners%3Fkind%3Dretailer"


async def test_it_signs_in_with_the_right_password(client: PortalClient, cast) -> None:
    await client.log_in(cast.kam)
    response = await client.get("/login")
    assert response.status_code in (302, 303)


async def test_pages_forbid_framing_and_mime_sniffing(client: PortalClient) -> None:
    response = await client.get("/login")
    assert response.headers["x-frame-options"] == "DENY"
    assert response.headers["x-content-type-options"] == "nosniff"
