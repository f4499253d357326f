"""OAuth token/introspect/revoke, session inactivity, API limits and the stats endpoint."""

import base64

import httpx2
import pytest
from org_helpers import V

INVALID_SESSION = [{"message": "Session expired or invalid", "errorCode": "INVALID_SESSION_ID"}]


def _token_body(org, **overrides):
    body = {"grant_type": "client_credentials", "client_id": org.client_id, "client_secret": org.client_secret}
    body.update(overrides)
    return {k: v for k, v in body.items() if v is not None}


def test_token_accepts_http_basic_client_auth(embedded_org):
    """Client id/secret in an HTTP Basic header work like form parameters."""
    basic = base64.b64encode(f"{embedded_org.client_id}:{embedded_org.client_secret}".encode()).decode()
    r = httpx2.post(
        embedded_org.token_url, data={"grant_type": "client_credentials"}, headers={"Authorization": f"Basic {basic}"}
    )
    assert r.status_code == 200
    assert r.json()["token_type"] == "Bearer"
    assert "expires_in" not in r.json() and "refresh_token" not in r.json()


@pytest.mark.parametrize(
    ("overrides", "error"),
    [
        ({"client_secret": "wrong"}, "invalid_client"),
        ({"client_id": "nobody"}, "invalid_client_id"),
        ({"grant_type": "password"}, "unsupported_grant_type"),
        ({"grant_type": None}, "invalid_request"),
    ],
)
def test_token_errors_are_salesforce_shaped(embedded_org, overrides, error):
    """Bad credentials or grant → 400 {error, error_description}."""
    r = httpx2.post(embedded_org.token_url, data=_token_body(embedded_org, **overrides))
    assert r.status_code == 400
    assert set(r.json()) == {"error", "error_description"}
    assert r.json()["error"] == error


def test_unknown_token_gets_invalid_session_id(embedded_org):
    """A token the org never issued → 401 with the exact INVALID_SESSION_ID body."""
    r = httpx2.get(f"{embedded_org.url}{V}/sobjects", headers={"Authorization": "Bearer 00Dxx!nope"})
    assert r.status_code == 401
    assert r.json() == INVALID_SESSION


def test_missing_authorization_header(embedded_org):
    """No Authorization header → 401 INVALID_AUTH_HEADER."""
    r = httpx2.get(f"{embedded_org.url}{V}/sobjects")
    assert r.status_code == 401
    assert r.json()[0]["errorCode"] == "INVALID_AUTH_HEADER"


def test_session_expires_after_inactivity_and_use_extends_it(api, embedded_org):
    """Each use extends the session; idle longer than the timeout → INVALID_SESSION_ID."""
    sessions = embedded_org.state.sessions
    now = [sessions.clock()]
    sessions.clock = lambda: now[0]
    sessions.timeout = 100
    now[0] += 90
    assert api.get(f"{V}/sobjects").status_code == 200
    now[0] += 90
    assert api.get(f"{V}/sobjects").status_code == 200
    now[0] += 101
    r = api.get(f"{V}/sobjects")
    assert (r.status_code, r.json()) == (401, INVALID_SESSION)


def test_revoked_token_is_invalid(api, embedded_org):
    """After /revoke the token answers 401 INVALID_SESSION_ID."""
    token = api.headers["Authorization"].split()[1]
    assert httpx2.post(f"{embedded_org.url}/services/oauth2/revoke", data={"token": token}).status_code == 200
    r = api.get(f"{V}/sobjects")
    assert (r.status_code, r.json()) == (401, INVALID_SESSION)


def test_introspection_reports_exp_then_inactive(api, embedded_org):
    """Introspect: active with exp = last use + timeout; after revoke {"active": false}."""
    token = api.headers["Authorization"].split()[1]
    url = f"{embedded_org.url}/services/oauth2/introspect"
    body = _token_body(embedded_org, grant_type=None, token=token)
    info = httpx2.post(url, data=body).json()
    assert info["active"] is True and info["token_type"] == "access_token"
    assert info["exp"] - info["iat"] == pytest.approx(embedded_org.state.sessions.timeout, abs=5)
    embedded_org.state.sessions.revoke(token)
    assert httpx2.post(url, data=body).json() == {"active": False}


def test_limit_info_counts_and_limit_exceeded(api, embedded_org):
    """Sforce-Limit-Info counts calls; past the daily limit → 403 REQUEST_LIMIT_EXCEEDED."""
    embedded_org.state.limits.limit = 3
    used = [api.get(f"{V}/sobjects").headers["Sforce-Limit-Info"] for _ in range(3)]
    assert used == ["api-usage=1/3", "api-usage=2/3", "api-usage=3/3"]
    r = api.get(f"{V}/sobjects")
    assert r.status_code == 403
    assert r.json() == [{"message": "TotalRequests Limit exceeded.", "errorCode": "REQUEST_LIMIT_EXCEEDED"}]


def test_versions_list_covers_40_to_62_without_auth(embedded_org):
    """GET /services/data/ lists v40.0–v62.0 and needs no token."""
    versions = httpx2.get(f"{embedded_org.url}/services/data/").json()
    assert [v["version"] for v in versions] == [f"{n}.0" for n in range(40, 63)]
    assert versions[-1]["url"] == "/services/data/v62.0"


def test_unsupported_version_is_not_found(api):
    """A version outside v40.0–v62.0 → 404 NOT_FOUND."""
    r = api.get("/services/data/v39.0/sobjects")
    assert r.status_code == 404
    assert r.json()[0]["errorCode"] == "NOT_FOUND"


def test_stats_endpoint_counts_tokens_api_calls_and_records(api, embedded_org):
    """/_org/stats reports token requests, API requests and live records per object."""
    api.post(f"{V}/sobjects/Lead/", json={"LastName": "Stat", "Company": "Stat Co"})
    stats = httpx2.get(f"{embedded_org.url}/_org/stats").json()
    assert stats["token_requests"] == 1
    assert stats["api_requests"] == 1
    assert stats["records"]["Lead"] == 201
    assert stats == embedded_org.stats()
