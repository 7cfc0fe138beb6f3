"""userErrors with Shopify's codes, field paths and messages.

Messages are copied from real Shopify responses where one was recorded (sources in
docs/shopify-inventory-api.md and docs/shopify-captures.md). The few marked UNVERIFIED follow
Shopify's wording pattern but have no recorded response yet; tests pin them so a change is
deliberate.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

VALID_REASONS: tuple[str, ...] = (
    "correction",
    "cycle_count_available",
    "damaged",
    "movement_canceled",
    "movement_created",
    "movement_received",
    "movement_updated",
    "other",
    "promotion",
    "quality_control",
    "received",
    "reservation_created",
    "reservation_deleted",
    "reservation_updated",
    "restock",
    "safety_stock",
    "shrinkage",
)
ADJUSTABLE_NAMES: tuple[str, ...] = (
    "available",
    "damaged",
    "incoming",
    "quality_control",
    "reserved",
    "safety_stock",
)

INVALID_REASON = (
    "The specified reason is invalid. Valid values are: " + ", ".join(VALID_REASONS) + "."
)
INVALID_SET_NAME = "The quantity name must be either 'available' or 'on_hand'."
INVALID_QUANTITY_NAME = (
    "The specified quantity name is invalid. Valid values are: " + ", ".join(ADJUSTABLE_NAMES) + "."
)
INVALID_INVENTORY_ITEM = "The specified inventory item could not be found."
INVALID_LOCATION = "The specified location could not be found."
DUPLICATE_PAIR = "The combination of inventoryItemId and locationId must be unique."
SET_TOO_HIGH = "The quantity can't be higher than 1,000,000,000."
SET_TOO_LOW = "The quantity can't be lower than -1,000,000,000."
NEGATIVE = "The quantity can't be negative."
ADJUST_TOO_HIGH = "The quantity can't be higher than 2,000,000,000."
ADJUST_TOO_LOW = "The quantity can't be lower than -2,000,000,000."
COMPARE_QUANTITY_REQUIRED = (
    "The compareQuantity argument must be given to each quantity or ignored using "
    "ignoreCompareQuantity."
)
# Messages below marked "enum description" have no recorded response; they are the
# description Shopify publishes for the code (shopify.dev enum pages, 2026-01), which is the
# message Shopify returns wherever a response was recorded (MAX_ONE_LEDGER_DOCUMENT,
# INTERNAL_LEDGER_DOCUMENT, DIFFERENT_LOCATIONS, COMPARE_QUANTITY_REQUIRED, ...).
COMPARE_QUANTITY_STALE = "The compareQuantity value does not match persisted value."  # enum desc.
# inventorySetQuantities words its stale error differently from adjust/move/setOnHand.
SET_CHANGE_FROM_QUANTITY_STALE = (
    "The changeFromQuantity value does not match persisted value."  # enum description
)
CHANGE_FROM_QUANTITY_STALE = (
    "The changeFromQuantity argument no longer matches the persisted quantity."  # enum desc.
)
SET_ITEM_NOT_STOCKED = (
    "The specified inventory item is not stocked at the location."  # enum description
)
ITEM_NOT_STOCKED = "The inventory item is not stocked at the location."  # enum description
QUANTITY_DOCUMENT_REQUIRED = "A ledger document URI is required except when adjusting available."
AVAILABLE_DOCUMENT = "A ledger document URI is not allowed when adjusting available."
INTERNAL_LEDGER_DOCUMENT = (
    "Internal (gid://shopify/) ledger documents are not allowed to be adjusted via API."
)
INVALID_LEDGER_DOCUMENT = "The specified ledger document is invalid."  # enum description
MAX_ONE_LEDGER_DOCUMENT = (
    "All changes must have the same ledger document URI or, in the case of adjusting available, "
    "no ledger document URI."
)
MAXIMUM_LEDGER_DOCUMENT_URIS = (
    "Only a maximum of 2 ledger document URIs across all changes is allowed."  # enum desc.
)
INVALID_REFERENCE_DOCUMENT = "The specified reference document is invalid."  # enum description
DIFFERENT_LOCATIONS = "The quantities can't be moved between different locations."
SAME_QUANTITY_NAME = "The quantity names for each change can't be the same."  # enum description

IDEMPOTENCY_CONCURRENT = "This request is currently in progress, please try again."
IDEMPOTENCY_MISMATCH = (
    "The same idempotency key cannot be used with different operation parameters."
)
IDEMPOTENCY_PREVIOUS_FAILED = (
    "A previous request with this idempotency key failed. Retry with a new idempotency key."
)


@dataclass(frozen=True, slots=True)
class UserError:
    """One entry of a payload's ``userErrors``; ``code`` is None for the generic UserError."""

    field: tuple[str, ...] | None
    message: str
    code: str | None = None

    def as_dict(self) -> dict[str, Any]:
        return {
            "field": list(self.field) if self.field is not None else None,
            "message": self.message,
            "code": self.code,
        }

    @staticmethod
    def from_dict(data: dict[str, Any]) -> UserError:
        field = data.get("field")
        return UserError(tuple(field) if field is not None else None, data["message"], data["code"])


def path(*parts: str | int) -> tuple[str, ...]:
    """Shopify writes array indexes in field paths as strings: ["input", "quantities", "0"]."""
    return tuple(str(p) for p in parts)


class Rejected(Exception):
    """Raised inside a mutation's transaction to undo it and answer with these userErrors."""

    def __init__(self, errors: list[UserError]) -> None:
        super().__init__(errors[0].message if errors else "rejected")
        self.errors = errors
