"""Deterministic demo data for the embedded org.

`seed_store(store, seed=42, records=None)` loads users, ≥ 60 accounts, 200 contacts, 200 leads,
100 opportunities and 30 cases (or `records` leads and contacts each, for benchmarks). The same
seed gives the same records; only timestamps move with the day the seed runs (some opportunities
are always created this month). Records the seed guide's five common queries look for:
Contact and Lead `customer@example.com`, a Lead with phone `+1234567890`, the account
`Company Name Inc.` with opportunities, `jane.doe@acme.com` at Acme Corporation, a Contact O'Brien.
"""

from __future__ import annotations

import random
from datetime import UTC, datetime, timedelta
from typing import Any

from service.org.ids import INTEGRATION_USER_ID, make_id
from service.org.records import STAGES, defaults
from service.org.store import Store, sf_datetime
from service.schema import SObject

FIRST = (
    "James",
    "Mary",
    "Robert",
    "Patricia",
    "John",
    "Jennifer",
    "Michael",
    "Linda",
    "David",
    "Elizabeth",
    "William",
    "Barbara",
    "Richard",
    "Susan",
    "Joseph",
    "Jessica",
    "Thomas",
    "Sarah",
    "Carlos",
    "Aisha",
    "Wei",
    "Priya",
    "Hiro",
    "Fatima",
    "Lucas",
    "Sofia",
    "Mateo",
    "Amara",
    "Noah",
    "Olivia",
)
LAST = (
    "Smith",
    "Johnson",
    "Williams",
    "Brown",
    "Jones",
    "Garcia",
    "Miller",
    "Davis",
    "Rodriguez",
    "Martinez",
    "Hernandez",
    "Lopez",
    "Gonzalez",
    "Wilson",
    "Anderson",
    "Thomas",
    "Taylor",
    "Moore",
    "Jackson",
    "Martin",
    "Lee",
    "Perez",
    "Thompson",
    "White",
    "Harris",
    "Sanchez",
    "Clark",
    "Ramirez",
    "Lewis",
    "Robinson",
)
WORDS = (
    "Global",
    "Pacific",
    "Summit",
    "Blue",
    "Silver",
    "Northern",
    "Bright",
    "Urban",
    "Prime",
    "Green",
    "Atlas",
    "Pioneer",
    "Vertex",
    "Harbor",
    "Crescent",
    "Redwood",
    "Quantum",
    "Evergreen",
    "Granite",
    "Nova",
)
NOUNS = ("Systems", "Media", "Logistics", "Foods", "Energy", "Health", "Labs", "Dynamics", "Partners", "Works")
SUFFIX = ("Inc.", "LLC", "Ltd", "Group", "Corp.")
CITIES = (
    ("San Francisco", "CA"),
    ("Austin", "TX"),
    ("New York", "NY"),
    ("Chicago", "IL"),
    ("Seattle", "WA"),
    ("Boston", "MA"),
    ("Denver", "CO"),
    ("Atlanta", "GA"),
)
TITLES = ("CEO", "CFO", "VP Sales", "Director of Operations", "IT Manager", "Buyer", "Office Manager", "Engineer")
USERS = (("Integration", "User"), ("Alex", "Morgan"), ("Priya", "Shah"), ("Sam", "Lee"), ("Jordan", "Diaz"))


class _Maker:
    """Builds full records with the org's defaults, fast (one default template per object)."""

    def __init__(self, store: Store, now: datetime) -> None:
        self.store = store
        self.now = now
        self._templates: dict[str, dict[str, Any]] = {}

    def record(self, obj: SObject, values: dict[str, Any], created: datetime) -> dict[str, Any]:
        if obj.name not in self._templates:
            self._templates[obj.name] = defaults(obj, {}, sf_datetime(self.now))
        stamp = sf_datetime(created)
        rec = {**self._templates[obj.name], **values, "CreatedDate": stamp, "LastModifiedDate": stamp}
        if "SystemModstamp" in rec:
            rec["SystemModstamp"] = stamp
        if obj.name in ("Contact", "Lead", "User"):
            rec["Name"] = " ".join(p for p in (rec.get("FirstName"), rec.get("LastName")) if p)
        return rec


def seed_store(store: Store, *, seed: int = 42, records: int | None = None) -> dict[str, int]:
    """Load the demo data set into an empty store; returns how many records each object got."""
    rng = random.Random(seed)
    now = datetime.now(UTC).replace(microsecond=0)
    make = _Maker(store, now)
    schema = store.schema
    user, account, contact, lead = (schema.objects[n] for n in ("User", "Account", "Contact", "Lead"))
    opp, case = schema.objects["Opportunity"], schema.objects["Case"]

    def ago(max_days: int) -> datetime:
        return now - timedelta(days=rng.randint(1, max_days), seconds=rng.randint(0, 86_399))

    users = []
    for i, (first, last) in enumerate(USERS, start=1):
        alias = (first[0] + last)[:8].lower()
        users.append(
            make.record(
                user,
                {
                    "Id": make_id("005", i),
                    "FirstName": first,
                    "LastName": last,
                    "Username": f"{alias}@embedded-org.example",
                    "Email": f"{alias}@embedded-org.example",
                    "Alias": alias,
                    "IsActive": True,
                    "Title": "Sales",
                },
                now - timedelta(days=400),
            )
        )
    users[0]["Title"] = "Integration"
    owner_ids = [u["Id"] for u in users[1:]]
    store.insert_many(user, users)

    industries = account.fields["Industry"].picklist_values
    n_accounts = max(60, (records or 0) // 10)
    specials = [("Acme Corporation", "Technology"), ("Acme", "Manufacturing"), ("Company Name Inc.", "Consulting")]
    accounts = []
    # Distinct names an agent can say ("Silver Dynamics Inc."); numbered only once the combinations run out.
    names = [f"{w} {n} {s}" for w in WORDS for n in NOUNS for s in SUFFIX]
    rng.shuffle(names)
    for i in range(n_accounts):
        j = i - len(specials)
        generated = names[j % len(names)] + (f" {j // len(names) + 1}" if j >= len(names) else "")
        name, industry = specials[i] if i < len(specials) else (generated, rng.choice(industries))
        city, state = rng.choice(CITIES)
        accounts.append(
            make.record(
                account,
                {
                    "Name": name,
                    "Industry": industry,
                    "Type": rng.choice(("Prospect", "Customer - Direct", "Customer - Channel", "Other")),
                    "Phone": f"+1415555{i:04d}",
                    "BillingCity": city,
                    "BillingState": state,
                    "Website": f"https://www.example{i}.com",
                    "OwnerId": rng.choice(owner_ids),
                    "NumberOfEmployees": rng.randint(5, 5000),
                    "AnnualRevenue": float(rng.randint(1, 500) * 100_000),
                },
                ago(700),
            )
        )
    account_ids = store.insert_many(account, accounts)

    n_people = records or 200
    contacts = []
    for i in range(n_people):
        first, last = rng.choice(FIRST), rng.choice(LAST)
        values = {
            "FirstName": first,
            "LastName": last,
            "Email": f"{first}.{last}{i}@example.org".lower(),
            "Phone": f"+1212555{i % 10_000:04d}",
            "Title": rng.choice(TITLES),
            "AccountId": rng.choice(account_ids) if rng.random() < 0.9 else None,
            "OwnerId": rng.choice(owner_ids),
            "LeadSource": rng.choice(("Web", "Phone Inquiry", "Other")),
        }
        if i == 0:
            values.update(
                FirstName="Casey", LastName="Customer", Email="customer@example.com", AccountId=account_ids[2]
            )
        elif i == 1:
            values.update(FirstName="Jane", LastName="Doe", Email="jane.doe@acme.com", AccountId=account_ids[0])
        elif i == 2:
            values.update(
                FirstName="Conor", LastName="O'Brien", Email="conor.obrien@acme.com", AccountId=account_ids[1]
            )
        contacts.append(make.record(contact, values, ago(500)))
    store.insert_many(contact, contacts)

    statuses = lead.fields["Status"].picklist_values
    leads = []
    for i in range(n_people):
        first, last = rng.choice(FIRST), rng.choice(LAST)
        values = {
            "FirstName": first,
            "LastName": last,
            "Email": f"{first}.{last}.lead{i}@example.net".lower(),
            "Phone": f"+1312555{i % 10_000:04d}",
            "Company": f"{rng.choice(WORDS)} {rng.choice(NOUNS)}",
            "Title": rng.choice(TITLES),
            "Status": rng.choice(statuses),
            "Industry": rng.choice(industries),
            "LeadSource": rng.choice(("Web", "Phone Inquiry", "Partner Referral", "Other")),
            "OwnerId": rng.choice(owner_ids),
        }
        if i == 0:
            values.update(
                FirstName="Casey",
                LastName="Customer",
                Email="customer@example.com",
                Company="Company Name Inc.",
                Status="Open - Not Contacted",
            )
        elif i == 1:
            values.update(
                FirstName="Pat",
                LastName="Caller",
                Phone="+1234567890",
                Company="Caller Co",
                Email="pat.caller@example.net",
            )
        leads.append(make.record(lead, values, ago(120)))
    store.insert_many(lead, leads)

    month_start = now.replace(day=1, hour=0, minute=0, second=0)
    opps = []
    for i in range(100):
        stage = rng.choice(tuple(STAGES))
        probability, category, closed, won = STAGES[stage]
        created = month_start + (now - month_start) * rng.random() if i < 20 else ago(300)
        amount = float(rng.randint(5, 500) * 1000)
        close = (created + timedelta(days=rng.randint(10, 120))).date()
        values = {
            "Name": f"Deal {i + 1}",
            "StageName": stage,
            "Amount": amount,
            "CloseDate": close.isoformat(),
            "AccountId": account_ids[2] if i % 25 == 0 else rng.choice(account_ids),
            "OwnerId": rng.choice(owner_ids),
            "Probability": probability,
            "ForecastCategoryName": category,
            "IsClosed": closed,
            "IsWon": won,
            "ExpectedRevenue": amount * probability / 100,
            "NextStep": rng.choice(("Send proposal", "Schedule demo", None)),
            "Description": "Demo opportunity",
        }
        opps.append(make.record(opp, values, created))
    store.insert_many(opp, opps)

    cases = []
    contact_ids = [c["Id"] for c in store_ids(store, contact, 30)]
    for i in range(30):
        status = rng.choice(("New", "Working", "Escalated", "Closed"))
        number, case_id = store.new_id(case)
        cases.append(
            make.record(
                case,
                {
                    "Id": case_id,
                    "CaseNumber": f"{1000 + number:08d}",
                    "Subject": f"Issue {i + 1}: {rng.choice(NOUNS)}",
                    "Status": status,
                    "IsClosed": status == "Closed",
                    "Priority": rng.choice(("High", "Medium", "Low")),
                    "Origin": rng.choice(("Phone", "Email", "Web")),
                    "ContactId": contact_ids[i % len(contact_ids)],
                    "AccountId": rng.choice(account_ids),
                    "OwnerId": rng.choice(owner_ids),
                },
                ago(90),
            )
        )
    store.insert_many(case, cases)
    store.analyze()
    return store.counts()


def store_ids(store: Store, obj: SObject, limit: int) -> list[dict[str, str]]:
    """The first `limit` ids of an object."""
    return [{"Id": r[0]} for r in store.execute(f'SELECT Id FROM "{obj.name}" ORDER BY rowid LIMIT ?', (limit,))]


__all__ = ["INTEGRATION_USER_ID", "seed_store"]
