"""The shop's currency: its minor units (how amounts are rounded) and how amounts are written.

Shopify names a shop's currency with an ISO 4217 code (``shop { currencyCode }``, enum
``CurrencyCode``). Amounts are rounded to the currency's minor units as ISO 4217 lists them:
two for most, none for JPY, KRW, CLP…, three for KWD, BHD, OMR…. A few currencies get their
usual symbol (``-$1,842.00``, ``€12.50``); every other one is written with its code after the
amount (``1,842.00 CHF``), so no symbol is ever ambiguous (CAD is ``CA$``, not ``$``).
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import ROUND_HALF_EVEN, Decimal

# ISO 4217 currencies of Shopify's CurrencyCode enum whose minor unit is not 2.
_MINOR_UNITS: dict[str, int] = {
    **dict.fromkeys(
        (
            "BIF",
            "CLP",
            "DJF",
            "GNF",
            "ISK",
            "JPY",
            "KMF",
            "KRW",
            "PYG",
            "RWF",
            "UGX",
            "VND",
            "VUV",
            "XAF",
            "XOF",
            "XPF",
        ),
        0,
    ),
    **dict.fromkeys(("BHD", "IQD", "JOD", "KWD", "LYD", "OMR", "TND"), 3),
}

_SYMBOLS: dict[str, str] = {
    "USD": "$",
    "CAD": "CA$",
    "AUD": "A$",
    "NZD": "NZ$",
    "EUR": "€",
    "GBP": "£",
    "JPY": "¥",
    "INR": "₹",
}


@dataclass(frozen=True, slots=True)
class Currency:
    code: str

    @property
    def minor_units(self) -> int:
        return _MINOR_UNITS.get(self.code, 2)

    @property
    def quantum(self) -> Decimal:
        """The smallest amount: Decimal("0.01") for USD, Decimal("1") for JPY."""
        return Decimal(1).scaleb(-self.minor_units)

    def round(self, amount: Decimal) -> Decimal:
        """`amount` rounded half-to-even to the currency's minor units (banker's rounding)."""
        return amount.quantize(self.quantum, rounding=ROUND_HALF_EVEN)

    def format(self, amount: Decimal, *, signed: bool = False) -> str:
        """``-$1,842.00``; with `signed`, positive amounts get a ``+`` (``+$500.00``)."""
        rounded = self.round(amount)
        sign = "-" if rounded < 0 else ("+" if signed and rounded > 0 else "")
        digits = f"{abs(rounded):,.{self.minor_units}f}"
        symbol = _SYMBOLS.get(self.code)
        if symbol is not None:
            return f"{sign}{symbol}{digits}"
        return f"{sign}{digits} {self.code}"

    def text(self, amount: Decimal) -> str:
        """The rounded amount as JSON carries it: a plain decimal string (``"-1842.00"``)."""
        return format(self.round(amount), "f")
