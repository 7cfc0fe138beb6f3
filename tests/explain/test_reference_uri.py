"""Every adjustment's referenceDocumentUri names the plan and the commit, and leads back to it.

Shopify's rule (schema 2025-10+, InventorySetQuantitiesInput.referenceDocumentUri): a valid URI
with scheme and content; in GID form app, entity and id must all be present. GlobalID (the
``gid://`` format) carries optional params as a query string (``gid://app/Model/id?key=value``)
and Shopify's own GIDs use them (``gid://shopify/InventoryLevel/1?inventory_item_id=2``), so the
commit travels as a param and the plan id stays the GID's id.
"""

from __future__ import annotations

import json

import pytest

from reconciler.history import plan_id_of
from reconciler.plan.planfile import GitInfo, Plan
from reconciler.sandbox.quantities import valid_uri
from tests.apply.conftest import MANIFEST
from tests.explain.conftest import Repo

COMMIT = "5e55a4a8c2436fce86839b5461ea3cdbcc8b0dc1"


def _plan(git: GitInfo | None) -> Plan:
    from reconciler.plan.build import Filters, Observed

    return Plan(
        "0123456789abcdef", "", "s", "2026-10", git, "", (), Filters(), (), Observed({}, {})
    )


@pytest.mark.parametrize(
    ("git", "uri"),
    [
        (None, "gid://reconciler/Plan/0123456789abcdef"),
        (GitInfo(COMMIT, False), f"gid://reconciler/Plan/0123456789abcdef?commit={COMMIT}"),
        (
            GitInfo(COMMIT, True),
            f"gid://reconciler/Plan/0123456789abcdef?commit={COMMIT}&dirty=true",
        ),
    ],
)
def test_the_uri_names_the_plan_and_the_commit_and_reads_back(
    git: GitInfo | None, uri: str
) -> None:
    made = _plan(git).reference_document_uri
    assert made == uri
    assert valid_uri(made)  # the sandbox's reading of Shopify's rule
    assert plan_id_of(made) == "0123456789abcdef"


def test_plan_id_of_leaves_a_plain_id_alone() -> None:
    assert plan_id_of("0123") == "0123"
    assert plan_id_of("gid://other/Plan/0123") == "gid://other/Plan/0123"


def test_shopify_records_the_commit_and_history_finds_the_apply_by_it(repo: Repo) -> None:
    commit = repo.commit("Stock East Warehouse", {"inventory.yaml": MANIFEST})
    assert repo.run("plan", "inventory.yaml", "--out", "plan.json").exit_code == 0
    plan_id = json.loads((repo.root / "plan.json").read_text())["plan_id"]
    applied = repo.run("apply", "plan.json")
    assert applied.exit_code == 0, applied.output

    uris = {group["referenceDocumentUri"] for group in repo.groups()}
    assert uris == {f"gid://reconciler/Plan/{plan_id}?commit={commit}"}
    [uri] = uris
    found = repo.run("history", "--plan-id", uri, "--format", "json")
    assert found.exit_code == 0, found.output
    [entry] = json.loads(found.stdout)
    assert (entry["plan_id"], entry["git"]["commit"]) == (plan_id, commit)
    assert json.loads(repo.run("history", "--plan-id", "ffff", "--format", "json").stdout) == []


def test_uncommitted_manifests_are_marked_dirty(repo: Repo) -> None:
    commit = repo.commit("Empty", {"inventory.yaml": "items: []\n"})
    (repo.root / "inventory.yaml").write_text(MANIFEST, encoding="utf-8")
    applied = repo.run("apply", "inventory.yaml", "--auto-approve")
    assert applied.exit_code == 0, applied.output
    uris = {group["referenceDocumentUri"] for group in repo.groups()}
    assert len(uris) == 1 and uris.pop().endswith(f"?commit={commit}&dirty=true")
