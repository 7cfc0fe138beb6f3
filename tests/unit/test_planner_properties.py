"""The planner over whole stores, held to a pure model of Shopify's inventory semantics.

Hypothesis draws a small `LiveState` (a few locations; items with levels whose eight quantities
are consistent, on_hand being the sum of its six parts; inactive levels only where the API
version shows them, 2026-04 on) and a `DesiredState` over it (declared attributes, levels and
quantities; both anchors only when they agree; `stocked` true or false). `apply_actions` runs a
plan's actions in plan order the way Shopify does, and checks each action's preconditions as it
goes (compare-and-set values, tracking before quantities, never unstocking the last location).

Properties:
  (a) planning against the state a plan produces gives an empty plan;
  (b) the produced state has every declared value;
  (c) nothing undeclared changes (items, levels, attributes, quantity names; only the linked
      available/on_hand pair may move when the other anchor or an unavailable state is declared);
  (d) the same inputs give byte-identical plan JSON, whatever order the store listed things in;
  (e) every Move's from_before/to_before and every SetQuantity's compare are the model's values
      just before that action runs;
and: every quantity write records the live values it was planned from (`observed`, a set's
`before`); a warning is given exactly where the plan drives an undeclared available below
zero; --sku/--exclude-sku/--location plans are parts of the full plan (plus the tracking
change their quantities need). Inputs the planner must refuse (untracked quantities, a closed
location, unstocking a level that holds stock or an item's last location) are predicted
independently and must raise PlanError; nothing else may.

Runs 200-500 examples per property (about 25 s in all); the model, not the planner's own
solver, decides what Shopify would hold.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping, Sequence
from decimal import Decimal
from typing import Any

import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from reconciler.errors import PlanError
from reconciler.model import (
    ALL_QUANTITY_NAMES,
    ATTRIBUTES,
    DECLARABLE,
    ON_HAND_COMPONENTS,
    UNAVAILABLE,
    DesiredItem,
    DesiredLevel,
    DesiredState,
    LiveItem,
    LiveLevel,
    LiveLocation,
    LiveState,
    ManifestFile,
    Source,
    Weight,
)
from reconciler.plan.actions import (
    Action,
    Activate,
    Deactivate,
    Move,
    SetQuantity,
    UpdateItem,
)
from reconciler.plan.build import Built, Filters, Managed, build_actions
from reconciler.plan.planfile import dumps, make_plan
from reconciler.shopify.target import SUPPORTED_VERSIONS

LOCATIONS = (
    LiveLocation("gid://shopify/Location/68509171945", "East Warehouse"),
    LiveLocation("gid://shopify/Location/68509204713", "West Warehouse"),
    LiveLocation("gid://shopify/Location/68509237481", "Portland Store"),
)
CLOSED = LiveLocation("gid://shopify/Location/68509270249", "Old Depot", is_active=False)
SKUS = ("TSHIRT-RED-S", "TSHIRT-RED-M", "BOOT-HIKE-42", "TENT-2P")
# Several spellings of equal values, so "equal but written differently" is exercised.
COSTS = (None, Decimal("0"), Decimal("8.4"), Decimal("8.40"), Decimal("12"), Decimal("99.99"))
COUNTRIES = (None, "PT", "CN", "US")
PROVINCES = (None, "NC", "QC")  # NC is a US state, QC is not
HS_CODES = (None, "610910", "640391")
COUNTRY_HS = ({}, {"CA": "6201930090"}, {"CA": "6201930090", "US": "6201930011"}, {"US": "1234567"})
WEIGHTS = (
    Weight(Decimal("1.5"), "POUNDS"),
    Weight(Decimal("1.50"), "POUNDS"),
    Weight(Decimal("0.68"), "KILOGRAMS"),
)

quantity = st.integers(min_value=0, max_value=30)


def _sum(quantities: Mapping[str, int]) -> int:
    return sum(int(quantities.get(n, 0)) for n in ON_HAND_COMPONENTS)


def _level_quantities(parts: Mapping[str, int]) -> dict[str, int]:
    out = {name: int(parts.get(name, 0)) for name in ALL_QUANTITY_NAMES}
    out["on_hand"] = _sum(out)
    return out


# -- strategies --------------------------------------------------------------------------------


@st.composite
def live_levels(draw: st.DrawFn) -> dict[str, int]:
    # Mostly empty levels, so unstocking (which needs an empty level) is reached often.
    if draw(st.integers(0, 3)) == 0:
        return _level_quantities({})
    parts = {name: draw(st.sampled_from((0, 0, 1, 2, 7))) for name in ON_HAND_COMPONENTS}
    parts["available"] = draw(st.integers(min_value=-5, max_value=30))
    parts["incoming"] = draw(st.sampled_from((0, 0, 0, 6)))
    return _level_quantities(parts)


@st.composite
def live_items(draw: st.DrawFn, number: int, sku: str, inactive_visible: bool) -> LiveItem:
    item_id = f"gid://shopify/InventoryItem/{43729030 + number}"
    stocked_at = draw(st.lists(st.sampled_from(LOCATIONS), min_size=1, max_size=3, unique=True))
    levels: dict[str, LiveLevel] = {}
    for position, location in enumerate(stocked_at):
        # Shopify keeps every item active somewhere: the first level is always active.
        active = position == 0 or not inactive_visible or draw(st.booleans())
        number_part = location.id.rsplit("/", 1)[1]
        levels[location.id] = LiveLevel(
            location_id=location.id,
            level_id=f"gid://shopify/InventoryLevel/{number_part}?inventory_item_id={number}",
            is_active=active,
            quantities=draw(live_levels()),
        )
    return LiveItem(
        id=item_id,
        sku=sku,
        tracked=draw(st.sampled_from((True, True, True, False))),
        cost=draw(st.sampled_from(COSTS)),
        country_code_of_origin=draw(st.sampled_from(COUNTRIES)),
        province_code_of_origin=draw(st.sampled_from(PROVINCES)),
        harmonized_system_code=draw(st.sampled_from(HS_CODES)),
        country_harmonized_system_codes=dict(draw(st.sampled_from(COUNTRY_HS))),
        weight=draw(st.sampled_from((None, *WEIGHTS))),
        requires_shipping=draw(st.booleans()),
        duplicate_sku_count=0,
        levels=levels,
    )


@st.composite
def live_states(draw: st.DrawFn) -> LiveState:
    version = draw(st.sampled_from(SUPPORTED_VERSIONS))
    inactive_visible = version >= "2026-04"
    count = draw(st.integers(min_value=1, max_value=len(SKUS)))
    items = {}
    for number in range(count):
        item = draw(live_items(number, SKUS[number], inactive_visible))
        items[item.id] = item
    return LiveState(
        store="sandbox.local",
        api_version=version,
        locations=(*LOCATIONS, CLOSED),
        items=items,
        skus={item.sku: (item.id,) for item in items.values() if item.sku is not None},
    )


def _attribute_value(draw: st.DrawFn, name: str) -> Any:
    choices: dict[str, Sequence[Any]] = {
        "tracked": (True, True, False),
        "cost": COSTS,
        "countryCodeOfOrigin": COUNTRIES,
        "provinceCodeOfOrigin": PROVINCES,
        "harmonizedSystemCode": HS_CODES,
        "countryHarmonizedSystemCodes": COUNTRY_HS,
        "weight": WEIGHTS,  # a manifest cannot write `weight: null`
        "requiresShipping": (True, False),
    }
    return draw(st.sampled_from(choices[name]))


def _basis(live: LiveState, item: LiveItem, location: LiveLocation) -> dict[str, int]:
    """The quantities a declared level is planned from (kept only where the version keeps them)."""
    level = item.levels.get(location.id)
    if level is None or (not level.is_active and live.api_version < "2026-04"):
        return _level_quantities({})
    return dict(level.quantities)


@st.composite
def declared_quantities(draw: st.DrawFn, basis: Mapping[str, int]) -> dict[str, int]:
    names = draw(st.sets(st.sampled_from(DECLARABLE)))
    out = {n: draw(quantity) for n in names if n not in ("available", "on_hand")}
    if "available" in names:
        out["available"] = draw(st.integers(min_value=-3, max_value=30))
    if "on_hand" in names:
        if "available" in names:  # both anchors: only when they agree
            out["on_hand"] = (
                out["available"]
                + basis["committed"]
                + sum(out.get(n, basis[n]) for n in UNAVAILABLE)
            )
            assume(out["on_hand"] >= 0)
        else:
            out["on_hand"] = draw(quantity)
    return out


@st.composite
def desired_states(draw: st.DrawFn, live: LiveState) -> DesiredState:
    items = []
    line = 1
    for item in live.items.values():
        if not draw(st.booleans()) and items:
            continue  # an item the manifests do not mention
        declared = draw(st.sets(st.sampled_from(ATTRIBUTES)))
        attributes = {name: _attribute_value(draw, name) for name in sorted(declared)}
        levels = []
        places = st.sampled_from((*LOCATIONS, *LOCATIONS, *LOCATIONS, CLOSED))
        for location in draw(st.lists(places, max_size=3, unique=True)):
            line += 1
            source = Source("manifests/m.yaml", line, f"levels[{location.name!r}]")
            current = item.levels.get(location.id)
            holds = current is not None and current.is_active and any(current.quantities.values())
            # Unstocking a level that holds stock is refused; draw it only now and then.
            stocked = draw(st.integers(0, 12 if holds else 3)) > 0
            quantities = draw(declared_quantities(_basis(live, item, location))) if stocked else {}
            if stocked and not quantities and not draw(st.booleans()):
                continue  # a level the item does not declare
            levels.append(
                DesiredLevel.at(
                    source,
                    location.name,
                    quantities,
                    stocked=stocked,
                    reason=draw(st.sampled_from((None, "damaged"))),
                )
            )
        line += 1
        assert item.sku is not None
        items.append(
            DesiredItem(
                sku=item.sku,
                id=None,
                attributes=attributes,
                levels=tuple(levels),
                reason="correction",
                source=Source("manifests/m.yaml", line, f"items[{len(items)}]"),
            )
        )
    return DesiredState(tuple(items), (ManifestFile("manifests/m.yaml", "0" * 64),))


# -- the model ---------------------------------------------------------------------------------


def _model_attribute(name: str, value: Any) -> Any:
    """A plan's JSON `after` value in the form LiveItem holds it."""
    if value is None:
        return None
    if name == "cost":
        return Decimal(value)
    if name == "weight":
        return Weight(Decimal(value["value"]), value["unit"])
    if name == "countryHarmonizedSystemCodes":
        return dict(value)
    return value


_FIELDS = {
    "tracked": "tracked",
    "cost": "cost",
    "countryCodeOfOrigin": "country_code_of_origin",
    "provinceCodeOfOrigin": "province_code_of_origin",
    "harmonizedSystemCode": "harmonized_system_code",
    "countryHarmonizedSystemCodes": "country_harmonized_system_codes",
    "weight": "weight",
    "requiresShipping": "requires_shipping",
}


class ModelRefused(AssertionError):
    """An action Shopify would refuse, or whose compare-and-set value would be stale."""


def apply_actions(live: LiveState, actions: Sequence[Action]) -> LiveState:
    """Run `actions` in order with Shopify's semantics; raise ModelRefused on a stale value."""
    items = {k: dataclasses.replace(v, levels=dict(v.levels)) for k, v in live.items.items()}
    keeps_inactive = live.api_version >= "2026-04"

    def level_of(action: Action) -> tuple[LiveItem, LiveLevel]:
        item = items[action.target.item_id]
        level = item.levels.get(action.target.location_id or "")
        if level is None or not level.is_active:
            raise ModelRefused(f"{action}: the item is not stocked at that location")
        if not item.tracked:
            raise ModelRefused(f"{action}: quantities of an untracked item")
        return item, level

    def put(item: LiveItem, level: LiveLevel, quantities: dict[str, int]) -> None:
        quantities["on_hand"] = _sum(quantities)
        levels = dict(item.levels)
        levels[level.location_id] = dataclasses.replace(level, quantities=quantities)
        items[item.id] = dataclasses.replace(item, levels=levels)

    for action in actions:
        if isinstance(action, UpdateItem):
            item = items[action.target.item_id]
            updates = {_FIELDS[c.field]: _model_attribute(c.field, c.after) for c in action.changes}
            items[item.id] = dataclasses.replace(item, **updates)
        elif isinstance(action, Activate):
            item = items[action.target.item_id]
            location_id = action.target.location_id
            assert location_id is not None
            current = item.levels.get(location_id)
            if current is not None and current.is_active:
                raise ModelRefused(f"{action}: already active")
            if current is not None and keeps_inactive:
                level = dataclasses.replace(current, is_active=True)  # quantities kept
            else:
                level = LiveLevel(location_id, f"new:{location_id}", True, _level_quantities({}))
            items[item.id] = dataclasses.replace(item, levels={**item.levels, location_id: level})
        elif isinstance(action, Move):
            item, level = level_of(action)
            quantities = dict(level.quantities)
            seen = (quantities[action.from_name], quantities[action.to_name])
            if seen != (action.from_before, action.to_before):
                raise ModelRefused(f"{action}: stale, the level holds {seen}")
            quantities[action.from_name] -= action.quantity
            quantities[action.to_name] += action.quantity
            put(item, level, quantities)
        elif isinstance(action, SetQuantity):
            item, level = level_of(action)
            quantities = dict(level.quantities)
            if quantities[action.name] != action.compare:
                raise ModelRefused(f"{action}: stale, {action.name} is {quantities[action.name]}")
            if action.name == "available":
                quantities["available"] = action.after
            else:  # on_hand: the difference goes through available
                quantities["available"] += action.after - quantities["on_hand"]
            put(item, level, quantities)
        else:
            assert isinstance(action, Deactivate)
            item, level = items[action.target.item_id], None
            level = item.levels.get(action.target.location_id or "")
            if level is None or not level.is_active:
                raise ModelRefused(f"{action}: not stocked there")
            if sum(1 for lv in item.levels.values() if lv.is_active) <= 1:
                raise ModelRefused(f"{action}: the item's last location")
            levels = dict(item.levels)
            if keeps_inactive:
                levels[level.location_id] = dataclasses.replace(level, is_active=False)
            else:
                del levels[level.location_id]
            items[item.id] = dataclasses.replace(item, levels=levels)
    return dataclasses.replace(live, items=items)


# -- what the planner must refuse, predicted independently ------------------------------------


def _location(name: str) -> LiveLocation:
    return next(loc for loc in (*LOCATIONS, CLOSED) if loc.name == name)


def refused(live: LiveState, desired: DesiredState) -> bool:
    for entry in desired.items:
        if any(level.location == CLOSED.name for level in entry.levels):
            return True  # a deactivated location
        item = live.items[live.skus[entry.sku][0]]
        tracked = entry.attributes.get("tracked", item.tracked)
        if any(level.quantities for level in entry.levels) and not tracked:
            return True
        province = entry.attributes.get("provinceCodeOfOrigin")
        if (
            "countryCodeOfOrigin" not in entry.attributes
            and item.country_code_of_origin == "US"
            and province == "QC"
        ):
            return True  # a region that is not one of the store's country's
        active = sum(1 for level in item.levels.values() if level.is_active)
        for declared in entry.levels:
            current = item.levels.get(_location(declared.location).id)
            is_active = current is not None and current.is_active
            if declared.stocked and not is_active:
                active += 1
            elif not declared.stocked and current is not None and is_active:
                held = [n for n in (*ON_HAND_COMPONENTS, "incoming") if current.quantity(n)]
                if held:
                    return True
                active -= 1
        if active < 1:
            return True
    return False


def plan(live: LiveState, desired: DesiredState, filters: Filters | None = None) -> Built:
    return build_actions(desired, live, filters)


def planned(live: LiveState, desired: DesiredState) -> Built:
    """The plan for inputs the planner must accept; refusals are checked and then skipped."""
    if refused(live, desired):
        with pytest.raises(PlanError):
            plan(live, desired)
        assume(False)
    return plan(live, desired)


def plan_bytes(live: LiveState, desired: DesiredState, built: Built) -> str:
    made = make_plan(
        built,
        store=live.store,
        api_version=live.api_version,
        manifest_digest=desired.digest,
        manifest_files=desired.files,
        filters=Filters(),
        git=None,
        created_at="2026-11-18T11:06:40Z",
    )
    return dumps(made)


def _equal(name: str, a: Any, b: Any) -> bool:
    if a is None or b is None:
        return a is None and b is None
    if name == "cost":
        return Decimal(a) == Decimal(b)
    if name == "weight":
        return bool(a.unit == b.unit and a.value == b.value)
    return bool(a == b)


SETTINGS = settings(max_examples=200, deadline=None)


# -- properties --------------------------------------------------------------------------------


@SETTINGS
@given(st.data())
def test_refusals_are_exactly_the_predicted_ones(data: st.DataObject) -> None:
    live = data.draw(live_states())
    desired = data.draw(desired_states(live))
    if refused(live, desired):
        with pytest.raises(PlanError):
            plan(live, desired)
    else:
        plan(live, desired)


@settings(max_examples=500, deadline=None)
@given(st.data())
def test_applying_the_plan_reaches_the_manifests_and_nothing_else(data: st.DataObject) -> None:
    live = data.draw(live_states())
    desired = data.draw(desired_states(live))
    built = planned(live, desired)
    after = apply_actions(live, built.actions)  # (e): raises on any stale compare value
    assert plan(after, desired).actions == ()  # (a)
    check_declared_values(desired, live, after)  # (b)
    check_nothing_undeclared_changed(desired, live, after)  # (c)
    check_planned_from_live(desired, live, built)
    check_warnings(desired, live, after, built)


def _declared_levels(desired: DesiredState, live: LiveState) -> dict[tuple[str, str], Any]:
    out = {}
    for entry in desired.items:
        item = live.items[live.skus[entry.sku][0]]
        for level in entry.levels:
            out[(item.id, _location(level.location).id)] = (item, level)
    return out


def check_planned_from_live(desired: DesiredState, live: LiveState, built: Built) -> None:
    """Every quantity write records the live values it was planned from."""
    levels = _declared_levels(desired, live)
    for action in built.actions:
        if not isinstance(action, (Move, SetQuantity)):
            continue
        key = (action.target.item_id, action.target.location_id or "")
        item, _ = levels[key]
        basis = _basis(live, item, _location(action.target.location_name or ""))
        assert built.observed.levels[key] == dict(sorted(basis.items())), key
        if isinstance(action, SetQuantity):
            assert action.live == basis[action.name], action


def check_warnings(desired: DesiredState, live: LiveState, after: LiveState, built: Built) -> None:
    """A level whose undeclared available the plan drives below zero is warned about, and
    every warning is about such a level."""
    levels = _declared_levels(desired, live)
    touched = {
        (a.target.item_id, a.target.location_id or "")
        for a in built.actions
        if isinstance(a, (Move, SetQuantity))
    }
    warned = {(w.file, w.line) for w in built.warnings}
    for key in touched:
        item, level = levels[key]
        before = _basis(live, item, _location(level.location))["available"]
        now = after.items[key[0]].levels[key[1]].quantities["available"]
        drives = "available" not in level.quantities and now < 0 and now < before
        if drives:
            assert (level.source.file, level.source.line) in warned, (key, before, now)
    for file, line in warned:
        keys = [
            k for k, (_, lv) in levels.items() if (lv.source.file, lv.source.line) == (file, line)
        ]
        assert keys and all(
            after.items[k[0]].levels[k[1]].quantities["available"] < 0 for k in keys
        )


def check_declared_values(desired: DesiredState, live: LiveState, after: LiveState) -> None:
    """(b) every declared attribute, stocked flag and quantity holds after the plan."""
    for entry in desired.items:
        item = after.items[live.skus[entry.sku][0]]
        for name, value in entry.attributes.items():
            assert _equal(name, item.attribute(name), value), (entry.sku, name)
        for declared in entry.levels:
            level = item.levels.get(_location(declared.location).id)
            is_active = level is not None and level.is_active
            assert is_active == declared.stocked, (entry.sku, declared.location)
            for name, value in declared.quantities.items():
                assert level is not None
                assert level.quantities[name] == value, (entry.sku, declared.location, name)


def check_nothing_undeclared_changed(
    desired: DesiredState, live: LiveState, after: LiveState
) -> None:
    """(c) undeclared items, attributes, levels and quantity names are as they were."""
    mentioned = {live.skus[entry.sku][0]: entry for entry in desired.items}
    for item_id, before in live.items.items():
        now = after.items[item_id]
        entry = mentioned.get(item_id)
        if entry is None:
            assert now == before, item_id
            continue
        for name in ATTRIBUTES:
            if name not in entry.attributes:
                assert now.attribute(name) == before.attribute(name), (item_id, name)
        declared = {_location(level.location).id: level for level in entry.levels}
        for location in (*LOCATIONS, CLOSED):
            old, new = before.levels.get(location.id), now.levels.get(location.id)
            level = declared.get(location.id)
            if level is None:
                assert new == old, (item_id, location.name)
                continue
            if new is None or not new.is_active:
                continue  # unstocked as declared: (b) checks that
            reborn = old is None or (not old.is_active and live.api_version < "2026-04")
            base = _level_quantities({}) if reborn or old is None else old.quantities
            names = level.quantities.keys()
            free = set(names)
            if names & {"on_hand", *UNAVAILABLE}:
                free.add("available")
            if "available" in names:
                free.add("on_hand")
            for name in ALL_QUANTITY_NAMES:
                if name not in free:
                    assert new.quantities[name] == base[name], (item_id, location.name, name)


@SETTINGS
@given(st.data())
def test_plans_are_deterministic(data: st.DataObject) -> None:  # (d)
    live = data.draw(live_states())
    desired = data.draw(desired_states(live))
    first = plan_bytes(live, desired, planned(live, desired))
    assert plan_bytes(live, desired, plan(live, desired)) == first
    shuffled = dataclasses.replace(
        live,
        locations=tuple(data.draw(st.permutations(live.locations))),
        items=dict(data.draw(st.permutations(list(live.items.items())))),
    )
    assert plan_bytes(shuffled, desired, plan(shuffled, desired)) == first


@SETTINGS
@given(st.data())
def test_filters_narrow_the_plan_and_nothing_else(data: st.DataObject) -> None:
    live = data.draw(live_states())
    desired = data.draw(desired_states(live))
    full = planned(live, desired)
    filters = Filters(
        skus=tuple(
            data.draw(st.lists(st.sampled_from(("TSHIRT-*", "*-42", "TENT-2P")), max_size=2))
        ),
        exclude_skus=tuple(data.draw(st.lists(st.sampled_from(("*-M", "BOOT-*")), max_size=1))),
        locations=tuple(
            data.draw(st.lists(st.sampled_from(("*Warehouse", "Portland*")), max_size=1))
        ),
    )
    narrowed_desired = DesiredState(
        tuple(
            dataclasses.replace(
                entry,
                levels=tuple(lv for lv in entry.levels if filters.wants_location(lv.location)),
            )
            for entry in desired.items
            if filters.wants_sku(entry.sku)
        ),
        desired.files,
    )
    if refused(live, narrowed_desired):  # e.g. the unstock whose activation was filtered out
        with pytest.raises(PlanError):
            plan(live, desired, filters)
        return
    narrowed = plan(live, desired, filters)
    for action in narrowed.actions:
        assert filters.wants_sku(action.target.sku)
        if filters.locations and not isinstance(action, UpdateItem):
            assert filters.wants_location(action.target.location_name or "")
        if isinstance(action, UpdateItem) and filters.locations:
            assert [c.field for c in action.changes] == ["tracked"], action
        else:
            assert action in full.actions, action  # a narrowed plan is a part of the full one
    apply_actions(live, narrowed.actions)


# -- a region against the country the store holds ----------------------------------------------


@pytest.mark.parametrize(
    ("store_country", "declared", "refused_with"),
    [
        ("US", {"provinceCodeOfOrigin": "QC"}, "the store's country is US"),
        ("CA", {"provinceCodeOfOrigin": "OR"}, "the store's country is CA"),
        ("US", {"provinceCodeOfOrigin": "NC"}, None),
        ("PT", {"provinceCodeOfOrigin": "QC"}, None),  # no region list for Portugal: not judged
        (None, {"provinceCodeOfOrigin": "QC"}, None),
        ("US", {"provinceCodeOfOrigin": None}, None),  # clearing it
        ("US", {"provinceCodeOfOrigin": "QC", "countryCodeOfOrigin": "CA"}, None),  # validate's
    ],
)
def test_a_region_is_checked_against_the_store_country_when_none_is_declared(
    store_country: str | None, declared: dict[str, Any], refused_with: str | None
) -> None:
    location = LOCATIONS[0]
    level = LiveLevel(location.id, "gid://shopify/InventoryLevel/1", True, {})
    item = LiveItem(
        "gid://shopify/InventoryItem/1", "X", True, None, store_country, None, None, {}, None,
        True, 0, {location.id: level},
    )  # fmt: skip
    live = LiveState("s", "2026-10", LOCATIONS, {item.id: item}, {"X": (item.id,)})
    source = Source("m.yaml", 2, "items[0]")
    sources = {name: Source("m.yaml", 3, f"items[0].{name}") for name in declared}
    wanted = DesiredItem("X", None, declared, (), "correction", source, sources)
    desired = DesiredState((wanted,), (ManifestFile("m.yaml", "0" * 64),))
    if refused_with is None:
        plan(live, desired)
        return
    with pytest.raises(PlanError) as caught:
        plan(live, desired)
    [problem] = caught.value.problems
    assert (problem.line, problem.path) == (3, "items[0].provinceCodeOfOrigin")
    assert refused_with in problem.message


def test_the_managed_seam_narrows_what_the_plan_changes() -> None:
    """A rule that manages only `available`, and no attributes, is one small subclass."""

    class AvailableOnly(Managed):
        def attributes(self, item: DesiredItem) -> tuple[str, ...]:
            return ()

        def quantities(self, level: DesiredLevel, location: LiveLocation) -> Mapping[str, int]:
            return {k: v for k, v in level.quantities.items() if k == "available"}

    location = LOCATIONS[0]
    live_level = LiveLevel(location.id, "gid://shopify/InventoryLevel/1", True, {"available": 1})
    item = LiveItem(
        "gid://shopify/InventoryItem/1", "X", True, Decimal("1"), None, None, None, {}, None,
        True, 0, {location.id: live_level},
    )  # fmt: skip
    live = LiveState("s", "2026-10", LOCATIONS, {item.id: item}, {"X": (item.id,)})
    source = Source("m.yaml", 2, "items[0]")
    level = DesiredLevel.at(source, location.name, {"available": 4, "damaged": 2})
    wanted = DesiredItem("X", None, {"cost": Decimal("2")}, (level,), "correction", source)
    desired = DesiredState((wanted,), (ManifestFile("m.yaml", "0" * 64),))
    everything = plan(live, desired).actions
    assert sorted(a.kind.value for a in everything) == ["move", "set", "update_item"]
    narrowed = build_actions(desired, live, managed=AvailableOnly()).actions
    assert [(a.kind.value, getattr(a, "after", None)) for a in narrowed] == [("set", 4)]
