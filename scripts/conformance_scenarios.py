"""Which captures make the conformance suite, and what the seed inference needs told about each.

`SCENARIOS` lists the capture files of airhorns/shopify-draft-proxy that
scripts/conformance_derive.py turns into tests/conformance/records/, each with the corrections
the inference cannot make itself (each says why); `NOT_INCLUDED` lists the inventory captures
of the same corpus the suite does not replay, and why (the report prints them).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any


@dataclass
class Scenario:
    """Which capture files make the suite, and what the inference needs told per file."""

    path: str
    # Seed corrections merged over the inferred seed: {"levels": {(item, location): {...}}}.
    quantities: dict[tuple[str, str], dict[str, int]] = field(default_factory=dict)
    # Unserved requests known not to change what later records read (with the reason).
    harmless: dict[str, str] = field(default_factory=dict)
    # Unserved root fields that do not change what later records read: e.g. locationAdd of
    # a location the seed already has, where the records read single locations by id.
    harmless_roots: tuple[str, ...] = ()
    # Records left out on purpose: {capture path or path prefix: reason}; they count as
    # setup (the seed is the state they left).
    skip: dict[str, str] = field(default_factory=dict)
    # Control-plane requests after the reset, each with "why" (see tests/conformance/replay.py).
    control: list[dict[str, Any]] = field(default_factory=list)
    # Captures that stored only {variables, response}: the capture script that sent them
    # (its `const <name> = `#graphql ...`` documents, and `const <key> = await runGraphql*(
    # <document>, ...)` calls naming the fixture key), plus `documents`: {fixture key: the
    # script's document name, or the request file it read (``config/parity-requests/...``)}.
    script: str | None = None
    script_at_capture: bool = False
    # Capture keys that do not describe the store before the records (e.g. a summary the
    # script wrote first but read last): not observed for the seed.
    ignore: tuple[str, ...] = ()
    # The seed is the state after all setup (last observation wins), not the first seen.
    seed_after_setup: bool = False
    # Locations the capture's setup created after its records began are not in the seed
    # (its records read the catalogue before they existed).
    existing_locations_only: bool = False
    documents: dict[str, str] = field(default_factory=dict)


HOLD_RUNNING = {
    "method": "POST",
    "path": "bulk",
    "body": {"hold": "RUNNING"},
    "why": "the capture's bulk operations over the shop's catalogue were still running when "
    "it started the next ones and cancelled them; the sandbox's would finish at once",
}
LOCATION_SETTINGS = (
    "reads Location.metafield and location settings (activatable, addressVerified, ...) "
    "that the sandbox does not emulate"
)
REQUESTS = "config/parity-requests/products/"
ITEM_SCRIPT = "scripts/capture-inventory-item-mutation-conformance.mts"
H26 = "harry-test-heelo.myshopify.com/2026-04"
H25 = "harry-test-heelo.myshopify.com/2025-01"
VB25 = "very-big-test-store.myshopify.com/2025-01"
SCENARIOS = [
    Scenario(f"{H26}/products/inventory-reason-validation.json"),
    Scenario(f"{H26}/products/inventory-adjust-name-allowlist.json"),
    Scenario(f"{H26}/products/inventorySetQuantities-name-validation.json"),
    Scenario(f"{H26}/products/inventorySetQuantities-quantity-bounds.json"),
    Scenario(f"{H26}/products/inventory-activate-on-hand.json"),
    Scenario(f"{H26}/products/inventory-existence-validation.json"),
    Scenario(f"{H26}/products/inventory-item-levels-connection-windowing-2026-04.json"),
    Scenario(f"{H26}/products/inventory-live-hybrid-cold-authoritative-reads.json"),
    Scenario(f"{H25}/products/inventorySetQuantities-name-validation.json"),
    Scenario(f"{H25}/products/inventory-location-levels-overlay-windowing.json"),
    Scenario(f"{H25}/products/inventory-node-read-after-write.json"),
    Scenario(f"{H25}/products/inventory-connection-query-windowing.json"),
    Scenario(
        f"{H26}/products/inventory-quantity-contracts-2026-04.json",
        script="scripts/capture-inventory-quantity-contracts-2026.ts",
        documents={
            "inventorySetQuantities": "inventorySetMutation",
            "inventoryAdjustQuantities": "inventoryAdjustMutation",
            "inventorySetOnHandQuantities": "inventorySetOnHandMutation",
        },
    ),
    Scenario(
        f"{H26}/products/inventory-move-adjustment-group-shape.json",
        documents={
            "seedSet": REQUESTS + "inventory-move-adjustment-group-shape-set.graphql",
            "move": REQUESTS + "inventory-move-adjustment-group-shape.graphql",
        },
    ),
    Scenario(
        f"{H26}/products/inventory-adjust-on-hand-name-mirrors.json",
        script="scripts/capture-inventory-adjust-on-hand-name-mirrors-conformance.ts",
        documents=dict.fromkeys(
            ("damaged", "reserved", "qualityControl", "safetyStock", "incoming"),
            "inventoryAdjustMutation",
        ),
    ),
    Scenario(
        f"{H26}/products/inventory-adjust-zero-delta-noop.json",
        script="scripts/capture-inventory-adjust-zero-delta-noop-conformance.ts",
    ),
    Scenario(
        f"{H26}/products/inventory-adjust-ledger-document-validation.json",
        script="scripts/capture-inventory-adjust-ledger-document-validation-conformance.ts",
    ),
    Scenario(
        f"{H26}/products/inventory-inactive-level-lifecycle-2026-04.json",
        script="scripts/capture-inventory-linkage-mutation-conformance.mts",
        documents={
            "inventoryInactiveLifecycleDeactivate": "inventoryDeactivateMutation",
            "inventoryInactiveLifecycleReadAfterDeactivate": "inactiveLifecycleReadQuery",
            "inventoryInactiveLifecycleReactivate": "inventoryActivateMutation",
            "inventoryInactiveLifecycleReadAfterReactivate": "inactiveLifecycleReadQuery",
            "inventoryActivateSecondaryLocation": "inventoryActivateMutation",
        },
        ignore=("createdProduct",),  # the product as read after the setup
    ),
    Scenario(
        f"{H26}/products/inventory-deactivate-validation-2026-04.json",
        script="scripts/capture-inventory-deactivate-validation-conformance.mts",
        documents={
            "inventoryDeactivateCommitted": "inventoryDeactivateMutation",
            "inventoryDeactivateIncomingReserved": "inventoryDeactivateMutation",
            "inventoryDeactivateOnlyLocation": "inventoryDeactivateMutation",
            "inventoryDeactivateMissingLevel": "inventoryDeactivateMutation",
            "inventoryDeactivateDeletedLocation": "inventoryDeactivateMutation",
            "inventoryActivateActiveAvailable": "inventoryActivateMutation",
            "inventoryActivateCodeSelection": "inventoryActivateCodeSelectionMutation",
            "inventoryDeactivateCodeSelection": "inventoryDeactivateCodeSelectionMutation",
            "inventoryDeactivateBeforeReactivate": "inventoryDeactivateMutation",
            "inventoryActivateInactiveAvailable": "inventoryActivateMutation",
        },
        skip={
            "$.setup.": "setup before an order and transfers the sandbox cannot replay "
            "(committed, reserved, incoming); the seed is the store after them"
        },
        harmless={
            f"$.adjustments.{k}": "part of the seed (the product reads after it)"
            for k in ("committedOrder", "reservedTransfer", "incomingTransfer", "incomingShipment")
        },
        seed_after_setup=True,
    ),
    Scenario(
        f"{H25}/products/inventory-item-update-parity.json",
        script=ITEM_SCRIPT,
        documents={
            "mutation": "inventoryItemUpdateMutation",
            "validation": "inventoryItemUpdateMutation",
        },
    ),
    Scenario(
        f"{H25}/products/inventory-item-update-validation.json",
        script=ITEM_SCRIPT,
        documents={
            "productCreate": "validationCreateMutation",
            **dict.fromkeys(
                (
                    "negativeCost",
                    "negativeWeightValue",
                    "invalidWeightUnit",
                    "invalidCountry",
                    "invalidHsCode",
                ),
                "inventoryItemUpdateValidationMutation",
            ),
        },
    ),
    Scenario(
        f"{VB25}/products/inventory-linkage-parity.json",
        script="scripts/capture-inventory-linkage-mutation-conformance.mts",
        script_at_capture=True,  # @idempotent was added to the script after this capture
        documents={
            "inventoryActivateNoOp": "inventoryActivateMutation",
            "inventoryActivateAvailableError": "inventoryActivateMutation",
            "inventoryActivateUnknownLocation": "inventoryActivateMutation",
            "inventoryDeactivateOnlyLocationError": "inventoryDeactivateMutation",
            "inventoryBulkToggleActivateNoOp": "inventoryBulkToggleMutation",
            "inventoryBulkToggleUnknownLocation": "inventoryBulkToggleMutation",
            "inventoryBulkToggleDeactivateOnlyLocationError": "inventoryBulkToggleMutation",
            "inventoryActivateSecondLocation": "inventoryActivateMutation",
            "inventoryDeactivateWithAlternateLocation": "inventoryDeactivateMutation",
            "inventoryBulkToggleActivateSecondLocation": "inventoryBulkToggleMutation",
            "inventoryBulkToggleDeactivateSecondLocation": "inventoryBulkToggleMutation",
        },
    ),
    Scenario(
        f"{VB25}/products/inventory-adjust-quantities-parity.json",
        script="scripts/capture-inventory-adjustment-conformance.mts",
        documents={
            "mutation": "inventoryAdjustMetadataMutation",
            "nonAvailableMutation": "inventoryAdjustMutation",
            "invalidNameProbe": "inventoryAdjustMutation",
            **dict.fromkeys(
                (
                    "missingInventoryItemId",
                    "missingDelta",
                    "missingLocationId",
                    "unknownInventoryItemId",
                    "unknownLocationId",
                ),
                "inventoryAdjustMutation",
            ),
        },
    ),
    Scenario(
        f"{VB25}/products/inventory-item-update-parity.json",
        script=ITEM_SCRIPT,
        documents={
            "mutation": "inventoryItemUpdateMutation",
            "validation": "inventoryItemUpdateMutation",
        },
    ),
    Scenario(
        f"{H26}/store-properties/location-address-code-derivation.json",
        harmless_roots=("locationAdd",),  # each read is of one location by id
    ),
    Scenario(
        f"{H26}/store-properties/location-add-validation-and-defaults.json",
        harmless_roots=("locationAdd",),
    ),
    Scenario(
        f"{H26}/store-properties/location-deactivate-cold-targets.json",
        skip=dict.fromkeys(
            ("$.setup.sourceHydrate", "$.setup.activeDestinationHydrate"), LOCATION_SETTINGS
        )
        | {"$.setup.inactiveDestinationHydrate": LOCATION_SETTINGS},
    ),
    Scenario(f"{H26}/store-properties/location-activate-not-found.json"),
    Scenario(
        f"{H26}/store-properties/location-activate-deactivate-lifecycle.json",
        skip={"$.setup.hydrateLocation": LOCATION_SETTINGS},
    ),
    Scenario(
        f"{H26}/store-properties/location-activate-deactivate-with-idempotency-directive.json",
        skip={"$.setup.hydrateLocation": LOCATION_SETTINGS},
    ),
    Scenario(f"{H26}/store-properties/location-connection-filters.json"),
    Scenario(f"{H26}/store-properties/location-delete-inventory-level-cascade.json"),
    Scenario(f"{H26}/store-properties/location-activate-fulfillment-service-scope.json"),
    Scenario(f"{H26}/orders/fulfillment-create-multi-group.json"),
    Scenario(f"{H26}/orders/return-reverse-logistics-dispose-validation.json"),
    Scenario(f"{H26}/orders/return-reverse-logistics-recorded.json"),
    Scenario(f"{H26}/orders/returnClose-Reopen-Cancel-state-preconditions.json"),
    Scenario(f"{H26}/shipping-fulfillments/fulfillment-order-lifecycle.json"),
    Scenario(
        f"{H26}/shipping-fulfillments/fulfillment-service-delete-inventory-action-validation.json",
        existing_locations_only=True,
    ),
    Scenario(
        f"{H26}/shipping-fulfillments/fulfillment-service-delete-transfer.json",
        existing_locations_only=True,
    ),
    Scenario(f"{H26}/storefront/storefront-cart-lifecycle.json"),
    Scenario(f"{H26}/storefront/storefront-catalog-read-after-admin-setup.json"),
    Scenario(f"{H26}/admin-platform/by-id-not-found-read.json"),
    Scenario(f"{H26}/bulk-operations/bulk-operation-run-query-validators.json"),
    Scenario(f"{H26}/bulk-operations/bulk-operation-run-query-user-error-codes.json"),
    Scenario(f"{H26}/bulk-operations/bulk-operations-read-arg-validation.json"),
    Scenario(
        f"{H26}/bulk-operations/bulk-operation-run-query-concurrency-limit.json",
        control=[HOLD_RUNNING],
    ),
    Scenario(
        f"{H25}/bulk-operations/bulk-operation-run-query-operation-in-progress.json",
        control=[HOLD_RUNNING],
    ),
]


# Inventory-surface captures of the same corpus that are not replayed, and why (the report
# lists them, so the suite's reach is stated, not implied).
BULK_HISTORY = (
    "reads bulk operations the shop ran before the capture; a sandbox snapshot holds none"
)
CATALOGUE = (
    "starts with a read of the capture shop's whole location catalogue (locations of other "
    "captures, orders, fulfillment services) that a seed cannot reproduce; the rest follows "
    "location mutations the sandbox does not serve"
)
NOT_INCLUDED = {
    f"{H26}/bulk-operations/bulk-operation-run-query-schema-roots.json": BULK_HISTORY
    + "; its runs are over orders and draftOrders, which the sandbox does not serve",
    f"{H26}/bulk-operations/bulk-operation-root-count-and-search-filters.json": BULK_HISTORY,
    f"{H26}/bulk-operations/bulk-operations-sort-key.json": BULK_HISTORY,
    f"{H26}/bulk-operations/bulk-operations-live-hybrid-base-overlay.json": BULK_HISTORY,
    f"{H26}/bulk-operations/bulk-operation-cancel-preserves-fields.json": (
        "polls a long operation over the capture shop's product catalogue (object counts, "
        "timings); the sandbox serves no products root"
    ),
    f"{H26}/bulk-operations/bulk-operation-status-catalog-cancel.json": (
        "polls long operations over the capture shop's catalogue; no products root in the sandbox"
    ),
    f"{H26}/bulk-operations/bulk-operation-run-mutation-*.json": (
        "bulkOperationRunMutation and staged uploads, which the sandbox does not serve"
    ),
    f"{H25}/products/inventory-path-product-sibling-read.json": (
        "a product read (outside the inventory surface the sandbox emulates)"
    ),
    f"{H25}/products/inventory-transfer-*.json, inventory-shipment-*.json": (
        "inventory transfers and shipments, which the sandbox does not serve"
    ),
    f"{H26}/store-properties/location-edit-fields-and-state-machine.json": CATALOGUE,
    f"{H26}/store-properties/location-delete-state-and-scope.json": CATALOGUE,
    f"{H26}/store-properties/location-deactivate-state-machine.json": CATALOGUE,
    f"{H26}/store-properties/location-activate-non-unique-name.json": (
        "its one read asks for location metafields and settings the sandbox does not emulate"
    ),
    f"{H26}/store-properties/location-add-*.json (metafields, resource limit), "
    "location-activate-limit-and-control.json, location-catalog-overlay-lifecycle.json": (
        "locationAdd/locationEdit/location activation, which the sandbox does not serve, "
        "before every read"
    ),
}
