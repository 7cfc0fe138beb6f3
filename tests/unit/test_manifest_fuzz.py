"""Fuzzing the manifest and config loaders: any input gives located problems or a value, never
another exception (which the CLI would report as a crash, exit 3).

Inputs: arbitrary bytes; arbitrary YAML trees (dumped by PyYAML, with shared subtrees written as
anchors and aliases, odd scalars, every style); manifests whose values are swapped for such trees
at any depth; nesting far past the limit in block and flow style. Each goes through the public
entry points (`check_paths`, `read_config` / `load_config`) and, for a sample, the CLI.
"""

from __future__ import annotations

import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest
import yaml
from click.testing import CliRunner
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from reconciler.cli import main
from reconciler.errors import ConfigError
from reconciler.manifest import Check, check_paths, load_config, read_config
from tests.unit.test_manifest_properties import manifests

FUZZ = settings(max_examples=120, deadline=None, suppress_health_check=list(HealthCheck))

ODD = [
    ".inf",
    "-.Inf",
    ".nan",
    "0x1F",
    "0o17",
    "0b101",
    "1_000",
    "1e400",
    "-0",
    "+5",
    "~",
    "Null",
    "NO",
    "y",
    "2024-01-05T10:00:00Z",
    "12:30:00",
    "=",
    "<<",
    "!",
    "&",
    "*x",
    "%",
    "@",
    "`",
    "|",
    ">",
    "- ",
    "? ",
    "#",
    "'",
    '"',
    "\\",
    "\t",
    "\u2028",
    "\ufeff",
    "\x85",
    "é",
    "日本",
    "🙂",
    "9" * 5000,
    "x" * 2000,
    "-1_000_000_001",
]
odd_scalars = st.one_of(
    st.sampled_from(ODD),
    st.text(max_size=12),
    st.integers(),
    st.floats(),
    st.booleans(),
    st.none(),
    st.binary(max_size=8),
)
trees = st.recursive(
    odd_scalars,
    lambda inner: (
        st.lists(inner, max_size=4)
        | st.dictionaries(
            st.one_of(st.sampled_from(ODD), st.text(max_size=6), st.integers()), inner, max_size=4
        )
    ),
    max_leaves=20,
)


@st.composite
def shared(draw: st.DrawFn) -> Any:
    """A tree that reuses one of its subtrees (PyYAML writes it as an anchor and aliases)."""
    part = draw(trees)
    return {"items": [part, {"sku": "X", "levels": {"A": part}}, part], "x-a": part}


def dumped(value: Any, flow: bool | None, canonical: bool) -> str:
    try:
        return yaml.dump(value, default_flow_style=flow, canonical=canonical, allow_unicode=True)
    except (yaml.YAMLError, ValueError, UnicodeEncodeError):
        return "items: []\n"


@contextmanager
def folder() -> Iterator[Path]:
    with tempfile.TemporaryDirectory() as directory:
        yield Path(directory)


def check(data: bytes) -> Check:
    with folder() as directory:
        path = directory / "m.yaml"
        path.write_bytes(data)
        config = directory / "config.yaml"
        config.write_text("")
        return check_paths([path], config)


def clean(result: Check) -> None:
    assert (result.state is None) == bool(result.problems)
    for problem in result.problems:
        assert problem.file and problem.file.endswith("m.yaml"), problem
        assert problem.line is not None and problem.line >= 1, problem
        assert problem.message and "Traceback" not in problem.message


@FUZZ
@given(st.binary(max_size=400))
def test_any_bytes(data: bytes) -> None:
    clean(check(data))


@FUZZ
@given(trees | shared(), st.sampled_from([None, True, False]), st.booleans())
def test_any_yaml_tree(value: Any, flow: bool | None, canonical: bool) -> None:
    clean(check(dumped(value, flow, canonical).encode("utf-8", "surrogatepass")))


@FUZZ
@given(manifests(), st.data())
def test_manifests_with_any_value_anywhere(case: tuple[str, Any, str], data: st.DataObject) -> None:
    text = case[0]
    lines = text.splitlines()
    at = data.draw(st.integers(0, max(0, len(lines) - 1)))
    if lines and ":" in lines[at]:
        head = lines[at].split(":", 1)[0]
        value = dumped(data.draw(trees | shared()), True, False).strip().replace("\n", " ")
        lines[at] = f"{head}: {value}"
    clean(check(("\n".join(lines) + "\n").encode()))


@pytest.mark.parametrize("depth", [63, 64, 65, 200, 5000])
@pytest.mark.parametrize("style", ["flow-list", "flow-map", "block-list", "block-map", "in-levels"])
def test_deep_nesting(depth: int, style: str) -> None:
    if style == "flow-list":
        text = "[" * depth + "]" * depth
    elif style == "flow-map":
        text = "{a: " * depth + "1" + "}" * depth
    elif style == "block-list":
        text = "".join("  " * i + "-\n" for i in range(depth)) + "  " * depth + "x\n"
    elif style == "block-map":
        text = "".join("  " * i + "a:\n" for i in range(depth)) + "  " * depth + "1\n"
    else:
        text = "items:\n  - sku: X\n    levels:\n      A: " + "[" * depth + "]" * depth + "\n"
    result = check(text.encode())
    clean(result)
    assert result.problems


@settings(max_examples=60, deadline=None, suppress_health_check=list(HealthCheck))
@given(st.binary(max_size=200) | (trees | shared()).map(lambda v: dumped(v, None, False).encode()))
def test_the_cli_never_crashes_on_a_manifest(data: bytes) -> None:
    with folder() as directory:
        (directory / "m.yaml").write_bytes(data)
        (directory / "c.yaml").write_text("")
        result = CliRunner().invoke(
            main, ["validate", str(directory), "--config", str(directory / "c.yaml")]
        )
    assert result.exit_code in (0, 1), result.output
    assert "bug" not in result.output


# -- the config loader ------------------------------------------------------------------------


def config_outcome(data: bytes) -> None:
    with folder() as directory:
        path = directory / "reconciler.yaml"
        path.write_bytes(data)
        config, problems = read_config(path)
        for problem in problems:
            assert problem.file == path.as_posix() and problem.message
        if problems:
            with pytest.raises(ConfigError):
                load_config(path)
        else:
            assert load_config(path) == config


@FUZZ
@given(st.binary(max_size=300))
def test_config_any_bytes(data: bytes) -> None:
    config_outcome(data)


@FUZZ
@given(
    trees
    | shared()
    | st.fixed_dictionaries(
        {},
        optional={
            "store": trees,
            "apiVersion": trees,
            "history": trees,
            "locations": st.fixed_dictionaries({}, optional={"aliases": trees}) | trees,
        },
    ),
    st.sampled_from([None, True, False]),
)
def test_config_any_yaml_tree(value: Any, flow: bool | None) -> None:
    config_outcome(dumped(value, flow, False).encode("utf-8", "surrogatepass"))


@pytest.mark.parametrize("depth", [100, 1000])
@pytest.mark.parametrize("shape", ["[*{previous}]", "{{available: *{previous}}}"])
def test_alias_chains_deeper_than_the_nesting_limit(depth: int, shape: str) -> None:
    """Each line nests two deep, but the aliases expand to `depth` levels."""
    lines = ["x-a0: &a0 {}"]
    for i in range(1, depth):
        lines.append(f"x-a{i}: &a{i} " + shape.format(previous=f"a{i - 1}"))
    lines.append(f"items: [{{sku: X, levels: {{A: *a{depth - 1}}}}}]")
    result = check(("\n".join(lines) + "\n").encode())
    clean(result)
    assert result.problems
