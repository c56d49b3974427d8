"""The kernel's parsers of typed input (partner_portal/inputs.py): money by its currency's
minor unit, decimals, quantities, dates and text, each returning the value or why not."""

from collections.abc import Iterator
from datetime import date
from decimal import Decimal

import pytest

from partner_portal import i18n, inputs
from partner_portal.inputs import Invalid


@pytest.fixture
def korean() -> Iterator[None]:
    token = i18n.current_locale.set("ko")
    try:
        yield
    finally:
        i18n.current_locale.reset(token)


def refused(parsed: object) -> str:
    assert isinstance(parsed, Invalid), parsed
    return parsed.text()


# ---------------------------------------------------------------------------
# Money


def test_krw_and_jpy_amounts_are_whole_and_take_thousands_separators() -> None:
    assert inputs.money("12,000", "KRW") == Decimal("12000")
    assert str(inputs.money("35000", "JPY")) == "35000"
    assert refused(inputs.money("12000.5", "KRW")) == "KRW amounts have no decimals."
    assert refused(inputs.money("199.9", "JPY")) == "JPY amounts have no decimals."
    # Zeros after the point are not decimals: a stored 12000.00 typed back is 12000.
    assert str(inputs.money("12000.00", "KRW")) == "12000"


def test_cny_and_usd_amounts_keep_two_decimals() -> None:
    amount = inputs.money("199.5", "CNY")
    assert amount == Decimal("199.50") and str(amount) == "199.50"
    assert str(inputs.money("1,299.00", "USD")) == "1299.00"
    assert refused(inputs.money("1.005", "USD")) == "USD amounts have at most 2 decimals."
    assert refused(inputs.money("0.125", "CNY")) == "CNY amounts have at most 2 decimals."


def test_full_width_digits_typed_by_an_input_method_are_amounts() -> None:
    assert inputs.money("１２，０００", "KRW") == Decimal("12000")
    assert str(inputs.money("１９９．５", "CNY")) == "199.50"
    assert inputs.money("12 000", "CNY") == Decimal("12000")


def test_money_has_bounds() -> None:
    assert refused(inputs.money("-5", "CNY")) == "The amount cannot be negative."
    assert inputs.money("9999999999.99", "CNY") == inputs.MAX_AMOUNT
    assert refused(inputs.money("10000000000", "CNY")) == "The amount is too large."
    assert refused(inputs.money("1" * 200, "CNY")) == "Enter an amount, e.g. 199.00."
    assert inputs.money("-5", "CNY", minimum=Decimal(-10)) == Decimal("-5.00")
    assert inputs.money("5", "CNY", minimum=Decimal(10)) == Invalid(
        inputs.AMOUNT_TOO_SMALL, {"minimum": "10"}
    )


@pytest.mark.parametrize(
    "text", ["", "abc", "NaN", "Infinity", "1e3", "1_000", "²", "12.3.4", "--5", "\x00"]
)
def test_what_is_not_an_amount_is_refused(text: str) -> None:
    assert refused(inputs.money(text, "CNY")) == "Enter an amount, e.g. 199.00."


def test_a_refusal_is_put_in_the_readers_language(korean: None) -> None:
    problem = inputs.money("12000.5", "KRW")
    assert isinstance(problem, Invalid) and problem.message == inputs.NO_DECIMALS
    assert str(problem) == "KRW 금액에는 소수점이 없습니다."


# ---------------------------------------------------------------------------
# Decimals and quantities


def test_a_decimal_keeps_its_places_and_bounds() -> None:
    assert str(inputs.decimal("12.5", places=2, maximum=Decimal(100))) == "12.50"
    assert refused(inputs.decimal("100.5", places=2, maximum=Decimal(100))) == (
        "Enter a number from 0 to 100."
    )
    assert refused(inputs.decimal("33.333", places=2, maximum=Decimal(100))) == (
        "Use at most 2 decimals."
    )
    assert inputs.decimal("-250", places=2, minimum=Decimal(-500), maximum=Decimal(500)) == (
        Decimal("-250.00")
    )


def test_a_quantity_is_a_whole_number_within_its_bounds() -> None:
    assert inputs.quantity("1,200") == 1200
    assert inputs.quantity("１２") == 12
    assert inputs.quantity(" 7 ") == 7
    assert refused(inputs.quantity("")) == "Enter a quantity."
    assert refused(inputs.quantity("0")) == "Enter a quantity above zero."
    assert inputs.quantity("0", allow_zero=True) == 0
    assert refused(inputs.quantity("-3")) == "Enter a whole number."
    assert refused(inputs.quantity("2.5")) == "Enter a whole number."
    assert refused(inputs.quantity("²")) == "Enter a whole number."
    assert inputs.quantity("10000000") == inputs.MAX_QUANTITY
    assert refused(inputs.quantity("10000001")) == "Enter at most 10,000,000."
    assert refused(inputs.quantity("61", maximum=60)) == "Enter at most 60."
    assert refused(inputs.quantity("9" * 400)) == "Enter a whole number."


def test_a_material_quantity_has_decimals_of_its_unit() -> None:
    assert inputs.quantity("1,250.5", decimals=3) == Decimal("1250.5")
    assert inputs.quantity("0", decimals=3, allow_zero=True) == Decimal(0)
    assert refused(inputs.quantity("1.2345", decimals=3)) == "Use at most 3 decimals."
    assert refused(inputs.quantity("abc", decimals=3)) == "Enter a number, e.g. 1250.5."
    assert refused(inputs.quantity("-3", decimals=3)) == "Enter a number that is not negative."
    assert str(inputs.as_written(Decimal("1500000.00"))) == "1500000"
    assert str(inputs.as_written(Decimal("2.50"))) == "2.5"


# ---------------------------------------------------------------------------
# Dates and text


def test_a_date_is_iso_8601() -> None:
    assert inputs.date("2026-03-01") == date(2026, 3, 1)
    assert inputs.date(" 2026-03-01 ") == date(2026, 3, 1)
    for text in ("", "2026-02-30", "01/03/2026", "tomorrow", "2026-03-01" * 5, None):
        assert refused(inputs.date(text)) == "Enter a date as YYYY-MM-DD."
    assert inputs.optional_date("") is None
    assert inputs.optional_date(None) is None
    assert inputs.optional_date("2026-03-01") == date(2026, 3, 1)


def test_text_is_trimmed_bounded_and_refuses_nul() -> None:
    assert inputs.text("  金城贸易  ", limit=10) == "金城贸易"
    assert inputs.text(None, limit=10) == ""
    assert refused(inputs.text("x" * 11, limit=10)) == "At most 10 characters."
    assert refused(inputs.text("", limit=10, required=True)) == "This field is required."
    assert refused(inputs.text("a\x00b", limit=10)).startswith("This text contains a NUL")
    # A form may say what is missing in its own words (still in the reader's language).
    missing = inputs.text("  ", limit=10, required=i18n.N_("Please give a reason."))
    assert refused(missing) == "Please give a reason."


def test_a_fields_text_is_cut_to_its_limit_and_loses_nul() -> None:
    data = {"name": "  한국 상사  ", "long": "가" * 50, "nul": "a\x00b", "none": None}
    assert inputs.field_text(data, "name", 20) == "한국 상사"
    assert inputs.field_text(data, "long", 10) == "가" * 10
    assert inputs.field_text(data, "nul", 10) == "ab"
    assert inputs.field_text(data, "none", 10) == ""
    assert inputs.field_text(data, "missing") == ""


def test_valid_files_a_refusal_under_its_field_and_keeps_the_first() -> None:
    errors: dict[str, str] = {}
    assert inputs.valid(errors, "price", inputs.money("12", "KRW")) == Decimal(12)
    assert inputs.valid(errors, "price", inputs.money("x", "KRW"), "Enter the price.") is None
    assert inputs.valid(errors, "price", inputs.money("-1", "KRW")) is None
    assert errors == {"price": "Enter the price."}
    # A field's own message gives way to what only the parser can tell: the decimals.
    assert inputs.valid(errors, "value", inputs.money("1.5", "KRW"), "Enter the value.") is None
    assert errors["value"] == "KRW amounts have no decimals."
