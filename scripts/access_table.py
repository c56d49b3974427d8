"""Write docs/ACCESS.md from the role table, every declared action and scoped table.

Run after changing partner_portal/access/roles.py, an action set or SCOPED_TABLES:
    .venv/bin/python scripts/access_table.py
"""

from __future__ import annotations

from pathlib import Path

from partner_portal.access.table import access_table
from partner_portal.app import register_plugins
from partner_portal.registries import registry

ACCESS_MD = Path(__file__).resolve().parents[1] / "docs" / "ACCESS.md"


def main() -> None:
    register_plugins()
    text = access_table(registry.action_sets.values(), registry.scoped_tables.values())
    ACCESS_MD.write_text(text, encoding="utf-8")
    print(f"wrote {ACCESS_MD}")


if __name__ == "__main__":
    main()
