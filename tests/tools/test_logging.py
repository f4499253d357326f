"""Log masking: emails, phones and ids masked; secrets and tokens always removed."""

from __future__ import annotations

from service.tools.logging import mask


def test_emails_phones_ids_are_masked() -> None:
    """Personal data and record ids don't reach the log."""
    text = mask("jane.doe@acme.com called from +1 415 555 0198 about 0035g00000AbCdEAAV")
    assert "jane.doe@acme.com" not in text and "555 0198" not in text and "0035g00000AbCdEAAV" not in text
    assert "acme.com" in text


def test_unmask_keeps_data_but_not_secrets() -> None:
    """LOG_UNMASK shows personal data, never a bearer token or a configured secret."""
    text = mask("Authorization: Bearer 00Dabc!tok jane@acme.com s3cr3t-value", unmask=True, secrets=("s3cr3t-value",))
    assert "00Dabc!tok" not in text and "s3cr3t-value" not in text
    assert "jane@acme.com" in text
