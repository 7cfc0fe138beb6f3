"""Requested cost of recorded Shopify requests, replayed verbatim (issue 11, captures §1.6).

Each query below is the text of a request recorded in airhorns/shopify-draft-proxy
(fixtures/conformance/...; the file is named on each test) and each expected number is the
`requestedQueryCost` Shopify answered. The ids are the sandbox's: requested cost is decided
before anything is read, so it does not depend on them.
"""

from __future__ import annotations

from typing import Any

import pytest

from tests.conftest import Store

EAST = "gid://shopify/Location/68509171945"
ITEM = "gid://shopify/InventoryItem/43729033"


def requested(store: Store, version: str, query: str, variables: dict[str, Any]) -> int:
    body = store.gql(version, query, variables)
    found: int = body["extensions"]["cost"]["requestedQueryCost"]
    return found


def test_edges_and_nodes_of_one_connection_are_both_charged(store: Store) -> None:
    # cap: 2025-01/products/inventory-location-levels-overlay-windowing.json, overlayRead: 60
    # (the rule of one of them alone gave 39)
    query = """query InventoryLocationLevelsRead($locationId: ID!, $inventoryItemQuery: String!) {
      location(id: $locationId) {
        inventoryLevels(first: 50) {
          edges { cursor node { item { id } quantities(names: ["available", "on_hand"]) { name quantity } } }
          nodes { item { id } quantities(names: ["available", "on_hand"]) { name quantity } }
          pageInfo { hasNextPage hasPreviousPage startCursor endCursor } }
        firstPage: inventoryLevels(first: 1) {
          nodes { quantities(names: ["available"]) { name quantity } }
          pageInfo { hasNextPage hasPreviousPage startCursor endCursor } }
        filtered: inventoryLevels(first: 5, query: $inventoryItemQuery) {
          nodes { item { id } quantities(names: ["available"]) { name quantity } }
          pageInfo { hasNextPage hasPreviousPage startCursor endCursor } } } }"""
    variables = {"locationId": EAST, "inventoryItemQuery": "inventory_item_id:43729033"}
    assert requested(store, "2025-01", query, variables) == 60


def test_edges_with_only_a_cursor_cost_nothing(store: Store) -> None:
    # cap: 2026-04/store-properties/location-connection-filters.json, connectionRead: 53 —
    # `edges { cursor }` beside `nodes` adds nothing; each root `locationsCount` costs 10
    query = """query LocationConnectionFilteredRead($query: String!, $alphaQuery: String!) {
      filteredDefault: locations(first: 10, query: $query, sortKey: NAME) {
        edges { cursor } nodes { id name isActive isFulfillmentService }
        pageInfo { hasNextPage hasPreviousPage startCursor endCursor } }
      filteredIncludeInactive: locations(first: 10, query: $query, sortKey: NAME, includeInactive: true) {
        nodes { id name isActive isFulfillmentService }
        pageInfo { hasNextPage hasPreviousPage startCursor endCursor } }
      filteredIncludeLegacy: locations(first: 10, query: $query, sortKey: NAME, includeLegacy: true) {
        nodes { id name isActive isFulfillmentService } }
      queryAlpha: locations(first: 10, query: $alphaQuery) { nodes { id name isActive } }
      nameFirst: locations(first: 1, query: $query, sortKey: NAME) {
        edges { cursor } nodes { id name }
        pageInfo { hasNextPage hasPreviousPage startCursor endCursor } }
      reversed: locations(first: 10, query: $query, sortKey: NAME, reverse: true) { nodes { id name } }
      filteredCount: locationsCount(query: $query) { count precision }
      limitedCount: locationsCount(query: $query, limit: 1) { count precision } }"""
    variables = {"query": "name:'East Warehouse' OR name:'West'", "alphaQuery": "name:'East'"}
    assert requested(store, "2026-04", query, variables) == 53


def test_a_root_count_costs_ten(store: Store) -> None:
    # cap: 2026-04/bulk-operations/bulk-operation-run-query-group-objects.json: productsCount 10
    assert requested(store, "2026-04", "{ locationsCount { count precision } }", {}) == 10


def test_measurement_and_its_weight_cost_nothing(store: Store) -> None:
    # cap: 2026-04/products/inventory-quantity-contracts-2026-04.json, upstreamCalls[0]: 27
    # (29 when measurement { weight } was charged as two objects)
    query = """query ProductsHydrateNodes($ids: [ID!]!) { nodes(ids: $ids) { __typename id
      ... on InventoryItem { tracked requiresShipping measurement { weight { unit value } }
        variant { id title inventoryQuantity selectedOptions { name value }
          product { id title handle status totalInventory tracksInventory } }
        inventoryLevels(first: 50) { nodes { id location { id name }
          quantities(names: ["available", "on_hand", "committed", "incoming", "reserved", "damaged", "quality_control", "safety_stock"]) {
            name quantity updatedAt } } } } } }"""
    assert requested(store, "2026-04", query, {"ids": [ITEM]}) == 27


@pytest.mark.parametrize(
    ("fields", "expected"),
    [
        # cap: 2026-04/store-properties/location-address-code-derivation.json, gbRead: 1
        ("id name address { country countryCode province provinceCode }", 1),
        # cap: 2026-04/store-properties/location-add-validation-and-defaults.json, defaultRead: 1
        ("id name fulfillsOnlineOrders address { address1 city countryCode zip }", 1),
    ],
)
def test_location_address_costs_nothing(store: Store, fields: str, expected: int) -> None:
    query = f"query LocationRead($id: ID!) {{ location(id: $id) {{ {fields} }} }}"
    assert requested(store, "2026-04", query, {"id": EAST}) == expected


def test_has_unfulfilled_orders_costs_one(store: Store) -> None:
    # cap: 2026-04/store-properties/location-delete-state-and-scope.json, primaryLocations: 12
    # (2 + M(20)=5 × 2: the node and its one charged scalar; 7 when every scalar was free)
    query = """query LocationDeletePrimaryLocationSeed { locations(first: 20) { nodes {
      id name isActive isFulfillmentService hasActiveInventory hasUnfulfilledOrders isPrimary } } }"""
    assert requested(store, "2026-04", query, {}) == 12
    # cap: 2026-04/store-properties/location-edit-fields-and-state-machine.json, initialCatalog: 20
    catalog = """query LocationEditCatalog { locations(first: 100) { nodes { id name isActive
      fulfillsOnlineOrders hasUnfulfilledOrders isFulfillmentService
      address { address1 address2 city country countryCode provinceCode zip } } } }"""
    assert requested(store, "2026-04", catalog, {}) == 20
    # cap: 2026-04/store-properties/location-deactivate-cold-targets.json, sourceRead: 2
    lifecycle = """query LocationDeactivateColdTargetRead($locationId: ID!) { location(id: $locationId) {
      id name isActive activatable deactivatable fulfillsOnlineOrders hasActiveInventory
      hasUnfulfilledOrders deletable shipsInventory } }"""
    assert requested(store, "2026-04", lifecycle, {"locationId": EAST}) == 2


def test_money_costs_nothing(store: Store) -> None:
    # 398 recorded requests fit only with MoneyV2 and MoneyBag free (captures §1.6)
    query = (
        "query Cost($id: ID!) { inventoryItem(id: $id) { id unitCost { amount currencyCode } } }"
    )
    assert requested(store, "2026-04", query, {"id": ITEM}) == 1


def test_fragments_on_an_interface_and_its_type_add_up(store: Store) -> None:
    # cap: 2025-01/products/metafields-generic-product-owner.json, upstreamCalls[1]: 8 —
    # `... on HasMetafields` and `... on Product` both apply to a product
    query = """query OwnerRead($ids: [ID!]!) { nodes(ids: $ids) { __typename id
      ... on HasMetafields { metafield0: metafield(namespace: "custom", key: "a") { id value
        definition { id name type { name category } validations { name value } } } }
      ... on Location { id name address { city } inventoryLevels(first: 1) { nodes { id } } }
      ... on InventoryItem { variant { id } } } }"""
    # HasMetafields: metafield 1 + definition 1 + type 1 + validations 1 = 4; a location adds
    # its levels (2 + 1) to that: 1 + 7, where the dearest fragment alone would say 1 + 4
    assert requested(store, "2026-04", query, {"ids": [EAST]}) == 8


def test_skipped_fields_are_not_charged(store: Store) -> None:
    # cap: 2025-01/products/graphql-conditional-directives-product-execution.json: a root
    # field under @skip(if: true) costs nothing (skippedCreate: 1, not 10 + the rest)
    query = """query Skip($id: ID!, $skip: Boolean!) {
      skipped: inventoryItem(id: $id) @skip(if: true) { id variant { id } }
      notIncluded: inventoryItem(id: $id) @include(if: false) { id variant { id } }
      kept: inventoryItem(id: $id) { id variant @skip(if: $skip) { id } } }"""
    assert requested(store, "2026-04", query, {"id": ITEM, "skip": True}) == 1
    assert requested(store, "2026-04", query, {"id": ITEM, "skip": False}) == 2
