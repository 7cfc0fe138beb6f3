"""Shop metafields over HTTP: compare-and-set with compareDigest, as recorded on Shopify."""

from __future__ import annotations

from typing import Any

import pytest

from tests.conftest import Store

SHOP = "gid://shopify/Shop/1"
SET = """mutation S($m: [MetafieldsSetInput!]!) { metafieldsSet(metafields: $m) {
  metafields { id namespace key type value jsonValue compareDigest updatedAt ownerType }
  userErrors { field message code elementIndex } } }"""
READ = """query R($ns: String, $key: String!) { shop { id
  metafield(namespace: $ns, key: $key) { namespace key value compareDigest updatedAt } } }"""
DELETE = """mutation D($m: [MetafieldIdentifierInput!]!) { metafieldsDelete(metafields: $m) {
  deletedMetafields { ownerId namespace key } userErrors { field message } } }"""
STALE = (
    "The resource has been updated since it was loaded. Try again with an updated "
    "`compareDigest` value."
)


def _input(value: str = '{"n":1}', **extra: Any) -> dict[str, Any]:
    return {
        "ownerId": SHOP,
        "namespace": "reconciler",
        "key": "apply_lock",
        "type": "json",
        "value": value,
        **extra,
    }


def _set(store: Store, *inputs: dict[str, Any], version: str = "2026-10") -> dict[str, Any]:
    payload: dict[str, Any] = store.gql(version, SET, {"m": list(inputs)})["data"]["metafieldsSet"]
    return payload


def _read(store: Store, key: str = "apply_lock", ns: str | None = "reconciler", **kw: Any) -> Any:
    response = store.post("2026-10", READ, {"ns": ns, "key": key}, **kw).json()
    return response["data"]["shop"]["metafield"]


@pytest.mark.parametrize("version", ["2025-01", "2026-10"])
def test_compare_and_set_takes_exactly_one_of_two_racing_writers(
    store: Store, version: str
) -> None:
    created = _set(store, _input(compareDigest=None), version=version)
    assert created["userErrors"] == []
    digest = created["metafields"][0]["compareDigest"]
    assert len(digest) == 64 and int(digest, 16) >= 0
    assert created["metafields"][0]["ownerType"] == "SHOP"
    first = _set(store, _input('{"n":2}', compareDigest=digest), version=version)
    second = _set(store, _input('{"n":3}', compareDigest=digest), version=version)
    assert first["userErrors"] == [] and first["metafields"][0]["compareDigest"] != digest
    assert second == {
        "metafields": [],
        "userErrors": [
            {
                "field": ["metafields", "0"],
                "message": STALE,
                "code": "STALE_OBJECT",
                "elementIndex": None,
            }
        ],
    }
    assert _read(store)["value"] == '{"n":2}'


def test_null_digest_creates_only_when_absent_and_a_digest_needs_a_metafield(
    store: Store,
) -> None:
    missing = _set(store, _input(compareDigest="0" * 64))
    assert missing["userErrors"] == [
        {
            "field": ["metafields", "0"],
            "message": "Invalid `compareDigest` value.",
            "code": "INVALID_COMPARE_DIGEST",
            "elementIndex": None,
        }
    ]
    assert _read(store) is None
    assert _set(store, _input(compareDigest=None))["userErrors"] == []
    again = _set(store, _input('{"n":9}', compareDigest=None))
    assert again["userErrors"][0]["code"] == "STALE_OBJECT"


def test_a_write_that_changes_nothing_is_accepted_whatever_its_digest(store: Store) -> None:
    """Recorded: same type and value with a malformed digest succeeds and keeps the digest;
    this is what makes re-sending a lock write after a lost answer safe."""
    digest = _set(store, _input())["metafields"][0]["compareDigest"]
    same = _set(store, _input(compareDigest="not-a-hex-digest"))
    assert same["userErrors"] == [] and same["metafields"][0]["compareDigest"] == digest
    changed = _set(store, _input('{"n":2}', compareDigest="not-a-hex-digest"))
    assert changed["userErrors"][0]["code"] == "STALE_OBJECT"


def test_without_compare_digest_a_write_always_applies(store: Store) -> None:
    _set(store, _input())
    assert _set(store, _input('{"n":5}'))["userErrors"] == []
    assert _read(store)["value"] == '{"n":5}'


def test_one_bad_input_writes_nothing(store: Store) -> None:
    result = _set(store, _input(key="first"), _input("{nope", key="second"))
    assert result["metafields"] == []
    assert result["userErrors"][0]["field"] == ["metafields", "1", "value"]
    assert result["userErrors"][0]["code"] == "INVALID_VALUE"
    assert result["userErrors"][0]["message"].startswith("Value is invalid JSON")
    assert _read(store, "first") is None


@pytest.mark.parametrize(
    ("change", "field", "code", "message"),
    [
        ({"namespace": "ab"}, "namespace", "TOO_SHORT", "Namespace is too short (minimum is 3 characters)"),
        ({"namespace": "n" * 256}, "namespace", "TOO_LONG", "Namespace is too long (maximum is 255 characters)"),
        ({"key": "x"}, "key", "TOO_SHORT", "Key is too short (minimum is 2 characters)"),
        ({"key": "k" * 65}, "key", "TOO_LONG", "Key is too long (maximum is 64 characters)"),
        ({"namespace": "protected"}, "namespace", None, "Namespace protected is a reserved namespace"),
        ({"type": None}, "type", "BLANK", "Type can't be blank"),
        ({"type": "boolean", "value": "yes"}, "value", "INVALID_VALUE", "Value must be true or false."),
        ({"type": "number_integer", "value": "1.5"}, "value", "INVALID_VALUE", "Value must be an integer."),
        ({"type": "single_line_text_field", "value": "a\nb"}, "value", "INVALID_VALUE", "Value must be a single line text string."),
        ({"ownerId": "gid://shopify/Shop/2"}, "ownerId", "INVALID_VALUE", "Owner does not exist."),
    ],
)  # fmt: skip
def test_input_problems_use_shopifys_recorded_words(
    store: Store, change: dict[str, Any], field: str, code: str | None, message: str
) -> None:
    given = {k: v for k, v in {**_input(), **change}.items() if v is not None}
    assert _set(store, given)["userErrors"] == [
        {
            "field": ["metafields", "0", field],
            "message": message,
            "code": code,
            "elementIndex": None,
        }
    ]


def test_more_than_25_inputs_is_refused_whole(store: Store) -> None:
    result = _set(store, *[_input(key=f"k{i:02d}") for i in range(26)])
    assert result == {
        "metafields": None,
        "userErrors": [
            {
                "field": ["metafields"],
                "message": "Exceeded the maximum metafields input limit of 25.",
                "code": "LESS_THAN_OR_EQUAL_TO",
                "elementIndex": None,
            }
        ],
    }


def test_delete_answers_null_for_absent_ones_and_reset_clears_them(store: Store) -> None:
    _set(store, _input())
    body = store.gql(
        "2026-10",
        DELETE,
        {
            "m": [
                {"ownerId": SHOP, "namespace": "reconciler", "key": "apply_lock"},
                {"ownerId": SHOP, "namespace": "reconciler", "key": "absent"},
            ]
        },
    )
    assert body["data"]["metafieldsDelete"] == {
        "deletedMetafields": [
            {"ownerId": SHOP, "namespace": "reconciler", "key": "apply_lock"},
            None,
        ],
        "userErrors": [],
    }
    assert _read(store) is None
    _set(store, _input())
    store.control("POST", "reset")
    assert _read(store) is None


def test_app_reserved_metafields_are_private_to_their_app_and_shop_owned_ones_are_not(
    store: Store,
) -> None:
    """Why the store lock is shop-owned: a second app must see it."""
    store.control("POST", "tokens", {"token": "second-app-token", "app": "Second app"})
    private = _set(store, _input(namespace="$app", key="lock"))
    assert private["metafields"][0]["namespace"] == "app--1"
    assert _read(store, "lock", None) is not None  # the owning app: its own namespace
    assert _read(store, "lock", "app--1", token="second-app-token") is None
    _set(store, _input())
    assert _read(store, token="second-app-token")["value"] == '{"n":1}'


def test_a_token_with_only_inventory_scopes_may_read_and_write_shop_metafields(
    store: Store,
) -> None:
    """The Shop needs no access scope; metafieldsSet needs what mutating the owner needs."""
    scopes = ["read_inventory", "write_inventory", "read_locations"]
    store.control("POST", "tokens", {"token": "inventory-only", "scopes": scopes})
    response = store.post("2026-10", SET, {"m": [_input()]}, token="inventory-only").json()
    assert "errors" not in response and response["data"]["metafieldsSet"]["userErrors"] == []
    assert _read(store, token="inventory-only")["value"] == '{"n":1}'


def test_other_owners_are_not_served_rather_than_faked(store: Store) -> None:
    response = store.post("2026-10", SET, {"m": [_input(ownerId="gid://shopify/Product/1")]}).json()
    assert response["errors"][0]["extensions"]["code"] == "NOT_IMPLEMENTED_IN_SANDBOX"


def test_a_metafield_write_costs_10_points_and_a_read_2(store: Store) -> None:
    cost = store.gql("2026-10", SET, {"m": [_input()]})["extensions"]["cost"]
    assert cost["requestedQueryCost"] == 10
    read = store.post("2026-10", READ, {"ns": "reconciler", "key": "apply_lock"}).json()
    assert read["extensions"]["cost"]["actualQueryCost"] == 2
