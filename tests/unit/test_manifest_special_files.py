"""Manifest paths that are not regular files: a clear problem and exit 1, never a hang or a crash.

A named pipe called `*.yaml` used to block `validate`, `plan` and `apply` forever (reading a FIFO
waits for a writer), and a symbolic link that loops crashed discovery (exit 3). These run the
CLI as its own process with a timeout, so a hang fails the test instead of stalling the suite.
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from reconciler.manifest import load

VALID = "items:\n  - sku: X\n"


def run(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("SHOPIFY_")}
    env |= {"SHOPIFY_STORE": "http://127.0.0.1:9", "SHOPIFY_ACCESS_TOKEN": "unused"}
    return subprocess.run(
        [sys.executable, "-m", "reconciler", *args],
        cwd=cwd,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


@pytest.fixture
def manifests(tmp_path: Path) -> Path:
    directory = tmp_path / "inventory"
    directory.mkdir()
    (directory / "ok.yaml").write_text(VALID)
    return directory


@pytest.fixture
def unix_socket(manifests: Path) -> Iterator[Path]:
    path = manifests / "socket.yaml"
    server = socket.socket(socket.AF_UNIX)
    try:
        server.bind(str(path))
    except OSError as exc:  # a path too long for AF_UNIX on this machine
        pytest.skip(f"cannot bind a unix socket here: {exc}")
    try:
        yield path
    finally:
        server.close()


NOT_A_FILE = {
    "fifo": "a named pipe (FIFO), not a regular file; manifests must be regular files",
    "loop": "a symbolic link that loops (too many levels of symbolic links); fix or remove it",
    "device": "a device file, not a regular file; manifests must be regular files",
}


def make(kind: str, path: Path) -> None:
    if kind == "fifo":
        os.mkfifo(path)
    elif kind == "loop":
        path.symlink_to(path.name)
    else:
        path.symlink_to("/dev/null")


@pytest.mark.parametrize(
    ("kind", "command"),
    [*((kind, "validate") for kind in sorted(NOT_A_FILE)), ("fifo", "plan"), ("fifo", "apply")],
)
def test_a_special_file_in_a_manifest_directory_is_refused(
    manifests: Path, kind: str, command: str
) -> None:
    make(kind, manifests / f"special-{kind}.yaml")
    extra = ["--auto-approve"] if command == "apply" else []
    result = run(command, str(manifests), *extra, cwd=manifests.parent)
    assert result.returncode == 1, result.stderr
    shown = f"{(manifests / f'special-{kind}.yaml').as_posix()}: {NOT_A_FILE[kind]}"
    assert shown in result.stdout + result.stderr
    assert "Traceback" not in result.stderr and "bug" not in result.stderr


def test_a_socket_in_a_manifest_directory_is_refused(manifests: Path, unix_socket: Path) -> None:
    result = run("validate", str(manifests), cwd=manifests.parent)
    assert result.returncode == 1
    assert result.stdout == (
        f"{unix_socket.as_posix()}: a socket, not a regular file; manifests must be regular files\n"
    )


@pytest.mark.parametrize("kind", sorted(NOT_A_FILE))
def test_a_special_file_named_directly_is_refused(tmp_path: Path, kind: str) -> None:
    path = tmp_path / "named.yaml"
    make(kind, path)
    result = run("validate", str(path), cwd=tmp_path)
    assert (result.returncode, result.stdout) == (1, f"{path.as_posix()}: {NOT_A_FILE[kind]}\n")


def test_other_names_and_directory_links_are_left_alone(manifests: Path) -> None:
    os.mkfifo(manifests / "pipe.txt")  # not a *.yaml name: never opened
    (manifests / "loop").symlink_to("loop")
    (manifests / "back").symlink_to("..")  # links to directories are not followed
    result = run("validate", str(manifests), cwd=manifests.parent)
    assert (result.returncode, result.stdout) == (0, "valid: 1 file, 1 item, 0 levels\n")


def test_reading_a_pipe_put_in_place_of_a_file_does_not_block(tmp_path: Path) -> None:
    """Discovery saw a file; by the time it is read it is a pipe: refused, not waited on."""
    path = tmp_path / "swapped.yaml"
    os.mkfifo(path)
    data, problems = load.read_bytes(path)
    assert data is None
    assert [p.message for p in problems] == [NOT_A_FILE["fifo"]]
