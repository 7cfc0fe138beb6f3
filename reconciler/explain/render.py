"""A timeline as text (terminal), Markdown (issues, PRs) or JSON (tools)."""

from __future__ import annotations

import json
from typing import Any

from .applies import ApplyRecord
from .commits import CommitChange
from .groups import AdjustmentGroup
from .timeline import Timeline
from .values import ABSENT, Change


def show(value: Any) -> str:
    """A value as the manifests would spell it; ABSENT as "(not declared)"."""
    if value is ABSENT:
        return "(not declared)"
    if isinstance(value, str):
        return value
    return json.dumps(value, sort_keys=True)


def change_text(change: Change) -> str:
    pin = f"[{change.item_id}] " if change.item_id else ""
    where = change.location or "item"
    return f"{pin}{where}  {change.field}  {show(change.before)} -> {show(change.after)}"


def write_text(action: dict[str, Any]) -> str:
    """What one recorded action did, with the values before and after."""
    kind = action.get("kind")
    if kind == "set":
        return f"{action['name']} {action['before']} -> {action['after']}"
    if kind == "move":
        moved, was_from, was_to = action["quantity"], action["from_before"], action["to_before"]
        return (
            f"{action['from']} {was_from} -> {was_from - moved}, "
            f"{action['to']} {was_to} -> {was_to + moved} (moved {moved})"
        )
    if kind == "update_item":
        return ", ".join(
            f"{c['field']} {show(c['before'])} -> {show(c['after'])}"
            for c in action.get("changes", [])
        )
    if kind == "activate":
        return "stocked" + (" (reactivated)" if action.get("reactivates") else "")
    return "unstocked"


def _delta(change: Any) -> str:
    after = "" if change.quantity_after is None else f" (now {change.quantity_after})"
    return f"{change.name} {change.delta:+d}{after}"


def _heading(timeline: Timeline) -> str:
    at = f" at {timeline.location}" if timeline.location else ""
    commits, applies = len(timeline.commits), len(timeline.applies)
    return (
        f"{timeline.sku}{at}: {commits} commit{'s' * (commits != 1)} changed its declared "
        f"values, {applies} appl{'ies' if applies != 1 else 'y'} wrote it"
    )


def _nothing(timeline: Timeline) -> str:
    text = (
        f"{timeline.sku} was never declared under {', '.join(timeline.paths)} (in git) and no "
        f"apply in {timeline.history_path} wrote it"
        + (f" at {timeline.location}" if timeline.location else "")
        + "."
    )
    if timeline.suggestions:
        text += f" Did you mean {' or '.join(timeline.suggestions)}?"
    return text


# -- text --------------------------------------------------------------------------------------


def _commit_lines(event: CommitChange) -> list[str]:
    lines = [
        f"{event.committed_at}  commit {event.commit[:12]}  {event.author} <{event.email}>",
        f"    {event.subject}",
    ]
    if event.files:
        lines.append(f"    {', '.join(event.files)}")
    lines.extend(f"      {change_text(c)}" for c in event.changes)
    lines.extend(f"    ! {p}" for p in event.problems)
    return lines


def _group_lines(group_id: str, group: AdjustmentGroup | None) -> list[str]:
    if group is None:
        return [f"    Shopify: {group_id} not found in the store"]
    lines = [
        f"    Shopify: {group.id}  {group.created_at}  reason {group.reason}"
        + (f"  by {group.app}" if group.app else ""),
        f"      referenceDocumentUri {group.reference_document_uri}",
    ]
    lines.extend(f"      {c.location}  {_delta(c)}" for c in group.changes)
    return lines


def _apply_lines(event: ApplyRecord) -> list[str]:
    entry = event.entry
    actor = entry.get("actor", {})
    lines = [
        f"{event.finished_at}  apply #{event.seq}  plan {event.plan_id}  {entry.get('outcome')}"
        f"  by {actor.get('name', '?')}"
        + (f"  from commit {event.commit[:12]}" if event.commit else "")
        + ("  (uncommitted changes)" if (entry.get("git") or {}).get("dirty") else "")
    ]
    for action in event.writes:
        problem = f"  ({action['message']})" if action.get("message") else ""
        lines.append(
            f"    {action.get('status', ''):<13} {action.get('location') or 'item'}  "
            f"{write_text(action)}{problem}"
        )
    for group_id in event.group_ids:
        if event.groups:
            lines.extend(_group_lines(group_id, event.groups.get(group_id)))
    if event.note:
        lines.append(f"    ({event.note})")
    return lines


def render_text(timeline: Timeline) -> str:
    if timeline.empty:
        lines = [_nothing(timeline)]
    else:
        lines = [_heading(timeline), ""]
        for event in timeline.events():
            if isinstance(event, CommitChange):
                lines.extend(_commit_lines(event))
            else:
                lines.extend(_apply_lines(event))
            lines.append("")
    lines.extend(f"Note: {note}" for note in timeline.notes)
    return "\n".join(lines).rstrip("\n") + "\n"


# -- Markdown ----------------------------------------------------------------------------------


def _md(text: Any) -> str:
    return str(text).replace("|", "\\|").replace("<", "&lt;").replace(">", "&gt;")


def _commit_row(event: CommitChange) -> str:
    details = [_md(change_text(c)) for c in event.changes] + [_md(p) for p in event.problems]
    return (
        f"| {event.committed_at} | commit `{event.commit[:12]}`: {_md(event.subject)} | "
        f"{_md(event.author)} | {'<br>'.join(details)} |"
    )


def _apply_rows(event: ApplyRecord) -> list[str]:
    entry = event.entry
    commit = f" from `{event.commit[:12]}`" if event.commit else ""
    details = [
        _md(f"{a.get('status')}: {a.get('location') or 'item'} {write_text(a)}")
        for a in event.writes
    ]
    if event.note:
        details.append(_md(event.note))
    rows = [
        f"| {event.finished_at} | apply #{event.seq}, plan `{event.plan_id}`{commit}: "
        f"{entry.get('outcome')} | {_md(entry.get('actor', {}).get('name', '?'))} | "
        f"{'<br>'.join(details)} |"
    ]
    for group_id in event.group_ids if event.groups else ():
        group = event.groups.get(group_id)
        if group is None:
            rows.append(f"| | Shopify group `{group_id}` | | not found in the store |")
            continue
        deltas = [_md(f"{c.location} {_delta(c)}") for c in group.changes]
        rows.append(
            f"| {group.created_at} | Shopify group `{group.id}`: {_md(group.reason)}, "
            f"`{_md(group.reference_document_uri)}` | {_md(group.app or '')} | "
            f"{'<br>'.join(deltas)} |"
        )
    return rows


def render_markdown(timeline: Timeline) -> str:
    if timeline.empty:
        out = [f"_{_md(_nothing(timeline))}_"]
    else:
        out = [
            f"### {_md(_heading(timeline))}",
            "",
            "| when (UTC) | event | by | values |",
            "|---|---|---|---|",
        ]
        for event in timeline.events():
            if isinstance(event, CommitChange):
                out.append(_commit_row(event))
            else:
                out.extend(_apply_rows(event))
    out.extend(["", *(f"> {_md(note)}" for note in timeline.notes)] if timeline.notes else [])
    return "\n".join(out) + "\n"


# -- JSON --------------------------------------------------------------------------------------


def _commit_json(event: CommitChange) -> dict[str, Any]:
    return {
        "type": "commit",
        "commit": event.commit,
        "author": event.author,
        "email": event.email,
        "authored_at": event.authored_at,
        "committed_at": event.committed_at,
        "message": event.message,
        "files": list(event.files),
        "changes": [c.as_json() for c in event.changes],
        "problems": list(event.problems),
    }


def _apply_json(event: ApplyRecord) -> dict[str, Any]:
    entry = event.entry
    keys = ("seq", "plan_id", "started_at", "finished_at", "actor", "git", "outcome", "store")
    out: dict[str, Any] = {"type": "apply", **{k: entry.get(k) for k in keys}}
    out["api_version"] = entry.get("api_version")
    out["writes"] = event.writes
    groups = []
    for group_id in event.group_ids if event.groups else ():
        group = event.groups.get(group_id)
        groups.append(group.as_json() if group else {"id": group_id, "found": False})
    out["adjustment_groups"] = groups
    if event.note:
        out["note"] = event.note
    return out


def render_json(timeline: Timeline) -> str:
    events = [
        _commit_json(e) if isinstance(e, CommitChange) else _apply_json(e)
        for e in timeline.events()
    ]
    document = {
        "sku": timeline.sku,
        "location": timeline.location,
        "paths": list(timeline.paths),
        "history": timeline.history_path,
        "events": events,
        "notes": list(timeline.notes),
        "suggestions": list(timeline.suggestions),
        "usage": timeline.usage.as_json(),
    }
    return json.dumps(document, indent=2, ensure_ascii=False) + "\n"


def render(timeline: Timeline, output_format: str) -> str:
    if output_format == "json":
        return render_json(timeline)
    if output_format == "markdown":
        return render_markdown(timeline)
    return render_text(timeline)
