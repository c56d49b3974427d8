"""A believable demo partner network: `threadline demo-data [--if-empty]`.

One Chinese apparel brand (杭州锦绣服饰有限公司) with its staff and KAM teams,
fabric and trim suppliers upstream, distributors with their retailers and
corporate group clients downstream, their contacts, addresses, territories and a
few months of timeline. Everything is seeded, so two loads give the same network
(timestamps are relative to the clock). Every demo user signs in with
DEMO_PASSWORD.

One file per area: network.py says who the brand and its partners are, people.py makes
their identifiers, names and phones (public: bench/generate.py builds its large data set
from the same pieces), timeline.py writes their history; organisations.py, catalog.py and
orders.py load the kernel's rows. Each module's rows come from its own ``demo.py``, which
``load_demo_data`` reaches through the plugins it is given (the kernel imports no module).
"""

from __future__ import annotations

import random
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from types import ModuleType

from partner_portal.clock import utcnow
from partner_portal.database import write_transaction
from partner_portal.demo.catalog import CATALOG_SEED, load_catalog
from partner_portal.demo.network import (
    BRAND,
    BRAND_USERS,
    DEMO_PASSWORD,
    PARTNERS,
    SEED,
    partner_role,
)
from partner_portal.demo.orders import ORDERS_SEED, load_orders
from partner_portal.demo.organisations import load_organisations
from partner_portal.partners.tables import Organisation, OrganisationKind
from partner_portal.settings import load_settings

__all__ = ["DEMO_PASSWORD", "DemoLogin", "demo_logins", "load_demo_data"]


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
        counts = await load_organisations(random.Random(SEED), now, password_hash)
        catalog = await load_catalog(
            random.Random(CATALOG_SEED), now, media_dir or load_settings().media_dir
        )
        orders = await load_orders(random.Random(ORDERS_SEED), now)
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
