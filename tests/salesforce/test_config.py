"""Settings validation for the org, API usage parsing and masking."""

from __future__ import annotations

import pytest
from fake_org import fake_settings

from service.errors import ConfigError
from service.salesforce.config import mask, normalize_domain, org_config
from service.salesforce.limits import parse_limit_info
from service.settings import Settings


@pytest.mark.parametrize("host", ["https://login.salesforce.com", "test.salesforce.com/"])
def test_login_hosts_refused(host: str) -> None:
    """login/test hosts are refused with the reason (client credentials need My Domain)."""
    with pytest.raises(ConfigError, match="My Domain"):
        normalize_domain(host)


def test_http_refused_except_loopback() -> None:
    """Plain http is refused for remote hosts and allowed on loopback."""
    with pytest.raises(ConfigError, match="https"):
        normalize_domain("http://acme.my.salesforce.com")
    assert normalize_domain("http://127.0.0.1:8766/") == "http://127.0.0.1:8766"
    assert normalize_domain("http://localhost:1") == "http://localhost:1"


def test_bare_host_gets_https() -> None:
    """A bare My Domain host becomes an https URL."""
    assert normalize_domain("acme.my.salesforce.com") == "https://acme.my.salesforce.com"


def test_partial_real_org_settings_refused() -> None:
    """Setting only some SF_* values is a config error naming the missing ones."""
    with pytest.raises(ConfigError, match="SF_CLIENT_SECRET"):
        org_config(Settings(_env_file=None, sf_domain="https://acme.my.salesforce.com", sf_client_id="x"))


def test_embedded_org_without_sf_settings() -> None:
    """With no SF_* the embedded org on loopback is used."""
    config = org_config(Settings(_env_file=None))
    assert config.embedded and config.domain.startswith("http://127.0.0.1")


def test_version_normalised() -> None:
    """API versions are normalised to vNN.N."""
    assert org_config(fake_settings(sf_api_version="58")).api_version == "v58.0"


def test_config_repr_masks_secret() -> None:
    """The org config's repr shows no secret."""
    config = org_config(fake_settings())
    assert config.client_secret.get_secret_value() not in repr(config)


def test_mask_short_and_long() -> None:
    """mask() never shows more than four characters."""
    assert mask(None) == "<none>" and mask("short") == "***"
    assert mask("00Dabcdefghijklmnop") == "00Da…(19 chars)"


def test_limit_info_parsed() -> None:
    """Sforce-Limit-Info with and without the per-app part."""
    usage = parse_limit_info("api-usage=51/100000, per-app-api-usage=17/250(appName=sample-app)")
    assert usage is not None and (usage.used, usage.limit, usage.app_used, usage.app_name) == (
        51,
        100000,
        17,
        "sample-app",
    )
    assert parse_limit_info(None) is None and parse_limit_info("garbage") is None
