"""inventoryItemUpdate: an inventory item's own attributes (cost, tracking, customs data, weight).

Validation messages are Shopify's (facts §5.7). ``countryHarmonizedSystemCodes`` replaces the
whole list when present and is untouched when absent: Shopify does not document replace-vs-merge
(UNVERIFIED), and full replacement is the reading under which a client that always sends the
complete desired list is correct either way.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from typing import Any

from . import ids
from .state import State, now_iso
from .user_errors import UserError, path

_HS_CODE_RE = re.compile(r"^\d{6,13}$")
_PROVINCE_RE = re.compile(r"^[A-Z0-9]{1,3}$")
_WEIGHT_ABBREVIATIONS = {"KILOGRAMS": "kg", "GRAMS": "g", "POUNDS": "lb", "OUNCES": "oz"}
# Enum values that exist in CountryCode but are not a country of origin Shopify accepts.
_NOT_A_COUNTRY = frozenset({"ZZ"})
HS_CODE_MESSAGE = "Harmonized system code must be a number between six and thirteen digits"


@dataclass
class UpdateOutcome:
    item_id: int | None = None
    errors: list[UserError] = field(default_factory=list)


def decimal_string(value: Decimal) -> str:
    """Shopify's Decimal output: no exponent, trailing zeros trimmed, at least one decimal."""
    text = format(value.normalize(), "f")
    if "." not in text:
        return text + ".0"
    return text


def parse_decimal(value: Any) -> Decimal | None:
    """Decimal accepts a JSON number or a numeric string (seed-000 sends 145.89)."""
    if isinstance(value, bool):
        return None
    try:
        return Decimal(str(value))
    except InvalidOperation:
        return None


def _number(value: float) -> str:
    return f"{value:g}"


def update_item(state: State, item_gid: str, inp: dict[str, Any]) -> UpdateOutcome:
    number = ids.parse(item_gid, "InventoryItem")
    with state.transaction() as conn:
        exists = (
            number is not None
            and conn.execute("SELECT 1 FROM items WHERE id = ?", (number,)).fetchone()
        )
        if not exists:
            return UpdateOutcome(
                errors=[
                    UserError(
                        path("id"), "The product couldn't be updated because it does not exist."
                    )
                ]
            )
        assert number is not None
        errors: list[UserError] = []
        columns: dict[str, Any] = {}
        if "cost" in inp:
            cost = None if inp["cost"] is None else parse_decimal(inp["cost"])
            if inp["cost"] is not None and cost is None:
                errors.append(UserError(path("input", "cost"), "Cost is invalid"))
            elif cost is not None and cost < 0:
                errors.append(
                    UserError(path("input", "cost"), "Cost must be greater than or equal to 0")
                )
            else:
                columns["cost"] = None if cost is None else decimal_string(cost)
        if "tracked" in inp and inp["tracked"] is not None:
            columns["tracked"] = int(bool(inp["tracked"]))
        if "sku" in inp:
            columns["sku"] = inp["sku"]
        if "requiresShipping" in inp and inp["requiresShipping"] is not None:
            columns["requires_shipping"] = int(bool(inp["requiresShipping"]))
        if "countryCodeOfOrigin" in inp:
            country = inp["countryCodeOfOrigin"]
            if country in _NOT_A_COUNTRY:
                errors.append(
                    UserError(
                        path("input", "countryCodeOfOrigin"), "Country code of origin is invalid"
                    )
                )
            else:
                columns["country_code"] = country
        if "provinceCodeOfOrigin" in inp:
            province = inp["provinceCodeOfOrigin"]
            if province is not None and not _PROVINCE_RE.match(province):
                errors.append(
                    UserError(
                        path("input", "provinceCodeOfOrigin"),
                        "Province code of origin is invalid",  # UNVERIFIED
                    )
                )
            else:
                columns["province_code"] = province
        if "harmonizedSystemCode" in inp:
            code = inp["harmonizedSystemCode"]
            if code is not None and not _HS_CODE_RE.match(code):
                errors.append(UserError(path("input", "harmonizedSystemCode"), HS_CODE_MESSAGE))
            else:
                columns["hs_code"] = code
        weight = (inp.get("measurement") or {}).get("weight")
        if weight is not None:
            value, unit = float(weight["value"]), weight["unit"]
            if value < 0:
                abbreviation = _WEIGHT_ABBREVIATIONS[unit]
                errors.append(
                    UserError(
                        path("input", "measurement", "weight"),
                        f"Measurement weight value {_number(value)} {abbreviation} must be >= 0 "
                        f"{abbreviation}",
                    )
                )
            else:
                columns["weight_value"] = value
                columns["weight_unit"] = unit
        country_codes = inp.get("countryHarmonizedSystemCodes")
        if country_codes is not None:
            for i, entry in enumerate(country_codes):
                if not _HS_CODE_RE.match(entry["harmonizedSystemCode"]):
                    errors.append(
                        UserError(
                            path(
                                "input", "countryHarmonizedSystemCodes", i, "harmonizedSystemCode"
                            ),
                            HS_CODE_MESSAGE,
                        )
                    )
                elif entry.get("countryCode") is None and "harmonizedSystemCode" not in inp:
                    # 2026-01+: a null countryCode "represents global harmonized system code";
                    # the output list only holds per-country codes (CountryCode!), so it lands
                    # on harmonizedSystemCode (UNVERIFIED reading of the schema).
                    columns["hs_code"] = entry["harmonizedSystemCode"]
            country_codes = [e for e in country_codes if e.get("countryCode") is not None]
        if errors:
            return UpdateOutcome(errors=errors)
        stamp = now_iso()
        columns["updated_at"] = stamp
        assignments = ", ".join(f"{column} = ?" for column in columns)
        conn.execute(
            f"UPDATE items SET {assignments} WHERE id = ?",  # noqa: S608 - fixed column names
            (*columns.values(), number),
        )
        if country_codes is not None:
            conn.execute("DELETE FROM country_hs_codes WHERE item_id = ?", (number,))
            conn.executemany(
                "INSERT INTO country_hs_codes (item_id, position, country_code, hs_code) "
                "VALUES (?, ?, ?, ?)",
                [
                    (number, i, entry.get("countryCode"), entry["harmonizedSystemCode"])
                    for i, entry in enumerate(country_codes)
                ],
            )
        return UpdateOutcome(item_id=number)
