"""The served OpenAPI document is valid OpenAPI 3.1 and tells an integration client the
whole contract (every request body, the bearer scheme, the Idempotency-Key header, problem
answers); and schemathesis, an independent client generating requests from that document,
finds no server error and no answer that differs from it, on every operation, with rows of
the demo behind the ids in its paths."""

from __future__ import annotations

import asyncio
import sys
from pathlib import Path
from typing import Any

from openapi_spec_validator import validate

from tests.support import Demo, Member, Org, PortalClient, demo_member

BODIES = {
    ("post", "/api/v1/orders"): "DraftInput",
    ("put", "/api/v1/orders/{order_id}/lines"): "LinesInput",
    ("post", "/api/v1/orders/{order_id}/status"): "StatusInput",
    ("post", "/api/v1/orders/{order_id}/shipments"): "ShipmentInputBody",
    ("post", "/api/v1/cases"): "CaseInput",
    ("post", "/api/v1/deal-registrations"): "RegistrationInput",
    ("post", "/api/v1/partners"): "PartnerInput",
    ("post", "/api/v1/follow-ups"): "FollowUpBody",
    ("post", "/api/v1/follow-ups/{follow_up_id}/complete"): "CompletionBody",
    ("post", "/api/v1/webhook-endpoints"): "EndpointBody",
    ("put", "/api/v1/webhook-endpoints/{endpoint_id}"): "EndpointBody",
    ("post", "/api/v1/styles"): "StyleIn",
    ("put", "/api/v1/styles/{style_id}"): "StyleUpdateIn",
    ("post", "/api/v1/styles/bulk"): "StylesIn",
}
IDEMPOTENT = (
    ("post", "/api/v1/orders"),
    ("post", "/api/v1/orders/{order_id}/submit"),
    ("post", "/api/v1/cases"),
    ("post", "/api/v1/deal-registrations"),
    ("post", "/api/v1/follow-ups"),
    ("post", "/api/v1/follow-ups/{follow_up_id}/complete"),
    ("post", "/api/v1/styles"),
    ("post", "/api/v1/styles/bulk"),
)
# Lists that page with a cursor (among all the others whose answer has a next_cursor).
PAGED = (
    "/api/v1/deal-registrations",
    "/api/v1/cases",
    "/api/v1/suppliers/purchase-orders",
    "/api/v1/contracts",
    "/api/v1/contracts/{contract_id}/versions",
    "/api/v1/orders/{order_id}/shipments",
    "/api/v1/group-campaigns/{campaign_id}/employees",
    "/api/v1/group-campaigns/{campaign_id}/responses",
    "/api/v1/webhook-endpoints",
    "/api/v1/rebates/{partner_id}/ledger",
    "/api/v1/insights/segments",
    "/api/v1/follow-ups",
)
# A few generated requests per operation keep the run short (the coverage phase, which
# tries every boundary of every parameter, takes minutes); the seed makes a
# failure reproducible.
MAX_EXAMPLES = 5
SEED = 18


async def _document(client: PortalClient) -> dict[str, Any]:
    response = await client.get("/schema/openapi.json")
    assert response.status_code == 200
    return response.json()  # type: ignore[no-any-return]


def _schema_name(operation: dict[str, Any]) -> str:
    reference = operation["requestBody"]["content"]["application/json"]["schema"]["$ref"]
    return str(reference.rsplit("/", 1)[1])


def _answer_schema(operation: dict[str, Any]) -> dict[str, Any]:
    answer = operation["responses"]["200"]["content"]["application/json"]["schema"]
    return answer  # type: ignore[no-any-return]


async def test_the_document_is_valid_openapi_and_declares_the_whole_contract(
    client: PortalClient,
) -> None:
    document = await _document(client)

    validate(document)
    assert document["openapi"].startswith("3.1")
    assert document["components"]["securitySchemes"]["bearer"] == {
        "type": "http",
        "scheme": "bearer",
        "description": "An API token made under My account.",
    }
    assert document["security"] == [{"bearer": []}]
    paths = document["paths"]
    for (method, path), body in BODIES.items():
        assert _schema_name(paths[path][method]).endswith(body), (method, path)
    for method, path in IDEMPOTENT:
        headers = {
            parameter["name"]
            for parameter in paths[path][method].get("parameters", [])
            if parameter["in"] == "header"
        }
        assert "Idempotency-Key" in headers, (method, path)
    for path, operations in paths.items():
        for method, operation in operations.items():
            if method in ("post", "put", "patch") and "requestBody" in operation:
                assert operation["requestBody"]["content"], (method, path)
            problem = operation["responses"]["404"]["content"]["application/problem+json"]
            assert problem["schema"]["$ref"].endswith("Problem"), (method, path)
    # The stock push reads its own body (to name every bad item) and declares it by hand.
    push = paths["/api/v1/stock-levels"]["post"]
    pushed = push["requestBody"]["content"]["application/json"]["schema"]["properties"]["items"]
    assert pushed["items"]["required"] == ["at_once"]
    assert _answer_schema(push)["$ref"].endswith("StockPushAnswer")
    schemas = document["components"]["schemas"]
    paged = set()
    for path, operations in paths.items():
        answer = operations.get("get", {}).get("responses", {}).get("200", {})
        schema = answer.get("content", {}).get("application/json", {}).get("schema", {})
        if "$ref" in schema:
            schema = schemas[schema["$ref"].rsplit("/", 1)[1]]
        if "next_cursor" in schema.get("properties", {}):
            paged.add(path)
            names = {parameter["name"] for parameter in operations["get"]["parameters"]}
            assert {"cursor", "limit"} <= names, path
    assert paged >= set(PAGED)
    # Every JSON answer is described field by field: a named schema or declared properties,
    # never a bare object an integration cannot read.
    untyped = [
        (method, path)
        for path, operations in paths.items()
        for method, operation in operations.items()
        for status in ("200", "201")
        if (schema := _json_schema(operation, status)) is not None
        and "$ref" not in schema
        and "properties" not in schema
        and schema.get("type") != "array"
    ]
    assert untyped == []


def _json_schema(operation: dict[str, Any], status: str) -> dict[str, Any] | None:
    answer = operation.get("responses", {}).get(status, {})
    content = answer.get("content", {}).get("application/json")
    return None if content is None else content.get("schema", {})


async def _demo_rows(admin: Member) -> dict[str, str]:
    """A real row of the demo for each kind of id in the API's paths, so that generated
    requests reach rows and their answers are checked, not only 404s; and a webhook
    endpoint of the brand with one delivery (the demo has none)."""
    from contracts.tables import Contract, ContractVersion
    from distributors.tables import LineSheet
    from group_orders.tables import Campaign
    from partner_portal.catalog.tables import Style
    from partner_portal.clock import utcnow
    from partner_portal.orders.tables import Order
    from partner_portal.partners.tables import Contact, Organisation, User
    from sales.tables import Opportunity, ServiceCase
    from scheduler.tables import FollowUp
    from suppliers.tables import Material, PurchaseOrder, PurchaseOrderLine
    from tests.webhooks.support import deliver, record_submitted
    from webhooks import signing
    from webhooks.tables import WebhookDelivery, WebhookEndpoint

    async def first(table: Any, condition: Any = None) -> str:
        query = table.select(table.uuid).order_by(table.id)
        row = await (query if condition is None else query.where(condition)).first()
        assert row is not None, table
        return str(row["uuid"])

    partner = await first(Organisation, Organisation.kind == "distributor")
    buyer = (
        await Organisation.select(Organisation.id, Organisation.legal_name)
        .where(Organisation.uuid == partner)
        .first()
    )
    assert buyer is not None
    await WebhookEndpoint.insert(
        WebhookEndpoint(
            organisation=admin.organisation_id,
            url="https://erp.example.com/threadline/events",
            event_types=["order.submitted"],
            secret=signing.new_secret(),
            created_at=utcnow(),
        )
    )
    await record_submitted(
        admin, Org(buyer["id"], partner, buyer["legal_name"], "distributor"), "SO-SCHEMATHESIS"
    )
    await deliver()
    return {
        "partner_id": partner,
        "order_id": await first(Order, Order.buyer == buyer["id"]),
        "campaign_id": await first(Campaign),
        "case_id": await first(ServiceCase),
        "contact_id": await first(Contact, Contact.organisation == buyer["id"]),
        "contract_id": await first(Contract, Contract.issued_number.is_not_null()),
        "version_id": await first(ContractVersion),
        "endpoint_id": await first(WebhookEndpoint),
        "delivery_id": await first(WebhookDelivery),
        "follow_up_id": await first(FollowUp),
        "line_id": await first(PurchaseOrderLine),
        "material_id": await first(Material),
        "opportunity_id": await first(Opportunity),
        "sheet_id": await first(LineSheet),
        "style_id": await first(Style),
        "user_id": await first(User, User.organisation == buyer["id"]),
        "purchase_order_id": await first(PurchaseOrder),
    }


def _configuration(rows: dict[str, str]) -> str:
    """schemathesis.toml: every path id a real row; a supplier PO's order_id its own."""
    purchase_order = rows.pop("purchase_order_id")
    lines = ["[parameters]", *(f'"path.{name}" = "{value}"' for name, value in rows.items())]
    lines += [
        "",
        "[[operations]]",
        'include-path-regex = "^/api/v1/suppliers/purchase-orders/"',
        f'parameters = {{ "path.order_id" = "{purchase_order}" }}',
    ]
    return "\n".join(lines) + "\n"


async def test_a_generated_client_finds_no_server_error_and_no_answer_off_the_document(
    live_server: str, demo: Demo, tmp_path: Path
) -> None:
    from partner_portal.accounts.services import create_api_token, viewer_for_user_id

    admin = await demo_member("brand_admin")
    token = await create_api_token(await viewer_for_user_id(admin.id), "schemathesis")
    configuration = tmp_path / "schemathesis.toml"
    configuration.write_text(_configuration(await _demo_rows(admin)))
    schemathesis = Path(sys.executable).with_name("schemathesis")
    # The CLI runs in its own process, so the server (in this test's event loop) answers it.
    process = await asyncio.create_subprocess_exec(
        str(schemathesis),
        "--config-file",
        str(configuration),
        "run",
        f"{live_server}/schema/openapi.json",
        "--checks",
        "not_a_server_error,status_code_conformance,content_type_conformance,"
        "response_schema_conformance,response_headers_conformance",
        "--phases",
        "examples,fuzzing",
        "--max-examples",
        str(MAX_EXAMPLES),
        "--seed",
        str(SEED),
        "--no-shrink",
        "--workers",
        "1",
        "--header",
        f"Authorization: Bearer {token}",
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.STDOUT,
        cwd=tmp_path,  # where it keeps its cache
    )
    output, _ = await process.communicate()
    report = output.decode()
    assert process.returncode == 0, report[-20_000:]
    # Every operation reached real rows: requests that all answer 404 check little.
    assert "Missing test data" not in report, report[-20_000:]
