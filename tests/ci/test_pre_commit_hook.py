"""The pre-commit hook other repositories use (`.pre-commit-hooks.yaml`), run for real with
`pre-commit try-repo` against this checkout from an example inventory repository.

try-repo installs reconciler into a fresh virtualenv each time it runs (it uses a throwaway
store, whatever PRE_COMMIT_HOME says), as pre-commit does for a user the first time. To keep
that bounded and offline after the first run, pip reads the dependencies from a wheelhouse
kept in pytest's cache (built once with `pip wheel`, rebuilt when pyproject.toml changes), and
the module runs try-repo twice (good, then bad): about 10 s CPU per run, 2 cores, measured.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[2]
EXAMPLES = ROOT / "examples"
TIMEOUT = 600  # seconds; a cold install on a loaded machine takes about a minute


def _wheelhouse(cache: pytest.Cache) -> Path:
    """Wheels for reconciler's dependencies and its build backend, built once per pyproject."""
    key = hashlib.sha256((ROOT / "pyproject.toml").read_bytes()).hexdigest()[:12]
    folder = cache.mkdir(f"pre-commit-wheelhouse-{key}")
    if not (folder / ".complete").exists():
        subprocess.run(
            [
                sys.executable,
                "-m",
                "pip",
                "wheel",
                "--quiet",
                "-w",
                str(folder),
                str(ROOT),
                "hatchling",
            ],
            check=True,
            timeout=TIMEOUT,
            capture_output=True,
        )
        for own in folder.glob("reconciler-*.whl"):  # pre-commit builds the checkout itself
            own.unlink()
        (folder / ".complete").touch()
    return folder


@pytest.fixture(scope="module")
def checkout(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, str]:
    """This checkout as it is now (uncommitted edits included), committed once into a
    temporary repository: `try-repo` on a dirty checkout makes a new shadow clone, hence a new
    hook environment, on every call; a fixed repository and commit make one for the module."""
    target = tmp_path_factory.mktemp("reconciler-checkout")
    listed = subprocess.run(
        ["git", "-C", str(ROOT), "ls-files", "-z", "--cached", "--others", "--exclude-standard"],
        check=True,
        capture_output=True,
        text=True,
    ).stdout
    for name in filter(None, listed.split("\0")):
        source = ROOT / name
        if source.is_file():
            (target / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(source, target / name)
    identity = {"GIT_AUTHOR_NAME": "t", "GIT_AUTHOR_EMAIL": "t@example.com"}
    identity |= {"GIT_COMMITTER_NAME": "t", "GIT_COMMITTER_EMAIL": "t@example.com"}
    env = {**os.environ, **identity}
    for args in (["init", "--quiet"], ["add", "--all"], ["commit", "--quiet", "-m", "checkout"]):
        subprocess.run(["git", "-C", str(target), *args], check=True, env=env)
    head = subprocess.run(
        ["git", "-C", str(target), "rev-parse", "HEAD"], check=True, capture_output=True, text=True
    ).stdout.strip()
    return target, head


@pytest.fixture(scope="module")
def pre_commit_env(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> dict[str, str]:
    wheels = _wheelhouse(request.config.cache)  # type: ignore[arg-type]
    return {
        **os.environ,
        "PRE_COMMIT_HOME": str(tmp_path_factory.mktemp("pre-commit-home")),
        "PIP_NO_INDEX": "1",
        "PIP_FIND_LINKS": str(wheels),
        "NO_COLOR": "1",
    }


@pytest.fixture
def inventory_repo(tmp_path: Path) -> Iterator[Path]:
    """Another team's repository: manifests, reconciler.yaml, and CI YAML the hook must skip."""
    repo = tmp_path / "inventory"
    shutil.copytree(EXAMPLES / "manifests", repo / "inventory")
    shutil.copy(EXAMPLES / "reconciler.yaml", repo / "reconciler.yaml")
    workflow = repo / ".github" / "workflows" / "ci.yml"
    workflow.parent.mkdir(parents=True)
    workflow.write_text("on: push\njobs: {}\n")
    subprocess.run(["git", "init", "--quiet", str(repo)], check=True)
    subprocess.run(["git", "-C", str(repo), "add", "."], check=True)
    yield repo


def _try_repo(
    repo: Path, checkout: tuple[Path, str], env: dict[str, str]
) -> subprocess.CompletedProcess[str]:
    source, ref = checkout
    return subprocess.run(
        [sys.executable, "-m", "pre_commit", "try-repo", str(source), "reconciler-validate"]
        + ["--ref", ref, "--all-files"],
        cwd=repo,
        env=env,
        capture_output=True,
        text=True,
        timeout=TIMEOUT,
    )


def test_the_hook_is_declared_as_pre_commit_reads_it() -> None:
    [hook] = yaml.safe_load((ROOT / ".pre-commit-hooks.yaml").read_text())
    assert hook["id"] == "reconciler-validate"
    assert hook["entry"] == "reconciler validate" and hook["language"] == "python"
    assert hook["pass_filenames"] is False  # every manifest, so cross-file checks run too


def test_good_manifests_pass(
    inventory_repo: Path, checkout: tuple[Path, str], pre_commit_env: dict[str, str]
) -> None:
    good = _try_repo(inventory_repo, checkout, pre_commit_env)
    assert good.returncode == 0, good.stdout + good.stderr
    assert "reconciler validate" in good.stdout and "Passed" in good.stdout


def test_bad_manifests_fail_with_file_and_line(
    inventory_repo: Path, checkout: tuple[Path, str], pre_commit_env: dict[str, str]
) -> None:
    """A typo, and a SKU declared again in another file (only a whole-set check sees it)."""
    folder = inventory_repo / "inventory"
    (folder / "typo.yaml").write_text(
        "items:\n  - sku: TENT-2P-X\n    levels:\n      east: {avaliable: 3}\n"
    )
    (folder / "more.yaml").write_text(
        "items:\n  - sku: TENT-2P\n    levels:\n      east: {available: 3}\n"
    )
    subprocess.run(["git", "-C", str(inventory_repo), "add", "."], check=True)
    failed = _try_repo(inventory_repo, checkout, pre_commit_env)
    assert failed.returncode == 1, failed.stdout + failed.stderr
    assert "reconciler validate" in failed.stdout and "Failed" in failed.stdout
    lines = failed.stdout.splitlines()
    assert (
        'inventory/typo.yaml:4: items[0].levels["east"].avaliable: unknown key; '
        "did you mean `available`?"
    ) in lines
    assert any(
        line.startswith("inventory/more.yaml:2: ") and "TENT-2P" in line for line in lines
    ), failed.stdout
