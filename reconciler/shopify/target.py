"""Which store to talk to: a shop domain (https) or a loopback sandbox URL (http)."""

from __future__ import annotations

import ipaddress
import re
from dataclasses import dataclass
from urllib.parse import urlsplit

from reconciler.errors import ConfigError
from reconciler.secrets import Secret, url_credentials

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


class CredentialsInURL(ConfigError):
    """A store URL with ``user:password@``: refused, and its secrets scrubbed while it lives."""

    def __init__(self, shown: str, store: str) -> None:
        super().__init__(
            f"store {shown!r} refused: it carries credentials (user:password@ before the host). "
            "reconciler authenticates with SHOPIFY_ACCESS_TOKEN only and never sends, prints or "
            "stores URL credentials; give the store without them"
        )
        self.secrets = [Secret(value) for value in url_credentials(store)]


def _is_loopback(host: str) -> bool:
    if host in _LOOPBACK_NAMES:
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def _shown(store: str) -> str:
    """The store as messages may show it: any user info masked, never printed."""
    scheme, sep, rest = store.rpartition("://")
    authority_end = min((rest.find(c) for c in "/?#" if c in rest), default=len(rest))
    authority = rest[:authority_end]
    if "@" in authority:
        authority = "***@" + authority.rsplit("@", 1)[1]
    return f"{scheme}{sep}{authority}{rest[authority_end:]}"


def resolve_target(store: str | None, api_version: str | None) -> StoreTarget:
    """Turn --store/SHOPIFY_STORE and --api-version/SHOPIFY_API_VERSION into a target.

    A shop domain means ``https://DOMAIN``; a full ``http://`` URL is allowed only for
    loopback hosts (a sandbox), so a token is never sent in clear over a network. A URL is
    the store's base URL only (reconciler adds ``/admin/api/<version>/graphql.json``): a path,
    query or fragment is refused for http and https alike rather than silently dropped. URLs
    carrying credentials (``user:password@``) are refused without echoing them: the token
    is the only credential reconciler sends.
    """
    version = api_version or DEFAULT_VERSION
    if version not in SUPPORTED_VERSIONS:
        raise ConfigError(
            f"API version {version!r} is not supported; use one of {', '.join(SUPPORTED_VERSIONS)}"
        )
    if not store or not store.strip():
        raise ConfigError("no store given: pass --store or set SHOPIFY_STORE")
    store = store.strip()
    shown = _shown(store)
    authority = store.split("://", 1)[-1].split("/", 1)[0].split("?", 1)[0].split("#", 1)[0]
    if "@" in authority:
        raise CredentialsInURL(shown, store)
    if "://" not in store:
        domain = store.rstrip("/")
        if not _SHOP_RE.match(domain):
            raise ConfigError(
                f"store {shown!r} is not a shop domain like 'my-shop.myshopify.com' "
                "(or an http://127.0.0.1:PORT sandbox URL)"
            )
        return StoreTarget(f"https://{domain}", version)
    parts = urlsplit(store)
    try:
        host, _ = parts.hostname or "", parts.port
    except ValueError:
        raise ConfigError(f"store URL {shown!r} has an invalid port") from None
    base = f"{parts.scheme}://{parts.netloc}"
    if parts.scheme not in ("http", "https") or not host:
        raise ConfigError(
            f"store URL {shown!r} refused: use the shop domain (my-shop.myshopify.com) or a "
            "loopback sandbox URL (http://127.0.0.1:PORT)"
        )
    if parts.path not in ("", "/") or parts.query or parts.fragment:
        raise ConfigError(
            f"store URL {shown!r} must be the store's base URL, without a path, query or "
            f"fragment (reconciler adds /admin/api/<version>/graphql.json itself): use {base}"
        )
    if parts.scheme == "https" or _is_loopback(host):
        return StoreTarget(base, version)
    raise ConfigError(
        f"store URL {shown!r} refused: plain http is only allowed for a loopback sandbox "
        "(http://127.0.0.1:PORT); use the shop domain for a real store"
    )
