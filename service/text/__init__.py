"""Pure-Python text normalisation shared by the create tool, the runner and the voice loop.

Spoken or written caller text → entities (email, phone, numbers, money, dates), and the inverse
(`spoken_form`) for TTS and word-error-rate comparisons. No audio dependencies.
"""

from service.text.address import spoken_address, written_address
from service.text.amounts import extract_money, extract_number_after
from service.text.dates import extract_date
from service.text.emails import extract_email, is_valid_email, normalize_email
from service.text.normalize import spoken_email, spoken_form, spoken_money, spoken_phone, wer_form
from service.text.numbers import number_to_words, ordinal_words, parse_number, words_to_number
from service.text.phones import extract_phone, is_phone_text, normalize_phone, spoken_digits

__all__ = [
    "extract_date",
    "extract_email",
    "extract_money",
    "extract_number_after",
    "extract_phone",
    "is_phone_text",
    "is_valid_email",
    "normalize_email",
    "normalize_phone",
    "number_to_words",
    "ordinal_words",
    "parse_number",
    "spoken_digits",
    "spoken_address",
    "spoken_email",
    "spoken_form",
    "spoken_money",
    "spoken_phone",
    "wer_form",
    "words_to_number",
    "written_address",
]
