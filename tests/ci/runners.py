"""Run a CI job's own shell scripts, in order, the way GitHub Actions and GitLab CI would.

What runs for real: every `run:` script (GitHub) and every `script:` item (GitLab), with
`bash -eo pipefail`, in a real git working copy whose `origin` is a real bare repository, with
the job's environment (workflow, job and step `env:` / `variables:` with their expressions
evaluated) and SHOPIFY_* pointing at the sandbox store. `reconciler` is this checkout's (the
test's virtualenv is first on PATH).

What is stood in for, because it is the CI platform's and not ours: the `uses:` steps
(checkout, setup-python, artifacts, github-script) and, on GitLab, the script items that talk
to GitLab's API (marked `# GitLab API:`) and the image's `pip install`. Each stand-in is a
Python callable the test passes in by step name or action; a step with no stand-in fails the
run, so nothing is skipped silently.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

VENV_BIN = str(Path(sys.executable).parent)
_EXPRESSION = re.compile(r"\$\{\{\s*(.*?)\s*\}\}")


@dataclass
class StepResult:
    name: str
    outcome: str  # success, failure, skipped
    output: str = ""
    outputs: dict[str, str] = field(default_factory=dict)


@dataclass
class JobResult:
    steps: list[StepResult]
    summary: str = ""

    @property
    def succeeded(self) -> bool:
        return all(s.outcome != "failure" for s in self.steps)

    def step(self, name: str) -> StepResult:
        return next(s for s in self.steps if s.name == name)

    @property
    def output(self) -> str:
        return "\n".join(f"## {s.name} ({s.outcome})\n{s.output}" for s in self.steps)


def base_env(home: Path) -> dict[str, str]:
    """A clean environment: nothing of the developer's (no SHOPIFY_*), git identity-free."""
    return {
        "PATH": f"{VENV_BIN}:/usr/local/bin:/usr/bin:/bin",
        "HOME": str(home),
        "LANG": "C.UTF-8",
        "GIT_CONFIG_NOSYSTEM": "1",
        "GIT_CONFIG_GLOBAL": os.devnull,
    }


def bash(script: str, cwd: Path, env: Mapping[str, str]) -> tuple[int, str]:
    done = subprocess.run(
        ["bash", "--noprofile", "--norc", "-eo", "pipefail", "-c", script],
        cwd=cwd,
        env=dict(env),
        capture_output=True,
        text=True,
        timeout=300,
    )
    return done.returncode, done.stdout + done.stderr


# -- GitHub Actions ----------------------------------------------------------------------------


def load_workflow(path: Path) -> dict[str, Any]:
    data: dict[str, Any] = yaml.safe_load(path.read_text())
    if True in data:  # YAML 1.1 reads the key `on` as a boolean
        data["on"] = data.pop(True)
    return data


def lookup(path: str, context: Mapping[str, Any]) -> Any:
    value: Any = context
    for part in path.split("."):
        if not isinstance(value, Mapping) or part not in value:
            raise KeyError(f"unknown expression {path!r}")
        value = value[part]
    return value


def evaluate(text: str, context: Mapping[str, Any]) -> str:
    """`${{ dotted.path }}` replaced from the context; anything fancier is refused."""

    def one(match: re.Match[str]) -> str:
        expression = match.group(1)
        if not re.fullmatch(r"[A-Za-z_][\w.-]*", expression):
            raise ValueError(f"expression too complex for the test harness: {expression}")
        return str(lookup(expression, context))

    return _EXPRESSION.sub(one, text)


def condition(text: str | None, context: Mapping[str, Any], failed: bool) -> bool:
    """A step's or job's `if:`: status functions, `!`, `&&`, and == / != on paths and strings."""
    if text is None:
        return not failed
    expression = text.strip()
    if expression.startswith("${{"):
        expression = expression[3:-2].strip()
    uses_status = bool(re.search(r"\b(always|failure|cancelled|success)\(\)", expression))
    parts = []
    for clause in expression.split("&&"):
        clause = clause.strip()
        negate = clause.startswith("!") and not clause.startswith("!=")
        clause = clause[1:].strip() if negate else clause
        if clause in ("always()", "cancelled()", "failure()", "success()"):
            value = {"always()": True, "cancelled()": False, "failure()": failed}.get(
                clause, not failed
            )
        else:
            match = re.fullmatch(r"([\w.-]+)\s*(==|!=)\s*('([^']*)'|[\w.-]+)", clause)
            if match is None:
                raise ValueError(f"condition too complex for the test harness: {clause}")
            left = str(lookup(match.group(1), context))
            right = (
                match.group(4)
                if match.group(4) is not None
                else str(lookup(match.group(3), context))
            )
            value = (left == right) if match.group(2) == "==" else (left != right)
        parts.append(not value if negate else value)
    result = all(parts)
    return result if uses_status else (result and not failed)


StandIn = Callable[[dict[str, Any], dict[str, str]], dict[str, str]]


def run_github_job(
    workflow: Path,
    job_id: str,
    *,
    cwd: Path,
    context: dict[str, Any],
    env: Mapping[str, str],
    stand_ins: Mapping[str, StandIn],
) -> JobResult:
    """Run one job's steps in order. `stand_ins` maps an action (`actions/checkout`) or a step
    name to a callable(step with evaluated `with:`, env) returning the step's outputs."""
    data = load_workflow(workflow)
    job = data["jobs"][job_id]
    context = {**context, "steps": {}, "env": {}}
    job_env = {**env, **_env(data.get("env", {}), context), **_env(job.get("env", {}), context)}
    context["env"] = job_env
    results: list[StepResult] = []
    if not condition(job.get("if"), context, failed=False):
        return JobResult([StepResult("(job)", "skipped")])
    summary = cwd.parent / f"summary-{job_id}.md"
    summary.write_text("")
    failed = False
    for step in job["steps"]:
        name = step.get("name") or step.get("uses", "")
        if not condition(step.get("if"), context, failed):
            results.append(StepResult(name, "skipped"))
            context["steps"][step.get("id", "_")] = {"outcome": "skipped", "outputs": {}}
            continue
        step_env = {**job_env, **_env(step.get("env", {}), context)}
        action = step.get("uses", "").split("@")[0]
        stand_in = stand_ins.get(name) or stand_ins.get(action)
        if "run" in step and stand_in is None:
            outputs_file = cwd.parent / "github-output"
            outputs_file.write_text("")
            step_env |= {"GITHUB_OUTPUT": str(outputs_file), "GITHUB_STEP_SUMMARY": str(summary)}
            code, output = bash(step["run"], cwd, step_env)
            outputs = _outputs(outputs_file.read_text())
            result = StepResult(name, "success" if code == 0 else "failure", output, outputs)
        elif stand_in is not None:
            given = {k: evaluate(str(v), context) for k, v in (step.get("with") or {}).items()}
            try:
                outputs = stand_in({**step, "with": given}, step_env)
                result = StepResult(name, "success", "(stood in)", outputs)
            except AssertionError as exc:
                result = StepResult(name, "failure", f"(stood in) {exc}")
        else:
            raise AssertionError(f"step {name!r} ({action}) has no stand-in")
        results.append(result)
        failed = failed or result.outcome == "failure"
        if "id" in step:
            context["steps"][step["id"]] = {"outcome": result.outcome, "outputs": result.outputs}
    return JobResult(results, summary.read_text())


def _env(mapping: Mapping[str, Any], context: Mapping[str, Any]) -> dict[str, str]:
    return {str(k): evaluate(str(v), context) for k, v in mapping.items()}


def _outputs(text: str) -> dict[str, str]:
    return dict(line.split("=", 1) for line in text.splitlines() if "=" in line)


# -- GitLab CI ---------------------------------------------------------------------------------

_GITLAB_KEYWORDS = {"stages", "default", "variables", "include", "workflow", "image", "services"}
API_MARKER = "# GitLab API:"


def gitlab_jobs(data: Mapping[str, Any]) -> dict[str, dict[str, Any]]:
    return {
        name: job
        for name, job in data.items()
        if name not in _GITLAB_KEYWORDS and not name.startswith(".")
    }


def expand(value: str, variables: Mapping[str, str]) -> str:
    return re.sub(
        r"\$\{?([A-Za-z_][A-Za-z0-9_]*)\}?", lambda m: variables.get(m.group(1), ""), value
    )


def gitlab_rule(job: Mapping[str, Any], variables: Mapping[str, str]) -> bool:
    """Whether a job runs: its first `rules: if:` that matches (== / != on variables, &&)."""
    for rule in job.get("rules", []):
        clauses = [c.strip() for c in rule["if"].split("&&")]
        matched = True
        for clause in clauses:
            match = re.fullmatch(r'\$(\w+)\s*(==|!=)\s*(?:"([^"]*)"|\$(\w+))', clause)
            if match is None:
                raise ValueError(f"rule too complex for the test harness: {clause}")
            left = variables.get(match.group(1), "")
            right = (
                match.group(3) if match.group(3) is not None else variables.get(match.group(4), "")
            )
            matched = matched and ((left == right) == (match.group(2) == "=="))
        if matched:
            return rule.get("when", "on_success") != "never"
    return False


def run_gitlab_job(
    data: Mapping[str, Any],
    name: str,
    *,
    cwd: Path,
    env: Mapping[str, str],
    predefined: Mapping[str, str],
    api: Callable[[str, dict[str, str]], None] | None = None,
) -> JobResult:
    """Run a job's script items in order (each in its own bash; GitLab runs them in one shell,
    and none of ours relies on the previous item's shell state). `env` holds the project's CI/CD
    variables plus the runner's own (PATH, HOME). The image's `before_script` (pip install) is
    stood in for; items starting with `# GitLab API:` go to `api`."""
    job = data[name]
    variables: dict[str, str] = {**predefined}
    for source in (data.get("variables", {}), job.get("variables", {})):
        for key, value in source.items():
            variables[key] = expand(str(value), {**variables, **env})
    step_env = {**variables, **env}  # project CI/CD variables win over the file's (GitLab's order)
    results = []
    for item in job["script"]:
        first = item.strip().splitlines()[0]
        if first.startswith(API_MARKER):
            if api is None:
                raise AssertionError(f"{name}: a GitLab API item and no stand-in: {first}")
            api(item, step_env)
            results.append(StepResult(first, "success", "(stood in)"))
            continue
        code, output = bash(item, cwd, step_env)
        results.append(StepResult(first, "success" if code == 0 else "failure", output))
        if code != 0:
            break
    return JobResult(results)
