"""Several stores in one repository, each its own sandbox over HTTP with its own token: the
store found from the paths, `plan`/`drift` over every store with a summary and one exit code
(error 1 > changes 2 > 0), history per store, tokens from each store's variable and never from
reconciler.yaml, and never printed."""

from __future__ import annotations

import json

from tests.drift.conftest import ITEM, LOCATION, foreign_move
from tests.multistore.conftest import ALIASES, EU_TOKEN, US_TOKEN, Repo
from tests.shopify.hostile import Seen, graphql_answer, serve


def host(url: str) -> str:
    return url.removeprefix("http://")


def requests_served(repo: Repo) -> tuple[int, int]:
    return tuple(s.control("GET", "stats")["requests"] for s in (repo.eu, repo.us))  # type: ignore[return-value]


def test_each_export_uses_its_stores_config_and_the_first_plan_of_every_store_is_empty(
    repo: Repo,
) -> None:
    repo.export("eu")
    repo.export("us")
    eu, us = (repo.manifest(name).read_text().split("\n", 3) for name in ("eu", "us"))
    assert (eu[2], us[2]) == (
        f"# Store {host(repo.eu.url)}, API 2026-10.",
        f"# Store {host(repo.us.url)}, API 2026-10.",
    )
    assert eu[3] == us[3]  # the same snapshot behind both shops
    assert "      west: {available: 3, damaged: 1}" in repo.manifest("eu").read_text()  # aliases
    before = requests_served(repo)
    result = repo.run("plan", "stores/eu", "stores/us", "--detailed-exitcode")
    assert result.exit_code == 0, result.output
    out = result.stdout
    assert out.index("=== store eu (stores/eu/reconciler.yaml) ===\n") < out.index(
        "=== store us (stores/us/reconciler.yaml) ==="
    )
    summary = out[out.index("=== 2 stores, exit 0 ===\n") :].splitlines()[1:]
    assert [line.split()[:2] for line in summary] == [
        ["eu", host(repo.eu.url)],
        ["us", host(repo.us.url)],
    ]
    assert all(line.endswith("No changes. The store matches the manifests.") for line in summary)
    after = requests_served(repo)
    assert after[0] > before[0] and after[1] > before[1]  # each store read its own shop

    # A run over several stores costs each store what planning it alone costs: no extra call.
    def spent(run: tuple[str, ...]) -> tuple[int, int]:
        start = repo.eu.control("GET", "stats")
        assert repo.run(*run).exit_code == 0
        end = repo.eu.control("GET", "stats")
        return end["requests"] - start["requests"], end["actualCost"] - start["actualCost"]

    together, alone = spent(("plan", "--all-stores")), spent(("plan", "stores/eu"))
    assert together == alone and together[0] > 0


def test_changes_in_one_store_exit_2_an_error_in_another_exit_1_and_the_others_still_run(
    repo: Repo,
) -> None:
    repo.export("eu")
    repo.export("us")
    repo.edit("eu", "TSHIRT-RED-S", "west: {available: 3, damaged: 1}", "west: {available: 2, damaged: 2}")  # fmt: skip
    changed = repo.run("plan", "--all-stores", "--detailed-exitcode")
    assert changed.exit_code == 2, changed.output
    lines = changed.stdout.splitlines()
    eu_line = next(line for line in lines if line.startswith("  eu "))
    us_line = next(line for line in lines if line.startswith("  us "))
    assert "Plan: 0 items to update, 0 quantities to set, 1 moves" in eu_line
    assert us_line.endswith("No changes. The store matches the manifests.")
    assert repo.run("plan", "--all-stores").exit_code == 0  # changes are 2 only when asked

    broken = repo.run("plan", "stores/", "--detailed-exitcode", US_INVENTORY_TOKEN=None)
    assert broken.exit_code == 1  # an error outweighs changes
    assert "=== store eu (stores/eu/reconciler.yaml) ===" in broken.stdout  # eu still planned
    assert "1 moves" in broken.stdout
    assert (
        "Error: store us: no access token for store us: set US_INVENTORY_TOKEN (named by "
        "tokenEnv in stores/us/reconciler.yaml; it is never printed)" in broken.stderr
    )
    us_row = next(line for line in broken.stdout.splitlines() if line.startswith("  us "))
    assert us_row.split()[:7] == ["us", "-", "error:", "no", "access", "token", "for"]

    code, document = repo.json("plan", "--all-stores", "--detailed-exitcode")
    assert code == document["exit_code"] == 2
    assert document["summary"].endswith(" | us: No changes. The store matches the manifests.")
    assert [(s["name"], s["exit_code"], s["error"]) for s in document["stores"]] == [
        ("eu", 2, None),
        ("us", 0, None),
    ]
    assert len(document["stores"][0]["plan"]["actions"]) == 1
    assert document["stores"][1]["plan"]["actions"] == []


def test_one_store_from_its_path_plans_applies_and_keeps_its_own_history(repo: Repo) -> None:
    repo.export("eu")
    repo.export("us")
    repo.edit("eu", "TSHIRT-RED-S", "west: {available: 3, damaged: 1}", "west: {available: 2, damaged: 2}")  # fmt: skip
    plan = repo.run("plan", "stores/eu/inventory.yaml", "--detailed-exitcode")
    assert plan.exit_code == 2, plan.output
    assert "=== store" not in plan.stdout  # one store: the plain plan
    assert f"Store: {host(repo.eu.url)}" in plan.stdout or host(repo.eu.url) in plan.stdout
    us_before = repo.us.control("GET", "stats")["requests"]
    applied = repo.run("apply", "stores/eu/", "--auto-approve")
    assert applied.exit_code == 0, applied.output
    assert repo.us.control("GET", "stats")["requests"] == us_before  # us never contacted
    eu_history = repo.root / "stores" / "eu" / "reconciler-history.jsonl"
    (entry,) = [json.loads(line) for line in eu_history.read_text().splitlines()]
    assert entry["store"] == host(repo.eu.url) and entry["outcome"] == "applied"
    assert not (repo.root / "stores" / "us" / "reconciler-history.jsonl").exists()
    assert not (repo.root / "reconciler-history.jsonl").exists()

    # A saved plan belongs to the store of the manifests it was made from: its token, its history.
    repo.edit("eu", "TSHIRT-RED-S", "west: {available: 2, damaged: 2}", "west: {available: 1, damaged: 3}")  # fmt: skip
    saved = repo.run("plan", "stores/eu/inventory.yaml", "--out", "eu-plan.json")
    assert saved.exit_code == 0, saved.output
    assert repo.run("apply", "eu-plan.json").exit_code == 0
    first, second = [json.loads(line) for line in eu_history.read_text().splitlines()]
    assert (first, second["prev"]) == (entry, entry["hash"])  # one chain, in the store's file
    assert not (repo.root / "reconciler-history.jsonl").exists()

    listed = repo.run("history", "--store-config", "stores/eu", "--format", "json")
    assert [e["plan_id"] for e in json.loads(listed.stdout)] == [
        entry["plan_id"],
        second["plan_id"],
    ]
    assert repo.run("history", "--store-config", "stores/us", "--format", "json").stdout == "[]\n"
    assert repo.run("plan", "--all-stores", "--detailed-exitcode").exit_code == 0


def test_drift_over_every_store_sales_are_expected_a_foreign_change_is_the_worst(
    repo: Repo,
) -> None:
    repo.export("eu")
    repo.export("us")
    clean = repo.run("drift", "--all-stores", "--format", "summary")
    assert (clean.exit_code, clean.stdout) == (
        0,
        f"eu: {host(repo.eu.url)}: in sync (30 items compared)\n"
        f"us: {host(repo.us.url)}: in sync (30 items compared)\n",
    )
    body = {"inventoryItemId": ITEM["TENT-2P"], "locationId": LOCATION["West Warehouse"], "quantity": 2}  # fmt: skip
    repo.eu.control("POST", "sale", body)
    sales = repo.run("drift", "stores/eu", "stores/us")
    assert sales.exit_code == 0, sales.output
    assert "  TENT-2P at West Warehouse: available 40 -> 38 (-2)\n" in sales.stdout
    assert "=== 2 stores, exit 0 ===" in sales.stdout

    when = foreign_move(repo.us, "TSHIRT-RED-S", "West Warehouse", "damaged", 2)
    code, document = repo.json("drift", "--all-stores")
    assert code == document["exit_code"] == 2
    assert document["summary"] == (
        "eu: in sync (30 items compared); 1 level moved by orders (available -2)"
        " | us: DRIFT: 1 foreign change"
    )
    statuses = {s["name"]: (s["exit_code"], s["drift"]["status"]) for s in document["stores"]}
    assert statuses == {"eu": (0, "sales"), "us": (2, "drift")}
    (finding,) = document["stores"][1]["drift"]["findings"]
    assert (finding["sku"], finding["name"], finding["declared"], finding["live"]) == (
        "TSHIRT-RED-S", "damaged", 1, 3,
    )  # fmt: skip
    assert finding["when"] == when
    markdown = repo.run("drift", "--all-stores", "--format", "markdown")
    assert markdown.exit_code == 2
    assert "## Store `us` (`stores/us/reconciler.yaml`)" in markdown.stdout
    assert "| `us` | " + host(repo.us.url) + " | DRIFT: 1 foreign change |" in markdown.stdout


def test_a_run_over_several_stores_refuses_one_shop_or_a_shared_token_for_all(
    repo: Repo,
) -> None:
    repo.export("eu")
    repo.export("us")
    before = requests_served(repo)
    one_shop = repo.run("plan", "--all-stores", "--store", repo.eu.url)
    assert one_shop.exit_code == 1
    assert "--store names one shop, but this run covers several stores" in one_shop.stderr
    env_shop = repo.run("drift", "stores/eu", "stores/us", SHOPIFY_STORE=repo.eu.url)
    assert env_shop.exit_code == 1 and "SHOPIFY_STORE is set" in env_shop.stderr
    out = repo.run("plan", "--all-stores", "--out", "plan.json")
    assert out.exit_code == 1 and "--out saves one store's plan" in out.stderr
    history = repo.run("drift", "--all-stores", "--history", "h.jsonl")
    assert history.exit_code == 1 and "each store reads its own" in history.stderr
    assert requests_served(repo) == before  # refused before any request

    # The shared SHOPIFY_ACCESS_TOKEN never stands in for a store's own token in a run over
    # several stores (one shop's token is never sent to another)...
    shared = repo.run(
        "plan", "--all-stores", SHOPIFY_ACCESS_TOKEN=EU_TOKEN, SHOPIFY_ACCESS_TOKEN_EU=None
    )
    assert shared.exit_code == 1
    assert (
        "Error: store eu: no access token for store eu: set SHOPIFY_ACCESS_TOKEN_EU"
        in shared.stderr
    )
    # ...but a single store may use it, as a one-store repository does.
    single = repo.run(
        "plan", "stores/eu", "--detailed-exitcode", SHOPIFY_ACCESS_TOKEN=EU_TOKEN, SHOPIFY_ACCESS_TOKEN_EU=None
    )  # fmt: skip
    assert single.exit_code == 0, single.output

    mixed = repo.run("plan", "stores/eu", "elsewhere.yaml")
    assert mixed.exit_code == 1
    assert "elsewhere.yaml belongs to no store (no reconciler.yaml above it)" in mixed.stderr
    assert repo.run("plan").exit_code == 1  # no paths and no --all-stores


def test_a_token_in_reconciler_yaml_is_refused_without_repeating_it(repo: Repo) -> None:
    repo.export("eu")
    before = repo.eu.control("GET", "stats")["requests"]
    config = repo.root / "stores" / "eu" / "reconciler.yaml"
    good = config.read_text()
    config.write_text(good + f"accessToken: {EU_TOKEN}\n")
    result = repo.run("plan", "stores/eu")
    assert result.exit_code == 1
    assert "reconciler.yaml:5: accessToken: this looks like a Shopify access token" in result.stderr
    config.write_text(good + "token: not-shaped-like-one-at-all\n")
    assert "token: never put a token or secret" in repo.run("validate", "stores/eu").output
    config.write_text(good.replace("apiVersion", f"tokenEnv: {US_TOKEN}\napiVersion"))
    result = repo.run("validate", "stores/")
    assert result.exit_code == 1
    assert "tokenEnv: this looks like a Shopify access token" in result.stdout
    assert repo.eu.control("GET", "stats")["requests"] == before  # refused before any request


def test_validate_checks_each_store_with_its_own_config(repo: Repo) -> None:
    repo.export("eu")
    repo.export("us")
    assert repo.run("validate", "stores/").stdout.splitlines() == [
        "store eu: valid: 1 file, 30 items, 71 levels",
        "store us: valid: 1 file, 30 items, 71 levels",
    ]
    us = repo.config("us", f"store: {repo.us.url}\napiVersion: '2026-05'\n{ALIASES}")
    result = repo.run("validate", "stores/")
    assert result.exit_code == 1
    assert result.stdout.splitlines() == [
        "store eu: valid: 1 file, 30 items, 71 levels",
        f'{us.relative_to(repo.root)}:2: apiVersion: "2026-05" is not a Shopify API version: '
        "versions are quarterly, YYYY-01, -04, -07 or -10 (e.g. 2026-04)",
    ]


def test_no_token_of_any_store_is_ever_printed(repo: Repo) -> None:
    test_changes_in_one_store_exit_2_an_error_in_another_exit_1_and_the_others_still_run(repo)
    test_a_token_in_reconciler_yaml_is_refused_without_repeating_it(repo)
    printed = "\n".join(repo.outputs)
    assert printed and EU_TOKEN not in printed and US_TOKEN not in printed


def test_a_token_named_by_token_env_is_redacted_even_when_a_store_echoes_it(repo: Repo) -> None:
    """A tokenEnv variable may have any name, so it is known as a secret only once read; a store
    that echoes it in an error message still never gets it printed."""
    repo.export("eu")
    repo.export("us")
    token = "plain-token-of-the-us-store-42"  # not shaped like shpat_…: no shape to match

    def echo(seen: Seen) -> tuple[int, dict[str, str], bytes]:
        sent = seen.headers["X-Shopify-Access-Token"]
        status, headers, _ = graphql_answer({})
        denied = {"message": f"Access denied for token {sent}", "extensions": {"code": "ACCESS_DENIED"}}  # fmt: skip
        return status, headers, json.dumps({"errors": [denied]}).encode()

    with serve(echo) as hostile:
        repo.config("us", f"store: {hostile.url}\ntokenEnv: US_INVENTORY_TOKEN\n{ALIASES}")
        result = repo.run("plan", "--all-stores", "--detailed-exitcode", US_INVENTORY_TOKEN=token)
        assert [seen.headers["X-Shopify-Access-Token"] for seen in hostile.seen][:1] == [token]
    assert result.exit_code == 1
    assert "Error: store us: " in result.stderr and "Access denied for token" in result.stderr
    assert "=== 2 stores, exit 1 ===" in result.stdout  # eu was planned all the same
    assert token not in result.stdout + result.stderr
    assert "[REDACTED]" in result.stdout + result.stderr


def test_explain_reads_the_history_of_the_store_its_paths_belong_to(repo: Repo) -> None:
    repo.export("eu")
    repo.edit("eu", "TSHIRT-RED-S", "west: {available: 3, damaged: 1}", "west: {available: 2, damaged: 2}")  # fmt: skip
    assert repo.run("apply", "stores/eu", "--auto-approve").exit_code == 0
    code, timeline = repo.json("explain", "TSHIRT-RED-S", "stores/eu", "--offline")
    assert code == 0, timeline
    applies = [e for e in timeline["events"] if e["type"] == "apply"]
    assert len(applies) == 1
    refused = repo.run("explain", "TSHIRT-RED-S", "stores/eu", "stores/us", "--offline")
    assert refused.exit_code == 1 and "explain reads one store" in refused.stderr
