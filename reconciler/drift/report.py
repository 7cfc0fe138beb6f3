"""A drift check's outcome, and how it reads: text, Markdown (an issue or a chat message), JSON,
and one summary line a chat message can carry.

Exit codes: 0 in sync (orders moving stock is expected and only summarised), 2 drift, 1 error.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from reconciler.errors import EXIT_CHANGES, EXIT_OK
from reconciler.live import ReadReport
from reconciler.plan.render.markdown import MAX_CHARS, escape
from reconciler.shopify.usage import Usage

from .classify import ALARMS, CATEGORIES, Category, Finding

SHOWN_SALES = 20  # sales lines listed before "and N more"

HEADINGS: dict[str, str] = {
    "foreign": "Changed in the store, not by reconciler (alarm)",
    "attribute": "Item attributes changed in the store (alarm)",
    "disappeared": "Declared, but not in the store",
    "appeared": "In the store, not in the manifests",
    "unapplied": "Not applied yet: the manifests changed, no apply has written it",
    "sales": "Moved by orders: sales and fulfilment (expected)",
}
NOUNS: dict[str, tuple[str, str]] = {
    "foreign": ("foreign change", "foreign changes"),
    "attribute": ("attribute change", "attribute changes"),
    "disappeared": ("disappeared", "disappeared"),
    "appeared": ("appeared", "appeared"),
    "unapplied": ("not applied", "not applied"),
}


@dataclass
class DriftReport:
    store: str
    api_version: str
    findings: list[Finding]
    compared: int  # declared items
    read: ReadReport = field(default_factory=ReadReport)
    usage: Usage = field(default_factory=Usage)
    since: datetime | None = None  # --since-last-apply: the last apply's end
    since_asked: bool = False

    def of(self, category: Category) -> list[Finding]:
        return [f for f in self.findings if f.category == category]

    @property
    def drift(self) -> bool:
        return any(not f.expected for f in self.findings)

    @property
    def exit_code(self) -> int:
        return EXIT_CHANGES if self.drift else EXIT_OK

    @property
    def status(self) -> str:
        if self.drift:
            return "drift"
        return "sales" if self.findings else "in_sync"

    def sales(self) -> dict[str, int]:
        """How orders moved stock: levels, and the total change of each name."""
        moved = self.of("sales")
        out = {"levels": len({(f.difference.item_id, f.difference.location_id) for f in moved})}
        for finding in moved:
            d = finding.difference
            out[d.name] = out.get(d.name, 0) + int(d.live) - int(d.declared)
        return out

    def summary(self) -> str:
        """One line: the store, its state, the counts (for a chat message)."""
        sales = self.sales()
        moved = ""
        if sales["levels"]:
            deltas = ", ".join(f"{n} {_signed(v)}" for n, v in sales.items() if n != "levels")
            moved = f"{_count(sales['levels'], 'level')} moved by orders ({deltas})"
        window = " since the last apply" if self.since_asked else ""
        if not self.drift:
            tail = f"; {moved}" if moved else ""
            return f"{self.store}: in sync{window} ({_count(self.compared, 'item')} compared){tail}"
        parts = [
            f"{len(found)} {NOUNS[c][len(found) != 1]}"
            for c in CATEGORIES
            if c != "sales" and (found := self.of(c))
        ]
        tail = f"; {moved}" if moved else ""
        return f"{self.store}: DRIFT{window}: {', '.join(parts)}{tail}"


def _count(number: int, noun: str) -> str:
    return f"{number:,} {noun}{'' if number == 1 else 's'}"


def _signed(value: int) -> str:
    return f"+{value}" if value > 0 else str(value)


def _value(value: Any) -> str:
    return value if isinstance(value, str) else json.dumps(value, sort_keys=True)


def _when(moment: datetime | None) -> str:
    return moment.strftime("%Y-%m-%dT%H:%M:%SZ") if moment else ""


def describe(finding: Finding, *, when: bool = True) -> str:
    """What one finding says, without its heading (and without when it changed, for tables
    that give it a column)."""
    d = finding.difference
    when_text = f", changed {_when(finding.when)}" if finding.when and when else ""
    if d.kind == "item":
        if d.live is None:
            return f"{d.sku}: no such item in the store"
        created = f", created {_when(finding.when)}" if finding.when and when else ""
        return f"{d.sku} ({d.item_id}): an item no manifest declares{created}"
    if d.kind == "stocked":
        if d.live is None:
            return f"{d.where}: no such location in the store (or it is deactivated)"
        if d.declared is True:
            return f"{d.where}: not stocked there any more"
        if d.declared is False:
            return f"{d.where}: stocked there, declared `stocked: false`{when_text}"
        return f"{d.where}: stocked there, no manifest declares this level{when_text}"
    if finding.category == "sales":
        return f"{d.where}: {d.name} {d.declared} -> {d.live} ({_signed(int(d.live) - int(d.declared))})"
    return f"{d.where}: {d.name} is {_value(d.live)}, declared {_value(d.declared)}{when_text}"


def render_text(report: DriftReport) -> str:
    lines = [
        f"Drift check of {report.store} (API {report.api_version}): "
        f"{_count(report.compared, 'declared item')} compared, read with {report.read}."
    ]
    if report.since_asked:
        lines.append(
            f"Only what changed since the last apply ({_when(report.since)})."
            if report.since
            else "No apply is recorded in the history file: showing everything."
        )
    for category in CATEGORIES:
        found = report.of(category)
        if not found:
            continue
        lines += ["", f"{HEADINGS[category]}:"]
        shown = found[:SHOWN_SALES] if category == "sales" else found
        for finding in shown:
            source = f"  [{finding.difference.source}]" if finding.difference.source else ""
            lines.append(f"  {describe(finding)}{source if category != 'sales' else ''}")
        if len(found) > len(shown):
            lines.append(f"  ... and {len(found) - len(shown):,} more")
    if report.of("sales") and not report.drift:
        lines += ["", "Orders move stock the manifests declare; the next plan would set it back."]
        lines.append(
            "Give those quantities to sales in reconciler.yaml (`ownership`) to stop that."
        )
    lines += ["", report.summary()]
    return "\n".join(lines) + "\n"


def _md(text: str) -> str:
    return text.replace("|", "\\|").replace("<", "&lt;").replace(">", "&gt;")


def render_markdown(report: DriftReport, *, max_chars: int = MAX_CHARS) -> str:
    """The report for an issue, a job summary or a chat message: the summary line as the
    heading, one table per category (alarms first; sales collapsed), at most `max_chars`
    characters. Every category keeps its heading and count; when the rows do not all fit, the
    first categories get the room first and each table says how many rows it leaves out."""
    icon = ":red_circle:" if report.drift else ":white_check_mark:"
    head = [f"### {icon} {_md(report.summary())}", ""]
    foot = (
        f"_{_count(report.compared, 'declared item')} compared; read with {report.read}; "
        f"{report.usage.calls} GraphQL calls, {report.usage.actual_cost} cost points._"
    )
    tables = [(c, found) for c in CATEGORIES if (found := report.of(c))]
    frames = {c: _frame(c, len(found)) for c, found in tables}
    room = max_chars - _size(head) - len(foot) - 1
    room -= sum(_size(start) + _size(end) + len(_omitted(len(found))) + 1
                for (c, found), (start, end) in zip(tables, frames.values(), strict=True))  # fmt: skip
    body: list[str] = []
    for category, found in tables:
        start, end = frames[category]
        rows = []
        for finding in found:
            row = _row(finding)
            if len(row) + 1 > room:
                break
            rows.append(row)
            room -= len(row) + 1
        if len(rows) < len(found):
            rows.append(_omitted(len(found) - len(rows)))
        body += [*start, *rows, *end]
    return "\n".join([*head, *body, foot]) + "\n"


def _frame(category: str, count: int) -> tuple[list[str], list[str]]:
    """The lines before and after a category's rows."""
    table = ["| where | what | when | declared at |", "|---|---|---|---|"]
    if category == "sales":
        return [f"<details><summary>{HEADINGS[category]}: {count}</summary>", "", *table], [
            "",
            "</details>",
            "",
        ]
    return [f"**{HEADINGS[category]}**", "", *table], [""]


def _row(finding: Finding) -> str:
    d = finding.difference
    what = describe(finding, when=False).split(": ", 1)[-1]
    return f"| {escape(d.where)} | {_md(what)} | {_when(finding.when)} | {escape(d.source or '')} |"


def _omitted(count: int) -> str:
    return f"| _... and {count:,} more (all of them: `--format json`)_ | | | |"


def _size(lines: list[str]) -> int:
    return sum(len(line) + 1 for line in lines)


def as_json(report: DriftReport) -> dict[str, Any]:
    return {
        "store": report.store,
        "api_version": report.api_version,
        "status": report.status,
        "exit_code": report.exit_code,
        "summary": report.summary(),
        "compared": report.compared,
        "since": _when(report.since) or None,
        "counts": {c: len(report.of(c)) for c in CATEGORIES},
        "sales": report.sales(),
        "findings": [
            {
                "category": f.category,
                "kind": f.difference.kind,
                "sku": f.difference.sku,
                "item_id": f.difference.item_id,
                "location": f.difference.location,
                "name": f.difference.name,
                "declared": f.difference.declared,
                "live": f.difference.live,
                "when": _when(f.when) or None,
                "source": f.difference.source,
                "alarm": f.category in ALARMS,
            }
            for f in report.findings
        ],
        "read": str(report.read),
        "usage": report.usage.as_json(),
    }


RENDERERS: dict[str, Callable[[DriftReport], str]] = {
    "text": render_text,
    "markdown": render_markdown,
    "json": lambda report: json.dumps(as_json(report), indent=2, ensure_ascii=False) + "\n",
    "summary": lambda report: report.summary() + "\n",
}
