"""The marketplace's currency, as the context panel writes prices in it: the `CURRENCY`
setting, an ISO 4217 code ("USD"), or CS-Cart's own description of its primary currency (the
JSON of its `currencies` record: `currency_code`, `symbol`, `after` "Y"/"N", `decimals`,
`decimals_separator`, `thousands_separator`), so that prices read as the storefront writes them.

Plain rules: no nameko, no HTTP.
"""

import json
import re
from dataclasses import asdict, dataclass
from typing import Any

CODE = re.compile(r"^[A-Z]{3}$")


@dataclass(frozen=True)
class Currency:
    code: str
    # None: the reader's browser writes the code's own symbol, decimals and separators.
    symbol: str | None = None
    after: bool = False  # the symbol follows the amount ("89,00 €")
    decimals: int | None = None
    decimals_separator: str | None = None
    thousands_separator: str | None = None

    def as_context(self) -> dict[str, Any]:
        return asdict(self)


def currency_setting(text: str) -> Currency:
    """The `CURRENCY` setting read; ValueError names what is wrong with it."""
    text = (text or "").strip()
    if not text.startswith("{"):
        if not CODE.match(text.upper()):
            raise ValueError(
                f"CURRENCY must be a three-letter ISO 4217 code or CS-Cart's currency as JSON, not {text!r}"
            )
        return Currency(text.upper())
    try:
        described = json.loads(text)
    except ValueError:
        raise ValueError("CURRENCY is not valid JSON") from None
    code = str(described.get("currency_code", "")).upper()
    if not CODE.match(code):
        raise ValueError("CURRENCY's currency_code must be a three-letter ISO 4217 code")
    decimals = described.get("decimals", 2)
    if isinstance(decimals, bool) or not str(decimals).isdigit() or int(decimals) > 6:
        raise ValueError("CURRENCY's decimals must be a whole number from 0 to 6")
    return Currency(
        code=code,
        symbol=_text(described.get("symbol"), code),
        after=described.get("after") in ("Y", True),
        decimals=int(decimals),
        decimals_separator=_text(described.get("decimals_separator"), "."),
        thousands_separator=_text(described.get("thousands_separator"), ","),
    )


def _text(value: object, default: str) -> str:
    # CS-Cart may leave a separator empty (no thousands separator): that is a choice, kept.
    return default if value is None else str(value)[:10]
