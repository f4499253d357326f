"""Loose picklist matching: case, spacing, punctuation and common spoken synonyms."""

from __future__ import annotations

import re

# Normalised spoken form → the standard value it means (only used when that value is offered).
SYNONYMS: dict[str, str] = {
    # LeadSource
    "phone": "Phone Inquiry",
    "phone call": "Phone Inquiry",
    "call": "Phone Inquiry",
    "inbound call": "Phone Inquiry",
    "phone inquiry": "Phone Inquiry",
    "voice": "Phone Inquiry",
    "website": "Web",
    "web site": "Web",
    "online": "Web",
    "internet": "Web",
    "web form": "Web",
    "referral": "Partner Referral",
    "partner": "Partner Referral",
    # Industry
    "tech": "Technology",
    "software": "Technology",
    "it": "Technology",
    "saas": "Technology",
    "information technology": "Technology",
    "health care": "Healthcare",
    "medical": "Healthcare",
    "health": "Healthcare",
    "financial services": "Finance",
    "fintech": "Finance",
    "financial": "Finance",
    "bank": "Banking",
    "nonprofit": "Not For Profit",
    "non profit": "Not For Profit",
    "charity": "Not For Profit",
    "telecom": "Telecommunications",
    "food": "Food & Beverage",
    "food and beverage": "Food & Beverage",
    "restaurant": "Food & Beverage",
    "logistics": "Transportation",
    "shipping and logistics": "Shipping",
    "edtech": "Education",
    "school": "Education",
    "university": "Education",
    "pharma": "Biotechnology",
    "biotech": "Biotechnology",
    "oil and gas": "Energy",
    "hotel": "Hospitality",
    "hotels": "Hospitality",
    "government agency": "Government",
    "public sector": "Government",
    "ecommerce": "Retail",
    "e commerce": "Retail",
    "media and entertainment": "Media",
    # Opportunity StageName
    "qualified": "Qualification",
    "qualifying": "Qualification",
    "discovery": "Needs Analysis",
    "proposal": "Proposal/Price Quote",
    "quote": "Proposal/Price Quote",
    "price quote": "Proposal/Price Quote",
    "negotiation": "Negotiation/Review",
    "negotiating": "Negotiation/Review",
    "won": "Closed Won",
    "lost": "Closed Lost",
    "new": "Prospecting",
    "prospect": "Prospecting",
    # Lead Status
    "open": "Open - Not Contacted",
    "not contacted": "Open - Not Contacted",
    "contacted": "Working - Contacted",
    "working": "Working - Contacted",
    # Case Priority
    "urgent": "High",
    "critical": "High",
    "normal": "Medium",
    "minor": "Low",
    # Account Type
    "customer": "Customer - Direct",
    "reseller": "Channel Partner / Reseller",
}


def norm(text: str) -> str:
    """Lower case, punctuation to spaces, single spaces."""
    return " ".join(re.sub(r"[^0-9a-z&]+", " ", text.lower()).split())


def match_picklist(value: str, options: tuple[str, ...]) -> str | None:
    """The option `value` means, or None when no single option fits."""
    if not options:
        return None
    wanted = norm(value)
    by_norm = {norm(o): o for o in options}
    if wanted in by_norm:
        return by_norm[wanted]
    squashed = wanted.replace(" ", "")
    for key, option in by_norm.items():
        if key.replace(" ", "") == squashed:
            return option
    synonym = SYNONYMS.get(wanted)
    if synonym is not None and synonym in options:
        return synonym
    starts = [o for k, o in by_norm.items() if k.startswith(wanted)]
    if len(starts) == 1 and len(wanted) >= 3:
        return starts[0]
    contains = [o for k, o in by_norm.items() if f" {wanted} " in f" {k} "]
    if len(contains) == 1:
        return contains[0]
    return None
