"""EAN-13 check digits and money in each currency's minor units."""

from decimal import Decimal

from partner_portal.catalog.forms import is_valid_ean13, parse_money


def test_it_accepts_an_ean13_with_the_right_check_digit() -> None:
    assert is_valid_ean13("6901234567892")
    assert is_valid_ean13("8801234567893")
    assert is_valid_ean13("4006381333931")  # any GS1 prefix, not only China's and Korea's


def test_it_refuses_a_wrong_check_digit_or_length() -> None:
    assert not is_valid_ean13("6901234567891")
    assert not is_valid_ean13("690123456789")
    assert not is_valid_ean13("69012345678921")
    assert not is_valid_ean13("69012345678９2")


def test_krw_takes_thousands_separators_but_refuses_decimals() -> None:
    assert parse_money("12,000", "KRW") == (Decimal("12000"), None)
    amount, problem = parse_money("12000.5", "KRW")
    assert amount is None and problem
    assert parse_money("35000", "JPY")[0] == Decimal("35000")


def test_cny_keeps_two_decimals() -> None:
    amount, problem = parse_money("199.5", "CNY")
    assert problem is None and amount == Decimal("199.50") and str(amount) == "199.50"
    assert parse_money("1,299.00", "USD")[0] == Decimal("1299.00")
    assert parse_money("1.005", "EUR")[0] is None


def test_it_refuses_what_is_not_an_amount() -> None:
    assert parse_money("abc", "CNY")[0] is None
    assert parse_money("-5", "CNY")[0] is None
    assert parse_money("NaN", "CNY")[0] is None
