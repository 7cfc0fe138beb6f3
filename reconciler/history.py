"""Stage 5: record it. An append-only, hash-chained history of applies, committed with the
manifests.

One JSON line per apply: plan id, git commit, actor, store, API version, times, every action
with before/after, its result and Shopify's adjustment group id, plus the drift found after.
Each line carries ``seq``, the previous line's hash and its own hash (SHA-256 over the previous
hash and the line's canonical JSON). `verify` recomputes the chain and also requires every line
to be exactly its canonical serialisation, so changing, removing or reordering anything —
down to one byte — is detected. Shopify's own inventory history points back here through the
``referenceDocumentUri`` (``gid://reconciler/Plan/<plan id>?commit=<sha>``) on every adjustment;
`plan_id_of` reads the plan id back out of it.
"""

from __future__ import annotations

import fnmatch
import getpass
import hashlib
import json
import os
import re
import subprocess
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time
from pathlib import Path
from typing import Any

from reconciler.errors import ConfigError, Problem
from reconciler.secrets import scrub

DEFAULT_PATH = Path("reconciler-history.jsonl")
GENESIS = "0" * 64


def canonical(entry: dict[str, Any]) -> str:
    return json.dumps(entry, sort_keys=True, separators=(",", ":"), ensure_ascii=False)


def entry_hash(entry: dict[str, Any]) -> str:
    body = {k: v for k, v in entry.items() if k != "hash"}
    return hashlib.sha256((body["prev"] + canonical(body)).encode()).hexdigest()


def _lines(path: Path) -> list[str]:
    if not path.exists():
        return []
    try:
        return path.read_text(encoding="utf-8").splitlines()
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigError(f"cannot read history {path}: {exc}") from None


def append(path: Path, record: dict[str, Any]) -> dict[str, Any]:
    """Add one apply to the chain; returns the entry as written (with seq, prev, hash)."""
    record = scrub(record)  # before hashing: the chain covers what is on disk
    lines = _lines(path)
    prev = GENESIS
    if lines:
        try:
            prev = json.loads(lines[-1])["hash"]
        except (ValueError, KeyError, TypeError):
            raise ConfigError(
                f"{path}:{len(lines)}: the last history entry is damaged; run "
                "`reconciler history verify` and restore the file from git"
            ) from None
    entry = {**record, "seq": len(lines) + 1, "prev": prev}
    entry["hash"] = entry_hash(entry)
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("a", encoding="utf-8") as out:
        out.write(canonical(entry) + "\n")
        out.flush()
        os.fsync(out.fileno())
    return entry


def read(path: Path) -> list[dict[str, Any]]:
    entries = []
    for number, line in enumerate(_lines(path), start=1):
        try:
            entries.append(json.loads(line))
        except ValueError:
            raise ConfigError(f"{path}:{number}: not a history entry (invalid JSON)") from None
    return entries


def verify(path: Path) -> list[Problem]:
    """Every break in the chain, with its line; empty when the history is intact."""
    problems: list[Problem] = []
    prev = GENESIS
    file = str(path)
    if not path.exists():
        return [Problem("no history file", file)]
    for number, line in enumerate(_lines(path), start=1):
        try:
            entry = json.loads(line)
        except ValueError:
            problems.append(Problem("not valid JSON (edited?)", file, number))
            prev = "?"
            continue
        if not isinstance(entry, dict) or "hash" not in entry or "prev" not in entry:
            problems.append(Problem("not a history entry", file, number))
            continue
        if entry.get("seq") != number:
            problems.append(
                Problem(
                    f"entry seq {entry.get('seq')} at position {number} (removed or reordered entries)",
                    file,
                    number,
                )
            )
        if entry["prev"] != prev:
            problems.append(
                Problem(
                    "does not follow the previous entry (removed or reordered entries)",
                    file,
                    number,
                )
            )
        if entry_hash(entry) != entry["hash"]:
            problems.append(Problem("content does not match its hash (edited)", file, number))
        elif canonical(entry) != line:
            problems.append(
                Problem("formatting differs from what was written (edited)", file, number)
            )
        prev = entry["hash"]
    return problems


# -- who applied ------------------------------------------------------------------------------


def actor() -> dict[str, str]:
    """The CI identity when running in CI, else the git user, else the OS user."""
    env = os.environ
    if env.get("GITHUB_ACTIONS") == "true":
        out = {"name": env.get("GITHUB_ACTOR", "unknown"), "ci": "github-actions"}
        if env.get("GITHUB_RUN_ID"):
            server = env.get("GITHUB_SERVER_URL", "https://github.com")
            out["run"] = (
                f"{server}/{env.get('GITHUB_REPOSITORY', '')}/actions/runs/{env['GITHUB_RUN_ID']}"
            )
        return out
    if env.get("GITLAB_CI") == "true":
        return {
            "name": env.get("GITLAB_USER_LOGIN", "unknown"),
            "ci": "gitlab",
            "run": env.get("CI_JOB_URL", ""),
        }
    if env.get("CI") == "true":
        return {"name": env.get("USER", "ci"), "ci": "ci"}
    name, email = _git_config("user.name"), _git_config("user.email")
    if name:
        return {"name": name, **({"email": email} if email else {})}
    try:
        return {"name": getpass.getuser()}
    except (OSError, KeyError):
        return {"name": "unknown"}


def _git_config(key: str) -> str | None:
    try:
        value = subprocess.run(
            ["git", "config", "--get", key], capture_output=True, text=True, timeout=5
        ).stdout.strip()
    except (OSError, subprocess.SubprocessError):
        return None
    return value or None


# -- reading it back ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Query:
    skus: tuple[str, ...] = ()
    locations: tuple[str, ...] = ()
    since: str | None = None  # ISO date or date and time, inclusive (see `parse_when`)
    until: str | None = None  # ISO date (the whole day) or date and time, inclusive
    plan_id: str | None = None

    def window(self) -> tuple[datetime | None, datetime | None]:
        """The time window, checked: ConfigError for a date that is not one."""
        since = parse_when(self.since, "--since") if self.since else None
        until = parse_when(self.until, "--until", end_of_day=True) if self.until else None
        if since and until and since > until:
            raise ConfigError(f"--since {self.since} is after --until {self.until}")
        return since, until


PLAN_URI_PREFIX = "gid://reconciler/Plan/"


def plan_id_of(text: str) -> str:
    """The plan id in a referenceDocumentUri copied from Shopify's inventory history, else `text`."""
    if text.startswith(PLAN_URI_PREFIX):
        return text[len(PLAN_URI_PREFIX) :].split("?", 1)[0]
    return text


_DATE_ONLY = re.compile(r"^\d{4}-\d{2}-\d{2}$")


def parse_when(text: str, option: str, *, end_of_day: bool = False) -> datetime:
    """An ISO date (2026-11-01) or date and time (2026-11-01T09:30:00Z, +02:00, or UTC when
    no offset is given); anything else is refused rather than silently matching nothing."""
    value = text.strip()
    try:
        if _DATE_ONLY.match(value):
            day = date.fromisoformat(value)
            moment = datetime.combine(day, time.max if end_of_day else time.min)
        elif "T" in value or " " in value:
            moment = datetime.fromisoformat(value.replace("Z", "+00:00").replace("z", "+00:00"))
        else:
            raise ValueError(value)
    except ValueError:
        raise ConfigError(
            f"{option} {text!r} is not a date: give an ISO date (2026-11-01) or a date and time "
            "(2026-11-01T09:30:00Z)"
        ) from None
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def _finished(entry: dict[str, Any]) -> datetime | None:
    try:
        return parse_when(str(entry.get("finished_at", "")), "finished_at")
    except ConfigError:
        return None


def _action_matches(action: dict[str, Any], query: Query) -> bool:
    if query.skus and not any(fnmatch.fnmatchcase(action.get("sku", ""), g) for g in query.skus):
        return False
    if query.locations:
        location = action.get("location") or ""
        return any(fnmatch.fnmatchcase(location, g) for g in query.locations)
    return True


def select(entries: Iterable[dict[str, Any]], query: Query) -> list[dict[str, Any]]:
    """Entries (with only matching actions when filtering by SKU or location)."""
    since, until = query.window()
    out = []
    plan_id = plan_id_of(query.plan_id) if query.plan_id else None
    for entry in entries:
        if plan_id and not str(entry.get("plan_id", "")).startswith(plan_id):
            continue
        if since or until:
            when = _finished(entry)
            if when is None or (since and when < since) or (until and when > until):
                continue
        if query.skus or query.locations:
            actions = [a for a in entry.get("actions", []) if _action_matches(a, query)]
            if not actions:
                continue
            entry = {**entry, "actions": actions}
        out.append(entry)
    return out


def _value(value: Any) -> str:
    """Text as it is, anything else (null, mappings, weights) as JSON."""
    return value if isinstance(value, str) else json.dumps(value, sort_keys=True)


def _change_text(action: dict[str, Any]) -> str:
    kind = action.get("kind")
    if kind == "update_item":
        return ", ".join(
            f"{c['field']} {_value(c['before'])} -> {_value(c['after'])}"
            for c in action.get("changes", [])
        )
    if kind == "move":
        return f"{action['from']} -> {action['to']} {action['quantity']}"
    if kind == "set":
        return f"{action['name']} {action['before']} -> {action['after']}"
    return "stocked" if kind == "activate" else "unstocked"


def render_text(entries: Sequence[dict[str, Any]]) -> str:
    if not entries:
        return "No history entries match.\n"
    lines = []
    for entry in entries:
        who = entry.get("actor", {})
        commit = (entry.get("git") or {}).get("commit", "")
        summary = entry.get("summary", {})
        lines.append(
            f"#{entry['seq']}  {entry.get('finished_at')}  plan {entry.get('plan_id')}  "
            f"{entry.get('outcome')}  by {who.get('name', '?')}"
            + (f" <{who['email']}>" if who.get("email") else "")
            + (f"  commit {commit[:12]}" if commit else "")
        )
        lines.append(
            f"    store {entry.get('store')}  API {entry.get('api_version')}  "
            f"{summary.get('applied', 0)} applied, {summary.get('failed', 0)} failed, "
            f"{summary.get('not_attempted', 0)} not attempted"
        )
        for action in entry.get("actions", []):
            location = action.get("location") or "(item)"
            group = action.get("adjustment_group") or ""
            lines.append(
                f"    {action.get('status', ''):<13} {action.get('sku')}  {location}  "
                f"{_change_text(action)}" + (f"  {group}" if group else "")
            )
        lines.append("")
    return "\n".join(lines)


def _md(text: Any) -> str:
    return str(text).replace("|", "\\|").replace("<", "&lt;").replace(">", "&gt;")


def render_markdown(entries: Sequence[dict[str, Any]]) -> str:
    if not entries:
        return "_No history entries match._\n"
    out = [
        "| # | finished | plan | outcome | actor | commit | applied | failed | not attempted |",
        "|---|---|---|---|---|---|---|---|---|",
    ]
    for entry in entries:
        summary = entry.get("summary", {})
        commit = (entry.get("git") or {}).get("commit", "")
        out.append(
            f"| {entry['seq']} | {entry.get('finished_at')} | `{entry.get('plan_id')}` | "
            f"{entry.get('outcome')} | {_md(entry.get('actor', {}).get('name', '?'))} | "
            f"{('`' + commit[:12] + '`') if commit else ''} | {summary.get('applied', 0)} | "
            f"{summary.get('failed', 0)} | {summary.get('not_attempted', 0)} |"
        )
    for entry in entries:
        out.append("")
        out.append(
            f"<details><summary>#{entry['seq']} plan <code>{entry.get('plan_id')}</code>: {len(entry.get('actions', []))} change(s)</summary>"
        )
        out.append("")
        out.append("| status | SKU | location | change | adjustment group |")
        out.append("|---|---|---|---|---|")
        for action in entry.get("actions", []):
            out.append(
                f"| {action.get('status')} | {_md(action.get('sku'))} | {_md(action.get('location') or '')} | "
                f"{_md(_change_text(action))} | {action.get('adjustment_group') or ''} |"
            )
        out.append("")
        out.append("</details>")
    return "\n".join(out) + "\n"
