"""`make demo`: the whole pipeline against the embedded sandbox store, no credentials needed.

Starts a sandbox on examples/demo-store/store.json and runs the real commands a team would
run, each as its own process, in a temporary repository (a copy of examples/manifests and
examples/reconciler.yaml, so the history and journals never land in this checkout):

1. inventory as code: validate, plan (saved), apply the saved plan, plan again (empty), verify
   the history, and catch a one-byte edit of it;
2. adopting a store and watching it: export the store into manifests, plan (no changes), edit
   one level and apply it, drift (in sync), a customer's order in the sandbox (its control
   plane), drift (sales: expected, exit 0), another app's change to `damaged` (through the
   Admin API with its own token), drift (an alarm, exit 2), history.

Every step prints the command a user would type (`curl` for what the sandbox stands in for)
and its exit code; the demo stops with exit 1 as soon as one step exits otherwise than shown.
"""

from __future__ import annotations

import json
import os
import re
import shlex
import shutil
import subprocess
import sys
import tempfile
import urllib.request
import uuid
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from reconciler.sandbox import DEFAULT_TOKEN, LATEST_VERSION, Sandbox
from reconciler.sandbox import snapshot as snapshots

ROOT = Path(__file__).resolve().parent.parent
DEMO_STORE = ROOT / "examples" / "demo-store" / "store.json"
MANIFESTS = ROOT / "examples" / "manifests"
CONFIG = ROOT / "examples" / "reconciler.yaml"
WAREHOUSE_TOKEN = "warehouse-app-demo-token"  # another app's token, in the sandbox only

# What happens in the store while nobody runs reconciler.
SALE = ("TENT-2P", "West Warehouse", 2)  # a customer orders two tents
FOREIGN = ("TSHIRT-RED-S", "West Warehouse", 2)  # a warehouse app marks two tees damaged
EDITED = "TSHIRT-RED-M"  # the level the team edits after the export: one more damaged unit

MOVE = (
    "mutation Move($input: InventoryMoveQuantitiesInput!, $key: String!) { "
    "inventoryMoveQuantities(input: $input) @idempotent(key: $key) { "
    "inventoryAdjustmentGroup { createdAt } userErrors { field message } } }"
)
LEVEL = (
    "query Level($id: ID!, $location: ID!) { inventoryItem(id: $id) { "
    "inventoryLevel(locationId: $location) { "
    'quantities(names: ["available", "damaged"]) { name quantity } } } }'
)


@dataclass
class Demo:
    """The sandbox, the temporary repository, and every step's exit code so far."""

    url: str
    work: Path
    env: dict[str, str]
    ids: dict[str, str]  # SKUs and location names -> ids, from the demo store's snapshot
    steps: list[tuple[str, int]] = field(default_factory=list)

    def run(self, *args: str, expect: int = 0) -> None:
        """One reconciler command, as its own process, in the repository."""
        shown = "reconciler " + " ".join(shlex.quote(a) for a in args)
        print(f"\n$ {shown}", flush=True)
        done = subprocess.run(
            [sys.executable, "-m", "reconciler", *args], env=self.env, cwd=self.work, check=False
        )
        self.finish(shown, done.returncode, expect)

    def finish(self, shown: str, code: int, expect: int) -> None:
        self.steps.append((shown, code))
        if code != expect:
            print(f"(exit {code}, expected {expect}: the demo stops here)", flush=True)
            raise SystemExit(1)
        print(f"(exit {code})", flush=True)

    def say(self, text: str) -> None:
        print(f"\n# {text}", flush=True)

    def post(self, path: str, body: Any, token: str | None = None) -> Any:
        """What the printed curl command does."""
        headers = {"Content-Type": "application/json"}
        if token is not None:
            headers["X-Shopify-Access-Token"] = token
        request = urllib.request.Request(
            self.url + path, json.dumps(body).encode(), headers, method="POST"
        )
        with urllib.request.urlopen(request, timeout=60) as response:  # noqa: S310 - loopback
            return json.loads(response.read())


def main() -> None:
    with Sandbox(snapshots.read(DEMO_STORE)) as sandbox, tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        shutil.copytree(MANIFESTS, work / "manifests")
        shutil.copy(CONFIG, work / "reconciler.yaml")
        print(
            f"Sandbox store (Northwind Outfitters) running at {sandbox.url}, API {LATEST_VERSION};"
            f"\na temporary repository in {work} (manifests/ and reconciler.yaml from examples/)."
        )
        print(
            "The same commands work against a real shop with SHOPIFY_STORE=my-shop.myshopify.com"
            " and its token in SHOPIFY_ACCESS_TOKEN.\nThe curl commands below stand for what "
            f"happens in a shop between runs; to repeat them: SANDBOX={sandbox.url}"
        )
        env = {
            **os.environ,
            "SHOPIFY_STORE": sandbox.url,
            "SHOPIFY_ACCESS_TOKEN": DEFAULT_TOKEN,
            "SHOPIFY_API_VERSION": LATEST_VERSION,
        }
        demo = Demo(sandbox.url, work, env, _ids())
        inventory_as_code(demo)
        adopt_and_watch(demo)
        print("\nEvery step, and its exit code:")
        for shown, code in demo.steps:
            print(f"  {code:>3}  {shown}")
        print(
            "\nDone: planned and applied, verified the history and caught a one-byte edit; "
            "exported the store (first plan empty), applied an edit, and watched drift tell "
            "orders (exit 0) from another app's change (exit 2)."
        )


def inventory_as_code(demo: Demo) -> None:
    demo.say("1. Inventory as code: review a plan, apply exactly that plan, audit it.")
    demo.run("validate", "manifests/")
    demo.run("plan", "manifests/", "--out", "plan.json")
    demo.run("apply", "plan.json")
    demo.run("plan", "manifests/", "--detailed-exitcode")
    demo.run("history", "verify")
    tampered = _tamper(demo.work / "reconciler-history.jsonl")
    demo.say(f"Change one byte of a copy of the history ({tampered.name}) and verify it:")
    demo.run("history", "--file", tampered.name, "verify", expect=1)


def adopt_and_watch(demo: Demo) -> None:
    demo.say(
        "2. Adopting a store you already have: export it, check the first plan is empty, "
        "then watch it every night with drift."
    )
    demo.run("export", "--out", "inventory.yaml")
    demo.run("plan", "inventory.yaml", "--detailed-exitcode")
    edit = _one_more_damaged(demo.work / "inventory.yaml", EDITED)
    demo.say(f"A count finds one more damaged unit; edit inventory.yaml: {edit}")
    demo.run("apply", "inventory.yaml", "--auto-approve")
    demo.run("drift", "inventory.yaml")

    sku, location, quantity = SALE
    demo.say(f"A customer orders {quantity} x {sku} (the sandbox's control plane plays Shopify):")
    sale = {
        "inventoryItemId": demo.ids[sku],
        "locationId": demo.ids[location],
        "quantity": quantity,
    }
    print(f"$ curl -s -X POST \"$SANDBOX/__sandbox/sale\" -d '{json.dumps(sale)}'")
    demo.post("/__sandbox/sale", sale)
    demo.run("drift", "inventory.yaml")

    sku, location, quantity = FOREIGN
    demo.say(
        f"Another app (a warehouse system, with its own token) moves {quantity} x {sku} at "
        f"{location} to damaged, through the Admin API:"
    )
    app = {"token": WAREHOUSE_TOKEN, "app": "Warehouse app"}
    print(f"$ curl -s -X POST \"$SANDBOX/__sandbox/tokens\" -d '{json.dumps(app)}'")
    demo.post("/__sandbox/tokens", app)
    body = _foreign_move(demo, demo.ids[sku], demo.ids[location], quantity)
    (demo.work / "move-to-damaged.json").write_text(json.dumps(body, indent=2) + "\n")
    graphql = f"/admin/api/{LATEST_VERSION}/graphql.json"
    print(
        f'$ curl -s "$SANDBOX{graphql}" -H "X-Shopify-Access-Token: {WAREHOUSE_TOKEN}" '
        "-H 'Content-Type: application/json' -d @move-to-damaged.json"
    )
    answer = demo.post(graphql, body, token=WAREHOUSE_TOKEN)
    errors = answer.get("errors") or answer["data"]["inventoryMoveQuantities"]["userErrors"]
    if errors:
        print(f"(the store refused the move: {errors})")
        raise SystemExit(1)
    demo.run("drift", "inventory.yaml", expect=2)
    demo.run("drift", "inventory.yaml", "--format", "summary", expect=2)
    demo.run("history")


def _ids() -> dict[str, str]:
    data: dict[str, Any] = json.loads(DEMO_STORE.read_text(encoding="utf-8"))
    ids = {item["sku"]: item["id"] for item in data["inventoryItems"]}
    ids.update({location["name"]: location["id"] for location in data["locations"]})
    return ids


def _foreign_move(demo: Demo, item: str, location: str, quantity: int) -> dict[str, Any]:
    """The warehouse app's inventoryMoveQuantities request, from the level as it is now."""
    read = demo.post(
        f"/admin/api/{LATEST_VERSION}/graphql.json",
        {"query": LEVEL, "variables": {"id": item, "location": location}},
        token=WAREHOUSE_TOKEN,
    )
    level = read["data"]["inventoryItem"]["inventoryLevel"]["quantities"]
    now = {q["name"]: q["quantity"] for q in level}
    change = {
        "inventoryItemId": item,
        "quantity": quantity,
        "from": {
            "locationId": location,
            "name": "available",
            "changeFromQuantity": now["available"],
        },
        "to": {
            "locationId": location,
            "name": "damaged",
            "changeFromQuantity": now["damaged"],
            "ledgerDocumentUri": "gid://warehouse/Bin/7",
        },
    }
    return {
        "query": MOVE,
        "variables": {
            "input": {
                "reason": "damaged",
                "referenceDocumentUri": "gid://warehouse/Count/1",
                "changes": [change],
            },
            "key": str(uuid.uuid4()),
        },
    }


def _one_more_damaged(manifest: Path, sku: str) -> str:
    """Move one unit of `sku`'s first level from available to damaged; say what changed."""
    text = manifest.read_text(encoding="utf-8")
    start = text.index(f"  - sku: {sku}\n")
    level = re.compile(r"^(\s+)([^:\n]+): \{available: (\d+)((?:, [a-z_]+: \d+)*)\}$", re.M)
    found = level.search(text, start)
    if found is None:
        raise SystemExit(f"no level with available stock for {sku} in {manifest}")
    indent, where, available, rest = found.groups()
    damaged = re.search(r"damaged: (\d+)", rest)
    before = int(damaged.group(1)) if damaged else 0
    if damaged:
        rest = rest.replace(damaged.group(0), f"damaged: {before + 1}")
    else:
        rest += f", damaged: {before + 1}"
    line = f"{indent}{where}: {{available: {int(available) - 1}{rest}}}"
    manifest.write_text(text[: found.start()] + line + text[found.end() :], encoding="utf-8")
    return f"{sku} at {where}: available {available} -> {int(available) - 1}, damaged {before} -> {before + 1}"


def _tamper(history: Path) -> Path:
    """A copy of the history with one digit of one quantity changed."""
    data = bytearray(history.read_bytes())
    position = data.index(b'"after":') + len(b'"after":')
    while not chr(data[position]).isdigit():
        position += 1
    data[position] = ord("9") if data[position] != ord("9") else ord("8")
    copy = history.with_name("tampered-history.jsonl")
    copy.write_bytes(bytes(data))
    return copy


if __name__ == "__main__":
    main()
