"""The forecast most supplier-portal tests answer: two suppliers' materials on one style,
orders from named buyers, two published versions."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest

from partner_portal.app import register_plugins
from partner_portal.partners.tables import Organisation
from suppliers import forecasting
from tests.suppliers.support import (
    NOW,
    SHIP,
    add_bom,
    add_order,
    make_material,
    make_style,
)
from tests.support import Cast


@pytest.fixture
async def forecast(cast: Cast, frozen_clock: Any) -> dict[str, Any]:
    """Two suppliers' materials on one style, orders from named buyers, two versions."""
    register_plugins()
    frozen_clock.frozen_at = NOW
    now = datetime.now(UTC)
    rival = await Organisation.insert(
        Organisation(
            kind="trim_supplier", legal_name="苏州恒达辅料", status="active",
            created_at=now, updated_at=now,
        )
    ).returning(Organisation.id)  # fmt: skip
    shirt = await make_style()
    shell = await make_material(cast.mill.id, "HF-POP-120")
    buttons = await make_material(rival[0]["id"], "HD-BTN-18L", kind="trim", unit="piece")
    await add_bom(shirt, shell["id"], "1.5")
    await add_bom(shirt, buttons["id"], "7")
    await add_order(
        cast.distributor_a.id, shirt, {("BLK", "M"): 100}, status="confirmed", ship_date=SHIP,
        number="SO-000777", customer_po="JC-PO-2027-001",
    )  # fmt: skip
    await forecasting.publish_forecast(None)
    await add_order(
        cast.distributor_b.id, shirt, {("NVY", "S"): 40}, status="submitted", ship_date=SHIP,
        number="SO-000778", customer_po="SEOUL-PO-55",
    )  # fmt: skip
    await forecasting.publish_forecast(None)
    return {"shell": shell, "buttons": buttons}
