"""Money at stake: the semantics of each effect, the currency's rounding, and properties that
hold for any plan (totals add up, an item without a cost is never valued at zero)."""

from __future__ import annotations

import json
from decimal import Decimal
from pathlib import Path
from typing import Any

import jsonschema
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from reconciler.model import Source
from reconciler.plan.actions import (
    Action,
    Activate,
    AttributeChange,
    Deactivate,
    Move,
    SetQuantity,
    Target,
    UpdateItem,
)
from reconciler.plan.currency import Currency
from reconciler.plan.money import (
    MoneyBasis,
    basis_for,
    basis_from_json,
    basis_json,
    effects,
    money_json,
    summarise,
)

S = Source("inventory/a.yaml", 3)
EAST = ("gid://shopify/Location/1", "East Warehouse")
WEST = ("gid://shopify/Location/2", "West Warehouse")
SCHEMA: dict[str, Any] = json.loads(
    (Path(__file__).resolve().parents[2] / "schemas" / "plan.schema.json").read_text()
)


def at(n: int, location: tuple[str, str] = EAST) -> Target:
    return Target(f"SKU-{n}", f"gid://shopify/InventoryItem/{n}", *location)


def set_(
    n: int, name: str, live: int, compare: int, after: int, reason: str = "correction"
) -> SetQuantity:
    return SetQuantity(at(n), name, live, compare, after, reason, S)


def move(n: int, source: str, target: str, q: int, reason: str = "correction", where=EAST) -> Move:  # type: ignore[no-untyped-def]
    return Move(at(n, where), source, target, q, 10, 0, reason, S)


def basis(costs: dict[int, str | None], currency: str = "USD") -> MoneyBasis:
    return MoneyBasis(
        currency,
        {
            f"gid://shopify/InventoryItem/{n}": None if c is None else Decimal(c)
            for n, c in costs.items()
        },
        {f"gid://shopify/InventoryItem/{n}": f"SKU-{n}" for n in costs},
    )


# -- the currency ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("code", "amount", "signed", "shown"),
    [
        ("USD", "-1842", False, "-$1,842.00"),
        ("USD", "500", True, "+$500.00"),
        ("USD", "0", True, "$0.00"),
        ("USD", "0.005", False, "$0.00"),  # half to even
        ("USD", "0.015", False, "$0.02"),
        ("EUR", "12.5", False, "€12.50"),
        ("CAD", "3", False, "CA$3.00"),  # never a bare $ for another dollar
        ("JPY", "1500.5", False, "¥1,500"),  # no minor units; half to even
        ("JPY", "1501.5", False, "¥1,502"),
        ("KWD", "-1.2345", False, "-1.234 KWD"),  # three minor units, code after the amount
        ("CHF", "1842", False, "1,842.00 CHF"),
    ],
)
def test_amounts_are_rounded_to_the_currency_and_written_plainly(
    code: str, amount: str, signed: bool, shown: str
) -> None:
    assert Currency(code).format(Decimal(amount), signed=signed) == shown


def test_json_amounts_are_plain_decimals_in_minor_units() -> None:
    assert Currency("USD").text(Decimal("-1842")) == "-1842.00"
    assert Currency("JPY").text(Decimal("7.6")) == "8"
    assert Currency("BHD").text(Decimal("1")) == "1.000"


# -- what each action is worth ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("action", "expected"),
    [
        # a set of available takes on_hand with it: after - compare (after the level's moves)
        (set_(1, "available", 3, 1, 10), [("added", None, 9)]),
        (set_(1, "available", 10, 10, 4), [("removed", None, -6)]),
        (set_(1, "on_hand", 7, 7, 2), [("removed", None, -5)]),
        (set_(1, "available", 5, 5, 5), []),
        (move(1, "available", "damaged", 2), [("written_off", None, -2)]),
        (move(1, "damaged", "available", 3), [("restored", None, 3)]),
        (move(1, "available", "safety_stock", 4), [("set_aside", "safety_stock", 4)]),
        (move(1, "reserved", "available", 4), [("released", "reserved", -4)]),
        (move(1, "reserved", "quality_control", 4), []),  # stays set aside: nothing changes
        (
            move(1, "quality_control", "damaged", 2),
            [("written_off", None, -2), ("released", "quality_control", -2)],
        ),
        (Activate(at(1), True, S), []),  # a reactivated level keeps what it had
        (Deactivate(at(1), "gid://shopify/InventoryLevel/1", S), []),  # only empty levels
        (UpdateItem(Target("SKU-1", "gid://shopify/InventoryItem/1"), (), S), []),
    ],
)
def test_the_effects_of_each_action(action: Action, expected: list[Any]) -> None:
    assert effects(action) == expected


def test_a_write_off_is_valued_per_location_and_reason_as_a_reviewer_reads_it() -> None:
    actions = [
        move(1, "available", "damaged", 12, "damaged", WEST),
        move(2, "available", "damaged", 3, "damaged", WEST),
        set_(1, "available", 10, 10, 60, "received"),
    ]
    money = summarise(actions, basis({1: "120.50", 2: "112.00"}))
    lines = [(m.location, m.label, m.units, m.value) for m in money.lines]
    assert lines == [
        ("East Warehouse", "stock added (received)", 50, Decimal("6025.00")),
        ("West Warehouse", "damaged write-off", -15, Decimal("-1782.00")),
    ]
    assert money.totals["on_hand"] == Decimal("6025.00")
    assert money.written_off == Decimal("1782.00")
    assert money.unvalued == ()


def test_items_without_a_cost_are_counted_and_named_never_zero() -> None:
    actions = [
        set_(1, "on_hand", 10, 10, 4, "shrinkage"),
        set_(2, "on_hand", 10, 10, 7, "shrinkage"),
        set_(3, "on_hand", 0, 0, 5, "received"),
    ]
    money = summarise(actions, basis({1: "2.50", 2: None, 3: None}))
    removed, added = money.lines
    assert (removed.units, removed.unvalued_units, removed.value) == (-9, 3, Decimal("-15.00"))
    assert (added.units, added.unvalued_units, added.value) == (5, 5, None)  # not $0.00
    assert [(u.sku, u.units) for u in money.unvalued] == [("SKU-2", 3), ("SKU-3", 5)]
    assert money.unvalued_written_off_units() == 3
    assert money.written_off == Decimal("15.00")


def test_lines_are_rounded_once_and_totals_add_the_rounded_lines() -> None:
    actions = [set_(1, "on_hand", 0, 0, 1), set_(2, "on_hand", 0, 0, 1, "received")]
    money = summarise(actions, basis({1: "0.005", 2: "0.015"}))
    assert [line.value for line in money.lines] == [Decimal("0.00"), Decimal("0.02")]
    assert money.totals["on_hand"] == Decimal("0.02")


def test_the_cost_a_plan_sets_values_its_quantities() -> None:
    """Item updates run first: the quantities of the same plan move at the new cost; a cost the
    plan removes leaves them without one."""
    item = Target("SKU-1", "gid://shopify/InventoryItem/1")
    other = Target("SKU-2", "gid://shopify/InventoryItem/2")
    actions = [
        UpdateItem(item, (AttributeChange("cost", "4.00", "5.00"),), S),
        UpdateItem(other, (AttributeChange("cost", "4.00", None),), S),
        set_(1, "on_hand", 0, 0, 2),
        set_(2, "on_hand", 0, 0, 2),
    ]
    live = {item.item_id: Decimal("4.00"), other.item_id: Decimal("4.00")}
    made = basis_for(actions, live, "USD")
    assert dict(made.unit_costs) == {item.item_id: Decimal("5.00"), other.item_id: None}
    assert [line.value for line in summarise(actions, made).lines] == [Decimal("10.00")]
    assert [u.sku for u in summarise(actions, made).unvalued] == ["SKU-2"]


def test_the_basis_round_trips_through_json_and_the_section_matches_the_schema() -> None:
    actions = [move(1, "available", "damaged", 2), set_(2, "on_hand", 0, 0, 3)]
    made = basis({1: "9.10", 2: None})
    assert basis_from_json(basis_json(made)) == made
    schema = {**SCHEMA["properties"]["money"], "$defs": SCHEMA["$defs"]}
    jsonschema.Draft202012Validator(schema).validate(money_json(actions, made))


# -- properties ----------------------------------------------------------------------------------

NAMES = ("available", "damaged", "quality_control", "reserved", "safety_stock")
REASONS = ("correction", "damaged", "received", "shrinkage")


@st.composite
def actions_and_costs(draw: st.DrawFn) -> tuple[list[Action], MoneyBasis]:
    actions: list[Action] = []
    for _ in range(draw(st.integers(0, 30))):
        n = draw(st.integers(1, 6))
        where = draw(st.sampled_from([EAST, WEST]))
        reason = draw(st.sampled_from(REASONS))
        if draw(st.booleans()):
            compare, after = draw(st.integers(-50, 500)), draw(st.integers(-50, 500))
            name = draw(st.sampled_from(["available", "on_hand"]))
            actions.append(SetQuantity(at(n, where), name, compare, compare, after, reason, S))
        else:
            source, target = draw(st.sampled_from([(a, b) for a in NAMES for b in NAMES if a != b]))
            q = draw(st.integers(1, 300))
            actions.append(Move(at(n, where), source, target, q, 0, 0, reason, S))
    costs = {
        n: draw(st.one_of(st.none(), st.decimals(0, 1000, places=3).map(str))) for n in range(1, 7)
    }
    return actions, basis(costs, draw(st.sampled_from(["USD", "JPY", "KWD"])))


@settings(max_examples=200, deadline=None)
@given(actions_and_costs())
def test_money_properties(case: tuple[list[Action], MoneyBasis]) -> None:
    actions, made = case
    money = summarise(actions, made)
    currency = money.currency
    values = [line.value for line in money.lines if line.value is not None]
    for line in money.lines:
        assert 0 <= line.unvalued_units <= abs(line.units)
        assert (line.value is None) == (line.unvalued_units == abs(line.units))
        if line.value is not None:
            assert line.value == currency.round(line.value)  # rounded to the minor units
            if line.effect in ("removed", "written_off", "released"):
                assert line.value <= 0 and line.units < 0
            else:
                assert line.value >= 0 and line.units > 0
    totals = money.totals
    on_hand = [m.value for m in money.lines if m.effect in ("added", "removed") and m.value]
    assert totals["on_hand"] == sum(on_hand, Decimal(0))
    lost = [m.value for m in money.lines if m.effect in ("removed", "written_off") and m.value]
    assert totals["written_off"] == -sum(lost, Decimal(0)) >= 0
    assert len(values) <= len(money.lines)
    # every unit of an item without a cost is counted, once, against that item
    assert sum(u.units for u in money.unvalued) == sum(m.unvalued_units for m in money.lines)
    assert all(made.cost(u.item_id) is None for u in money.unvalued)
    # summarising part of the plan and the rest gives the same units
    half = len(actions) // 2
    first, rest = summarise(actions[:half], made), summarise(actions[half:], made)
    assert sum(m.units for m in first.lines) + sum(m.units for m in rest.lines) == sum(
        m.units for m in money.lines
    )
