"""The CI files in examples/ci/: every `reconciler` command exists with its flags, the GitHub
workflows follow their own rules (pinned actions, least privilege, one apply at a time,
secrets only through the environment), and the jobs' scripts run end to end, in order, against
the sandbox in a real git repository with a real `origin` (see tests/ci/runners.py for what is
stood in for: the CI platforms' own steps)."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import click
import pytest
import yaml

from tests.ci import runners
from tests.ci.commands import check, reconciler_commands
from tests.conftest import Store
from tests.drift.conftest import foreign_move, sale

ROOT = Path(__file__).resolve().parents[2]
GITHUB = sorted((ROOT / "examples" / "ci" / "github").glob("*.yml"))
GITLAB = ROOT / "examples" / "ci" / "gitlab" / ".gitlab-ci.yml"
VERSION = "2026-10"
READ_SCOPES = ["read_inventory", "read_locations"]
WRITE_SCOPES = ["read_inventory", "write_inventory", "read_locations"]

# The actions the workflows use, at the commits they are pinned to, with the inputs each
# declares in its action.yml at that commit (read from the actions' repositories).
PINNED = {
    "actions/checkout": (
        "3d3c42e5aac5ba805825da76410c181273ba90b1",
        "v7.0.1",
        {"ref", "fetch-depth", "persist-credentials", "path", "repository", "token", "clean"},
    ),
    "actions/setup-python": (
        "5fda3b95a4ea91299a34e894583c3862153e4b97",
        "v7.0.0",
        {"python-version", "cache", "architecture", "check-latest", "python-version-file"},
    ),
    "actions/upload-artifact": (
        "bbbca2ddaa5d8feaa63e36b76fdaad77386f024f",
        "v7.0.0",
        {
            "name",
            "path",
            "if-no-files-found",
            "retention-days",
            "include-hidden-files",
            "overwrite",
        },
    ),
    "actions/download-artifact": (
        "3e5f45b2cfb9172054b4087a40e8e0b5a5461e7c",
        "v8.0.1",
        {"name", "path", "run-id", "github-token", "repository", "pattern", "merge-multiple"},
    ),
    "actions/github-script": (
        "ed597411d8f924073f98dfc5c65a23a2325f34cd",
        "v8.0.0",
        {"script", "github-token", "result-encoding", "retries"},
    ),
}
# Least privilege, per job: a change here must be deliberate.
PERMISSIONS = {
    ("inventory-plan.yml", "plan"): {"contents": "read", "pull-requests": "write"},
    ("inventory-apply.yml", "apply"): {
        "contents": "write",
        "actions": "read",
        "pull-requests": "read",
    },
    ("inventory-drift.yml", "drift"): None,  # the workflow's contents: read only
}


# -- every command, every flag -----------------------------------------------------------------


def _github_scripts() -> Iterator[tuple[str, str, dict[str, str]]]:
    for path in GITHUB:
        data = runners.load_workflow(path)
        for job_id, job in data["jobs"].items():
            for step in job["steps"]:
                if "run" in step:
                    env = {**data.get("env", {}), **job.get("env", {}), **step.get("env", {})}
                    yield f"{path.name}:{job_id}:{step['name']}", step["run"], env


def _gitlab_scripts() -> Iterator[tuple[str, str, dict[str, str]]]:
    data = yaml.safe_load(GITLAB.read_text())
    for name, job in runners.gitlab_jobs(data).items():
        env = {**data.get("variables", {}), **job.get("variables", {})}
        for number, item in enumerate(job["script"]):
            yield f".gitlab-ci.yml:{name}:{number}", item, env


SCRIPTS = [*_github_scripts(), *_gitlab_scripts()]
COMMANDS = [
    (where, command)
    for where, script, env in SCRIPTS
    for command in reconciler_commands(script, env)
]


@pytest.mark.parametrize(("where", "command"), COMMANDS, ids=[w for w, _ in COMMANDS])
def test_every_reconciler_command_exists_with_its_flags(where: str, command: list[str]) -> None:
    check(command)


def test_the_ci_files_use_the_commands_the_flow_needs() -> None:
    used = {check(command) for _, command in COMMANDS}
    assert used == {
        "reconciler validate",
        "reconciler plan",
        "reconciler apply",
        "reconciler history verify",
        "reconciler drift",
    }
    assert len({w.split(":")[0] for w, _ in COMMANDS}) == 4  # three workflows and .gitlab-ci.yml


@pytest.mark.parametrize(
    "command",
    [
        ["plan", "inventory/", "--detailed-exit-code"],
        ["plan", "inventory/", "--format", "html"],
        ["aply", "plan.json"],
        ["history", "verfy"],
        ["validate"],
    ],
)
def test_the_check_refuses_what_the_cli_refuses(command: list[str]) -> None:
    with pytest.raises(click.ClickException):
        check(command)


def test_commands_are_found_in_any_shell_form() -> None:
    script = 'x=$(reconciler history --file "$H" verify)\nif ! reconciler validate a; then :; fi\n'
    script += "status=0\nreconciler plan a \\\n  --out p.json > p.md || status=$?\n"
    assert reconciler_commands(script, {"H": "h.jsonl"}) == [
        ["history", "--file", "h.jsonl", "verify"],
        ["validate", "a"],
        ["plan", "a", "--out", "p.json"],
    ]


# -- the workflows' own rules ------------------------------------------------------------------


def test_actions_are_pinned_by_full_commit_sha_with_the_inputs_they_declare() -> None:
    uses = []
    for path in GITHUB:
        for line in path.read_text().splitlines():
            if "uses:" in line:
                match = re.fullmatch(r"\s*(?:- )?uses: ([\w/-]+)@([0-9a-f]{40}) # (v[\d.]+)", line)
                assert match, f"{path.name}: not pinned by a full commit SHA: {line.strip()}"
                action, sha, tag = match.groups()
                assert PINNED[action][:2] == (sha, tag), f"{path.name}: {action}@{sha} {tag}"
                uses.append(action)
        for job in runners.load_workflow(path)["jobs"].values():
            for step in job["steps"]:
                if "uses" in step:
                    inputs = PINNED[step["uses"].split("@")[0]][2]
                    assert set(step.get("with") or {}) <= inputs, (path.name, step["name"])
    assert set(uses) == set(PINNED)


def test_permissions_are_least_privilege() -> None:
    for path in GITHUB:
        data = runners.load_workflow(path)
        assert data["permissions"] == {"contents": "read"}, path.name
        for job_id, job in data["jobs"].items():
            assert job.get("permissions") == PERMISSIONS[(path.name, job_id)], (path.name, job_id)


def test_two_applies_never_run_at_once() -> None:
    apply = runners.load_workflow(ROOT / "examples/ci/github/inventory-apply.yml")
    assert apply["concurrency"] == {
        "group": "inventory-apply-production",
        "cancel-in-progress": False,
    }
    gitlab = yaml.safe_load(GITLAB.read_text())
    assert gitlab["apply"]["resource_group"] == "shopify-production"


def test_secrets_only_through_the_environment() -> None:
    for path in GITHUB:
        text = path.read_text()
        data = runners.load_workflow(path)
        for job in data["jobs"].values():
            for step in job["steps"]:
                assert "${{" not in step.get("run", ""), f"{path.name}: expression in a script"
                for key, value in (step.get("with") or {}).items():
                    assert "secrets." not in str(value), (path.name, step["name"], key)
        secrets = re.findall(r"(\w+): \$\{\{ secrets\.(\w+) \}\}", text)
        assert all(name == "SHOPIFY_ACCESS_TOKEN" for name, _ in secrets), secrets
        expected = "SHOPIFY_WRITE" if path.name == "inventory-apply.yml" else "SHOPIFY_READ"
        assert {secret for _, secret in secrets} == {f"{expected}_ACCESS_TOKEN"}, path.name
    gitlab = yaml.safe_load(GITLAB.read_text())
    tokens = {
        name: job["variables"]["SHOPIFY_ACCESS_TOKEN"]
        for name, job in runners.gitlab_jobs(gitlab).items()
    }
    assert tokens == {
        "plan": "$SHOPIFY_READ_ACCESS_TOKEN",
        "apply": "$SHOPIFY_WRITE_ACCESS_TOKEN",
        "drift": "$SHOPIFY_READ_ACCESS_TOKEN",
    }
    for name, job in runners.gitlab_jobs(gitlab).items():
        for item in job["script"]:
            assert "SHOPIFY_" not in item.replace("SHOPIFY_STORE", ""), name


def test_the_drift_jobs_run_reconciler_drift_with_the_history() -> None:
    """Nightly jobs run `reconciler drift` (a sale is not drift), never `plan` (every sale
    would be), with the history file that tells reconciler's own writes from others'."""
    github = runners.load_workflow(ROOT / "examples/ci/github/inventory-drift.yml")
    gitlab = yaml.safe_load(GITLAB.read_text())
    jobs = {
        "github": ([s["run"] for s in github["jobs"]["drift"]["steps"] if "run" in s], github["env"]),
        "gitlab": (gitlab["drift"]["script"], {**gitlab["variables"]}),
    }  # fmt: skip
    for platform, (scripts, env) in jobs.items():
        commands = [c for script in scripts for c in reconciler_commands(script, env)]
        assert [c[:2] for c in commands] == [["drift", "inventory/"]], platform
        [command] = commands
        assert command[command.index("--history") + 1] == "reconciler-history.jsonl", platform
        assert command[command.index("--format") + 1] == "markdown", platform


# -- end to end --------------------------------------------------------------------------------


@dataclass
class Origin:
    """A bare `origin` and a maintainer's clone, where pull requests are made and merged."""

    root: Path
    env: dict[str, str]
    bare: Path = field(init=False)
    work: Path = field(init=False)

    def __post_init__(self) -> None:
        self.bare = self.root / "origin.git"
        self.work = self.root / "maintainer"
        self.git(self.root, "init", "--quiet", "--bare", "--initial-branch=main", str(self.bare))
        self.git(self.bare, "config", "receive.advertisePushOptions", "true")  # GitLab's ci.skip
        self.git(self.root, "clone", "--quiet", str(self.bare), str(self.work))
        self.git(self.work, "config", "user.name", "Dana Reyes")
        self.git(self.work, "config", "user.email", "dana@example.com")

    def git(self, cwd: Path, *args: str) -> str:
        done = subprocess.run(
            ["git", *args], cwd=cwd, env=self.env, capture_output=True, text=True, check=True
        )
        return done.stdout.strip()

    def commit(self, message: str, files: dict[str, str], branch: str = "main") -> str:
        if branch != self.branch():
            self.git(self.work, "checkout", "--quiet", "-B", branch)
        for name, text in files.items():
            (self.work / name).parent.mkdir(parents=True, exist_ok=True)
            (self.work / name).write_text(text)
        self.git(self.work, "add", "--all")
        self.git(self.work, "commit", "--quiet", "-m", message)
        self.git(self.work, "push", "--quiet", "origin", branch)
        return self.git(self.work, "rev-parse", "HEAD")

    def branch(self) -> str:
        return self.git(self.work, "symbolic-ref", "--short", "HEAD")

    def merge(self, branch: str) -> str:
        self.git(self.work, "checkout", "--quiet", "main")
        self.git(self.work, "pull", "--quiet", "origin", "main")
        self.git(self.work, "merge", "--quiet", "--no-ff", "-m", f"Merge {branch}", branch)
        self.git(self.work, "push", "--quiet", "origin", "main")
        return self.git(self.work, "rev-parse", "HEAD")

    def clone(self, name: str, ref: str) -> Path:
        """A CI runner's fresh checkout of `ref` (a branch or a commit)."""
        path = self.root / name
        if path.exists():
            shutil.rmtree(path)
        self.git(self.root, "clone", "--quiet", str(self.bare), str(path))
        if ref in ("main",):
            self.git(path, "checkout", "--quiet", ref)
        else:
            self.git(path, "checkout", "--quiet", "--detach", ref)
        return path

    def history_on_main(self, history: str = "reconciler-history.jsonl") -> list[dict[str, Any]]:
        try:
            text = self.git(self.root, "--git-dir", str(self.bare), "show", f"main:{history}")
        except subprocess.CalledProcessError:
            return []
        return [json.loads(line) for line in text.splitlines()]


def _inventory() -> dict[str, str]:
    files = {
        f"inventory/{p.name}": p.read_text()
        for p in (ROOT / "examples" / "manifests").glob("*.yaml")
    }
    files["reconciler.yaml"] = (
        "locations:\n  aliases:\n    east: East Warehouse\n    west: West Warehouse\n    pdx: Portland Store\n"
    )
    return files


@pytest.fixture
def origin(tmp_path: Path) -> Origin:
    home = tmp_path / "home"
    home.mkdir()
    handle = Origin(tmp_path, runners.base_env(home))
    handle.commit("Inventory as code", _inventory())
    return handle


@pytest.fixture
def tokens(store: Store) -> dict[str, str]:
    """A read-only token for plan and drift, a write token for apply (the sandbox checks scopes)."""
    store.control(
        "POST", "tokens", {"token": "read-token", "scopes": READ_SCOPES, "app": "reconciler"}
    )
    store.control(
        "POST", "tokens", {"token": "write-token", "scopes": WRITE_SCOPES, "app": "reconciler"}
    )
    return {"read": "read-token", "write": "write-token"}


def _edit(text: str, sku: str, old: str, new: str) -> str:
    """Change the first `old` after the SKU's line in a manifest."""
    start = text.index(f"sku: {sku}\n")
    at = text.index(old, start)
    return text[:at] + new + text[at + len(old) :]


class GitHub:
    """The GitHub side of the flow: artifacts, comments and runs, kept by the test."""

    def __init__(self, origin: Origin, store: Store, tokens: dict[str, str]) -> None:
        self.origin = origin
        self.store = store
        self.artifacts: dict[tuple[int, str], Path] = {}  # (run id, name) -> folder
        self.comments: dict[int, list[str]] = {}  # pull request -> comment bodies
        self.plan_runs: dict[str, int] = {}  # head sha -> run id of its successful plan
        self.run_id = 1000
        self.context = {
            "repository": "acme/inventory",
            "token": "github-token",
            "vars": {"SHOPIFY_STORE": store.url, "SHOPIFY_API_VERSION": VERSION},
            "secrets": {
                "SHOPIFY_READ_ACCESS_TOKEN": tokens["read"],
                "SHOPIFY_WRITE_ACCESS_TOKEN": tokens["write"],
            },
        }

    def _run(
        self,
        workflow: str,
        job: str,
        event: dict[str, Any],
        sha: str,
        ref: str,
        stand_ins: dict[str, Any],
    ) -> runners.JobResult:
        self.run_id += 1
        run_id = self.run_id
        workspace = self.origin.root / f"run-{run_id}" / "workspace"
        workspace.parent.mkdir()
        context = {
            **self.context,
            "github": {
                "event": event,
                "repository": "acme/inventory",
                "sha": sha,
                "token": "github-token",
            },
        }
        env = {
            **self.origin.env,
            "GITHUB_ACTIONS": "true",
            "GITHUB_ACTOR": "dana",
            "GITHUB_RUN_ID": str(run_id),
            "GITHUB_REPOSITORY": "acme/inventory",
            "GITHUB_SERVER_URL": "https://github.com",
            "GITHUB_SHA": sha,
            "CI": "true",
        }

        def checkout(step: dict[str, Any], _: dict[str, str]) -> dict[str, str]:
            self.origin.clone(
                str(workspace.relative_to(self.origin.root)), step["with"].get("ref") or ref
            )
            return {}

        def setup_python(step: dict[str, Any], _: dict[str, str]) -> dict[str, str]:
            assert step["with"]["python-version"] == "3.11"
            return {}

        def upload(step: dict[str, Any], _: dict[str, str]) -> dict[str, str]:
            source = workspace / step["with"]["path"]
            if not source.exists():
                assert step["with"].get("if-no-files-found") == "ignore", f"nothing at {source}"
                return {}
            shutil.copytree(
                source, self.origin.root / "artifacts" / f"{run_id}-{step['with']['name']}"
            )
            self.artifacts[(run_id, step["with"]["name"])] = (
                self.origin.root / "artifacts" / f"{run_id}-{step['with']['name']}"
            )
            return {}

        def download(step: dict[str, Any], _: dict[str, str]) -> dict[str, str]:
            source = self.artifacts[(int(step["with"]["run-id"]), step["with"]["name"])]
            shutil.copytree(source, workspace / step["with"]["path"], dirs_exist_ok=True)
            return {}

        base = {
            "actions/checkout": checkout,
            "actions/setup-python": setup_python,
            "actions/upload-artifact": upload,
            "actions/download-artifact": download,
            # The image's pip install: the test's own reconciler is first on PATH.
            "Install reconciler": lambda step, env: {},
        }
        result = runners.run_github_job(
            ROOT / "examples" / "ci" / "github" / workflow,
            job,
            cwd=workspace,
            context=context,
            env=env,
            stand_ins={**base, **stand_ins},
        )
        result.run_id = run_id  # type: ignore[attr-defined]
        result.workspace = workspace  # type: ignore[attr-defined]
        return result

    def plan(self, number: int, head: str) -> runners.JobResult:
        event = {
            "pull_request": {
                "number": number,
                "head": {"sha": head, "repo": {"full_name": "acme/inventory"}},
            }
        }

        def comment(step: dict[str, Any], env: dict[str, str]) -> dict[str, str]:
            # actions/github-script: the sticky comment, one per pull request, updated.
            body = (
                self.origin.root
                / f"run-{self.run_id}"
                / "workspace"
                / ".reconciler-ci"
                / "comment.md"
            ).read_text()
            marker = body.splitlines()[0]
            kept = [c for c in self.comments.get(number, []) if not c.startswith(marker)]
            self.comments[number] = [*kept, body]
            return {}

        result = self._run(
            "inventory-plan.yml", "plan", event, head, head, {"actions/github-script": comment}
        )
        if result.succeeded:
            self.plan_runs[head] = result.run_id  # type: ignore[attr-defined]
        return result

    def apply(self, number: int, head: str, merge: str) -> runners.JobResult:
        def find(step: dict[str, Any], env: dict[str, str]) -> dict[str, str]:
            # actions/github-script: the merged pull request and its plan run, from GitHub's API.
            assert env["PLAN_WORKFLOW"] == "inventory-plan.yml"
            assert head in self.plan_runs, f"no successful plan for {head}"
            return {
                "pull-request": str(number),
                "head-sha": head,
                "run-id": str(self.plan_runs[head]),
            }

        return self._run(
            "inventory-apply.yml", "apply", {}, merge, "main", {"Find the reviewed plan": find}
        )

    def drift(self) -> runners.JobResult:
        main = self.origin.git(self.origin.work, "rev-parse", "origin/main")
        return self._run("inventory-drift.yml", "drift", {}, main, "main", {})


def _level(store: Store, sku: str, location: str) -> dict[str, int]:
    query = """query($sku: String!) { inventoryItems(first: 2, query: $sku) { nodes { sku
      inventoryLevels(first: 10) { nodes { location { name } quantities(names: ["available", "damaged"]) { name quantity } } } } } }"""
    body = store.gql(VERSION, query, {"sku": f"sku:'{sku}'"})
    [item] = [n for n in body["data"]["inventoryItems"]["nodes"] if n["sku"] == sku]
    [level] = [lv for lv in item["inventoryLevels"]["nodes"] if lv["location"]["name"] == location]
    return {q["name"]: q["quantity"] for q in level["quantities"]}


def _groups(store: Store) -> list[dict[str, Any]]:
    groups: list[dict[str, Any]] = store.control("GET", "history")["adjustmentGroups"]
    return [g for g in groups if (g["referenceDocumentUri"] or "").startswith("gid://reconciler/")]


def test_github_plan_on_pull_request_apply_on_merge_and_drift_at_night(
    origin: Origin, store: Store, tokens: dict[str, str]
) -> None:
    github = GitHub(origin, store, tokens)
    gear = (origin.work / "inventory" / "gear.yaml").read_text()
    first = origin.commit(
        "More tents at West",
        {"inventory/gear.yaml": _edit(gear, "TENT-2P", "available: 38", "available: 30")},
        branch="more-tents",
    )
    planned = github.plan(7, first)
    assert planned.succeeded, planned.output
    assert planned.step("Plan").outputs == {"changes": "true"}
    [comment] = github.comments[7]
    assert comment.startswith(f"<!-- reconciler-plan -->\n#### reconciler plan for {first[:12]}\n")
    assert "<details>" in comment and "TENT-2P" in comment
    assert "TENT-2P" in planned.summary

    # A second push: the plan runs again and the same comment is replaced, not added to.
    second = origin.commit(
        "And two damaged",
        {"inventory/gear.yaml": _edit(gear, "TENT-2P", "available: 38", "available: 28")},
        branch="more-tents",
    )
    assert github.plan(7, second).succeeded
    [comment] = github.comments[7]
    assert f"reconciler plan for {second[:12]}" in comment
    artifact = github.artifacts[(github.plan_runs[second], "reconciler-plan")]
    reviewed = json.loads((artifact / "plan.json").read_text())
    assert reviewed["git"] == {"commit": second, "dirty": False}

    merge = origin.merge("more-tents")
    applied = github.apply(7, second, merge)
    assert applied.succeeded, applied.output
    [entry] = origin.history_on_main()
    assert (entry["plan_id"], entry["git"]["commit"], entry["outcome"]) == (
        reviewed["plan_id"],
        second,
        "applied",
    )
    assert entry["actor"] == {
        "name": "dana",
        "ci": "github-actions",
        "run": f"https://github.com/acme/inventory/actions/runs/{applied.run_id}",
    }  # type: ignore[attr-defined]
    log = origin.git(
        origin.root, "--git-dir", str(origin.bare), "log", "-1", "--format=%an|%s", "main"
    )
    assert log == f"github-actions[bot]|inventory history: plan {reviewed['plan_id']}"
    assert _level(store, "TENT-2P", "West Warehouse") == {"available": 28, "damaged": 2}
    assert {g["referenceDocumentUri"] for g in _groups(store)} == {
        f"gid://reconciler/Plan/{reviewed['plan_id']}?commit={second}"
    }

    quiet = github.drift()
    assert quiet.succeeded, quiet.output
    assert (
        quiet.summary.startswith("### :white_check_mark: ")
        and ": in sync (30 items" in quiet.summary
    )
    # An order at night is expected movement: summarised, not drift.
    sale(store, "TENT-2P", "West Warehouse", 1)
    sold = github.drift()
    assert sold.succeeded, sold.output
    assert "1 level moved by orders (available -1)" in sold.summary
    assert "| TENT-2P at West Warehouse | available 28 -&gt; 27 (-1) |" in sold.summary
    # Another app moves stock into `damaged`, which the manifests own: drift, the job fails.
    when = foreign_move(store, "TSHIRT-RED-S", "West Warehouse", "damaged", 2)
    drifted = github.drift()
    assert not drifted.succeeded
    step = drifted.step("Compare the store with main")
    assert "::error::" in step.output and ": DRIFT: 1 foreign change;" in step.output
    assert "**Changed in the store, not by reconciler (alarm)**" in drifted.summary
    assert f"| TSHIRT-RED-S at West Warehouse | damaged is 3, declared 1 | {when} |" in (
        drifted.summary
    )
    assert "To keep what the store has: export the manifests again" in drifted.summary
    assert drifted.step("Keep the drift report").outcome == "success"
    report = json.loads(
        (github.artifacts[(drifted.run_id, "reconciler-drift")] / "drift.json").read_text()  # type: ignore[attr-defined]
    )
    assert (report["status"], report["counts"]["foreign"], report["counts"]["sales"]) == (
        "drift", 1, 1,
    )  # fmt: skip
    # A revoked token: the job fails and its summary says the check did not run.
    github.context["secrets"]["SHOPIFY_READ_ACCESS_TOKEN"] = "revoked-token"
    broken = github.drift()
    assert not broken.succeeded
    assert broken.summary == (
        "### :warning: The drift check could not run (exit 1): see the job log\n"
    )
    assert "the access token was refused" in broken.step("Compare the store with main").output


def test_github_apply_refuses_a_stale_plan_and_a_merge_that_declares_something_else(
    origin: Origin, store: Store, tokens: dict[str, str]
) -> None:
    github = GitHub(origin, store, tokens)
    gear = (origin.work / "inventory" / "gear.yaml").read_text()
    head = origin.commit(
        "Tents",
        {"inventory/gear.yaml": _edit(gear, "TENT-2P", "available: 38", "available: 30")},
        branch="tents",
    )
    assert github.plan(8, head).succeeded
    # A sale at a level the plan sets, between review and merge: the plan is stale.
    store.control(
        "POST",
        "sale",
        {
            "inventoryItemId": "gid://shopify/InventoryItem/43729052",
            "locationId": "gid://shopify/Location/68509204713",
            "quantity": 1,
        },
    )
    stale = github.apply(8, head, origin.merge("tents"))
    assert stale.step("Apply the reviewed plan").outcome == "failure"
    assert "is stale" in stale.step("Apply the reviewed plan").output
    assert stale.step("Commit the history").outcome == "success"  # ran, found nothing to commit
    assert "No history entry to commit" in stale.step("Commit the history").output
    assert origin.history_on_main() == [] and _groups(store) == []

    # Reviewed at one commit; another pull request changed the manifests on main meanwhile, so
    # the merge declares more than was reviewed: refused, nothing applied.
    apparel = (origin.work / "inventory" / "apparel.yaml").read_text()
    reviewed = origin.commit(
        "Hoodies",
        {
            "inventory/apparel.yaml": _edit(
                apparel, "HOODIE-GRY-M", "available: 12", "available: 14"
            )
        },
        branch="hoodies",
    )
    assert github.plan(9, reviewed).succeeded
    origin.git(origin.work, "checkout", "--quiet", "main")
    gear = (origin.work / "inventory" / "gear.yaml").read_text()
    origin.commit(
        "Boots",
        {"inventory/gear.yaml": _edit(gear, "BOOT-HIKE-42", "available: 8", "available: 9")},
        branch="boots",
    )
    origin.merge("boots")
    moved = github.apply(9, reviewed, origin.merge("hoodies"))
    check_step = moved.step("Check the merge declares what was reviewed")
    assert check_step.outcome == "failure"
    assert "differ from the reviewed commit" in check_step.output
    assert moved.step("Apply the reviewed plan").outcome == "skipped"
    assert origin.history_on_main() == []


def _jobs_for(data: dict[str, Any], variables: dict[str, str]) -> list[str]:
    """The jobs a pipeline with these variables runs (their `rules:`)."""
    return [
        n for n, job in runners.gitlab_jobs(data).items() if runners.gitlab_rule(job, variables)
    ]


def test_gitlab_plan_on_merge_request_apply_on_merge_and_drift(
    origin: Origin, store: Store, tokens: dict[str, str]
) -> None:
    data = yaml.safe_load(GITLAB.read_text())
    project = {  # the project's CI/CD variables (SHOPIFY_WRITE_ACCESS_TOKEN is protected)
        "SHOPIFY_STORE": store.url,
        "SHOPIFY_API_VERSION": VERSION,
        "SHOPIFY_READ_ACCESS_TOKEN": tokens["read"],
        "RECONCILER_GITLAB_TOKEN": "glpat-test",
        "HISTORY_REMOTE": str(origin.bare),  # stands in for the project's HTTPS remote
    }
    predefined = {
        "CI": "true",
        "GITLAB_CI": "true",
        "GITLAB_USER_LOGIN": "dana",
        "CI_JOB_URL": "https://gitlab.example.com/acme/inventory/-/jobs/1",
        "CI_DEFAULT_BRANCH": "main",
        "CI_PROJECT_ID": "42",
        "CI_API_V4_URL": "https://gitlab.example.com/api/v4",
    }
    gear = (origin.work / "inventory" / "gear.yaml").read_text()
    head = origin.commit(
        "Tents",
        {"inventory/gear.yaml": _edit(gear, "TENT-2P", "available: 38", "available: 30")},
        branch="tents",
    )

    mr = {
        **predefined,
        "CI_PIPELINE_SOURCE": "merge_request_event",
        "CI_COMMIT_SHA": head,
        "CI_MERGE_REQUEST_IID": "3",
    }
    assert _jobs_for(data, mr) == ["plan"]
    plan_dir = origin.clone("mr-pipeline", head)
    notes: list[str] = []
    plan = runners.run_gitlab_job(
        data,
        "plan",
        cwd=plan_dir,
        env={**origin.env, **project},
        predefined=mr,
        api=lambda item, env: notes.append(
            json.loads((plan_dir / ".reconciler-ci" / "note.json").read_text())["body"]
        ),
    )
    assert plan.succeeded, plan.output
    [note] = notes
    assert note.startswith(f"<!-- reconciler-plan -->\n#### reconciler plan for {head[:12]}\n")
    assert "TENT-2P" in note

    merge = origin.merge("tents")
    push = {
        **predefined,
        "CI_PIPELINE_SOURCE": "push",
        "CI_COMMIT_SHA": merge,
        "CI_COMMIT_BRANCH": "main",
    }
    assert _jobs_for(data, push) == ["apply"]
    apply_dir = origin.clone("main-pipeline", merge)

    def fetch_reviewed(item: str, env: dict[str, str]) -> None:
        # GitLab's API: the merged request (iid 3, head) and its plan job's artifact.
        shutil.copytree(plan_dir / ".reconciler-ci", apply_dir / ".reconciler-ci")
        (apply_dir / ".reconciler-ci" / "reviewed.env").write_text(
            f"REVIEWED_SHA={head}\nMERGE_REQUEST=3\n"
        )

    write = {**project, "SHOPIFY_WRITE_ACCESS_TOKEN": tokens["write"]}
    applied = runners.run_gitlab_job(
        data,
        "apply",
        cwd=apply_dir,
        env={**origin.env, **write},
        predefined=push,
        api=fetch_reviewed,
    )
    assert applied.succeeded, applied.output
    [entry] = origin.history_on_main()
    assert entry["git"]["commit"] == head and entry["outcome"] == "applied"
    assert entry["actor"]["ci"] == "gitlab"
    assert _level(store, "TENT-2P", "West Warehouse") == {"available": 30, "damaged": 2}

    schedule = {
        **predefined,
        "CI_PIPELINE_SOURCE": "schedule",
        "CI_COMMIT_SHA": merge,
        "CI_COMMIT_BRANCH": "main",
    }
    assert _jobs_for(data, schedule) == ["drift"]
    nightly = origin.clone("nightly", "main")

    def in_sync(item: str, env: dict[str, str]) -> None:
        # GitLab's API: in sync, an open `inventory-drift` issue would get this note and close.
        assert (nightly / ".reconciler-ci" / "status").read_text() == "0\n"
        assert not (nightly / ".reconciler-ci" / "issue.json").exists()
        closing = json.loads((nightly / ".reconciler-ci" / "closing.json").read_text())
        assert (
            closing["body"].startswith("In sync again: ")
            and ": in sync (30 items" in (closing["body"])
        )

    quiet = runners.run_gitlab_job(
        data, "drift", cwd=nightly, env={**origin.env, **write}, predefined=schedule, api=in_sync
    )
    assert quiet.succeeded, quiet.output
    assert ": in sync (30 items compared)" in quiet.output

    # Another app writes to what the manifests own: drift, an issue, the job fails.
    when = foreign_move(store, "TSHIRT-RED-S", "West Warehouse", "damaged", 2)
    issues: list[dict[str, Any]] = []

    def post_issue(item: str, env: dict[str, str]) -> None:
        # GitLab's API: no open `inventory-drift` issue yet, so one is opened.
        assert (nightly / ".reconciler-ci" / "status").read_text() == "2\n"
        issues.append(json.loads((nightly / ".reconciler-ci" / "issue.json").read_text()))

    drifted = runners.run_gitlab_job(
        data, "drift", cwd=nightly, env={**origin.env, **write}, predefined=schedule, api=post_issue
    )
    assert not drifted.succeeded
    assert [r.outcome for r in drifted.steps] == ["success", "success", "failure"]
    [issue] = issues
    assert issue["title"] == "Inventory drift: the store no longer matches main"
    assert issue["labels"] == "inventory-drift"
    assert (
        f"| TSHIRT-RED-S at West Warehouse | damaged is 3, declared 1 | {when} |"
        in (issue["description"])
    )
    assert issue["description"].endswith(
        "_Drift job: https://gitlab.example.com/acme/inventory/-/jobs/1_\n"
    )
    note = json.loads((nightly / ".reconciler-ci" / "note.json").read_text())
    assert note == {"body": issue["description"]}


@pytest.mark.parametrize(
    ("status", "open_issue", "expected"),
    [
        ("0", True, ["GET ?labels=inventory-drift&state=opened", "POST /7/notes closing.json",
                     "PUT /7?state_event=close"]),
        ("0", False, ["GET ?labels=inventory-drift&state=opened"]),
        ("2", True, ["GET ?labels=inventory-drift&state=opened", "POST /7/notes note.json"]),
        ("2", False, ["GET ?labels=inventory-drift&state=opened", "POST  issue.json"]),
        ("1", True, []),
    ],
)  # fmt: skip
def test_the_gitlab_drift_issue_is_opened_noted_and_closed(
    tmp_path: Path, status: str, open_issue: bool, expected: list[str]
) -> None:
    """The drift job's GitLab API item (stood in for in the end-to-end test), run against a
    fake curl: which calls it makes for each exit status, with or without an open issue."""
    bin_dir, log = tmp_path / "bin", tmp_path / "calls.log"
    bin_dir.mkdir()
    (bin_dir / "curl").write_text(
        "#!/bin/bash\n"
        'method=GET; data=""; url=""\n'
        'while [ $# -gt 0 ]; do case "$1" in\n'
        "  --request) method=$2; shift;; --data) data=${2##*/}; shift;; --header) shift;;\n"
        "  -*) ;; *) url=$1;; esac; shift; done\n"
        f'echo "$method ${{url#https://gl/api/v4/projects/42/issues}} $data" >> {log}\n'
        'case "$url" in *state=opened*) echo "$OPEN";; esac\n'
    )
    (bin_dir / "curl").chmod(0o755)
    (tmp_path / ".reconciler-ci").mkdir()
    (tmp_path / ".reconciler-ci" / "status").write_text(f"{status}\n")
    [item] = [
        i for i in yaml.safe_load(GITLAB.read_text())["drift"]["script"] if runners.API_MARKER in i
    ]
    env = {
        **runners.base_env(tmp_path),
        "PATH": f"{bin_dir}:{runners.VENV_BIN}:/usr/bin:/bin",
        "OPEN": '[{"iid": 7}]' if open_issue else "[]",
        "CI_API_V4_URL": "https://gl/api/v4",
        "CI_PROJECT_ID": "42",
        "RECONCILER_GITLAB_TOKEN": "glpat-test",
    }
    code, output = runners.bash(item, tmp_path, env)
    assert code == 0, output
    calls = log.read_text().splitlines() if log.exists() else []
    assert [c.strip() for c in calls] == [e.strip() for e in expected]
