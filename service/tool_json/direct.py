"""The seed's three direct-to-Salesforce tools (for admins who don't run the gateway).

Texts are the seed's, verbatim: for the seed's placeholder domain and `v58.0` the UI rendering equals
the seed's tool JSON key for key. Authorization is an ElevenLabs Workplace Auth Connection that the
admin attaches in the dashboard, as the seed says, so no secret appears here.
"""

from __future__ import annotations

from service.tool_json.spec import Body, Header, Param, ToolSpec

SEED_DOMAIN = "https://your-domain.my.salesforce.com"
SEED_API_VERSION = "v58.0"
SEED_TIMEOUT = 30

_OBJECT_TYPE = "The Salesforce object type (Contact, Lead, Account, Opportunity, etc.)"
_CONTENT_TYPE = (Header("Content-Type", "value", "application/json"),)


def _p(name: str, description: str, required: bool = True) -> Param:
    return Param(name=name, description=description, required=required)


def direct_tools(domain: str = SEED_DOMAIN, api_version: str = SEED_API_VERSION) -> tuple[ToolSpec, ...]:
    """Search, get and create tools that call `{domain}/services/data/{api_version}` directly."""
    rest = f"{domain.rstrip('/')}/services/data/{api_version}"
    search = ToolSpec(
        name="salesforce_search_records",
        description=(
            "Searches for existing records in Salesforce using SOQL queries. "
            "Always returns human-readable names and details, not just IDs."
        ),
        url=f"{rest}/query/",
        method="GET",
        headers=_CONTENT_TYPE,
        query_params=(
            _p(
                "q",
                "SOQL query string to search for records. Always include Name fields and other human-readable "
                "information. Example: SELECT Id, Name, Email, Phone, Company FROM Contact WHERE Email = "
                "'customer@example.com'. For Opportunities, include: SELECT Id, Name, StageName, Amount, "
                "CloseDate, Account.Name FROM Opportunity",
            ),
        ),
        response_timeout_secs=SEED_TIMEOUT,
    )
    get = ToolSpec(
        name="salesforce_get_record",
        description="Retrieves detailed information about a specific Salesforce record.",
        url=f"{rest}/sobjects/{{object_type}}/{{record_id}}",
        method="GET",
        headers=_CONTENT_TYPE,
        path_params=(
            _p("object_type", _OBJECT_TYPE),
            _p("record_id", "The unique Salesforce record ID obtained from search results"),
        ),
        response_timeout_secs=SEED_TIMEOUT,
    )
    create = ToolSpec(
        name="salesforce_create_record",
        description="Creates a new record in Salesforce (Lead, Contact, Account, Opportunity, etc.)",
        url=f"{rest}/sobjects/{{object_type}}/",
        method="POST",
        headers=_CONTENT_TYPE,
        path_params=(
            _p("object_type", "The Salesforce object type to create (Lead, Contact, Account, Opportunity, etc.)"),
        ),
        body=Body(
            name="record_data",
            description="Record data for the new Salesforce record",
            properties=(
                _p("FirstName", "First name of the contact or lead", required=False),
                _p("LastName", "Last name of the contact or lead"),
                _p("Email", "Email address. Must be properly formatted: user@domain.com"),
                _p("Phone", "Phone number of the contact or lead", required=False),
                _p("Company", "Company name (required for Lead object)", required=False),
                _p("Title", "Job title of the contact or lead", required=False),
                _p("Industry", "Industry of the lead's company", required=False),
                _p("Description", "Additional notes or description about the lead/contact", required=False),
            ),
        ),
        response_timeout_secs=SEED_TIMEOUT,
    )
    return search, get, create
