"""SalesforceClient behaviour against the fake org: paging, get, create, retries, 401 handling."""

from __future__ import annotations

import asyncio

import httpx2
import pytest
from fake_org import FakeOrg

from service.deadline import Deadline
from service.errors import (
    DeadlineExceeded,
    InputError,
    MalformedRequest,
    OutcomeUnknown,
    RecordNotFound,
    SalesforceAuthError,
    UnknownObject,
)
from service.salesforce import ApiUsage, SalesforceClient, TokenManager

SF = tuple[TokenManager, SalesforceClient]
LIMIT_EXCEEDED = (403, [{"message": "TotalRequests Limit exceeded.", "errorCode": "REQUEST_LIMIT_EXCEEDED"}])


def soon() -> Deadline:
    return Deadline.after(5)


async def test_query_follows_pages(fake_org: FakeOrg, sf: SF) -> None:
    """query() follows nextRecordsUrl until done."""
    fake_org.page_size = 2
    result = await sf[1].query("SELECT Id FROM Contact", deadline=soon())
    assert (result.total_size, result.done, len(result.records), result.next_records_url) == (5, True, 5, None)
    assert fake_org.api_requests == 3


async def test_query_cap_stops_paging(fake_org: FakeOrg, sf: SF) -> None:
    """max_records stops paging and reports where the rest starts."""
    fake_org.page_size = 2
    result = await sf[1].query("SELECT Id FROM Contact", deadline=soon(), max_records=3)
    assert len(result.records) == 3 and not result.done
    assert result.next_records_url and result.next_records_url.startswith("/services/data/v58.0/query/")
    assert fake_org.api_requests == 2


async def test_get_with_fields(sf: SF) -> None:
    """get() returns the record with only the requested fields."""
    record = await sf[1].get("Contact", "0035g00000Ab001AAA", ["LastName"], deadline=soon())
    assert record["LastName"] == "Person1" and "Email" not in record


async def test_get_not_found(sf: SF) -> None:
    """A 404 NOT_FOUND becomes RecordNotFound keeping the errorCode."""
    with pytest.raises(RecordNotFound) as info:
        await sf[1].get("Contact", "0035g00000Ab999AAA", deadline=soon())
    assert info.value.error_code == "NOT_FOUND"


async def test_get_rejects_bad_id_and_object(sf: SF) -> None:
    """Ids and object names that could not be Salesforce's are refused before any request."""
    with pytest.raises(InputError):
        await sf[1].get("Contact", "../limits", deadline=soon())
    with pytest.raises(UnknownObject):
        await sf[1].get("Contact/../x", "0035g00000Ab001AAA", deadline=soon())


async def test_create_returns_id(fake_org: FakeOrg, sf: SF) -> None:
    """create() returns the new id from the 201 answer."""
    new_id = await sf[1].create("Contact", {"LastName": "Ng"}, deadline=soon())
    assert fake_org.created[new_id] == {"LastName": "Ng"}


async def test_create_required_field_missing(sf: SF) -> None:
    """REQUIRED_FIELD_MISSING keeps the fields list."""
    with pytest.raises(MalformedRequest) as info:
        await sf[1].create("Contact", {"FirstName": "A"}, deadline=soon())
    assert info.value.fields == ["LastName"] and info.value.error_code == "REQUIRED_FIELD_MISSING"


async def test_create_lost_answer_is_outcome_unknown(fake_org: FakeOrg, sf: SF) -> None:
    """A create whose answer times out raises OutcomeUnknown and is not retried."""
    await sf[0].start()
    fake_org.api_faults.append(httpx2.ReadTimeout("lost"))
    with pytest.raises(OutcomeUnknown):
        await sf[1].create("Contact", {"LastName": "Ng"}, deadline=soon())
    assert fake_org.api_requests == 1


async def test_create_connect_error_is_retried(fake_org: FakeOrg, sf: SF) -> None:
    """A create that never reached the server (connect error) is safe to retry."""
    await sf[0].start()
    fake_org.api_faults.append(httpx2.ConnectError("refused"))
    assert await sf[1].create("Contact", {"LastName": "Ng"}, deadline=soon())
    assert len(fake_org.created) == 1


async def test_read_reset_is_retried(fake_org: FakeOrg, sf: SF) -> None:
    """A read that lost its connection is retried within the deadline."""
    fake_org.api_faults.append(httpx2.ReadError("reset"))
    assert (await sf[1].query("SELECT Id FROM Contact", deadline=soon())).total_size == 5


async def test_401_refreshes_and_retries_once(fake_org: FakeOrg, sf: SF) -> None:
    """A revoked token: one refetch, the call succeeds."""
    await sf[0].start()
    fake_org.revoke_all()
    assert (await sf[1].query("SELECT Id FROM Contact", deadline=soon())).total_size == 5
    assert fake_org.token_requests == 2


async def test_revoked_mid_burst_one_refetch(fake_org: FakeOrg, sf: SF) -> None:
    """Token revoked in the middle of a 200-call burst: exactly one refetch, all succeed."""
    await sf[0].start()

    async def call(i: int) -> int:
        if i == 100:
            fake_org.revoke_all()
        return (await sf[1].query("SELECT Id FROM Contact", deadline=soon())).total_size

    results = await asyncio.gather(*[call(i) for i in range(200)])
    assert results == [5] * 200
    assert fake_org.token_requests == 2


async def test_persistent_401_is_auth_error(fake_org: FakeOrg, sf: SF) -> None:
    """A 401 that persists: one refetch, then an auth error; token endpoint hit at most twice."""
    fake_org.always_401 = True
    with pytest.raises(SalesforceAuthError):
        await sf[1].query("SELECT Id FROM Contact", deadline=soon())
    assert fake_org.token_requests == 2
    assert fake_org.api_requests == 2


async def test_request_limit_retried(fake_org: FakeOrg, sf: SF) -> None:
    """REQUEST_LIMIT_EXCEEDED is retried with backoff inside the deadline."""
    fake_org.api_faults.extend([LIMIT_EXCEEDED, (503, "unavailable")])
    assert (await sf[1].query("SELECT Id FROM Contact", deadline=soon())).total_size == 5
    assert fake_org.api_requests == 3


async def test_limit_until_deadline(fake_org: FakeOrg, sf: SF) -> None:
    """When the limit persists past the deadline, DeadlineExceeded is raised."""
    await sf[0].start()
    fake_org.api_faults.extend([LIMIT_EXCEEDED] * 100)
    with pytest.raises(DeadlineExceeded):
        await sf[1].query("SELECT Id FROM Contact", deadline=Deadline.after(0.3))


async def test_expired_deadline_makes_no_request(fake_org: FakeOrg, sf: SF) -> None:
    """A deadline already spent raises DeadlineExceeded without calling the API."""
    await sf[0].start()
    with pytest.raises(DeadlineExceeded):
        await sf[1].query("SELECT Id FROM Contact", deadline=Deadline.after(0))
    assert fake_org.api_requests == 0


async def test_describe_is_cached(fake_org: FakeOrg, sf: SF) -> None:
    """describe() is fetched once within its TTL."""
    first = await sf[1].describe("Contact", deadline=soon())
    assert await sf[1].describe("contact", deadline=soon()) == first
    assert fake_org.api_requests == 1


async def test_api_usage_recorded(sf: SF) -> None:
    """Sforce-Limit-Info is parsed after each call."""
    limits = await sf[1].limits(deadline=soon())
    assert limits["DailyApiRequests"]["Max"] == 100000
    usage = sf[1].api_usage
    assert isinstance(usage, ApiUsage) and usage.limit == 100000 and usage.used > 0


async def test_malformed_query(sf: SF) -> None:
    """MALFORMED_QUERY maps to MalformedRequest keeping Salesforce's message."""
    with pytest.raises(MalformedRequest) as info:
        await sf[1].query("SELEKT Id FROM Contact", deadline=soon())
    assert info.value.sf_message == "unexpected token: SELEKT"


async def test_create_502_is_outcome_unknown(fake_org: FakeOrg, sf: SF) -> None:
    """A create answered by a proxy's 502 may have happened: OutcomeUnknown, no retry."""
    await sf[0].start()
    fake_org.api_faults.append((502, "<html>Bad Gateway</html>"))
    with pytest.raises(OutcomeUnknown):
        await sf[1].create("Contact", {"LastName": "Ng"}, deadline=soon())
    assert fake_org.api_requests == 1


async def test_create_limit_exceeded_retried(fake_org: FakeOrg, sf: SF) -> None:
    """A create refused with REQUEST_LIMIT_EXCEEDED was not applied, so it is retried."""
    await sf[0].start()
    fake_org.api_faults.append(LIMIT_EXCEEDED)
    assert await sf[1].create("Contact", {"LastName": "Ng"}, deadline=soon())
    assert len(fake_org.created) == 1 and fake_org.api_requests == 2
