"""Which store to talk to: a shop domain (https) or a loopback sandbox URL (http)."""

from __future__ import annotations

import ipaddress
import re
from dataclasses import dataclass
from urllib.parse import urlsplit

from reconciler.errors import ConfigError

# Every version the sandbox carries; Shopify itself supports four at a time and answers the
# others with its oldest supported one (the client then stops: see ShopifyClient._check_version).
SUPPORTED_VERSIONS: tuple[str, ...] = (
    "2025-01",
    "2025-10",
    "2026-01",
    "2026-04",
    "2026-07",
    "2026-10",
)
DEFAULT_VERSION = "2026-10"
_SHOP_RE = re.compile(r"^[a-z0-9][a-z0-9-]*\.myshopify\.com$")
_LOOPBACK_NAMES = ("localhost",)


@dataclass(frozen=True, slots=True)
class StoreTarget:
    """A store's base URL and the API version every request names."""

    base_url: str
    api_version: str

    @property
    def endpoint(self) -> str:
        return f"{self.base_url}/admin/api/{self.api_version}/graphql.json"

    @property
    def name(self) -> str:
        """How plans and history name the store (host, and port for a sandbox)."""
        return urlsplit(self.base_url).netloc


def _is_loopback(host: str) -> bool:
    if host in _LOOPBACK_NAMES:
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def resolve_target(store: str | None, api_version: str | None) -> StoreTarget:
    """Turn --store/SHOPIFY_STORE and --api-version/SHOPIFY_API_VERSION into a target.

    A shop domain means ``https://DOMAIN``; a full ``http://`` URL is allowed only for
    loopback hosts (a sandbox), so a token is never sent in clear over a network.
    """
    version = api_version or DEFAULT_VERSION
    if version not in SUPPORTED_VERSIONS:
        raise ConfigError(
            f"API version {version!r} is not supported; use one of {', '.join(SUPPORTED_VERSIONS)}"
        )
    if not store:
        raise ConfigError("no store given: pass --store or set SHOPIFY_STORE")
    store = store.strip().rstrip("/")
    if "://" not in store:
        if not _SHOP_RE.match(store):
            raise ConfigError(
                f"store {store!r} is not a shop domain like 'my-shop.myshopify.com' "
                "(or an http://127.0.0.1:PORT sandbox URL)"
            )
        return StoreTarget(f"https://{store}", version)
    parts = urlsplit(store)
    host = parts.hostname or ""
    if parts.scheme == "https" and host:
        if parts.path not in ("", "/"):
            raise ConfigError(f"store URL {store!r} must not contain a path")
        return StoreTarget(f"https://{parts.netloc}", version)
    if parts.scheme == "http" and _is_loopback(host):
        return StoreTarget(f"http://{parts.netloc}", version)
    raise ConfigError(
        f"store URL {store!r} refused: plain http is only allowed for a loopback sandbox "
        "(http://127.0.0.1:PORT); use the shop domain for a real store"
    )
