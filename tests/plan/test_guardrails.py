"""Guard-rails as pure logic: each rule's refusal names the rule and the change; overrides are
explicit, need a justification, and are what the plan records. (Over HTTP, through the CLI:
tests/plan/test_cli_guardrails.py.)"""

from __future__ import annotations

from decimal import Decimal

import pytest

from reconciler.errors import ConfigError, GuardrailError
from reconciler.model import Source
from reconciler.plan.actions import Action, AttributeChange, Move, SetQuantity, Target, UpdateItem
from reconciler.plan.guardrails import (
    RULES,
    Allowance,
    GuardrailRecord,
    Guardrails,
    check,
    level_change,
)
from reconciler.plan.money import MoneyBasis, summarise

EAST = ("gid://shopify/Location/1", "East Warehouse")
FLAGSHIP = ("gid://shopify/Location/2", "Flagship Store")


def at(sku: str, location: tuple[str, str] = EAST, n: int = 1) -> Target:
    return Target(sku, f"gid://shopify/InventoryItem/{n}", *location)


def src(line: int) -> Source:
    return Source("inventory/a.yaml", line, "items[0]")


def set_available(
    sku: str, live: int, after: int, reason: str = "correction", **kw: object
) -> SetQuantity:
    return SetQuantity(at(sku, **kw), "available", live, live, after, reason, src(7))  # type: ignore[arg-type]


def run(
    config: dict[str, object],
    actions: list[Action],
    costs: dict[str, str | None] | None = None,
    allow: Allowance | None = None,
) -> GuardrailRecord | None:
    ids = {a.target.item_id: a.target.sku for a in actions}
    basis = MoneyBasis(
        "USD",
        {
            i: None if (costs or {}).get(sku) is None else Decimal(str((costs or {})[sku]))
            for i, sku in ids.items()
        },
        ids,
    )
    money = summarise(tuple(actions), basis)
    return check(
        Guardrails.from_config(config),
        actions,
        money,
        aliases={"flag": "Flagship Store"},
        allow=allow,
    ).record


def refusal(config: dict[str, object], actions: list[Action], **kw: object) -> str:
    with pytest.raises(GuardrailError) as caught:
        run(config, actions, **kw)  # type: ignore[arg-type]
    return str(caught.value)


def test_no_rules_no_record() -> None:
    assert run({}, [set_available("A", 1, 10_000)]) is None


def test_max_units_names_the_rule_the_change_and_the_manifest_line() -> None:
    message = refusal({"maxUnits": 500}, [set_available("TSHIRT-RED-M", 3, 900)])
    assert "inventory/a.yaml:7: items[0]: max-units: TSHIRT-RED-M at East Warehouse: " in message
    assert "available 3 -> 900 changes 897 units (maxUnits 500)" in message
    assert '--allow max-units --justification "why"' in message
    assert "nothing was written" in message


def test_max_units_counts_both_directions_and_allows_the_limit_itself() -> None:
    assert run({"maxUnits": 5}, [set_available("A", 10, 5), set_available("B", 0, 5)]) is not None
    refusal({"maxUnits": 5}, [set_available("A", 10, 4)])


def test_max_percent_of_the_value_before_and_levels_at_zero_are_left_to_max_units() -> None:
    assert "changes it by 100.0% (maxPercent 50)" in refusal(
        {"maxPercent": 50}, [set_available("A", 10, 20)]
    )
    assert run({"maxPercent": 50}, [set_available("A", 10, 15), set_available("B", 0, 900)])
    move = Move(at("A"), "available", "damaged", 6, 20, 10, "damaged", src(9))
    assert "damaged 10 -> 16 changes it by 60.0%" in refusal({"maxPercent": 50}, [move])


def test_decreases_need_one_of_the_listed_reasons() -> None:
    config = {"decreaseReasons": ["damaged", "shrinkage"]}
    message = refusal(config, [set_available("A", 10, 4)])
    assert "decrease-reason: A at East Warehouse: available 10 -> 4 writes off 6 units" in message
    assert "with reason correction; decreases need one of: damaged, shrinkage" in message
    # increases, listed reasons, and moves that write nothing off pass
    ok: list[Action] = [
        set_available("A", 4, 10),
        set_available("B", 10, 4, "shrinkage"),
        Move(at("C"), "available", "reserved", 2, 5, 0, "correction", src(3)),
    ]
    assert run(config, ok) is not None
    write_off = Move(at("D"), "available", "damaged", 2, 5, 0, "correction", src(3))
    assert "writes off 2 units with reason correction" in refusal(config, [write_off])


def test_bulk_tracked_flips() -> None:
    flips: list[Action] = [
        UpdateItem(
            Target(f"S{n}", f"gid://shopify/InventoryItem/{n}"),
            (AttributeChange("tracked", False, True),),
            src(n),
        )
        for n in range(1, 4)
    ]
    assert run({"maxTrackedChanges": 3}, flips) is not None
    message = refusal({"maxTrackedChanges": 2}, flips)
    assert (
        "tracked-changes: 3 items change `tracked` (S1, S2, S3); maxTrackedChanges is 2" in message
    )


def test_max_write_off_in_the_shops_currency() -> None:
    actions: list[Action] = [Move(at("TENT"), "available", "damaged", 12, 20, 0, "damaged", src(4))]
    costs = {"TENT": "153.50"}
    assert run({"maxWriteOff": "1842.00"}, actions, costs=costs) is not None
    message = refusal({"maxWriteOff": "1000"}, actions, costs=costs)
    assert (
        "max-write-off: this plan writes off $1,842.00, more than maxWriteOff $1,000.00" in message
    )


def test_written_off_units_without_a_cost_cannot_pass_max_write_off() -> None:
    actions: list[Action] = [set_available("NOCOST", 10, 2)]
    message = refusal({"maxWriteOff": "1000000"}, actions, costs={"NOCOST": None})
    assert "8 units written off have no unit cost (NOCOST)" in message


def test_protected_skus_and_locations_by_glob_and_alias() -> None:
    message = refusal({"protectedSkus": ["GIFT-*"]}, [set_available("GIFT-50", 1, 2)])
    assert "protected-sku: GIFT-50 is protected (GIFT-*)" in message
    here = set_available("A", 1, 2, location=FLAGSHIP)
    assert "Flagship Store is protected (Flag*)" in refusal(
        {"protectedLocations": ["Flag*"]}, [here]
    )
    assert "is protected (flag)" in refusal({"protectedLocations": ["flag"]}, [here])  # an alias
    assert run({"protectedLocations": ["Flag*"]}, [set_available("A", 1, 2)]) is not None


def test_a_refusal_lists_every_rule_broken_and_how_to_override_each() -> None:
    message = refusal({"maxUnits": 1, "protectedSkus": ["A"]}, [set_available("A", 1, 5)])
    assert "(2 violations)" in message
    assert '--allow protected-sku --allow max-units --justification "why"' in message


def test_an_override_lets_the_plan_through_and_is_recorded() -> None:
    allow = Allowance(("max-units",), "  annual stock take, counted twice  ")
    record = run(
        {"maxUnits": 10, "protectedSkus": ["GIFT-*"]}, [set_available("A", 1, 50)], allow=allow
    )
    assert record is not None
    assert record.rules == {"protected-sku": ["GIFT-*"], "max-units": 10}
    (override,) = record.overrides
    assert override.rule == "max-units"
    assert override.justification == "annual stock take, counted twice"
    assert override.violations == 1
    assert "available 1 -> 50 changes 49 units (maxUnits 10)" in override.examples[0]
    assert GuardrailRecord.from_json(record.as_json()) == record


def test_an_override_covers_only_its_own_rule() -> None:
    allow = Allowance(("max-units",), "why")
    message = refusal({"maxUnits": 1, "maxPercent": 10}, [set_available("A", 10, 50)], allow=allow)
    assert "max-percent" in message and "max-units:" not in message


def test_an_unused_override_is_reported_not_recorded() -> None:
    actions: list[Action] = [set_available("A", 1, 2)]
    checked = check(
        Guardrails.from_config({"maxUnits": 10}),
        actions,
        None,
        allow=Allowance(("max-units",), "why"),
    )
    assert checked.unused == ("max-units",)
    assert checked.record is not None and checked.record.overrides == ()


@pytest.mark.parametrize(
    ("rules", "justification", "message"),
    [
        (("max-units",), "", "--allow and --justification go together"),
        ((), "because", "--allow and --justification go together"),
        (("max-units",), "   ", "--allow and --justification go together"),
        (("max-unit",), "why", "--allow max-unit: no such guard-rail; rules: protected-sku, "),
    ],
)
def test_allowances_need_a_known_rule_and_a_justification(
    rules: tuple[str, ...], justification: str, message: str
) -> None:
    with pytest.raises(ConfigError, match=message):
        Allowance(rules, justification)


def test_a_replan_carries_the_reviewed_overrides_and_nothing_more() -> None:
    record = run({"maxUnits": 1}, [set_available("A", 1, 5)], allow=Allowance(("max-units",), "ok"))
    assert Allowance.carried(record) == Allowance(("max-units",), "ok")
    assert Allowance.carried(None) == Allowance()


def test_level_change_is_the_declared_state() -> None:
    assert level_change(Move(at("A"), "available", "damaged", 2, 5, 1, "damaged", src(1))) == (
        "damaged",
        1,
        3,
    )
    assert level_change(Move(at("A"), "reserved", "available", 2, 5, 1, "damaged", src(1))) == (
        "reserved",
        5,
        3,
    )
    assert level_change(SetQuantity(at("A"), "on_hand", 4, 4, 9, "received", src(1))) == (
        "on_hand",
        4,
        9,
    )


def test_every_rule_has_a_config_key_in_the_schema() -> None:
    import json
    from pathlib import Path

    schema = json.loads(
        (Path(__file__).resolve().parents[2] / "schemas" / "config.schema.json").read_text()
    )
    assert set(schema["properties"]["guardrails"]["properties"]) == set(RULES.values())
    plan_schema = json.loads(
        (Path(__file__).resolve().parents[2] / "schemas" / "plan.schema.json").read_text()
    )
    guardrails = plan_schema["properties"]["guardrails"]["properties"]
    assert set(guardrails["rules"]["properties"]) == set(RULES)
    assert guardrails["overrides"]["items"]["properties"]["rule"]["enum"] == list(RULES)


def test_an_empty_reason_list_allows_no_decrease() -> None:
    message = refusal({"decreaseReasons": []}, [set_available("A", 10, 9, "shrinkage")])
    assert "decreaseReasons is empty: no decrease is allowed" in message
    assert run({"decreaseReasons": []}, [set_available("A", 9, 10)]) is not None
