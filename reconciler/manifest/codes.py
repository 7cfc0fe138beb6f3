"""The fixed vocabularies Shopify checks manifest values against: reasons, countries, regions.

These duplicate small lists that the sandbox also holds (``reconciler.sandbox`` is a separate
package and is never imported from here). When Shopify changes a list, change it in both places;
``tests/unit/test_manifest_codes.py`` keeps this module, the schema and Shopify's lists in step.
"""

from __future__ import annotations

import re

# The 17 reasons inventorySetQuantities / Adjust / Move accept (facts §4.1). Source of truth:
# reconciler/sandbox/user_errors.py VALID_REASONS, captured from Shopify's INVALID_REASON message.
VALID_REASONS: tuple[str, ...] = (
    "correction",
    "cycle_count_available",
    "damaged",
    "movement_canceled",
    "movement_created",
    "movement_received",
    "movement_updated",
    "other",
    "promotion",
    "quality_control",
    "received",
    "reservation_created",
    "reservation_deleted",
    "reservation_updated",
    "restock",
    "safety_stock",
    "shrinkage",
)
DEFAULT_REASON = "correction"  # Shopify's "general adjustment"

# Shopify's CountryCode enum (identical in 2025-01 … 2026-10, see
# reconciler/sandbox/schemas/admin_*.graphql) less ZZ ("unknown region"), which
# inventoryItemUpdate refuses with "Country code of origin is invalid" (facts §5.7; the sandbox's
# items._NOT_A_COUNTRY). It is ISO 3166-1 alpha-2 with Shopify's differences: it adds AC
# (Ascension), AN (Netherlands Antilles), TA (Tristan da Cunha) and XK (Kosovo), and lacks AQ,
# FM, MH, PW and the US territories AS, GU, MP, PR, VI, which Shopify files under US.
COUNTRY_CODES: frozenset[str] = frozenset(
    """
    AC AD AE AF AG AI AL AM AN AO AR AT AU AW AX AZ BA BB BD BE BF BG BH BI BJ BL BM BN BO BQ
    BR BS BT BV BW BY BZ CA CC CD CF CG CH CI CK CL CM CN CO CR CU CV CW CX CY CZ DE DJ DK DM
    DO DZ EC EE EG EH ER ES ET FI FJ FK FO FR GA GB GD GE GF GG GH GI GL GM GN GP GQ GR GS GT
    GW GY HK HM HN HR HT HU ID IE IL IM IN IO IQ IR IS IT JE JM JO JP KE KG KH KI KM KN KP KR
    KW KY KZ LA LB LC LI LK LR LS LT LU LV LY MA MC MD ME MF MG MK ML MM MN MO MQ MR MS MT MU
    MV MW MX MY MZ NA NC NE NF NG NI NL NO NP NR NU NZ OM PA PE PF PG PH PK PL PM PN PS PT PY
    QA RE RO RS RU RW SA SB SC SD SE SG SH SI SJ SK SL SM SN SO SR SS ST SV SX SY SZ TA TC TD
    TF TG TH TJ TK TL TM TN TO TR TT TV TW TZ UA UG UM US UY UZ VA VC VE VG VN VU WF WS XK YE
    YT ZA ZM ZW
    """.split()  # noqa: SIM905 - a code table reads better as text
)
# ISO 3166-1 codes Shopify's enum lacks, and what to write instead.
COUNTRY_HINTS: dict[str, str] = {
    **{
        code: f"Shopify files {name} under the United States: write countryCodeOfOrigin: US "
        f"and provinceCodeOfOrigin: {code}"
        for code, name in {
            "AS": "American Samoa",
            "GU": "Guam",
            "MP": "the Northern Mariana Islands",
            "PR": "Puerto Rico",
            "VI": "the U.S. Virgin Islands",
        }.items()
    },
    "UK": "the ISO code of the United Kingdom is GB",
    "EL": "the ISO code of Greece is GR",
    "ZZ": "ZZ means an unknown region and Shopify refuses it as a country of origin",
}

# Regions (ISO 3166-2 subdivision codes, without the "US-" prefix) for the countries whose list
# Shopify uses as is. US adds the USPS armed-forces codes AA/AE/AP, which Shopify accepts as US
# regions. Other countries are checked for shape only: Shopify's codes for some (e.g. Mexico)
# differ from ISO 3166-2, and a wrong list would refuse valid data.
PROVINCE_CODES: dict[str, frozenset[str]] = {
    "US": frozenset(
        """
        AL AK AZ AR CA CO CT DE FL GA HI ID IL IN IA KS KY LA ME MD MA MI MN MS MO MT NE NV NH
        NJ NM NY NC ND OH OK OR PA RI SC SD TN TX UT VT VA WA WV WI WY DC
        AS GU MP PR UM VI AA AE AP
        """.split()  # noqa: SIM905
    ),
    "CA": frozenset("AB BC MB NB NL NS NT NU ON PE QC SK YT".split()),  # noqa: SIM905
    "AU": frozenset("ACT NSW NT QLD SA TAS VIC WA".split()),  # noqa: SIM905
}
PROVINCE_KIND: dict[str, str] = {
    "US": "a US state or territory",
    "CA": "a Canadian province or territory",
    "AU": "an Australian state or territory",
}
# ISO 3166-2 subdivision part: one to three letters or digits (the sandbox checks the same).
PROVINCE_RE = re.compile(r"^[A-Z0-9]{1,3}$")


def province_problem(country: object, province: object, whose: str) -> str | None:
    """Why `province` is not a region of `country` (None when it is, or cannot be told: a
    country without a full list here, or a code of the wrong shape, which the schema words).
    `whose` says where the country comes from, e.g. "countryCodeOfOrigin is US"."""
    if not isinstance(country, str) or not isinstance(province, str):
        return None
    known = PROVINCE_CODES.get(country)
    if known is None or province in known or not PROVINCE_RE.match(province):
        return None
    examples = " or ".join(sorted(known)[:2]) if country != "US" else "OR or NY"
    return (
        f'"{province}" is not {PROVINCE_KIND[country]} code ({whose}); use one such as {examples}'
    )


# Shopify: "Harmonized system code must be a number between six and thirteen digits" (facts §5.7).
HS_CODE_RE = re.compile(r"^[0-9]{6,13}$")

# inventoryItem ids, the only kind of `id` a manifest pins.
ITEM_GID_RE = re.compile(r"^gid://shopify/InventoryItem/[1-9][0-9]*$")

# A cost: a non-negative decimal with at most two decimals (cents).
COST_RE = re.compile(r"^[0-9]+(\.[0-9]{1,2})?$")
