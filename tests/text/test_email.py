"""Email addresses from literal and spoken caller text."""

import subprocess
import sys
from pathlib import Path

import pytest

from service.text import extract_email, is_valid_email, normalize_email


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("jane dot doe at acme dot com", "jane.doe@acme.com"),
        ("My email is jane dot doe at acme robotics dot com", "jane.doe@acmerobotics.com"),
        ("Jane.Doe@Acme.com.", "jane.doe@acme.com"),
        ("j a n e underscore d o e at gmail dot com", "jane_doe@gmail.com"),
        ("jane dash doe at acme dot io", "jane-doe@acme.io"),
        ("jane hyphen doe at acme dot io", "jane-doe@acme.io"),
        ("jane at the rate acme dot co dot uk", "jane@acme.co.uk"),
        ("it's jdoe at acme dot com!", "jdoe@acme.com"),
        ("jane one two three at acme dot com", "jane123@acme.com"),
        ("jane.doe at acme.com", "jane.doe@acme.com"),
    ],
)
def test_normalize_email_accepts_spoken_and_literal_forms(text, expected):
    """Spoken symbols, spelled letters and literal addresses normalise to one lower-case address."""
    assert normalize_email(text) == expected


@pytest.mark.parametrize("text", ["jane at acme", "no email", "", "at dot com", "jane@@acme.com"])
def test_normalize_email_rejects_incomplete_addresses(text):
    """Text without a complete address yields None."""
    assert normalize_email(text) is None


def test_extract_email_ignores_the_lead_in_and_trailing_words():
    """Words before the local part and after the TLD are not part of the address."""
    text = "Sorry, my email is actually jane dot doe at acme robotics dot com, thanks"
    assert extract_email(text) == "jane.doe@acmerobotics.com"


def test_extract_email_takes_the_last_address_in_a_correction():
    """When the caller corrects themselves, the later address wins."""
    assert extract_email("not jon@acme.com but jane@acme.com") == "jane@acme.com"


@pytest.mark.parametrize(
    ("address", "valid"),
    [
        ("jane.doe@acme.com", True),
        ("j_d+crm@sub.acme.co.uk", True),
        ("jane..doe@acme.com", False),
        ("jane@acme", False),
        ("jane doe@acme.com", False),
        ("@acme.com", False),
        ("jane@acme.c0m", False),
    ],
)
def test_is_valid_email(address, valid):
    """Validation wants one @, a dotted domain and an alphabetic TLD."""
    assert is_valid_email(address) is valid


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("jane at acme dot solutions", "jane@acme.solutions"),
        ("jane at acme dot consulting", "jane@acme.consulting"),
        ("jane at acme dot company", "jane@acme.company"),
        ("jane at acme dot technology", "jane@acme.technology"),
        ("jane at acme dot example", "jane@acme.example"),
        ("jane at acme dot photography", "jane@acme.photography"),
        ("jane at acme dot com dot au", "jane@acme.com.au"),
    ],
)
def test_spoken_emails_with_long_top_level_domains_parse(text: str, expected: str) -> None:
    """Any top-level domain on the Public Suffix List (and RFC 2606's example) ends a spoken address."""
    assert normalize_email(text) == expected
    assert extract_email(f"sure, {text}, thanks") == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Émile@Exämple.com", "émile@exämple.com"),
        ("josé.garcía@correo.es", "josé.garcía@correo.es"),
        ("用户@例子.中国", "用户@例子.中国"),
        ("иван@пример.рф", "иван@пример.рф"),
        ("jane@acme.solutions", "jane@acme.solutions"),
    ],
)
def test_internationalised_addresses_are_kept_whole(text: str, expected: str) -> None:
    """Non-ASCII local parts and domains are valid and keep every character."""
    assert normalize_email(text) == expected


@pytest.mark.parametrize(
    "text",
    [
        "john smith@gmail.com",
        "<script>@x.com",
        "jane@acme.notarealtld",
        "jane@acme.c0m",
        "jane dot doe at acme dot com please call",
        "<b>jane</b> at acme dot com",
        "jane@localhost",
        "jane@acme.test",
    ],
)
def test_normalize_email_refuses_what_it_would_have_to_change(text: str) -> None:
    """A space inside, dropped characters, trailing words or an unknown TLD give None, never a shorter address."""
    assert normalize_email(text) is None


def test_a_written_address_may_follow_a_lead_in() -> None:
    """ "my email is Jane@Acme.com" is the address; "john smith@gmail.com" is not "smith@gmail.com"."""
    assert normalize_email("my email is Jane@Acme.com") == "jane@acme.com"
    assert normalize_email("john smith@gmail.com") is None


def test_top_level_domains_load_with_the_network_blocked() -> None:
    """The TLD list comes from the snapshot tldextract ships: no socket is opened."""
    code = (
        "import socket\n"
        "def refuse(*a, **k): raise OSError('network blocked')\n"
        "socket.socket.connect = refuse\nsocket.create_connection = refuse\nsocket.getaddrinfo = refuse\n"
        "from service.text.emails import top_level_domains, normalize_email\n"
        "assert normalize_email('jane at acme dot consulting') == 'jane@acme.consulting'\n"
        "assert {'com', 'solutions', 'technology', 'uk'} <= top_level_domains()\n"
        "print(len(top_level_domains()))\n"
    )
    root = Path(__file__).resolve().parents[2]
    done = subprocess.run([sys.executable, "-c", code], cwd=root, capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    assert int(done.stdout) > 1000
