"""Country and province names, as Shopify writes them in ``LocationAddress``.

Shopify answers ``address.country`` and ``address.province`` with names ("United Kingdom",
"New South Wales") beside the codes (docs/shopify-captures.md §3.3). Country names come from
Shopify's own schema (``schemas/countries.json``, derived by scripts/derive_schema.py from the
``CountryCode`` descriptions). Province names are listed here for the countries whose
provinces the sandbox knows: the United States, Canada, Australia and the United Arab
Emirates (the recorded ones, then the usual English names Shopify uses). Elsewhere the
province answers with its code: a stated limit of the sandbox (README, sandbox choices).
"""

from __future__ import annotations

import json
from functools import cache
from pathlib import Path

SCHEMA_DIR = Path(__file__).parent / "schemas"

PROVINCES: dict[str, dict[str, str]] = {
    "US": {
        "AL": "Alabama", "AK": "Alaska", "AS": "American Samoa", "AZ": "Arizona",
        "AR": "Arkansas", "CA": "California", "CO": "Colorado", "CT": "Connecticut",
        "DE": "Delaware", "DC": "District of Columbia", "FM": "Federated States of Micronesia",
        "FL": "Florida", "GA": "Georgia", "GU": "Guam", "HI": "Hawaii", "ID": "Idaho",
        "IL": "Illinois", "IN": "Indiana", "IA": "Iowa", "KS": "Kansas", "KY": "Kentucky",
        "LA": "Louisiana", "ME": "Maine", "MH": "Marshall Islands", "MD": "Maryland",
        "MA": "Massachusetts", "MI": "Michigan", "MN": "Minnesota", "MS": "Mississippi",
        "MO": "Missouri", "MT": "Montana", "NE": "Nebraska", "NV": "Nevada",
        "NH": "New Hampshire", "NJ": "New Jersey", "NM": "New Mexico", "NY": "New York",
        "NC": "North Carolina", "ND": "North Dakota", "MP": "Northern Mariana Islands",
        "OH": "Ohio", "OK": "Oklahoma", "OR": "Oregon", "PW": "Palau", "PA": "Pennsylvania",
        "PR": "Puerto Rico", "RI": "Rhode Island", "SC": "South Carolina",
        "SD": "South Dakota", "TN": "Tennessee", "TX": "Texas", "UM": "U.S. Outlying Islands",
        "UT": "Utah", "VT": "Vermont", "VI": "U.S. Virgin Islands", "VA": "Virginia",
        "WA": "Washington", "WV": "West Virginia", "WI": "Wisconsin", "WY": "Wyoming",
        "AA": "Armed Forces Americas", "AE": "Armed Forces Europe",
        "AP": "Armed Forces Pacific",
    },
    "CA": {
        "AB": "Alberta", "BC": "British Columbia", "MB": "Manitoba", "NB": "New Brunswick",
        "NL": "Newfoundland and Labrador", "NT": "Northwest Territories", "NS": "Nova Scotia",
        "NU": "Nunavut", "ON": "Ontario", "PE": "Prince Edward Island", "QC": "Quebec",
        "SK": "Saskatchewan", "YT": "Yukon",
    },
    "AU": {
        "ACT": "Australian Capital Territory", "NSW": "New South Wales",
        "NT": "Northern Territory", "QLD": "Queensland", "SA": "South Australia",
        "TAS": "Tasmania", "VIC": "Victoria", "WA": "Western Australia",
    },
    "AE": {
        "AZ": "Abu Dhabi", "AJ": "Ajman", "DU": "Dubai", "FU": "Fujairah",
        "RK": "Ras al-Khaimah", "SH": "Sharjah", "UQ": "Umm al-Quwain",
    },
}  # fmt: skip


@cache
def _countries() -> dict[str, str]:
    names: dict[str, str] = json.loads((SCHEMA_DIR / "countries.json").read_text(encoding="utf-8"))
    return names


def country_name(code: str | None) -> str | None:
    """Shopify's name for a country code (the code itself if Shopify's schema lacks it)."""
    if not code:
        return None
    return _countries().get(code, code)


def province_name(country: str | None, province: str | None) -> str | None:
    """The province's name where the sandbox knows it, else its code."""
    if not province:
        return None
    return PROVINCES.get(country or "", {}).get(province, province)
