"""A local, faithful Shopify Admin GraphQL server for inventory (the sandbox store).

It imports nothing else of ``reconciler``: the client must never know the difference, so
the sandbox is built as if it were Shopify, from Shopify's own schema.
"""

from .server import DEFAULT_TOKEN, Sandbox, SandboxApp
from .snapshot import SnapshotError
from .versions import LATEST_VERSION, SUPPORTED_VERSIONS, VERSIONS

__all__ = [
    "DEFAULT_TOKEN",
    "LATEST_VERSION",
    "SUPPORTED_VERSIONS",
    "VERSIONS",
    "Sandbox",
    "SandboxApp",
    "SnapshotError",
]
