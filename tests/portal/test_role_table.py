"""The role table (partner_portal/access/roles.py) and the actions the kernel and the modules
declare agree, and docs/ACCESS.md shows the table as it is."""

from __future__ import annotations

from pathlib import Path

from partner_portal.access import ActionSet
from partner_portal.access.roles import (
    NOT_FOR_BRAND_ADMINS,
    ORGANISATION_ADMIN_ONLY,
    OWN_ORGANISATION_ONLY,
    ROLE_ACTIONS,
)
from partner_portal.access.table import access_table
from partner_portal.app import register_plugins
from partner_portal.partners.tables import Role
from partner_portal.registries import registry

ACCESS_MD = Path(__file__).resolve().parents[2] / "docs" / "ACCESS.md"
KERNEL_AREAS = {"partners", "users", "audit", "catalog", "orders", "notifications"}


def declared_sets() -> list[type[ActionSet]]:
    register_plugins()
    return list(registry.action_sets.values())


def declared_actions() -> set[str]:
    return {action.value for actions in declared_sets() for action in actions}


def test_every_module_declares_its_actions_under_its_own_name() -> None:
    for actions in declared_sets():
        package = actions.__module__.split(".")[0]
        areas = {action.value.split(".", 1)[0] for action in actions}
        expected = KERNEL_AREAS if package == "partner_portal" else {package}
        assert areas <= expected, f"{actions.__name__} declares actions of {areas - expected}"


def test_no_two_sets_declare_the_same_action() -> None:
    values = [action.value for actions in declared_sets() for action in actions]
    assert len(values) == len(set(values))


def test_every_declared_action_is_a_brand_admins_or_withheld_on_purpose() -> None:
    admin = ROLE_ACTIONS[Role.brand_admin]
    undecided = {action for action in declared_actions() if action not in admin}
    assert undecided == set(NOT_FOR_BRAND_ADMINS)
    assert not admin & set(NOT_FOR_BRAND_ADMINS)


def test_every_action_the_table_names_is_declared() -> None:
    named = set().union(
        *ROLE_ACTIONS.values(), OWN_ORGANISATION_ONLY, ORGANISATION_ADMIN_ONLY, NOT_FOR_BRAND_ADMINS
    )
    assert named - declared_actions() == set()


def test_the_table_names_every_role() -> None:
    assert set(ROLE_ACTIONS) == set(Role)


def test_docs_access_md_shows_the_table_as_it_is() -> None:
    expected = access_table(declared_sets(), registry.scoped_tables.values())
    assert ACCESS_MD.read_text(encoding="utf-8") == expected, (
        "docs/ACCESS.md is out of date: run .venv/bin/python scripts/access_table.py"
    )
