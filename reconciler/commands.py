"""The library behind each command: plan, apply (saved, fresh or resumed), history.

The CLI parses options and renders; everything else happens here, so the same functions
serve tests, the demo and other tools. Settings come from, in order: the function's
arguments (CLI flags), the environment (SHOPIFY_STORE, SHOPIFY_ACCESS_TOKEN,
SHOPIFY_API_VERSION), reconciler.yaml, then defaults.
"""

from __future__ import annotations

import json
import os
from collections.abc import Sequence
from contextlib import AbstractContextManager, nullcontext
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from reconciler import history as histories
from reconciler import stores
from reconciler.apply import journal as journals
from reconciler.apply import preflight, settle
from reconciler.apply.checks import Moved, item_ids, stale_values
from reconciler.apply.drift import Drift, find_drift
from reconciler.apply.execute import ActionResult, ApplyOutcome, Executor, Status
from reconciler.apply.lock import Owner, StoreLock
from reconciler.apply.lock import held as store_lock
from reconciler.apply.lock import recorded_in as recorded_lock
from reconciler.apply.reads import read_items
from reconciler.apply.schedule import DEFAULT_CONCURRENCY
from reconciler.errors import ConfigError, ManifestError, StalePlanError
from reconciler.live import ReadReport, read_live
from reconciler.live.ahead import read_ahead, read_settings
from reconciler.manifest.api import check_paths
from reconciler.manifest.config import Config
from reconciler.model import DesiredState, LiveState
from reconciler.plan import guardrails as guards
from reconciler.plan import money
from reconciler.plan.actions import Action
from reconciler.plan.build import Filters, build_actions, select
from reconciler.plan.planfile import (
    Plan,
    action_json,
    git_info,
    loads,
    make_plan,
    now_iso,
    plan_json,
)
from reconciler.progress import SILENT, Progress
from reconciler.secrets import MIN_LENGTH, Secret
from reconciler.shopify import deadline as deadlines
from reconciler.shopify.client import ShopifyClient
from reconciler.shopify.deadline import Deadline
from reconciler.shopify.target import StoreTarget, resolve_target
from reconciler.shopify.usage import Usage


@dataclass(frozen=True)
class Connection:
    """Where to send requests, with what token (never printed), by when (the run's deadline)."""

    target: StoreTarget
    token: Secret
    deadline: Deadline = field(default_factory=Deadline)
    progress: Progress = SILENT

    def client(self, usage: Usage | None = None) -> ShopifyClient:
        return ShopifyClient(
            self.target, self.token, usage=usage, deadline=self.deadline, progress=self.progress
        )


def connection(
    store: str | None,
    api_version: str | None,
    config: Config | None = None,
    progress: Progress = SILENT,
) -> Connection:
    env = os.environ
    target = resolve_target(
        store or env.get("SHOPIFY_STORE") or (config.store if config else None),
        api_version or env.get("SHOPIFY_API_VERSION") or (config.api_version if config else None),
    )
    variable = stores.token_variable(config or Config())  # per store (reconciler/stores.py)
    token = env.get(variable, "")
    if not token:
        raise ConfigError(f"no access token: {stores.token_help(config or Config(), variable)}")
    if len(token.strip()) < MIN_LENGTH:
        raise ConfigError(f"{variable} is too short to be an access token")
    configured = config.deadline if config else None
    run_deadline = deadlines.for_run(configured, f"{config.path if config else 'config'}: deadline")
    return Connection(target, Secret(token), run_deadline, progress)


# -- plan --------------------------------------------------------------------------------------


@dataclass
class Planned:
    plan: Plan
    usage: Usage
    config: Config
    read: ReadReport = field(default_factory=ReadReport)  # how the store was read
    unused_allowances: tuple[str, ...] = ()  # --allow rules that nothing broke


def load_manifests(paths: list[Path], config_path: Path | None) -> tuple[DesiredState, Config]:
    check = check_paths(paths, config_path)
    if check.state is None:
        raise ManifestError(check.problems)
    return check.state, check.config


def plan(
    paths: list[Path],
    *,
    config_path: Path | None = None,
    store: str | None = None,
    api_version: str | None = None,
    filters: Filters | None = None,
    read: str | None = None,
    allow: guards.Allowance | None = None,
    progress: Progress = SILENT,
) -> Planned:
    """Validate the manifests, read the store, and plan; refuse a plan that breaks a guard-rail
    (unless `allow`ed). Never writes anything.

    A plan that will read in bulk starts its bulk query first, so the store is exported
    while the manifests are read (`read_ahead`)."""
    filters = filters or Filters()
    usage = Usage()
    report = ReadReport()
    early = read_ahead(
        paths, config_path, read, usage, lambda c: connection(store, api_version, c, progress)
    )
    with early as ahead:
        desired, config = load_manifests(paths, config_path)
        desired = select(desired, filters)
        conn = connection(store, api_version, config, progress)
        settings = read_settings(read, config)
        with ahead.client_for(conn, usage) as client:
            started = ahead.started_for(conn)
            live = read_live(
                client, desired, settings, progress=progress, report=report, started=started
            )
            currency = str(client.query("shop", {}).data["shop"]["currencyCode"])
    built = build_actions(desired, live, filters)
    basis = money.basis_for(built.actions, _unit_costs(live), currency)
    checked = guards.check(
        guards.Guardrails.from_config(config.guardrails),
        built.actions,
        money.summarise(built.actions, basis),
        aliases=config.location_aliases,
        allow=allow,
    )
    made = make_plan(
        built,
        store=conn.target.name,
        api_version=conn.target.api_version,
        manifest_digest=desired.digest,
        manifest_files=desired.files,
        filters=filters,
        git=git_info(paths),
        money=basis,
        guardrails=checked.record,
    )
    made = replace(made, usage={**usage.as_json(), "read": str(report)})
    return Planned(made, usage, config, report, checked.unused)


def _unit_costs(live: LiveState) -> dict[str, Any]:
    return {item_id: item.cost for item_id, item in live.items.items()}


# -- apply -------------------------------------------------------------------------------------


@dataclass
class Applied:
    plan: Plan
    outcome: ApplyOutcome
    drift: list[Drift]
    usage: Usage
    journal: Path
    history_entry: dict[str, Any] | None = None
    started_at: str = ""
    finished_at: str = ""
    resumed: bool = False

    def count(self, status: Status) -> int:
        return sum(1 for r in self.outcome.results.values() if r.status is status)

    @property
    def succeeded(self) -> bool:
        return self.count(Status.FAILED) == 0 and self.count(Status.NOT_ATTEMPTED) == 0

    @property
    def outcome_name(self) -> str:
        if not self.plan.actions:
            return "no_changes"
        if self.succeeded:
            return "applied"
        return "partial" if self.count(Status.APPLIED) else "failed"


@dataclass
class ApplySettings:
    store: str | None = None
    api_version: str | None = None
    config: Config = field(default_factory=Config)
    continue_on_error: bool = False
    concurrency: int | None = None  # calls in flight; None: config `apply.concurrency`, else 8
    replan: bool = False
    journal_dir: Path = journals.DEFAULT_DIRECTORY
    history_path: Path | None = None
    progress: Progress = SILENT


def _plan_connection(plan_: Plan, settings: ApplySettings) -> Connection:
    """The plan names its store and version; flags or the environment may only agree
    (preflight refuses any other)."""
    store = settings.store or os.environ.get("SHOPIFY_STORE") or plan_.store_url_hint()
    version = settings.api_version or os.environ.get("SHOPIFY_API_VERSION") or plan_.api_version
    return connection(store, version, settings.config, settings.progress)


def _preflight(
    plan_: Plan,
    conn: Connection,
    client: ShopifyClient,
    settings: ApplySettings,
    journal_path: Path | None = None,
) -> None:
    """Refuse the apply before the store lock (its first write): apply/preflight.py."""
    files = preflight.Files(
        journal=journal_path or settings.journal_dir / f"{plan_.plan_id}.jsonl",
        history=settings.history_path or settings.config.history or histories.DEFAULT_PATH,
    )

    def countries(ids: Sequence[str]) -> dict[str, str | None]:
        live = read_items(client, list(ids), _concurrency(settings))
        return {i: item.country_code_of_origin for i, item in live.items()}

    settle.window_from_environment()  # a bad value refuses here, before any write
    preflight.check(plan_, conn.target, files, countries)


def stale_check(
    plan: Plan, client: ShopifyClient, actions: list[Action], concurrency: int = 1
) -> list[Moved]:
    live = read_items(client, item_ids(actions), concurrency)
    return stale_values(plan, actions, live)


def _concurrency(settings: ApplySettings) -> int:
    return settings.concurrency or settings.config.apply_concurrency or DEFAULT_CONCURRENCY


def _stale_error(plan: Plan, moved: list[Moved]) -> StalePlanError:
    listing = "\n".join(f"  {m}" for m in moved[:50])
    more = f"\n  ... and {len(moved) - 50} more" if len(moved) > 50 else ""
    return StalePlanError(
        f"plan {plan.plan_id} is stale: {len(moved)} value(s) it was made from changed in the "
        f"store:\n{listing}{more}\nMake a new plan (or pass --replan to plan again and apply "
        "the new plan)."
    )


def _store_lock(
    client: ShopifyClient, plan_: Plan, takeover: str | None = None
) -> AbstractContextManager[StoreLock | None]:
    """One apply at a time per store (apply/lock.py); a plan with nothing to do needs none.
    Acquired after preflight (which refuses before any write) and before the stale check."""
    if not plan_.actions:
        return nullcontext()
    owner = Owner.here(plan_id=plan_.plan_id, commit=plan_.git.commit if plan_.git else None)
    return store_lock(client, owner, takeover=takeover)


def apply(plan_: Plan, settings: ApplySettings) -> Applied:
    """Apply a plan: refuse it if stale, run it with a journal, check drift, record history."""
    conn = _plan_connection(plan_, settings)
    usage = Usage()
    with conn.client(usage) as client:
        _preflight(plan_, conn, client, settings)
        with _store_lock(client, plan_) as lock:
            return _apply_locked(plan_, client, usage, settings, lock)


def _apply_locked(
    plan_: Plan,
    client: ShopifyClient,
    usage: Usage,
    settings: ApplySettings,
    lock: StoreLock | None,
) -> Applied:
    """The stale check (reads), then the run; the store lock is held."""
    actions = list(plan_.actions)
    moved = stale_check(plan_, client, actions, _concurrency(settings)) if actions else []
    if moved:
        raise _stale_error(plan_, moved)
    pending = list(range(1, len(plan_.actions) + 1))
    return _run(plan_, client, usage, settings, pending=pending, lock=lock)


def _run(
    plan_: Plan,
    client: ShopifyClient,
    usage: Usage,
    settings: ApplySettings,
    *,
    pending: list[int],
    prior: dict[int, ActionResult] | None = None,
    journal_path: Path | None = None,
    in_flight: list[dict[str, Any]] | None = None,
    lock: StoreLock | None = None,
) -> Applied:
    started = now_iso()
    path = journal_path or settings.journal_dir / f"{plan_.plan_id}.jsonl"
    journal = journals.Journal(path)
    if journal_path is None:
        journal.write("plan", plan=plan_json(plan_), started_at=started)
    else:
        journal.write("resume", started_at=started)
    if lock is not None and lock.record is not None:
        journal.write("lock", lock_id=lock.record.id)  # lets --resume take it over
    try:
        executor = Executor(
            plan_,
            client,
            journal,
            continue_on_error=settings.continue_on_error,
            concurrency=_concurrency(settings),
            settle_window=settle.window_from_environment(),
            progress=settings.progress.note,
            display=settings.progress,
        )
        # batches a crashed run left in flight: settled, or re-sent exactly as they went out
        resend = executor.settle_in_flight(in_flight) if in_flight else []
        sent = {int(i) for record in in_flight or () for i in record["action_ids"]}
        touched = item_ids(list(plan_.actions))
        outcome = executor.run(
            [i for i in pending if i not in sent], first=resend, read_behind=touched
        )
        if prior:
            outcome.results.update(prior)
        # the drift re-read: mostly done during the run, as each item's calls were answered
        unread = executor.behind.unread()
        live = {**executor.behind.items, **read_items(client, unread, _concurrency(settings))}
        drift = find_drift(plan_, live, outcome.results)
        finished = now_iso()
        journal.write("finish", finished_at=finished)
    finally:
        journal.close()
    applied = Applied(
        plan_,
        outcome,
        drift,
        usage,
        path,
        started_at=started,
        finished_at=finished,
        resumed=prior is not None,
    )
    if plan_.actions:
        history_path = settings.history_path or settings.config.history or histories.DEFAULT_PATH
        applied.history_entry = histories.append(history_path, history_record(applied))
    return applied


def resume(journal_path: Path, settings: ApplySettings) -> Applied:
    """Finish an interrupted apply from its journal without repeating anything applied."""
    state = journals.read(journal_path)
    plan_ = loads(json.dumps(state.plan), origin=str(journal_path))
    conn = _plan_connection(plan_, settings)
    done = {
        i: ActionResult.from_json(r)
        for i, r in state.results.items()
        if r["status"] != "not_attempted"
    }
    journals.check_ids(state, len(plan_.actions), journal_path)
    journals.check_in_flight(state, plan_, journal_path)
    in_flight = {int(i) for record in state.in_flight for i in record["action_ids"]}
    prior = {i: r for i, r in done.items() if i not in in_flight}
    pending = [i for i in range(1, len(plan_.actions) + 1) if i not in prior]
    usage = Usage()
    takeover = recorded_lock(journal_path)
    with conn.client(usage) as client:
        _preflight(plan_, conn, client, settings, journal_path)
        with _store_lock(client, plan_, takeover) as lock:
            return _run(
                plan_,
                client,
                usage,
                settings,
                pending=pending,
                prior=prior,
                journal_path=journal_path,
                in_flight=state.in_flight,
                lock=lock,
            )


def history_record(applied: Applied) -> dict[str, Any]:
    """The history entry of an apply (hash-chained by `history.append`)."""
    plan_ = applied.plan
    actions = []
    for index, action in enumerate(plan_.actions, start=1):
        record = {"id": index, **action_json(action)}
        record.pop("source", None)
        result = applied.outcome.results.get(index, ActionResult(Status.NOT_ATTEMPTED))
        record.update(result.as_json())
        record["source"] = f"{action.source.file}:{action.source.line}"
        actions.append(record)
    return {
        "plan_id": plan_.plan_id,
        "git": None
        if plan_.git is None
        else {"commit": plan_.git.commit, "dirty": plan_.git.dirty},
        "actor": histories.actor(),
        "store": plan_.store,
        "api_version": plan_.api_version,
        "started_at": applied.started_at,
        "finished_at": applied.finished_at,
        "outcome": applied.outcome_name,
        "resumed": applied.resumed,
        "summary": {
            "applied": applied.count(Status.APPLIED),
            "failed": applied.count(Status.FAILED),
            "not_attempted": applied.count(Status.NOT_ATTEMPTED),
        },
        "actions": actions,
        "drift": [d.as_json() for d in applied.drift],
        "usage": applied.usage.as_json(),
        "manifests": {"digest": plan_.manifest_digest},
        **({} if plan_.guardrails is None else {"guardrails": plan_.guardrails.as_json()}),
    }
