"""Golden plan cases: each folder under tests/cases/ is one planning rule, run through the CLI.

A case folder holds:

    case.yaml         rule: what it proves (one line); args: extra CLI args; api_version
                      (default 2026-10); expect_exit: 0 no changes, 2 changes, 1 refusal
    store.json        the sandbox snapshot the plan reads (schemas/store-snapshot.schema.json)
    manifests/*.yaml  the manifests (plus an optional reconciler.yaml next to case.yaml)
    expected.txt      the text plan, or for a refusal (exit 1) the exact error output
    expected.md       the markdown plan (successful cases only)
    expected.json     the plan JSON (successful cases only)

Every case runs `reconciler plan manifests --detailed-exitcode --format F` against the real
sandbox over HTTP, from a copy of the folder outside any git repository (so `git` is null)
with SOURCE_DATE_EPOCH fixed. The sandbox listens on a random port, so its `127.0.0.1:<port>`
is written `sandbox.local`, and the plan id (a hash that includes the store) is replaced by the
id the same plan has for a store named `sandbox.local`, after checking that it is the hash of
the plan's own contents. What reading the store cost (the figures of the text plan's last line,
the JSON plan's `usage`) is written `<usage>`: it measures the reader, not a planning rule, and is checked
against the sandbox's own counts in tests/plan/test_cli_money_usage.py. Nothing else is
normalised.

Goldens are rewritten only by `python -m tests.cases.update_golden`, never by running tests.
"""

from __future__ import annotations

import json
import os
import re
import shutil
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol

import yaml
from click.testing import CliRunner

from reconciler.cli import main
from reconciler.plan.planfile import _identity

CASES = Path(__file__).resolve().parent
PLACEHOLDER = "sandbox.local"
EPOCH = "1795000000"
FORMATS = {"text": "expected.txt", "markdown": "expected.md", "json": "expected.json"}


class StoreHandle(Protocol):
    url: str
    token: str

    def control(self, method: str, path: str, body: Any = None) -> Any: ...


@dataclass(frozen=True)
class Case:
    name: str
    folder: Path
    rule: str
    args: tuple[str, ...]
    api_version: str
    expect_exit: int

    @property
    def refused(self) -> bool:
        return self.expect_exit == 1

    def expected_files(self) -> dict[str, Path]:
        if self.refused:
            return {"text": self.folder / FORMATS["text"]}
        return {fmt: self.folder / name for fmt, name in FORMATS.items()}


def load_case(folder: Path) -> Case:
    spec: dict[str, Any] = yaml.safe_load((folder / "case.yaml").read_text(encoding="utf-8"))
    unknown = set(spec) - {"rule", "args", "api_version", "expect_exit"}
    assert not unknown, f"{folder.name}/case.yaml: unknown keys {sorted(unknown)}"
    assert spec["expect_exit"] in (0, 1, 2), folder.name
    return Case(
        name=folder.name,
        folder=folder,
        rule=str(spec["rule"]),
        args=tuple(str(a) for a in spec.get("args") or ()),
        api_version=str(spec.get("api_version", "2026-10")),
        expect_exit=int(spec["expect_exit"]),
    )


def discover() -> list[Case]:
    return [load_case(p.parent) for p in sorted(CASES.glob("*/case.yaml"))]


@dataclass
class Outputs:
    """What one case produced, normalised: output per format, and the raw runs' facts."""

    outputs: dict[str, str] = field(default_factory=dict)
    exit_codes: dict[str, int] = field(default_factory=dict)
    stdout_on_refusal: str = ""
    json_twice_identical: bool = True


@contextmanager
def _workdir(case: Case, tmp: Path) -> Iterator[Path]:
    work = tmp / case.name
    shutil.copytree(case.folder, work, ignore=shutil.ignore_patterns("expected.*", "case.yaml"))
    previous = Path.cwd()
    os.chdir(work)
    try:
        yield work
    finally:
        os.chdir(previous)


USAGE = "<usage>"
_USAGE_LINE = re.compile(r"^(Read the store[^:\n]*): .*$", re.MULTILINE)
_USAGE_JSON = re.compile(r',\n  "usage": \{\n.*?\n  \}\n\}\n$', re.DOTALL)


def _normalise(text: str, netloc: str, plan_id: str | None, placeholder_id: str | None) -> str:
    text = text.replace(netloc, PLACEHOLDER)
    text = _USAGE_LINE.sub(rf"\1: {USAGE}", text)
    text = _USAGE_JSON.sub(f',\n  "usage": "{USAGE}"\n}}\n', text)
    if plan_id is not None and placeholder_id is not None:
        text = text.replace(plan_id, placeholder_id)
    return text


def _ids(plan: dict[str, Any]) -> tuple[str, str]:
    """(the plan's id recomputed from its contents, the id it has for `sandbox.local`)."""
    actions = [{k: v for k, v in a.items() if k != "id"} for a in plan["actions"]]
    args = (plan["api_version"], plan["manifests"]["digest"], actions, plan["observed"])
    return _identity(plan["store"], *args), _identity(PLACEHOLDER, *args)


def run_case(case: Case, store: StoreHandle, tmp: Path) -> Outputs:
    """Load the case's store into the sandbox and plan it in every format it expects."""
    snapshot = json.loads((case.folder / "store.json").read_text(encoding="utf-8"))
    store.control("PUT", "snapshot", snapshot)
    netloc = store.url.split("://", 1)[1]
    env = {
        "SHOPIFY_STORE": store.url,
        "SHOPIFY_ACCESS_TOKEN": store.token,
        "SHOPIFY_API_VERSION": case.api_version,
        "NO_COLOR": "1",
        "SOURCE_DATE_EPOCH": EPOCH,
    }
    runner = CliRunner()
    out = Outputs()
    with _workdir(case, tmp) as work:
        base = ["plan", "manifests", "--detailed-exitcode"]
        if (work / "reconciler.yaml").exists():
            base += ["--config", "reconciler.yaml"]
        raw: dict[str, str] = {}
        formats = ["text"] if case.refused else ["json", "text", "markdown"]
        for fmt in formats:
            result = runner.invoke(
                main, [*base, *case.args, "--format", fmt], env=env, catch_exceptions=False
            )
            out.exit_codes[fmt] = result.exit_code
            if case.refused:
                raw[fmt] = result.stderr
                out.stdout_on_refusal = result.stdout
            else:
                raw[fmt] = result.stdout
        if not case.refused:
            again = runner.invoke(
                main, [*base, *case.args, "--format", "json"], env=env, catch_exceptions=False
            )
            out.json_twice_identical = again.stdout == raw["json"]
    plan_id = placeholder_id = None
    if "json" in raw and raw["json"].startswith("{"):
        plan = json.loads(raw["json"])
        recomputed, placeholder_id = _ids(plan)
        assert plan["plan_id"] == recomputed, "the plan id is not the hash of the plan"
        plan_id = plan["plan_id"]
    out.outputs = {f: _normalise(t, netloc, plan_id, placeholder_id) for f, t in raw.items()}
    return out


def apply_and_replan(case: Case, store: StoreHandle, tmp: Path) -> tuple[int, str, int, str]:
    """Apply the case's plan to the sandbox, then plan again: (apply exit, output, plan exit,
    text plan). A plan that applies cleanly and leaves nothing to do is what makes it right."""
    snapshot = json.loads((case.folder / "store.json").read_text(encoding="utf-8"))
    store.control("PUT", "snapshot", snapshot)
    env = {
        "SHOPIFY_STORE": store.url,
        "SHOPIFY_ACCESS_TOKEN": store.token,
        "SHOPIFY_API_VERSION": case.api_version,
        "NO_COLOR": "1",
        "SOURCE_DATE_EPOCH": EPOCH,
    }
    runner = CliRunner()
    with _workdir(case, tmp) as work:
        config = ["--config", "reconciler.yaml"] if (work / "reconciler.yaml").exists() else []
        planned = runner.invoke(
            main, ["plan", "manifests", *config, *case.args, "--out", "plan.json"], env=env
        )
        assert planned.exit_code == 0, planned.output
        applied = runner.invoke(main, ["apply", "plan.json", *config, "--auto-approve"], env=env)
        again = runner.invoke(
            main, ["plan", "manifests", *config, *case.args, "--detailed-exitcode"], env=env
        )
    return applied.exit_code, applied.output, again.exit_code, again.stdout
