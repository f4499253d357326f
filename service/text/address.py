"""US street addresses between writing and speech.

`spoken_address` says "500 Congress Avenue, Austin, TX 78701" as "five hundred Congress Avenue, Austin,
Texas, seven eight seven zero one" (state names, ZIP digit by digit); `written_address` turns recogniser
output ("five hundred congress avenue austin texas seven eight seven zero one") back into the written form.
"""

from __future__ import annotations

import re

from service.text.numbers import UNITS, find_numbers, number_to_words

STATES = {
    "AL": "Alabama",
    "AK": "Alaska",
    "AZ": "Arizona",
    "AR": "Arkansas",
    "CA": "California",
    "CO": "Colorado",
    "CT": "Connecticut",
    "DE": "Delaware",
    "DC": "District of Columbia",
    "FL": "Florida",
    "GA": "Georgia",
    "HI": "Hawaii",
    "ID": "Idaho",
    "IL": "Illinois",
    "IN": "Indiana",
    "IA": "Iowa",
    "KS": "Kansas",
    "KY": "Kentucky",
    "LA": "Louisiana",
    "ME": "Maine",
    "MD": "Maryland",
    "MA": "Massachusetts",
    "MI": "Michigan",
    "MN": "Minnesota",
    "MS": "Mississippi",
    "MO": "Missouri",
    "MT": "Montana",
    "NE": "Nebraska",
    "NV": "Nevada",
    "NH": "New Hampshire",
    "NJ": "New Jersey",
    "NM": "New Mexico",
    "NY": "New York",
    "NC": "North Carolina",
    "ND": "North Dakota",
    "OH": "Ohio",
    "OK": "Oklahoma",
    "OR": "Oregon",
    "PA": "Pennsylvania",
    "RI": "Rhode Island",
    "SC": "South Carolina",
    "SD": "South Dakota",
    "TN": "Tennessee",
    "TX": "Texas",
    "UT": "Utah",
    "VT": "Vermont",
    "VA": "Virginia",
    "WA": "Washington",
    "WV": "West Virginia",
    "WI": "Wisconsin",
    "WY": "Wyoming",
}
STATE_CODES = {name.lower(): code for code, name in STATES.items()}
SUFFIXES = (
    "street",
    "avenue",
    "road",
    "boulevard",
    "drive",
    "lane",
    "way",
    "parkway",
    "park",
    "place",
    "court",
    "plaza",
    "square",
    "terrace",
    "highway",
    "circle",
)
_DIGITS = ["zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine"]
_WRITTEN = re.compile(r"\b(\d+)\s+([^,]+?),\s*([^,]+?),\s*([A-Z]{2})\s+(\d{5})(?:-\d{4})?\b")


def spoken_address(text: str) -> str:
    """Rewrite written US addresses in `text` the way a caller says them."""

    def say(m: re.Match[str]) -> str:
        number, street, city, state, zip_code = m.groups()
        state_name = STATES.get(state, state)
        return f"{number_to_words(int(number))} {street}, {city}, {state_name}, " + " ".join(
            _DIGITS[int(d)] for d in zip_code
        )

    return _WRITTEN.sub(say, text)


def address_words(address: str) -> list[str]:
    """The street and city of a written address ("Congress Avenue", "Austin"): vocabulary for recognition."""
    m = _WRITTEN.search(address)
    return [m.group(2), m.group(3)] if m else []


def written_address(text: str) -> str | None:
    """ "five hundred congress avenue austin texas seven eight seven zero one" → "500 Congress Avenue, Austin,
    TX 78701"; None unless the words hold a number, a street with its suffix, a city, a state and a ZIP."""
    words = re.sub(r"[^a-z' ]+", " ", text.lower()).split()
    spans = find_numbers(words)
    if not spans:
        return None
    house = spans[0]
    rest = words[house.end :]
    suffix_at = next((i for i, w in enumerate(rest) if w in SUFFIXES), None)
    if suffix_at is None or suffix_at == 0:
        return None
    street, after = rest[: suffix_at + 1], rest[suffix_at + 1 :]
    for size in (3, 2, 1):  # "district of columbia", "new york", "texas"
        for i in range(len(after) - size + 1):
            name = " ".join(after[i : i + size])
            if name in STATE_CODES and i > 0:
                zip_words = after[i + size :]
                digits = "".join(str(UNITS[w]) for w in zip_words if w in UNITS)
                if len(digits) < 5:
                    return None
                city = " ".join(w.capitalize() for w in after[:i])
                street_text = " ".join(w.capitalize() for w in street)
                return f"{int(house.value)} {street_text}, {city}, {STATE_CODES[name]} {digits[:5]}"
    return None


def address_parts(address: str) -> dict[str, str] | None:
    """ "500 Congress Avenue, Austin, TX 78701" → {Street, City, State, PostalCode, Country}; None if not one."""
    m = _WRITTEN.search(address)
    if m is None:
        return None
    number, street, city, state, zip_code = m.groups()
    return {
        "Street": f"{number} {street}",
        "City": city,
        "State": state,
        "PostalCode": zip_code,
        "Country": "United States",
    }
