"""stores.py's pure parts: one exit code for a run, and each store's token variable."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from reconciler import stores
from reconciler.errors import ConfigError
from reconciler.manifest.config import Config


@given(st.lists(st.sampled_from([0, 1, 2]), min_size=1))
def test_the_worst_exit_code_wins_error_over_changes_over_none(codes: list[int]) -> None:
    expected = 1 if 1 in codes else 2 if 2 in codes else 0
    assert stores.worst(codes) == expected


def test_an_unexpected_code_counts_as_an_error() -> None:
    assert stores.worst([0, 2, 130]) == 130
    assert stores.worst([2, 1, 3]) == 1


def test_each_store_has_its_own_token_variable() -> None:
    eu = Config(path="stores/eu-north/reconciler.yaml")
    assert stores.token_variable(eu, {}) == "SHOPIFY_ACCESS_TOKEN"  # one store, not set
    assert stores.token_variable(eu, {}, shared=False) == "SHOPIFY_ACCESS_TOKEN_EU_NORTH"
    own = {"SHOPIFY_ACCESS_TOKEN_EU_NORTH": "x" * 20, "SHOPIFY_ACCESS_TOKEN": "y" * 20}
    assert stores.token_variable(eu, own) == "SHOPIFY_ACCESS_TOKEN_EU_NORTH"
    named = Config(path="stores/eu-north/reconciler.yaml", token_env="EU_TOKEN")
    assert stores.token_variable(named, own) == "EU_TOKEN"
    assert stores.store_name(Path("stores/eu-north/reconciler.yaml")) == "eu-north"


def test_a_path_belongs_to_the_nearest_config_above_it(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    (tmp_path / ".git").mkdir()
    for name in ("eu", "us"):
        (tmp_path / "stores" / name / "inventory").mkdir(parents=True)
        (tmp_path / "stores" / name / "reconciler.yaml").write_text("{}\n")
    eu = Path("stores/eu/reconciler.yaml")
    assert stores.config_above(Path("stores/eu/inventory/a.yaml")) == eu
    assert stores.config_above(Path("stores/eu")) == eu
    assert stores.config_above(Path("stores")) is None  # not past the repository's root
    # stores/us/.. is stores: its parent is the repository, never stores/us
    assert stores.config_above(Path("stores/us/../loose.yaml")) is None
    found = stores.group([Path("stores/us/inventory"), Path("stores/eu/inventory/a.yaml")])
    assert [(s.name, s.paths) for s in found] == [
        ("us", (Path("stores/us/inventory"),)),
        ("eu", (Path("stores/eu/inventory/a.yaml"),)),
    ]
    below = stores.group([Path("stores")])  # a folder of stores: each with its whole folder
    assert [(s.name, s.paths) for s in below] == [
        ("eu", (Path("stores/eu"),)),
        ("us", (Path("stores/us"),)),
    ]
    Path("stores/README.md").write_text("# our stores\n")
    assert [s.name for s in stores.group(sorted(Path("stores").iterdir()))] == [
        "eu",
        "us",
    ]  # stores/*
    Path("loose.yaml").write_text("items: []\n")
    with pytest.raises(ConfigError, match="loose.yaml belongs to no store"):
        stores.group([Path("stores/eu"), Path("loose.yaml")])
    (named,) = stores.group([Path("loose.yaml"), eu])  # a config named takes the loose paths
    assert (named.config, named.paths) == (eu, (eu, Path("loose.yaml")))
    assert stores.group([Path("loose.yaml")]) == []  # no store: ./reconciler.yaml as before
    assert stores.select([], None, True).several == stores.all_stores()
