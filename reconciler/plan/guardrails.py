"""Guard-rails: limits a team sets in reconciler.yaml that a plan may not cross unreviewed.

A typo (``available: 10000`` for ``100``) is valid YAML and a valid plan; a guard-rail makes it
a refusal that names the rule and the change. Rules (``guardrails:`` in reconciler.yaml):

    max-units            maxUnits            no quantity of a level changes by more units
    max-percent          maxPercent          ... or by more percent of its value before (levels
                                             at 0 or below are left to max-units)
    decrease-reason      decreaseReasons     a change that writes stock off (on_hand down, or a
                                             move into damaged) carries one of these reasons
    tracked-changes      maxTrackedChanges   no more items than this change `tracked`
    max-write-off        maxWriteOff         the value written off (see plan/money.py) stays
                                             within this amount, in the shop's currency; written-
                                             off units without a cost make it uncheckable
    protected-sku        protectedSkus       no change to SKUs matching these globs
    protected-location   protectedLocations  no change at locations matching these globs (names
                                             or aliases)

The check runs when a plan is made, before anything is written anywhere. A rule can be
overridden for one plan only, explicitly: ``--allow RULE --justification "..."``. The override
(rule, justification, what it let through) is saved in the plan, is part of the plan id, and
is copied into the history entry of its apply.
"""

from __future__ import annotations

import fnmatch
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from reconciler.errors import ConfigError, GuardrailError, Problem

from .actions import Action, Move, SetQuantity, UpdateItem
from .currency import Currency
from .money import MoneySummary, effects

# rule name -> its key in reconciler.yaml, in the order they are checked and reported
RULES: dict[str, str] = {
    "protected-sku": "protectedSkus",
    "protected-location": "protectedLocations",
    "max-units": "maxUnits",
    "max-percent": "maxPercent",
    "decrease-reason": "decreaseReasons",
    "tracked-changes": "maxTrackedChanges",
    "max-write-off": "maxWriteOff",
}
EXAMPLES = 20  # violations kept per override in the plan and history
LISTED = 50  # violations listed in a refusal


@dataclass(frozen=True, slots=True)
class Guardrails:
    """The rules configured (absent keys: the rule is off)."""

    settings: Mapping[str, Any]  # rule name -> limit, as JSON

    @staticmethod
    def from_config(raw: Mapping[str, Any] | None) -> Guardrails:
        """From reconciler.yaml's ``guardrails`` (already checked against the config schema)."""
        settings: dict[str, Any] = {}
        for rule, key in RULES.items():
            value = (raw or {}).get(key)
            if value is None:
                continue
            if rule in ("max-percent", "max-write-off"):
                settings[rule] = format(Decimal(str(value)), "f")
            elif isinstance(value, list):
                settings[rule] = [str(v) for v in value]
            else:
                settings[rule] = int(value)
        return Guardrails(settings)

    def __bool__(self) -> bool:
        return bool(self.settings)


@dataclass(frozen=True, slots=True)
class Allowance:
    """``--allow RULE ... --justification TEXT`` from the command line."""

    rules: tuple[str, ...] = ()
    justification: str = ""

    def __post_init__(self) -> None:
        unknown = [r for r in self.rules if r not in RULES]
        if unknown:
            raise ConfigError(
                f"--allow {unknown[0]}: no such guard-rail; rules: {', '.join(RULES)}"
            )
        if bool(self.rules) != bool(self.justification.strip()):
            raise ConfigError(
                "--allow and --justification go together: name the rule(s) to override and say "
                'why, e.g. --allow max-units --justification "annual stock take"'
            )

    @staticmethod
    def carried(record: GuardrailRecord | None) -> Allowance:
        """The overrides of a saved plan, for planning it again (``apply --replan``): what was
        reviewed and justified once stays allowed, and nothing more."""
        if record is None or not record.overrides:
            return Allowance()
        return Allowance(tuple(o.rule for o in record.overrides), record.overrides[0].justification)


@dataclass(frozen=True, slots=True)
class Override:
    rule: str
    justification: str
    violations: int
    examples: tuple[str, ...]

    def as_json(self) -> dict[str, Any]:
        return {
            "rule": self.rule,
            "justification": self.justification,
            "violations": self.violations,
            "examples": list(self.examples),
        }


@dataclass(frozen=True, slots=True)
class GuardrailRecord:
    """What a plan saves: the rules it was checked against and the overrides it carries."""

    rules: Mapping[str, Any]
    overrides: tuple[Override, ...] = ()

    def as_json(self) -> dict[str, Any]:
        return {
            "rules": dict(self.rules),
            "overrides": [o.as_json() for o in self.overrides],
        }

    @staticmethod
    def from_json(data: Mapping[str, Any]) -> GuardrailRecord:
        return GuardrailRecord(
            dict(data["rules"]),
            tuple(
                Override(o["rule"], o["justification"], int(o["violations"]), tuple(o["examples"]))
                for o in data["overrides"]
            ),
        )


@dataclass(frozen=True, slots=True)
class Checked:
    record: GuardrailRecord | None  # None when no rule is configured and none was overridden
    unused: tuple[str, ...]  # --allow rules that nothing broke


# -- what a quantity action changes -------------------------------------------------------------


def level_change(action: Move | SetQuantity) -> tuple[str, int, int]:
    """The quantity a move or set changes, from its value before the plan to its value after.

    A move between `available` and another state is the change of that other state (the one a
    manifest declares).
    """
    if isinstance(action, SetQuantity):
        return action.name, action.live, action.after
    if action.to_name != "available":
        return action.to_name, action.to_before, action.to_before + action.quantity
    return action.from_name, action.from_before, action.from_before - action.quantity


def _where(action: Action) -> str:
    target = action.target
    return f"{target.sku} at {target.location_name}" if target.location_name else target.sku


def _problem(rule: str, action: Action | None, message: str) -> Problem:
    if action is None:
        return Problem(f"{rule}: {message}")
    source = action.source
    return Problem(f"{rule}: {message}", source.file, source.line, source.path)


# -- the rules ------------------------------------------------------------------------------------


def _matches(globs: Sequence[str], names: Iterable[str]) -> str | None:
    for name in names:
        for glob in globs:
            if fnmatch.fnmatchcase(name, glob):
                return glob
    return None


def _check(
    rules: Mapping[str, Any],
    actions: Sequence[Action],
    money: MoneySummary | None,
    aliases: Mapping[str, str],
) -> dict[str, list[Problem]]:
    found: dict[str, list[Problem]] = {rule: [] for rule in rules}
    if not rules:
        return found
    skus = rules.get("protected-sku")
    locations = rules.get("protected-location")
    max_units = rules.get("max-units")
    max_percent = Decimal(rules["max-percent"]) if "max-percent" in rules else None
    reasons = rules.get("decrease-reason")
    names_of: dict[str, list[str]] = {}
    for alias, name in aliases.items():
        names_of.setdefault(name, []).append(alias)
    tracked: list[UpdateItem] = []
    for action in actions:
        target = action.target
        if skus and (glob := _matches(skus, [target.sku])):
            found["protected-sku"].append(
                _problem("protected-sku", action, f"{target.sku} is protected ({glob})")
            )
        if locations and target.location_name is not None:
            names = [target.location_name, *names_of.get(target.location_name, ())]
            if glob := _matches(locations, names):
                found["protected-location"].append(
                    _problem(
                        "protected-location",
                        action,
                        f"{_where(action)}: {target.location_name} is protected ({glob})",
                    )
                )
        if isinstance(action, UpdateItem):
            if any(c.field == "tracked" for c in action.changes):
                tracked.append(action)
            continue
        if not isinstance(action, Move | SetQuantity):
            continue
        name, before, after = level_change(action)
        units = abs(after - before)
        change = f"{_where(action)}: {name} {before} -> {after}"
        if max_units is not None and units > max_units:
            found["max-units"].append(
                _problem(
                    "max-units", action, f"{change} changes {units} units (maxUnits {max_units})"
                )
            )
        if max_percent is not None and before > 0 and units * 100 > max_percent * before:
            percent = (Decimal(units * 100) / before).quantize(Decimal("0.1"))
            found["max-percent"].append(
                _problem(
                    "max-percent",
                    action,
                    f"{change} changes it by {percent}% (maxPercent {max_percent})",
                )
            )
        if reasons is not None and action.reason not in reasons:
            removed = sum(-u for e, _, u in effects(action) if e in ("removed", "written_off"))
            if removed > 0:
                found["decrease-reason"].append(
                    _problem(
                        "decrease-reason",
                        action,
                        f"{change} writes off {removed} units with reason {action.reason}; "
                        + (
                            f"decreases need one of: {', '.join(reasons)}"
                            if reasons
                            else "decreaseReasons is empty: no decrease is allowed"
                        ),
                    )
                )
    limit = rules.get("tracked-changes")
    if limit is not None and len(tracked) > limit:
        listing = ", ".join(a.target.sku for a in tracked[:10])
        more = f" and {len(tracked) - 10} more" if len(tracked) > 10 else ""
        found["tracked-changes"].append(
            _problem(
                "tracked-changes",
                None,
                f"{len(tracked)} items change `tracked` ({listing}{more}); "
                f"maxTrackedChanges is {limit}",
            )
        )
    if "max-write-off" in rules and money is not None:
        found["max-write-off"].extend(_write_off(Decimal(rules["max-write-off"]), money))
    return found


def _write_off(limit: Decimal, money: MoneySummary) -> list[Problem]:
    currency: Currency = money.currency
    problems = []
    if money.written_off > limit:
        problems.append(
            _problem(
                "max-write-off",
                None,
                f"this plan writes off {currency.format(money.written_off)}, more than "
                f"maxWriteOff {currency.format(limit)}",
            )
        )
    missing = money.unvalued_written_off_units()
    if missing:
        names = ", ".join(u.sku for u in money.unvalued[:10])
        problems.append(
            _problem(
                "max-write-off",
                None,
                f"{missing} units written off have no unit cost ({names}), so the value "
                f"written off cannot be checked against maxWriteOff {currency.format(limit)}",
            )
        )
    return problems


# -- checking a plan ----------------------------------------------------------------------------


def check(
    guardrails: Guardrails,
    actions: Sequence[Action],
    money: MoneySummary | None,
    *,
    aliases: Mapping[str, str] | None = None,
    allow: Allowance | None = None,
) -> Checked:
    """Every configured rule over `actions`; raises GuardrailError listing what breaks a rule
    that is not allowed. Returns what the plan records."""
    allow = allow or Allowance()
    found = _check(guardrails.settings, actions, money, aliases or {})
    refused = [p for rule, problems in found.items() if rule not in allow.rules for p in problems]
    if refused:
        raise GuardrailError(refused[:LISTED], total=len(refused), rules=_rules_of(refused))
    overrides = tuple(
        Override(
            rule,
            allow.justification.strip(),
            len(found[rule]),
            tuple(str(p) for p in found[rule][:EXAMPLES]),
        )
        for rule in RULES
        if rule in allow.rules and found.get(rule)
    )
    unused = tuple(r for r in allow.rules if not found.get(r))
    if not guardrails and not overrides:
        return Checked(None, unused)
    return Checked(GuardrailRecord(dict(guardrails.settings), overrides), unused)


def _rules_of(problems: Sequence[Problem]) -> tuple[str, ...]:
    return tuple(dict.fromkeys(p.message.split(":", 1)[0] for p in problems))
