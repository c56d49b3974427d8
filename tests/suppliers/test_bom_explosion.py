"""BOM explosion and netting arithmetic, checked by hand."""

from __future__ import annotations

from decimal import Decimal

from suppliers.planning import (
    BomRow,
    Firmness,
    GarmentDemand,
    MaterialStock,
    explode,
    net,
    resolve_bom,
)

SHELL, LINING, BUTTON = 1, 2, 3
BLK, NVY = 10, 11
S, M, XL = 20, 21, 22
BOM = {
    7: [
        # Shell fabric grows with size: 1.45 m for M, 1.60 m for XL, 1.40 m otherwise; 5 % wastage.
        BomRow(7, SHELL, None, None, Decimal("1.40"), Decimal("5")),
        BomRow(7, SHELL, None, M, Decimal("1.45"), Decimal("5")),
        BomRow(7, SHELL, None, XL, Decimal("1.60"), Decimal("5")),
        # Lining only in black garments.
        BomRow(7, LINING, BLK, None, Decimal("0.80"), Decimal("0")),
        # Seven buttons, 3 % lost in sewing.
        BomRow(7, BUTTON, None, None, Decimal("7"), Decimal("3")),
    ]
}


def test_the_most_specific_bom_line_wins_and_wastage_is_added() -> None:
    assert resolve_bom(BOM[7], BLK, M) == {
        SHELL: Decimal("1.5225"),  # 1.45 × 1.05
        LINING: Decimal("0.80"),
        BUTTON: Decimal("7.21"),  # 7 × 1.03
    }
    assert resolve_bom(BOM[7], NVY, XL) == {SHELL: Decimal("1.68"), BUTTON: Decimal("7.21")}
    assert resolve_bom(BOM[7], NVY, S)[SHELL] == Decimal("1.47")


def test_an_unknown_size_takes_the_general_line() -> None:
    assert resolve_bom(BOM[7], NVY, None)[SHELL] == Decimal("1.47")


def demand(colour: int, size: int, week: int, quantity: int, firmness: Firmness) -> GarmentDemand:
    return GarmentDemand(7, colour, size, week, firmness, Decimal(quantity))


def test_garments_explode_into_material_weeks_before_they_are_needed() -> None:
    lines = [
        demand(BLK, M, 4, 100, Firmness.firm),
        demand(NVY, XL, 4, 50, Firmness.likely),
        # Needed before the horizon starts: material is needed now.
        demand(NVY, M, 1, 10, Firmness.firm),
        # Beyond the horizon once moved two weeks earlier: left out.
        demand(NVY, M, 9, 10, Firmness.firm),
    ]
    result = explode(lines, BOM, weeks=6, cut_lead_weeks=2)
    shell = result[SHELL].gross
    # Week 2: 100 × 1.5225 = 152.25 firm; 50 × 1.68 = 84 likely.
    assert shell[Firmness.firm][2] == Decimal("152.25")
    assert shell[Firmness.likely][2] == Decimal("84.00")
    # Week 0: 10 × 1.5225.
    assert shell[Firmness.firm][0] == Decimal("15.225")
    assert sum(shell[Firmness.firm]) == Decimal("167.475")
    assert result[LINING].gross[Firmness.firm][2] == Decimal("80.00")
    # 150 garments × 7.21 buttons in week 2.
    buttons = result[BUTTON].gross
    assert buttons[Firmness.firm][2] + buttons[Firmness.likely][2] == Decimal("1081.50")


def test_stock_and_open_purchase_orders_cover_firm_demand_first() -> None:
    result = explode(
        [demand(BLK, M, 4, 100, Firmness.firm), demand(NVY, XL, 4, 50, Firmness.likely)],
        BOM,
        weeks=6,
        cut_lead_weeks=2,
    )
    shell = result[SHELL]
    receipts = [Decimal(0), Decimal(50), Decimal(0), Decimal(0), Decimal(0), Decimal(0)]
    net(shell, MaterialStock(SHELL, 99, "metre", Decimal(100)), receipts)
    # 236.25 m needed in week 2; 100 on hand + 50 arriving in week 1 leave 86.25 m.
    assert shell.net_total == [0, 0, Decimal("86.250"), 0, 0, 0]
    # The 150 m cover the firm 152.25 m first: 2.25 m of the net is firm.
    assert shell.net_firm[2] == Decimal("2.250")

    buttons = result[BUTTON]
    net(buttons, MaterialStock(BUTTON, 99, "piece", Decimal(0)), [Decimal(0)] * 6)
    # 1081.5 buttons are ordered as 1082 pieces.
    assert buttons.net_total[2] == Decimal("1082")
