"""EAN-13 check digits (money by currency: tests/portal/test_input_parsers.py)."""

from partner_portal.catalog.forms import is_valid_ean13


def test_it_accepts_an_ean13_with_the_right_check_digit() -> None:
    assert is_valid_ean13("6901234567892")
    assert is_valid_ean13("8801234567893")
    assert is_valid_ean13("4006381333931")  # any GS1 prefix, not only China's and Korea's


def test_it_refuses_a_wrong_check_digit_or_length() -> None:
    assert not is_valid_ean13("6901234567891")
    assert not is_valid_ean13("690123456789")
    assert not is_valid_ean13("69012345678921")
    assert not is_valid_ean13("69012345678９2")
