"""The plan as a document: metadata + actions + the live values it was made from.

``plan.json`` (``schemas/plan.schema.json``, ``format_version`` "1") is what `reconciler apply`
executes and what CI stores. It is deterministic: the same manifests and the same live state
give byte-identical JSON. The plan id is a hash of everything that decides what apply will do
(store, API version, manifests, observed live values, actions), so it names the change, not
the moment; ``created_at`` comes from ``SOURCE_DATE_EPOCH`` when set.
"""

from __future__ import annotations

import hashlib
import json
import os
import subprocess
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from reconciler.errors import ConfigError, Problem
from reconciler.gc_pause import cyclic_gc_paused
from reconciler.model import ManifestFile, Source
from reconciler.secrets import redact

from .actions import (
    PHASES,
    Action,
    Activate,
    AttributeChange,
    Deactivate,
    Kind,
    Move,
    SetQuantity,
    Target,
    UpdateItem,
)
from .build import Built, Filters, Observed
from .guardrails import GuardrailRecord
from .money import MoneyBasis, basis_from_json, money_json
from .shape import FULLY_VALIDATED_ACTIONS, schema_path, shape_error  # noqa: F401 (re-exported)

FORMAT_VERSION = "1"


@dataclass(frozen=True)
class GitInfo:
    commit: str
    dirty: bool


@dataclass(frozen=True)
class Plan:
    plan_id: str
    created_at: str
    store: str
    api_version: str
    git: GitInfo | None
    manifest_digest: str
    manifest_files: tuple[ManifestFile, ...]
    filters: Filters
    actions: tuple[Action, ...]
    observed: Observed
    warnings: tuple[Problem, ...] = field(default=())
    # Optional sections, each with its own (de)serialiser below (`_extras_json`, `_extras`):
    money: MoneyBasis | None = None  # currency and unit costs (plan/money.py)
    guardrails: GuardrailRecord | None = None  # rules checked, overrides (plan/guardrails.py)
    usage: dict[str, Any] | None = None  # what reading the store cost (not part of plan_id)

    @property
    def empty(self) -> bool:
        return not self.actions

    def count(self, kind: Kind) -> int:
        return sum(1 for a in self.actions if a.kind == kind)

    @property
    def items_to_update(self) -> int:
        return self.count(Kind.UPDATE_ITEM)

    def summary_line(self) -> str:
        if self.empty:
            return "No changes. The store matches the manifests."
        return (
            f"Plan: {self.count(Kind.UPDATE_ITEM)} items to update, "
            f"{self.count(Kind.SET)} quantities to set, {self.count(Kind.MOVE)} moves, "
            f"{self.count(Kind.ACTIVATE)} activations, {self.count(Kind.DEACTIVATE)} deactivations."
        )

    def store_url_hint(self) -> str:
        """The store to talk to when none is given: a sandbox's loopback URL, or the shop."""
        host = self.store.rsplit(":", 1)[0] if self.store.count(":") == 1 else self.store
        if host in ("127.0.0.1", "localhost", "[::1]"):
            return f"http://{self.store}"
        return self.store

    @property
    def reference_document_uri(self) -> str:
        """What every mutation names, so Shopify's inventory history points back here.

        The plan id, and as GlobalID params (``gid://app/Model/id?key=value``) the commit the
        manifests were at, plus ``dirty=true`` when they differed from it; see
        `reconciler.history.plan_id_of` for the way back.
        """
        uri = f"gid://reconciler/Plan/{self.plan_id}"
        if self.git is None:
            return uri
        return uri + f"?commit={self.git.commit}" + ("&dirty=true" if self.git.dirty else "")


# -- time, git ---------------------------------------------------------------------------------


def now_iso() -> str:
    epoch = os.environ.get("SOURCE_DATE_EPOCH")
    moment = datetime.fromtimestamp(int(epoch), UTC) if epoch else datetime.now(UTC)
    return moment.strftime("%Y-%m-%dT%H:%M:%SZ")


def git_info(paths: list[Path]) -> GitInfo | None:
    """The commit the manifests are at (and whether they differ from it), if in a git repo."""
    if not paths:
        return None
    anchor = paths[0] if paths[0].is_dir() else paths[0].parent
    try:
        commit = subprocess.run(
            ["git", "-C", str(anchor), "rev-parse", "HEAD"],
            capture_output=True,
            text=True,
            check=True,
            timeout=10,
        ).stdout.strip()
        status = subprocess.run(
            ["git", "-C", str(anchor), "status", "--porcelain", "--", *map(str, paths)],
            capture_output=True,
            text=True,
            check=True,
            timeout=10,
        ).stdout
    except (OSError, subprocess.SubprocessError):
        return None
    return GitInfo(commit, bool(status.strip()))


# -- to JSON -----------------------------------------------------------------------------------


def _source_json(source: Source) -> dict[str, Any]:
    return {"file": source.file, "line": source.line, "path": source.path}


def _target_json(target: Target) -> dict[str, Any]:
    out: dict[str, Any] = {"sku": target.sku, "item_id": target.item_id}
    if target.location_id is not None:
        out["location_id"] = target.location_id
        out["location"] = target.location_name
    return out


def action_json(action: Action) -> dict[str, Any]:
    out: dict[str, Any] = {"kind": action.kind.value, **_target_json(action.target)}
    if isinstance(action, UpdateItem):
        out["changes"] = [
            {"field": c.field, "before": c.before, "after": c.after} for c in action.changes
        ]
    elif isinstance(action, Activate):
        out["reactivates"] = action.reactivates
    elif isinstance(action, Move):
        out.update(
            {
                "from": action.from_name,
                "to": action.to_name,
                "quantity": action.quantity,
                "from_before": action.from_before,
                "to_before": action.to_before,
                "reason": action.reason,
            }
        )
    elif isinstance(action, SetQuantity):
        out.update(
            {
                "name": action.name,
                "before": action.live,
                "compare": action.compare,
                "after": action.after,
                "reason": action.reason,
            }
        )
    elif isinstance(action, Deactivate):
        out["level_id"] = action.level_id
    out["source"] = _source_json(action.source)
    return out


def _observed_json(observed: Observed) -> dict[str, Any]:
    return {
        "levels": [
            {"item_id": item_id, "location_id": location_id, "quantities": quantities}
            for (item_id, location_id), quantities in sorted(observed.levels.items())
        ],
        "items": [
            {"item_id": item_id, "attributes": attributes}
            for item_id, attributes in sorted(observed.items.items())
        ],
    }


def _identity(
    store: str,
    api_version: str,
    digest: str,
    actions: Iterable[dict[str, Any]],
    observed: dict[str, Any],
    guardrails: dict[str, Any] | None = None,
) -> str:
    """The plan id: what apply would do, where, from which live values (and, when the plan
    has them, the guard-rails it was checked against and the overrides it carries).

    The hash of the canonical JSON of ``[store, api_version, digest, actions, observed
    (, guardrails)]``, fed to the hash piece by piece: a million actions are never one string.
    """
    digest_of = hashlib.sha256()

    def feed(value: Any) -> None:
        digest_of.update(_CANONICAL.encode(value).encode())

    digest_of.update(b"[")
    for value in (store, api_version, digest):
        feed(value)
        digest_of.update(b",")
    digest_of.update(b"[")
    for index, action in enumerate(actions):
        if index:
            digest_of.update(b",")
        feed(action)
    digest_of.update(b"],")
    feed(observed)
    if guardrails is not None:
        digest_of.update(b",")
        feed(guardrails)
    digest_of.update(b"]")
    return digest_of.hexdigest()[:16]


_CANONICAL = json.JSONEncoder(sort_keys=True, separators=(",", ":"))


def make_plan(
    built: Built,
    *,
    store: str,
    api_version: str,
    manifest_digest: str,
    manifest_files: tuple[ManifestFile, ...],
    filters: Filters,
    git: GitInfo | None,
    created_at: str | None = None,
    money: MoneyBasis | None = None,
    guardrails: GuardrailRecord | None = None,
) -> Plan:
    actions_json = [action_json(a) for a in built.actions]
    plan_id = _identity(
        store,
        api_version,
        manifest_digest,
        actions_json,
        _observed_json(built.observed),
        None if guardrails is None else guardrails.as_json(),
    )
    return Plan(
        plan_id=plan_id,
        created_at=created_at or now_iso(),
        store=store,
        api_version=api_version,
        git=git,
        manifest_digest=manifest_digest,
        manifest_files=manifest_files,
        filters=filters,
        actions=built.actions,
        observed=built.observed,
        warnings=built.warnings,
        money=money,
        guardrails=guardrails,
    )


def plan_json(plan: Plan) -> dict[str, Any]:
    actions = []
    for index, action in enumerate(plan.actions, start=1):
        actions.append({"id": index, **action_json(action)})
    return {
        "format_version": FORMAT_VERSION,
        "plan_id": plan.plan_id,
        "created_at": plan.created_at,
        "store": plan.store,
        "api_version": plan.api_version,
        "git": None if plan.git is None else {"commit": plan.git.commit, "dirty": plan.git.dirty},
        "manifests": {
            "digest": plan.manifest_digest,
            "files": [{"path": f.path, "sha256": f.sha256} for f in plan.manifest_files],
        },
        "filters": plan.filters.as_json(),
        "summary": {kind.value: plan.count(kind) for kind in PHASES},
        "actions": actions,
        "observed": _observed_json(plan.observed),
        "warnings": [w.as_json() for w in plan.warnings],
        **_extras_json(plan),
    }


def _extras_json(plan: Plan) -> dict[str, Any]:
    out: dict[str, Any] = {}
    if plan.money is not None:
        out["money"] = money_json(plan.actions, plan.money)
    if plan.guardrails is not None:
        out["guardrails"] = plan.guardrails.as_json()
    if plan.usage is not None:
        out["usage"] = plan.usage
    return out


def _extras(data: dict[str, Any], origin: str) -> dict[str, Any]:
    """The optional sections of a saved plan (the money summary is derived again when needed)."""
    money, guardrails = data.get("money"), data.get("guardrails")
    try:
        return {
            "money": None if money is None else basis_from_json(money),
            "guardrails": None if guardrails is None else GuardrailRecord.from_json(guardrails),
            "usage": data.get("usage"),
        }
    except (KeyError, TypeError, ValueError, ArithmeticError) as exc:
        raise ConfigError(f"{origin}: not a valid plan: money or guardrails: {exc!r}") from None


def dumps(plan: Plan) -> str:
    """The plan file's text; any known secret is scrubbed (reconciler/secrets.py)."""
    return redact(json.dumps(plan_json(plan), indent=2, ensure_ascii=False)) + "\n"


# -- from JSON (apply reads saved plans) ------------------------------------------------------


def _source(data: dict[str, Any]) -> Source:
    return Source(data["file"], int(data["line"]), data.get("path") or "$")


def _action(data: dict[str, Any]) -> Action:
    target = Target(data["sku"], data["item_id"], data.get("location_id"), data.get("location"))
    source = _source(data["source"])
    kind = Kind(data["kind"])
    if kind is Kind.UPDATE_ITEM:
        changes = tuple(
            AttributeChange(c["field"], c["before"], c["after"]) for c in data["changes"]
        )
        return UpdateItem(target, changes, source)
    if kind is Kind.ACTIVATE:
        return Activate(target, bool(data["reactivates"]), source)
    if kind is Kind.MOVE:
        return Move(
            target,
            data["from"],
            data["to"],
            int(data["quantity"]),
            int(data["from_before"]),
            int(data["to_before"]),
            data["reason"],
            source,
        )
    if kind is Kind.SET:
        return SetQuantity(
            target,
            data["name"],
            int(data["before"]),
            int(data["compare"]),
            int(data["after"]),
            data["reason"],
            source,
        )
    return Deactivate(target, data["level_id"], source)


def load(path: Path) -> Plan:
    """Read a saved plan file (`loads`); unreadable or non-UTF-8 files are refused clearly.
    The file's bytes and text are let go as soon as they are parsed (a 1M-action plan is
    half a gigabyte of JSON)."""
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise ConfigError(f"{path}: cannot read the plan file: {exc.strerror}") from None
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise ConfigError(
            f"{path}: not a plan file: byte {exc.start} is not UTF-8 (plans are JSON in UTF-8)"
        ) from None
    del raw
    origin = str(path)
    with cyclic_gc_paused():  # a million actions: millions of containers, no cycles
        data = _json(text, origin)
        del text
        return _checked(lambda: _from_data(data, origin), origin)


def loads(text: str, origin: str = "plan") -> Plan:
    """Read a saved plan, refusing anything that is not a valid plan of this format."""
    with cyclic_gc_paused():
        data = _json(text, origin)
        return _checked(lambda: _from_data(data, origin), origin)


def _json(text: str, origin: str) -> Any:
    try:
        return json.loads(text)
    except ValueError as exc:
        raise ConfigError(f"{origin}: not a JSON plan file ({exc})") from None
    except RecursionError:
        raise ConfigError(f"{origin}: not a plan file: JSON nested too deeply") from None


def _checked(parse: Callable[[], Plan], origin: str) -> Plan:
    try:
        return parse()
    except RecursionError:  # parseable, but deeper than the schema's walk (or the id's) goes
        raise ConfigError(f"{origin}: not a plan file: JSON nested too deeply") from None


def _from_data(data: Any, origin: str) -> Plan:
    error = shape_error(data)
    if error is not None:
        raise ConfigError(f"{origin}: not a valid plan: {error}")
    parsed = []
    raw_actions = data["actions"]
    for position, raw in enumerate(raw_actions):
        raw_actions[position] = None  # each raw action goes as soon as it is parsed
        if raw.get("id") != position + 1:
            raise ConfigError(
                f"{origin}: not a valid plan: actions/{position}: id is not {position + 1}"
            )
        try:
            parsed.append(_action(raw))
        except (KeyError, TypeError, ValueError) as exc:
            raise ConfigError(f"{origin}: not a valid plan: actions/{position}: {exc!r}") from None
    observed = Observed(
        levels={
            (lv["item_id"], lv["location_id"]): dict(lv["quantities"])
            for lv in data["observed"]["levels"]
        },
        items={it["item_id"]: dict(it["attributes"]) for it in data["observed"]["items"]},
    )
    filters = Filters(
        tuple(data["filters"]["sku"]),
        tuple(data["filters"]["exclude_sku"]),
        tuple(data["filters"]["location"]),
    )
    git = data.get("git")
    plan = Plan(
        plan_id=data["plan_id"],
        created_at=data["created_at"],
        store=data["store"],
        api_version=data["api_version"],
        git=GitInfo(git["commit"], bool(git["dirty"])) if git else None,
        manifest_digest=data["manifests"]["digest"],
        manifest_files=tuple(
            ManifestFile(f["path"], f["sha256"]) for f in data["manifests"]["files"]
        ),
        filters=filters,
        actions=tuple(parsed),
        observed=observed,
        warnings=tuple(
            Problem(w["message"], w.get("file"), w.get("line"), w.get("path"))
            for w in data.get("warnings", [])
        ),
        **_extras(data, origin),
    )
    recomputed = _identity(
        plan.store,
        plan.api_version,
        plan.manifest_digest,
        (action_json(a) for a in plan.actions),
        _observed_json(plan.observed),
        None if plan.guardrails is None else plan.guardrails.as_json(),
    )
    summary = {kind.value: plan.count(kind) for kind in PHASES}
    if data["summary"] != summary:
        raise ConfigError(f"{origin}: the plan's summary does not match its actions (edited?)")
    if recomputed != plan.plan_id:
        raise ConfigError(
            f"{origin}: the plan's contents do not match its id {plan.plan_id} "
            "(the file was edited after it was made); make a new plan"
        )
    return plan
