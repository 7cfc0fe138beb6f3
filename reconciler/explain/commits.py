"""The commits that changed one SKU's declared values, read from git.

Each commit (merges left out: their changes are the commits they merge) that touched a manifest
under the paths given is compared with its first parent: the manifests it changed are read on
both sides through the manifest stage itself (`check_paths`, so aliases, merges, file-level
reasons and every other rule apply exactly as `plan` applies them), and the SKU's declared
values are compared. A commit is listed only when they differ. Location aliases are resolved
with today's reconciler.yaml.

Reading is bounded: one ``git log`` and one ``git cat-file --batch`` for the whole walk, a file
is only parsed when its text contains the SKU, and each distinct blob is parsed once.
"""

from __future__ import annotations

import fnmatch
import subprocess
import tempfile
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path, PurePosixPath

from reconciler.errors import ConfigError
from reconciler.manifest import check_paths
from reconciler.manifest.load import CONFIG_NAME, YAML_SUFFIXES
from reconciler.model import DesiredItem

from .values import Change, Declared, diff

GIT_TIMEOUT = 120  # seconds for one git command; a walk is two commands
_RECORD, _FIELD = "\x1e", "\x1f"
_FORMAT = "%x1e%H%x1f%P%x1f%an%x1f%ae%x1f%aI%x1f%cI%x1f%B%x1f"


@dataclass(frozen=True, slots=True)
class CommitChange:
    """One commit that changed what the manifests declare for the SKU."""

    commit: str
    author: str
    email: str
    authored_at: str  # UTC, ISO 8601 with Z
    committed_at: str
    message: str
    files: tuple[str, ...]  # repository-relative manifests whose declaration of the SKU changed
    changes: tuple[Change, ...]
    problems: tuple[str, ...] = ()  # manifests that did not validate on one side

    @property
    def subject(self) -> str:
        return self.message.splitlines()[0] if self.message else ""


@dataclass(frozen=True, slots=True)
class GitLog:
    commits: tuple[CommitChange, ...]
    note: str | None = None  # why commits are missing or incomplete (no git, shallow clone)


@dataclass(frozen=True, slots=True)
class _Commit:
    commit: str
    parent: str | None
    author: str
    email: str
    authored_at: str
    committed_at: str
    message: str
    files: tuple[str, ...]


def utc(timestamp: str) -> str:
    """An ISO 8601 timestamp with any offset as UTC with Z (history's form), for ordering."""
    moment = datetime.fromisoformat(timestamp.replace("Z", "+00:00"))
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def commits_changing(
    sku: str,
    paths: list[Path],
    config_path: Path | None,
    aliases: Mapping[str, str],
    location: str | None = None,
) -> GitLog:
    """Every commit that changed the SKU's declared values under `paths`, oldest first."""
    anchor = paths[0] if paths[0].is_dir() else paths[0].parent
    top = _git_top(anchor)
    if top is None:
        return GitLog((), f"{anchor.as_posix()} is not in a git repository: no commits to show")
    scopes = [_scope(path, top) for path in paths]
    if not _git(top, "rev-parse", "--verify", "--quiet", "HEAD", check=False):
        return GitLog((), f"the git repository at {top} has no commits yet")
    log = _log(top, [scope.as_posix() for scope, _ in scopes])
    if not log:
        return GitLog((), None)
    reader = _Blobs(top, sku.encode(), config_path, aliases)
    try:
        found = []
        for commit in log:
            files = [f for f in commit.files if _is_manifest(f, scopes)]
            change = reader.compare(commit, files, sku, location)
            if change is not None:
                found.append(change)
    finally:
        reader.close()
    note = None
    if _git(anchor, "rev-parse", "--is-shallow-repository").strip() == "true":
        note = "shallow clone: commits before the clone's depth are not shown (fetch-depth: 0)"
    return GitLog(tuple(found), note)


# -- git ---------------------------------------------------------------------------------------


def _git(anchor: Path, *args: str, check: bool = True) -> str:
    """git's output; a failure is a ConfigError with git's own words (or "" if not `check`)."""
    try:
        done = subprocess.run(
            ["git", "-C", str(anchor), *args],
            capture_output=True,
            text=True,
            timeout=GIT_TIMEOUT,
            check=False,
        )
    except FileNotFoundError:
        raise ConfigError("git is not installed; it is needed to read the commits") from None
    except subprocess.TimeoutExpired:
        raise ConfigError(f"git {args[0]} took over {GIT_TIMEOUT} s; giving up") from None
    if done.returncode != 0:
        if not check:
            return ""
        raise ConfigError(f"git {args[0]} failed: {done.stderr.strip()}")
    return done.stdout


def _git_top(anchor: Path) -> Path | None:
    """The repository's top folder, or None outside a repository (or without git)."""
    try:
        top = _git(anchor, "rev-parse", "--show-toplevel", check=False).strip()
    except ConfigError:
        return None
    return Path(top) if top else None


def _log(top: Path, pathspecs: list[str]) -> list[_Commit]:
    """Non-merge commits touching the pathspecs (repository-relative), oldest first, with the
    files each changed."""
    raw = _git(
        top,
        "log",
        "--reverse",
        "--no-merges",
        "--no-renames",
        "-z",
        "--name-only",
        f"--format={_FORMAT}",
        "--",
        *pathspecs,
    )
    commits = []
    for record in raw.split(_RECORD)[1:]:
        sha, parents, author, email, authored, committed, message, names = record.split(_FIELD)
        commits.append(
            _Commit(
                commit=sha,
                parent=parents.split()[0] if parents.strip() else None,
                author=author,
                email=email,
                authored_at=utc(authored),
                committed_at=utc(committed),
                message=message.strip(),
                files=tuple(n.strip("\n") for n in names.split("\0") if n.strip("\n")),
            )
        )
    return commits


def _scope(path: Path, top: Path) -> tuple[PurePosixPath, bool]:
    """A path as the repository names it, and whether it names a directory."""
    try:
        relative = path.resolve().relative_to(top.resolve())
    except ValueError:
        raise ConfigError(f"{path}: outside the git repository at {top}") from None
    return PurePosixPath(relative.as_posix()), path.is_dir()


def _is_manifest(name: str, scopes: Iterable[tuple[PurePosixPath, bool]]) -> bool:
    """What `reconciler plan PATH...` would read: YAML files under the paths, not hidden, not
    reconciler.yaml (the manifest stage's discovery rules)."""
    file = PurePosixPath(name)
    if file.suffix not in YAML_SUFFIXES or file.name == CONFIG_NAME:
        return False
    for scope, is_dir in scopes:
        if not is_dir:
            if file == scope:
                return True
            continue
        if scope == PurePosixPath(".") or file.is_relative_to(scope):
            inside = file.relative_to(scope) if scope != PurePosixPath(".") else file
            if not any(part.startswith(".") for part in inside.parts):
                return True
    return False


class _Blobs:
    """File contents at commits (one `git cat-file --batch`), parsed once per distinct blob."""

    def __init__(
        self, top: Path, needle: bytes, config_path: Path | None, aliases: Mapping[str, str]
    ) -> None:
        self.needle = needle
        self.config_path = config_path.resolve() if config_path is not None else None
        self.aliases = aliases
        self.parsed: dict[str, Declared | str] = {}
        self.tmp = tempfile.TemporaryDirectory(prefix="reconciler-explain-")
        self.process = subprocess.Popen(
            ["git", "-C", str(top), "cat-file", "--batch"],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
        )

    def close(self) -> None:
        if self.process.stdin:
            self.process.stdin.close()
        self.process.wait(timeout=GIT_TIMEOUT)
        if self.process.stdout:
            self.process.stdout.close()
        self.tmp.cleanup()

    def _blob(self, rev: str, name: str) -> tuple[str, bytes] | None:
        assert self.process.stdin and self.process.stdout
        self.process.stdin.write(f"{rev}:{name}\n".encode())
        self.process.stdin.flush()
        header = self.process.stdout.readline().decode().split()
        if len(header) != 3 or header[1] != "blob":
            return None  # "<rev>:<name> missing": the file does not exist there
        size = int(header[2])
        data = self.process.stdout.read(size)
        self.process.stdout.read(1)  # the newline after each object
        return header[0], data

    def declared(self, rev: str | None, name: str) -> Declared | str:
        """The SKU's declared values in one file at one commit, or why they cannot be read."""
        if rev is None:
            return Declared()
        blob = self._blob(rev, name)
        if blob is None or self.needle not in blob[1]:
            return Declared()
        object_id, data = blob
        if object_id not in self.parsed:
            self.parsed[object_id] = self._parse(object_id, name, data)
        return self.parsed[object_id]

    def _parse(self, object_id: str, name: str, data: bytes) -> Declared | str:
        folder = Path(self.tmp.name) / object_id
        folder.mkdir()
        path = folder / PurePosixPath(name).name
        path.write_bytes(data)
        check = check_paths([path], self.config_path)
        if check.state is None:
            first = str(check.problems[0]).replace(path.as_posix(), name)
            count = len(check.problems)
            return f"{name} does not validate ({count} problem{'s' * (count != 1)}; {first})"
        return Declared.of(_items(check.state.items, self.needle.decode()))

    def compare(
        self, commit: _Commit, files: list[str], sku: str, location: str | None
    ) -> CommitChange | None:
        before, after = Declared(), Declared()
        problems: list[str] = []
        changed_files = []
        for name in files:
            old, new = self.declared(commit.parent, name), self.declared(commit.commit, name)
            for side in (old, new):
                if isinstance(side, str) and side not in problems:
                    problems.append(side)
            if isinstance(old, Declared) and isinstance(new, Declared):
                if old != new:
                    changed_files.append(name)
                before, after = before.merged(old), after.merged(new)
        changes = tuple(c for c in diff(before, after) if _at(c, location))
        if not changes and not problems:
            return None
        return CommitChange(
            commit.commit,
            commit.author,
            commit.email,
            commit.authored_at,
            commit.committed_at,
            commit.message,
            tuple(changed_files),
            changes,
            tuple(problems),
        )


def _items(items: Iterable[DesiredItem], sku: str) -> Iterator[DesiredItem]:
    return (item for item in items if item.sku == sku)


def _at(change: Change, location: str | None) -> bool:
    """Whether a change is at the location asked for (a glob); item attributes are at none."""
    if location is None:
        return True
    return change.location is not None and fnmatch.fnmatchcase(change.location, location)
