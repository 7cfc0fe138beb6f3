"""Manifests or live items → rows of Shopify's inventory CSV (`csv export`).

From the **live store** a row says what the admin's own export says (docs/shopify-csv.md): one
row per item and active location, the product's handle and title and the variant's options,
SKU, HS Code, COO, every quantity column (``Unavailable`` = damaged + quality_control +
reserved + safety_stock; a level that is not stocked says ``not stocked`` in all five; an
untracked item's are empty: Shopify keeps no quantities for it), and ``On hand (new)`` empty,
ready for a merchant to edit.

From **manifests** (offline) a row says what the manifests declare, in the columns Shopify's
import reads: ``on_hand`` → ``On hand (new)``, ``{stocked: false}`` → ``not stocked`` there,
``harmonizedSystemCode`` / ``countryCodeOfOrigin`` → HS Code / COO. A declared ``available``
goes to ``Available (not editable)``, which Shopify's import ignores and ``csv import
--current`` reads back. What the CSV has no column for (cost, tracked, weight, the unavailable
states one by one, a pinned id, ...) is left out and counted; Handle, Title and options are
not in manifests and stay empty. With ``--read-store`` the rows are what the admin's import
needs to make the store what the manifests say: each variant named, its current quantities
(``On hand (current)``, Shopify's guard), and a declared ``available`` as the ``On hand (new)``
that gives it.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass

from reconciler.export.declare import Skipped
from reconciler.model import (
    ATTRIBUTES,
    UNAVAILABLE,
    DesiredLevel,
    DesiredState,
    LiveItem,
    LiveLevel,
    LiveLocation,
    LiveState,
)

from . import format as fmt
from .format import NOT_STOCKED

Values = tuple[str | None, ...]  # one row, in HEADER order
CARRIED_ATTRIBUTES = {"harmonizedSystemCode": fmt.HS_CODE, "countryCodeOfOrigin": fmt.COO}


@dataclass(frozen=True, slots=True)
class Labels:
    """How the admin names a variant: product handle and title, option names and values."""

    handle: str | None = None
    title: str | None = None
    options: tuple[tuple[str, str], ...] = ()


NO_LABELS = Labels()


def _row(values: Mapping[str, str | None]) -> Values:
    return tuple(values.get(name) for name in fmt.HEADER)


def _labelled(labels: Labels) -> dict[str, str | None]:
    out: dict[str, str | None] = {fmt.HANDLE: labels.handle, fmt.TITLE: labels.title}
    for (name_column, value_column), (name, value) in zip(
        fmt.OPTIONS, labels.options, strict=False
    ):
        out[name_column] = name
        out[value_column] = value
    return out


# -- from the live store ---------------------------------------------------------------------


def live_rows(
    items: Iterable[LiveItem],
    locations: Iterable[LiveLocation],
    labels: Mapping[str, Labels],
) -> Iterator[Values]:
    """Rows for `items` (in the order given) at every active location (by name)."""
    active = sorted((loc for loc in locations if loc.is_active), key=lambda loc: (loc.name, loc.id))
    for item in items:
        base = _labelled(labels.get(item.id, NO_LABELS))
        base[fmt.SKU] = item.sku
        base[fmt.HS_CODE] = item.harmonized_system_code
        base[fmt.COO] = item.country_code_of_origin
        for location in active:
            values = dict(base)
            values[fmt.LOCATION] = location.name
            level = item.levels.get(location.id)
            if level is None or not level.is_active:
                for column in fmt.QUANTITY_COLUMNS[:-1]:
                    values[column] = NOT_STOCKED
            elif item.tracked:
                values.update(_quantities(level))
            yield _row(values)


# -- from manifests ----------------------------------------------------------------------------


@dataclass(frozen=True)
class StoreView:
    """What `--read-store` adds to the manifests' rows: the live items the manifests name and
    how the admin names their variants."""

    live: LiveState
    labels: Mapping[str, Labels]

    def item(self, sku: str, pinned: str | None) -> LiveItem | None:
        ids = (pinned,) if pinned is not None else self.live.skus.get(sku, ())
        return self.live.items.get(ids[0]) if len(ids) == 1 else None


def manifest_rows(
    state: DesiredState, skipped: Skipped, store: StoreView | None = None
) -> Iterator[Values]:
    """Rows for every item and level the manifests declare, in their order (levels by
    location name); what the CSV cannot carry is counted in `skipped`.

    With `store`, each row also names its variant and says the level's current quantities (as
    the admin's export would), an attribute the manifests leave out keeps the store's value,
    and a declared ``available`` becomes ``On hand (new)``: the on hand that gives that
    available when the rest of the level stays as it is."""
    for item in state.items:
        live = store.item(item.sku, item.id) if store is not None else None
        base: dict[str, str | None] = {fmt.SKU: item.sku}
        if store is not None and live is None:
            skipped.add("SKUs the store does not have once (Handle and quantities empty)", item.sku)
        if live is not None and store is not None:
            base.update(_labelled(store.labels.get(live.id, NO_LABELS)))
            base[fmt.HS_CODE] = live.harmonized_system_code
            base[fmt.COO] = live.country_code_of_origin
        if not item.levels:
            skipped.add("items that declare no level (the CSV has a row per location)", item.sku)
        if item.id is not None and store is None:
            skipped.add("pinned item ids (the CSV names variants, not items)", item.sku)
        for name in ATTRIBUTES:
            if name not in item.attributes:
                continue
            value = item.attributes[name]
            if name in CARRIED_ATTRIBUTES and value is not None:
                base[CARRIED_ATTRIBUTES[name]] = str(value)
            elif name in CARRIED_ATTRIBUTES:
                skipped.add(f"{name}: null (the CSV cannot ask for a value to be unset)", item.sku)
            else:
                skipped.add(f"{name} values (the CSV has no column for them)", item.sku)
        for level in sorted(item.levels, key=lambda lv: lv.location):
            yield _manifest_row(base, item.sku, level, live, store, skipped)


def _manifest_row(
    base: dict[str, str | None],
    sku: str,
    level: DesiredLevel,
    live: LiveItem | None,
    store: StoreView | None,
    skipped: Skipped,
) -> Values:
    values = dict(base)
    values[fmt.LOCATION] = level.location
    where = f"{sku} at {level.location}"
    current = None
    if live is not None and store is not None:
        location = store.live.location_by_name(level.location)
        current = live.levels.get(location.id) if location is not None else None
        if current is None or not current.is_active:
            current = None
            for column in fmt.QUANTITY_COLUMNS[:-1]:
                values[column] = NOT_STOCKED
        elif live.tracked:
            values.update(_quantities(current))
    quantities = level.quantities
    if not level.stocked:
        values[fmt.ON_HAND_NEW] = NOT_STOCKED
    elif "on_hand" in quantities:
        values[fmt.ON_HAND_NEW] = str(quantities["on_hand"])
    if "available" in quantities:
        if store is None:
            values[fmt.AVAILABLE] = str(quantities["available"])
        if "on_hand" in quantities:
            skipped.add(
                "available where on_hand is declared too (Shopify's import sets on hand; "
                "available follows)",
                where,
            )
        elif store is not None:
            # On hand moves available by the same amount; the rest of the level stays.
            rest = current.quantity("on_hand") - current.quantity("available") if current else 0
            values[fmt.ON_HAND_NEW] = str(quantities["available"] + rest)
    if store is not None and current is None and level.stocked and not values.get(fmt.ON_HAND_NEW):
        values[fmt.ON_HAND_NEW] = "0"  # stocked there from now on, with nothing yet
    for state_name in UNAVAILABLE:
        if state_name in quantities:
            skipped.add(
                f"{state_name} values (the CSV has only the sum of the unavailable states, "
                "which its import ignores)",
                where,
            )
    return _row(values)


def _quantities(level: LiveLevel) -> dict[str, str | None]:
    return {
        fmt.INCOMING: str(level.quantity("incoming")),
        fmt.UNAVAILABLE: str(sum(level.quantity(s) for s in UNAVAILABLE)),
        fmt.COMMITTED: str(level.quantity("committed")),
        fmt.AVAILABLE: str(level.quantity("available")),
        fmt.ON_HAND_CURRENT: str(level.quantity("on_hand")),
    }
