"""Can this apply start? Every check that can refuse it, run before the store lock is taken.

An apply that fails after its first write leaves the store half-changed, so everything that
can be known before writing is checked here, in one place, and all of it is reported at once:

* the plan is for this store and API version;
* the journal and the history file can be written where they will be (a directory, a file in
  the way, a read-only place: refused now, not after the store changed);
* the plan keeps everything the planner guarantees (plan/consistency.py: quantity ranges, one
  write per level and name, compare values that follow from the observed ones, codes);
* a region code belongs to the item's country where that comes from the store (read now).

The store lock (apply/lock.py) is the first write; the stale check after it only reads.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

from reconciler.errors import ConfigError
from reconciler.manifest import codes
from reconciler.outputs import file_problem
from reconciler.plan import consistency
from reconciler.plan.actions import UpdateItem
from reconciler.plan.planfile import Plan
from reconciler.shopify.target import StoreTarget

# item ids → the store's countryCodeOfOrigin of each (None: unset)
CountryReader = Callable[[Sequence[str]], dict[str, str | None]]


class ApplyRefused(ConfigError):
    """The apply cannot start; nothing was written to the store."""


@dataclass(frozen=True)
class Files:
    """What the apply writes besides the store."""

    journal: Path
    history: Path


def refusals(
    plan: Plan, target: StoreTarget, files: Files, countries: CountryReader | None = None
) -> list[str]:
    """Every reason this apply must not start ([]: it may). `countries` reads the store's
    country of the items whose region the plan sets without setting their country."""
    found: list[str] = []
    if target.name != plan.store or target.api_version != plan.api_version:
        found.append(
            f"this plan was made for {plan.store} (API {plan.api_version}), not "
            f"{target.name} (API {target.api_version}); make a new plan for this store"
        )
    for path, what in ((files.journal, "journal"), (files.history, "history file")):
        problem = file_problem(path)
        if problem:
            found.append(f"the {what} {path} cannot be written: {problem}")
    plan_problems = consistency.problems(plan.actions, plan.observed)
    if plan_problems:
        found.append(
            f"plan {plan.plan_id} breaks what the planner guarantees (was it edited?):\n"
            + consistency.summary(plan_problems)
        )
    elif countries is not None:
        found.extend(_regions_against_store(plan, countries))
    return found


def check(
    plan: Plan, target: StoreTarget, files: Files, countries: CountryReader | None = None
) -> None:
    """Refuse the apply (ApplyRefused, exit 1) with every reason at once, or return."""
    found = refusals(plan, target, files, countries)
    if not found:
        return
    listing = "\n".join(f"- {reason}" for reason in found)
    raise ApplyRefused(
        f"cannot apply plan {plan.plan_id}; nothing was written to the store:\n{listing}"
    )


def _regions_against_store(plan: Plan, countries: CountryReader) -> list[str]:
    """provinceCodeOfOrigin set on items whose country the plan leaves to the store."""
    pending: dict[str, tuple[int, UpdateItem, str]] = {}
    for action_id, action in enumerate(plan.actions, start=1):
        if not isinstance(action, UpdateItem):
            continue
        after = {c.field: c.after for c in action.changes}
        province = after.get("provinceCodeOfOrigin")
        if isinstance(province, str) and "countryCodeOfOrigin" not in after:
            pending[action.target.item_id] = (action_id, action, province)
    if not pending:
        return []
    live = countries(sorted(pending))
    found = []
    for item_id, (action_id, action, province) in pending.items():
        country = live.get(item_id)
        problem = codes.province_problem(country, province, f"the store's country is {country}")
        if problem:
            found.append(f"action {action_id} (update_item {action.target.sku}): {problem}")
    return found
