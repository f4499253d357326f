"""Which org the client talks to, validated once, plus masking for anything secret.

`org_config(settings)` turns `Settings` into an `OrgConfig`: the real org when any `SF_*` is set
(My Domain URL required, https unless loopback, login/test hosts refused with the reason), else the
embedded org on `ORG_HOST:ORG_PORT` with its dev credentials.
"""

from __future__ import annotations

import ipaddress
from dataclasses import dataclass, field
from urllib.parse import urlsplit

from pydantic import SecretStr

from service.errors import ConfigError
from service.settings import Settings

_GENERIC_LOGIN_HOSTS = ("login.salesforce.com", "test.salesforce.com")
_WRONG_HOST_SUFFIXES = (".salesforce-setup.com", ".lightning.force.com")


def mask(secret: str | None) -> str:
    """A printable stand-in for a token or secret: never more than 4 leading characters."""
    if not secret:
        return "<none>"
    if len(secret) < 12:
        return "***"
    return f"{secret[:4]}…({len(secret)} chars)"


def is_loopback(host: str) -> bool:
    """True for localhost and loopback IPs (the only hosts allowed over plain http)."""
    if host == "localhost" or host.endswith(".localhost"):
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def normalize_domain(raw: str) -> str:
    """Check an `SF_DOMAIN` value and return it as `scheme://host[:port]` (no path, no slash)."""
    value = raw.strip().rstrip("/")
    if "://" not in value:
        value = "https://" + value
    parts = urlsplit(value)
    host = (parts.hostname or "").lower()
    if not host:
        raise ConfigError(f"SF_DOMAIN {raw!r} has no host; use your My Domain URL, e.g. https://acme.my.salesforce.com")
    if host in _GENERIC_LOGIN_HOSTS:
        raise ConfigError(
            f"SF_DOMAIN is {host}: the client-credentials flow only works on your org's My Domain host "
            "(Salesforce answers 'request not supported on this domain'); use https://<MyDomain>.my.salesforce.com"
        )
    if host.endswith(_WRONG_HOST_SUFFIXES):
        raise ConfigError(
            f"SF_DOMAIN is a Setup/Lightning host ({host}); use the My Domain host ending in .my.salesforce.com"
        )
    if parts.scheme == "http" and not is_loopback(host):
        raise ConfigError(f"SF_DOMAIN must use https (plain http is only allowed on loopback), got {raw!r}")
    if parts.scheme not in ("http", "https"):
        raise ConfigError(f"SF_DOMAIN must be an https URL, got {raw!r}")
    return f"{parts.scheme}://{parts.netloc}"


@dataclass(frozen=True)
class OrgConfig:
    """Where and how to authenticate; `repr` masks the secret."""

    domain: str
    client_id: str
    client_secret: SecretStr = field(repr=False)
    api_version: str
    client_auth: str
    embedded: bool

    @property
    def token_url(self) -> str:
        return f"{self.domain}/services/oauth2/token"

    @property
    def introspect_url(self) -> str:
        return f"{self.domain}/services/oauth2/introspect"

    def __repr__(self) -> str:
        return (
            f"OrgConfig(domain={self.domain!r}, client_id={mask(self.client_id)!r}, "
            f"client_secret='***', api_version={self.api_version!r}, embedded={self.embedded})"
        )


def normalize_version(raw: str) -> str:
    """`58.0`, `v58` or `v58.0` → `v58.0`."""
    value = raw.strip().lstrip("vV")
    if "." not in value:
        value += ".0"
    try:
        float(value)
    except ValueError as exc:
        raise ConfigError(f"SF_API_VERSION {raw!r} is not a version like v58.0") from exc
    return "v" + value


def org_config(settings: Settings) -> OrgConfig:
    """The org to use: the real one when any SF_* is set (all three required), else the embedded one."""
    version = normalize_version(settings.sf_api_version)
    if settings.uses_embedded_org:
        return OrgConfig(
            domain=f"http://{settings.org_host}:{settings.org_port}",
            client_id=settings.org_client_id,
            client_secret=settings.org_client_secret,
            api_version=version,
            client_auth=settings.sf_client_auth,
            embedded=True,
        )
    missing = [
        name
        for name, value in (
            ("SF_DOMAIN", settings.sf_domain),
            ("SF_CLIENT_ID", settings.sf_client_id),
            ("SF_CLIENT_SECRET", settings.sf_client_secret),
        )
        if not value
    ]
    if missing:
        raise ConfigError(
            f"{', '.join(missing)} not set: a real org needs SF_DOMAIN, SF_CLIENT_ID and SF_CLIENT_SECRET "
            "(or unset all three to use the embedded org)"
        )
    assert settings.sf_domain and settings.sf_client_id and settings.sf_client_secret
    return OrgConfig(
        domain=normalize_domain(settings.sf_domain),
        client_id=settings.sf_client_id,
        client_secret=settings.sf_client_secret,
        api_version=version,
        client_auth=settings.sf_client_auth,
        embedded=False,
    )
