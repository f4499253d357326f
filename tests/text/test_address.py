"""US addresses between recogniser words and writing."""

import pytest

from service.text import spoken_address, written_address
from service.text.address import address_words


@pytest.mark.parametrize(
    "address",
    [
        "500 Congress Avenue, Austin, TX 78701",
        "77 Beacon Street, Boston, MA 02108",
        "1 Industrial Parkway, Chicago, IL 60601",
        "88 Market Street, San Francisco, CA 94105",
        "12 Pine Road, Denver, CO 80202",
        "9 Broad Street, New York, NY 10005",
    ],
)
def test_spoken_then_written_round_trips(address):
    """Saying an address and writing the recognised words back gives the same address."""
    heard = spoken_address(address).lower().replace(",", "")
    assert written_address(heard) == address


def test_written_address_needs_every_part():
    """Without a ZIP (or a state, or a street suffix) there is no address."""
    assert written_address("five hundred congress avenue austin texas") is None
    assert written_address("five hundred congress austin texas seven eight seven zero one") is None
    assert written_address("congress avenue austin texas seven eight seven zero one") is None


def test_address_words_are_street_and_city():
    """The vocabulary of an address is its street and city."""
    assert address_words("500 Congress Avenue, Austin, TX 78701") == ["Congress Avenue", "Austin"]


def test_address_parts_splits_a_written_us_address():
    """A written US address becomes the Street/City/State/PostalCode/Country fields a record stores."""
    from service.text.address import address_parts

    assert address_parts("500 Congress Avenue, Austin, TX 78701") == {
        "Street": "500 Congress Avenue",
        "City": "Austin",
        "State": "TX",
        "PostalCode": "78701",
        "Country": "United States",
    }
    assert address_parts("somewhere near the river") is None
