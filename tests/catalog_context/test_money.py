"""The CURRENCY setting: a code, or CS-Cart's description of its currency; anything else stops
the catalog service as it starts."""

import pytest

from services.catalog_context.money import Currency, currency_setting


def test_a_code_alone_leaves_the_writing_to_the_readers_browser():
    assert currency_setting(" usd ") == Currency("USD")


def test_cscarts_currency_record_is_read_with_its_own_field_names():
    assert currency_setting(
        '{"currency_code": "SEK", "symbol": "kr", "after": "Y", "decimals": 0, '
        '"decimals_separator": ",", "thousands_separator": " ", "coefficient": "1"}'
    ) == Currency("SEK", "kr", True, 0, ",", " ")
    assert currency_setting('{"currency_code": "GBP", "symbol": "£"}') == Currency("GBP", "£", False, 2, ".", ",")


@pytest.mark.parametrize(
    "text",
    [
        "",
        "dollars",
        "US",
        '{"symbol": "$"}',
        '{"currency_code": "USD", "decimals": -1}',
        '{"currency_code": "USD", "decimals": 9}',
        "{not json",
    ],
)
def test_a_wrong_currency_is_refused(text):
    with pytest.raises(ValueError):
        currency_setting(text)
