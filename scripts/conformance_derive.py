"""Derive the conformance records (tests/conformance/records/) from the public Shopify captures.

Source: airhorns/shopify-draft-proxy, ``fixtures/conformance/<shop>/<version>/<domain>/*.json``
(real Admin GraphQL responses recorded on Shopify dev stores; licence in
tests/conformance/NOTICE.md). Each capture file is one *scenario*: requests sent in order to one
shop. A request/response pair whose root fields the sandbox serves becomes a *record*; the
store state the scenario assumes becomes the record file's ``seed`` (a sandbox snapshot),
inferred from everything the capture shows (see `Observations`), with per-scenario corrections
in scripts/conformance_scenarios.py when the inference cannot know (each says why).

Only the replayable prefix of a scenario is kept: once a request the sandbox does not serve
has changed the store (``locationAdd``, ``productSet``, transfers, ...), later records would
assume a state the seed cannot give, so they are listed under ``excluded`` with that reason.

This is a developer tool: it needs a local copy of the repository (the tests read only the
derived files). Usage::

    python scripts/conformance_derive.py /path/to/shopify-draft-proxy [COMMIT]
"""

from __future__ import annotations

import json
import re
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from graphql import FieldNode, OperationDefinitionNode, parse

ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(ROOT), str(ROOT / "scripts")]

from conformance_scenarios import NOT_INCLUDED, SCENARIOS, Scenario  # noqa: E402

from reconciler.sandbox.schema import served_mutations, served_queries  # noqa: E402

RECORDS = ROOT / "tests" / "conformance" / "records"
REPOSITORY = "airhorns/shopify-draft-proxy"
LICENCE = "Apache-2.0 (declared by the repository: Cargo.toml, python/pyproject.toml)"
# Shopify's InventoryLevel id number per location (shared by every level there), per shop:
# learnt from every scenario, since one capture may read a level another one created.
LEVEL_BASES: dict[str, dict[str, int]] = {}
GID = re.compile(r"^gid://shopify/([A-Za-z]+)/(\d+)(?:\?(.*))?$")
# Roots the sandbox serves that are not the inventory surface (left out of the suite).
OFF_SURFACE = {"shop", "metafieldsSet", "metafieldsDelete", "metafields", "product", "products"}
# The primary ("default") location of each capture shop: where productCreate stocks a new
# variant (every productCreate in the captures is followed by a level there).
PRIMARY = {
    "harry-test-heelo.myshopify.com": "gid://shopify/Location/106318430514",
    "very-big-test-store.myshopify.com": "gid://shopify/Location/68509171945",
}
PRIMARY_NAMES = {  # as the captures name them
    "gid://shopify/Location/106318430514": "Shop location",
    "gid://shopify/Location/68509171945": "103 ossington",
}
ADDRESS_FIELDS = ("address1", "city", "provinceCode", "countryCode", "zip")  # the snapshot's
QUANTITY_NAMES = (
    "available",
    "committed",
    "damaged",
    "incoming",
    "quality_control",
    "reserved",
    "safety_stock",
)


def git_show(repo: Path, commit: str, path: str) -> str:
    return subprocess.run(
        ["git", "-C", str(repo), "show", f"{commit}:{path}"],
        check=True,
        capture_output=True,
        text=True,
    ).stdout


def roots_of(query: str) -> tuple[str, list[str]]:
    """(operation kind, root field names) of a single-operation document."""
    document = parse(query)
    ops = [d for d in document.definitions if isinstance(d, OperationDefinitionNode)]
    if len(ops) != 1:
        return "multiple", []
    fields = [s.name.value for s in ops[0].selection_set.selections if isinstance(s, FieldNode)]
    return ops[0].operation.value, fields


def served(kind: str, fields: list[str]) -> bool:
    registry = served_queries() if kind == "query" else served_mutations()
    return bool(fields) and all(f in registry or f.startswith("__") for f in fields)


_DOCUMENT = re.compile(r"const (\w+) = `(#graphql[^`]*)`;")
_CALL = re.compile(r"const (\w+) = (?:await )?runGraphql\w*\(\s*(\w+)")


def first_change(repo: Path, commit: str, path: str) -> str:
    """The commit that first wrote `path`: the capture, with the script as it was then
    (later commits re-recorded the draft proxy's own traffic in captures, not Shopify's)."""
    log = subprocess.run(
        ["git", "-C", str(repo), "log", "--format=%H", commit, "--", path],
        check=True,
        capture_output=True,
        text=True,
    ).stdout.split()
    return log[-1] if log else commit


def script_documents(repo: Path, commit: str, scenario: Scenario) -> dict[str, str]:
    """{fixture key: GraphQL document} from the capture script that wrote the fixture: as it is
    at `commit`, or as it was when the capture was first written (`script_at_capture`, for a
    script edited since the capture)."""
    if scenario.script_at_capture:
        commit = first_change(repo, commit, f"fixtures/conformance/{scenario.path}")
    text = git_show(repo, commit, scenario.script) if scenario.script else ""
    documents = {m.group(1): m.group(2) for m in _DOCUMENT.finditer(text)}
    calls = {m.group(1): m.group(2) for m in _CALL.finditer(text) if m.group(2) in documents}
    calls.update(scenario.documents)
    for name in calls.values():
        if name.endswith(".graphql"):  # a request file the script read (config/parity-requests)
            documents[name] = git_show(repo, commit, name)
    return {key: documents[name] for key, name in calls.items() if name in documents}


def attach_queries(node: Any, documents: dict[str, str], key: str = "") -> None:
    """Give {variables, response} pairs their document (by fixture key), in place."""
    if isinstance(node, dict):
        if "response" in node and "variables" in node and "query" not in node:
            if key in documents:
                node["query"] = documents[key]
            return
        for k, value in node.items():
            if k != "upstreamCalls":
                attach_queries(value, documents, k)
    elif isinstance(node, list):
        for value in node:
            attach_queries(value, documents, key)


def pairs(node: Any, path: str = "$") -> Any:
    """Every {query, variables, response} triple in document order, with its JSON path."""
    if isinstance(node, dict):
        if isinstance(node.get("query"), str) and "response" in node:
            yield path, node
            return
        for key, value in node.items():
            if key == "upstreamCalls":  # the draft proxy's own traffic, not a capture
                continue
            yield from pairs(value, f"{path}.{key}")
    elif isinstance(node, list):
        for i, value in enumerate(node):
            yield from pairs(value, f"{path}[{i}]")


class Observations:
    """What a capture shows about the store, in document order: the seed is built from it.

    Attributes keep their first observed value, except that observations inside requests the
    sandbox does not serve (setup: productCreate, productVariantsBulkUpdate, ...) overwrite
    earlier ones, because setup is what brought the store to the state the records assume.
    A level's quantities are those first seen: a read, a setup summary (``available`` next to
    ``inventoryItemId``/``locationId``) or a change (``quantityAfterChange - delta``).
    """

    def __init__(self) -> None:
        self.locations: dict[str, dict[str, Any]] = {}
        self.items: dict[str, dict[str, Any]] = {}
        self.variants: dict[str, dict[str, Any]] = {}  # variant gid -> {item, product, title}
        self.products: dict[str, str] = {}  # product gid -> title
        self.levels: dict[tuple[str, str], dict[str, Any]] = {}
        self.level_bases: dict[str, int] = {}
        self.created: set[str] = set()  # items made by productCreate
        # Served responses show the store as the records leave it: they tell the seed about
        # levels only until the first served mutation (setup data always does).
        self.reads_seed_levels = True
        self.records_started = False  # a served request has been seen
        self.existing_only = False  # see Scenario.existing_locations_only
        # Setup data overwrites what earlier setup said (a capture whose seed is the state
        # after all its setup, e.g. orders and transfers the sandbox cannot replay).
        self.last_wins = False

    def walk(self, node: Any, setup: bool, under: str = "") -> None:
        if isinstance(node, list):
            for value in node:
                self.walk(value, setup, under)
            return
        if not isinstance(node, dict):
            return
        self._entity(node, setup, under)
        for key, value in node.items():
            if key == "upstreamCalls":
                continue
            self.walk(value, setup, key if key in ("productCreate", "productSet") else under)

    def _set(self, target: dict[str, Any], key: str, value: Any, setup: bool) -> None:
        if setup or key not in target:
            target[key] = value

    def _entity(self, node: dict[str, Any], setup: bool, under: str) -> None:
        ident = node.get("id")
        match = GID.match(ident) if isinstance(ident, str) else None
        kind = match.group(1) if match else None
        if kind == "Location":
            if (
                self.existing_only
                and setup
                and self.records_started
                and ident not in self.locations
            ):
                return  # created after the records began (by requests the sandbox does not serve)
            loc = self.locations.setdefault(ident, {})
            for key in ("name", "isActive", "fulfillsOnlineOrders"):
                if key in node and node[key] is not None:
                    # setup before the records brought the location to its state; setup
                    # after them (cleanup deactivating it) did not
                    if setup and not self.records_started:
                        loc[key] = node[key]
                    else:
                        loc.setdefault(key, node[key])
            address = node.get("address")
            if isinstance(address, dict):
                known = loc.setdefault("address", {})
                for key in ADDRESS_FIELDS:
                    if key in address:
                        known.setdefault(key, address[key])
        elif kind == "InventoryItem":
            item = self.items.setdefault(ident, {})
            for key in ("tracked", "sku", "requiresShipping"):
                if key in node:
                    self._set(item, key, node[key], setup)
            if under == "productCreate":
                self.created.add(ident)
            inner = node.get("variant")
            if isinstance(inner, dict) and isinstance(inner.get("id"), str):
                self.variants.setdefault(inner["id"], {})["item"] = ident
            levels = node.get("inventoryLevels")
            nodes = _nodes(levels)
            for level in nodes:
                self._level(ident, level, setup)
        elif kind == "ProductVariant":
            variant = self.variants.setdefault(ident, {})
            inner = node.get("inventoryItem")
            if isinstance(inner, dict) and isinstance(inner.get("id"), str):
                variant["item"] = inner["id"]
            for key in ("title", "sku"):
                if key in node:
                    variant.setdefault(key, node[key])
            product = node.get("product")
            if isinstance(product, dict) and isinstance(product.get("id"), str):
                variant["product"] = product["id"]
        elif kind == "Product":
            if isinstance(node.get("title"), str):
                self._set_product(ident, node["title"], setup)
            for variant in _nodes(node.get("variants")):
                if isinstance(variant, dict) and isinstance(variant.get("id"), str):
                    self.variants.setdefault(variant["id"], {})["product"] = ident
        elif kind == "InventoryLevel":
            item = node.get("item")
            if isinstance(item, dict) and isinstance(item.get("id"), str):
                self._level(item["id"], node, setup)
        # Setup summaries the capture scripts wrote: {productId, variantId, inventoryItemId, ...}
        if isinstance(node.get("inventoryItemId"), str) and isinstance(node.get("variantId"), str):
            variant = self.variants.setdefault(node["variantId"], {})
            variant["item"] = node["inventoryItemId"]
            if isinstance(node.get("productId"), str):
                variant["product"] = node["productId"]
            if isinstance(node.get("locationId"), str) and "available" in node:
                key = (node["inventoryItemId"], node["locationId"])
                level = self.levels.setdefault(key, {})
                known = level.setdefault("quantities", {})
                known.setdefault("available", node["available"])
        # A change: {name, delta, quantityAfterChange, item {id}, location {id}}
        if "delta" in node and "name" in node:
            item, loc = node.get("item"), node.get("location")
            if (
                isinstance(item, dict)
                and isinstance(loc, dict)
                and "id" in item
                and "id" in loc
                and self._seeds(item["id"], setup)
            ):
                level = self.levels.setdefault((item["id"], loc["id"]), {})
                known = level.setdefault("quantities", {})
                after = node.get("quantityAfterChange")
                if isinstance(after, int) and isinstance(node["delta"], int):
                    known.setdefault(node["name"], after - node["delta"])

    def _seeds(self, item: str, setup: bool) -> bool:
        """Whether an observation of `item`'s levels describes the store before the records:
        any until the first served mutation; after it, only setup data about an item not
        seen before (a later case's own product), never what the records changed."""
        if self.reads_seed_levels:
            return True
        return setup and not any(i == item for i, _ in self.levels)

    def product_set(self, variables: dict[str, Any], response: Any) -> None:
        """productSet stocks each variant where its ``inventoryQuantities`` say."""
        wanted = (variables.get("input") or {}).get("variants") or []
        product = ((response.get("data") or {}).get("productSet") or {}).get("product") or {}
        made = _nodes(product.get("variants"))
        for want, variant in zip(wanted, made, strict=False):
            item = ((variant or {}).get("inventoryItem") or {}).get("id")
            if not isinstance(item, str):
                continue
            for entry in want.get("inventoryQuantities") or []:
                level = self.levels.setdefault((item, entry["locationId"]), {})
                known = level.setdefault("quantities", {})
                known.setdefault(entry.get("name", "available"), entry.get("quantity", 0))

    def bases_from_request(self, variables: Any, response: Any) -> None:
        """A request naming one location answers levels there: learn their id number."""
        locations = set(_strings_at(variables, "locationId"))
        if len(locations) != 1:
            return
        (location,) = locations
        for text in _strings_at(response, "id"):
            match = GID.match(text)
            if match and match.group(1) == "InventoryLevel":
                self.level_bases.setdefault(location, int(match.group(2)))

    def _set_product(self, ident: str, title: str, setup: bool) -> None:
        if setup or ident not in self.products:
            self.products[ident] = title

    def _level(self, item: str, node: dict[str, Any], setup: bool) -> None:
        loc = node.get("location")
        if not isinstance(loc, dict) or not isinstance(loc.get("id"), str):
            return
        location = loc["id"]
        ident = node.get("id")
        match = GID.match(ident) if isinstance(ident, str) else None
        if match and match.group(1) == "InventoryLevel":
            self.level_bases.setdefault(location, int(match.group(2)))
        if not self._seeds(item, setup):
            return
        level = self.levels.setdefault((item, location), {})
        if "isActive" in node and node["isActive"] is not None:
            if self.last_wins and setup:
                level["isActive"] = node["isActive"]
            else:
                level.setdefault("isActive", node["isActive"])  # later reads follow the records
        known = level.setdefault("quantities", {})
        for entry in node.get("quantities") or []:
            if isinstance(entry, dict) and isinstance(entry.get("quantity"), int):
                if self.last_wins and setup:
                    known[entry["name"]] = entry["quantity"]
                else:
                    known.setdefault(entry["name"], entry["quantity"])

    def seed(self, shop: str, scenario: Scenario) -> dict[str, Any]:
        primary = PRIMARY.get(shop)
        if primary is not None:  # every capture shop has its primary location, seen or not
            known = self.locations.setdefault(primary, {})
            known.setdefault("name", PRIMARY_NAMES[primary])
            known.setdefault("isActive", True)
        for item in self.created:
            if primary and not any(i == item for i, _ in self.levels):
                self.levels[(item, primary)] = {"quantities": {}}
        for key, values in scenario.quantities.items():
            self.levels.setdefault(key, {}).setdefault("quantities", {}).update(values)
        locations = []
        for ident in sorted(self.locations, key=_number):
            loc = self.locations[ident]
            if "name" not in loc:
                continue
            entry: dict[str, Any] = {"id": ident, "name": loc["name"]}
            for key in ("isActive", "fulfillsOnlineOrders", "address"):
                if loc.get(key) not in (None, {}):
                    entry[key] = loc[key]
            locations.append(entry)
        known_locations = {loc["id"] for loc in locations}
        by_item: dict[str, dict[str, Any]] = {}
        for variant_id, variant in self.variants.items():
            if "item" in variant:
                by_item[variant["item"]] = {"id": variant_id, **variant}
        items = []
        for ident in sorted(set(self.items) | {i for i, _ in self.levels}, key=_number):
            if GID.match(ident) is None or _number(ident) == 999_999_999_999:
                continue  # the captures' deliberately unknown ids
            attrs = self.items.get(ident, {})
            entry = {"id": ident}
            for key in ("sku", "tracked", "requiresShipping"):
                if key in attrs:
                    entry[key] = attrs[key]
            variant = by_item.get(ident)
            if variant is not None and "sku" not in entry and variant.get("sku") is not None:
                entry["sku"] = variant["sku"]
            if variant is not None:
                block: dict[str, Any] = {"id": variant["id"]}
                if "title" in variant:
                    block["title"] = variant["title"]
                if "product" in variant:
                    product = {"id": variant["product"]}
                    if variant["product"] in self.products:
                        product["title"] = self.products[variant["product"]]
                    block["product"] = product
                entry["variant"] = block
            levels = []  # in the order first seen: the closest the captures come to the
            # order they were stocked in (the order Shopify lists an item's levels)
            for (item, location), level in self.levels.items():
                if item != ident or location not in known_locations:
                    continue
                out: dict[str, Any] = {"locationId": location}
                if "isActive" in level:
                    out["isActive"] = level["isActive"]
                quantities = _components(level.get("quantities", {}))
                if quantities:
                    out["quantities"] = quantities
                levels.append(out)
            entry["levels"] = levels
            items.append(entry)
        return {"shop": {"domain": shop}, "locations": locations, "inventoryItems": items}


def _components(seen: dict[str, int]) -> dict[str, int]:
    """Stored quantities from observed ones: on_hand is derived, so it fixes available only
    when available itself was not seen."""
    out = {name: seen[name] for name in QUANTITY_NAMES if seen.get(name)}
    if "available" not in seen and "on_hand" in seen:
        rest = sum(v for k, v in out.items() if k not in ("available", "incoming"))
        if seen["on_hand"] - rest:
            out["available"] = seen["on_hand"] - rest
    return out


def _strings_at(node: Any, key: str) -> Iterator[str]:
    if isinstance(node, dict):
        for k, v in node.items():
            if k == key and isinstance(v, str):
                yield v
            else:
                yield from _strings_at(v, key)
    elif isinstance(node, list):
        for v in node:
            yield from _strings_at(v, key)


def _number(gid: str) -> int:
    match = GID.match(gid)
    return int(match.group(2)) if match else 0


def _nodes(connection: Any) -> list[Any]:
    if not isinstance(connection, dict):
        return []
    if isinstance(connection.get("nodes"), list):
        return list(connection["nodes"])
    return [e.get("node") for e in connection.get("edges") or [] if isinstance(e, dict)]


def derive(repo: Path, commit: str, scenario: Scenario) -> dict[str, Any]:
    path = f"fixtures/conformance/{scenario.path}"
    capture = json.loads(git_show(repo, commit, path))
    attach_queries(capture, script_documents(repo, commit, scenario))
    shop, version = scenario.path.split("/")[:2]
    records: list[dict[str, Any]] = []
    excluded: list[dict[str, str]] = []
    blocked: str | None = None
    served_ids: set[int] = set()
    for where, pair in pairs(capture):
        kind, fields = roots_of(pair["query"])
        ok = served(kind, fields) and not set(fields) & OFF_SURFACE
        if not ok:
            if (
                kind == "mutation"
                and records
                and where not in scenario.harmless
                and not set(fields) <= set(scenario.harmless_roots)
            ):
                blocked = blocked or f"{where} ({', '.join(fields)})"
            continue
        skipped = next((r for k, r in scenario.skip.items() if where.startswith(k)), None)
        if skipped is not None:  # counts as setup: the seed is the state it left
            excluded.append({"id": where, "reason": skipped})
            continue
        served_ids.add(id(pair))
        if blocked is not None:
            reason = f"follows {blocked}, which the sandbox does not serve; its effect "
            excluded.append({"id": where, "reason": reason + "is not in the seed"})
            continue
        record = {
            "id": where,
            "operation": ",".join(dict.fromkeys(fields)),
            "query": pair["query"],
            "variables": pair.get("variables") or {},
            "response": pair["response"],
        }
        wrapped = pair["response"]
        if isinstance(wrapped, dict) and set(wrapped) in (
            {"status", "payload"},
            {"status", "body"},
        ):
            record["httpStatus"] = wrapped["status"]  # the script kept the status
            record["response"] = wrapped.get("payload", wrapped.get("body"))
        records.append(record)
    observations = Observations()
    observations.last_wins = scenario.seed_after_setup
    observations.existing_only = scenario.existing_locations_only
    _observe(
        observations, {k: v for k, v in capture.items() if k not in scenario.ignore}, served_ids
    )
    for location, base in observations.level_bases.items():
        LEVEL_BASES.setdefault(shop, {}).setdefault(location, base)
    return {
        "source": {
            "repository": REPOSITORY,
            "path": path,
            "commit": commit,
            "licence": LICENCE,
        },
        "summary": capture.get("summary") or capture.get("description") or "",
        "apiVersion": version,
        "capturedAt": capture.get("capturedAt", ""),
        "seed": observations.seed(shop, scenario),
        "levelBases": {},  # filled in by main() from every scenario of the shop
        "control": scenario.control,
        "records": records,
        "excluded": excluded,
    }


def _observe(observations: Observations, node: Any, served_ids: set[int]) -> None:
    """Walk the capture in document order; served requests count as reads, the rest as setup."""
    if isinstance(node, dict):
        if isinstance(node.get("query"), str) and "response" in node:
            is_setup = id(node) not in served_ids
            for key, value in node.items():  # setup the capture script kept with the pair
                if key not in ("query", "variables", "response", "upstreamCalls"):
                    _observe(observations, {key: value}, served_ids)
            if is_setup and "productSet" in roots_of(node["query"])[1]:
                observations.product_set(node.get("variables") or {}, node["response"])
            if not is_setup:
                observations.records_started = True
            if not is_setup and roots_of(node["query"])[0] == "mutation":
                observations.reads_seed_levels = False
            observations.walk(node["response"], is_setup)
            observations.bases_from_request(node.get("variables"), node["response"])
            return
        observations._entity(node, True, "")
        for key, value in node.items():
            if key == "upstreamCalls":
                continue
            is_pair = isinstance(value, dict) and "query" in value and "response" in value
            if key in ("productCreate", "productSet") and not is_pair:
                observations.walk(value, True, key)
            else:
                _observe(observations, value, served_ids)
    elif isinstance(node, list):
        for value in node:
            _observe(observations, value, served_ids)


def main(argv: list[str]) -> int:
    if not argv:
        print(__doc__.strip().splitlines()[-1].strip(), file=sys.stderr)
        return 2
    repo = Path(argv[0])
    commit = argv[1] if len(argv) > 1 else "HEAD"
    commit = subprocess.run(
        ["git", "-C", str(repo), "rev-parse", commit], check=True, capture_output=True, text=True
    ).stdout.strip()
    derived = [(scenario, derive(repo, commit, scenario)) for scenario in SCENARIOS]
    (RECORDS.parent / "not_included.json").write_text(
        json.dumps(NOT_INCLUDED, indent=1) + "\n", encoding="utf-8"
    )
    for scenario, data in derived:
        known = {loc["id"] for loc in data["seed"]["locations"]}
        bases = LEVEL_BASES.get(scenario.path.split("/")[0], {})
        data["levelBases"] = {loc: bases[loc] for loc in sorted(bases) if loc in known}
        out = RECORDS / scenario.path
        out.parent.mkdir(parents=True, exist_ok=True)
        out.write_text(json.dumps(data, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")
        print(f"{scenario.path}: {len(data['records'])} records, {len(data['excluded'])} excluded")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
