"""JSGF grammars for slot turns, built from the call's vocabulary.

When the agent has asked for an email or a phone number, recognition is constrained to what such an
answer can be: free-form pocketsphinx almost never gets an address right, the grammar recovers it
exactly (voice-facts §5). Words are lower-case dictionary words; callers add the persona's words
(names, company, email parts) through `vocabulary`.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

LETTERS = tuple("abcdefghijklmnopqrstuvwxyz")
DIGITS = ("zero", "oh", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine")
PROVIDERS = ("gmail", "outlook", "yahoo", "hotmail", "icloud")
COMMON_EMAIL_WORDS = (*PROVIDERS, "mail", "info", "sales", "contact", "office")
TLDS = ("com", "org", "net", "io", "co", "us", "uk", "ai", "biz", "edu")
SEPARATORS = ("dot", "underscore", "dash", "hyphen")
# Lead-ins a caller says before the entity ("sorry, my email is actually ..."); kept small: every
# alternative widens the search.
EMAIL_FILLERS = (
    "my",
    "email",
    "address",
    "is",
    "it's",
    "it",
    "sorry",
    "actually",
    "no",
    "that's",
    "the",
    "correct",
    "one",
    "should",
    "be",
    "oh",
    "wait",
    "yes",
    "so",
    "business",
    "not",
    "right",
    "wrong",
)
PHONE_FILLERS = (
    "my",
    "phone",
    "number",
    "is",
    "it's",
    "it",
    "sorry",
    "actually",
    "you",
    "can",
    "reach",
    "me",
    "at",
    "on",
    "the",
    "best",
    "cell",
    "mobile",
    "office",
    "sure",
    "yes",
    "so",
)
FILLERS = tuple(
    dict.fromkeys(
        (
            *EMAIL_FILLERS,
            *PHONE_FILLERS,
            "not",
            "right",
            "wrong",
            "nope",
            "spelled",
            "with",
            "an",
            "thanks",
            "thank",
            "please",
            "quite",
            "incorrect",
            "perfect",
            "exactly",
        )
    )
)
YES = (
    "yes",
    "yeah",
    "yep",
    "correct",
    "right",
    "that's right",
    "that is right",
    "exactly",
    "sure",
    "perfect",
    "go ahead",
    "that's correct",
    "yes that's right",
    "yes that's correct",
    "yes please",
    "sounds good",
)
NO = ("no", "nope", "not quite", "that's wrong", "that's not right", "wrong", "incorrect", "actually no", "no sorry")

GRAMMAR_WORDS = (*LETTERS, *DIGITS, *COMMON_EMAIL_WORDS, *TLDS, *SEPARATORS, *FILLERS, "plus", "double", "triple")


def _alternatives(words: Iterable[str]) -> str:
    unique = dict.fromkeys(w for w in words if w)
    return " | ".join(unique)


def _header(name: str) -> str:
    return f"#JSGF V1.0;\ngrammar {name};\n"


def _email_rules(vocabulary: Iterable[str], spelled: bool, digits: bool = False) -> str:
    # With a vocabulary, words are whole vocabulary words: fast (0.1 s) and exact on synthetic speech.
    # Spelled letters are the open-vocabulary fallback: slower and weaker (voice-facts §5). Digits only
    # when the call's addresses have them: "three eight" otherwise beats an unusual name like "priya".
    vocab = tuple(vocabulary)
    words = (
        (*LETTERS, *DIGITS, *COMMON_EMAIL_WORDS, *vocab)
        if spelled or not vocab
        else (*vocab, *PROVIDERS, *(DIGITS if digits else ()))
    )
    return (
        f"<word> = {_alternatives(words)};\n"
        f"<sep> = {_alternatives(SEPARATORS)};\n"
        f"<tld> = {_alternatives(TLDS)};\n"
        f"<filler> = {_alternatives(EMAIL_FILLERS)};\n"
        "<part> = <word>+;\n"
        "<email> = <part> (<sep> <part>)* at <part> (<sep> <part>)* dot <tld>;\n"
    )


def email_grammar(vocabulary: Iterable[str] = (), *, spelled: bool = False, digits: bool = False) -> str:
    """`[fillers] <local> at <domain> dot <tld>`; a word is a vocabulary word (or, `spelled`, a letter/digit)."""
    return _header("email") + _email_rules(vocabulary, spelled, digits) + "public <answer> = <filler>* <email>;\n"


NAME_LEADS = (
    "i'm",
    "my",
    "name",
    "is",
    "this",
    "it's",
    "yes",
    "sure",
    "with",
    "from",
    "we're",
    "the",
    "company",
    "work",
    "for",
    "at",
    "called",
    "sorry",
    "title",
    "job",
)


def entity_grammar(name: str, vocabulary: Iterable[str]) -> str:
    """A name or company answer: `[lead-in] <vocabulary word>+ [.]` ("I'm with Lumen Health")."""
    return (
        _header(name)
        + f"<word> = {_alternatives(vocabulary)};\n"
        + f"<lead> = {_alternatives(NAME_LEADS)};\n"
        + "public <answer> = <lead>* <word>+;\n"
    )


def phone_grammar() -> str:
    """`[fillers] [plus] ([double|triple] <digit>)+`: fully open, any number can be recognised."""
    return (
        _header("phone")
        + f"<digit> = {_alternatives(DIGITS)};\n"
        + f"<country> = {_alternatives(DIGITS[2:])};\n"
        + f"<filler> = {_alternatives(PHONE_FILLERS)};\n"
        # A country code never starts with zero: this keeps "plus" from swallowing an "oh".
        + "public <answer> = <filler>* [plus <country>] ([double | triple] <digit>)+;\n"
    )


def correction_grammar(vocabulary: Iterable[str] = (), *, digits: bool = False) -> str:
    """A read-back answer that corrects the address: "no, it's jane dot doe at ...", or a plain yes/no."""
    yes = " | ".join(f"( {p} )" for p in YES)
    no = " | ".join(f"( {p} )" for p in NO)
    return (
        _header("correction")
        + _email_rules(vocabulary, spelled=False, digits=digits)
        + f"<yes> = {yes};\n<no> = {no};\n"
        + f"<letter> = {_alternatives(LETTERS)};\n"
        # "..., spelled with an f": the cue `homophones.disambiguate` uses to pick "sofia" over "sophia".
        + "<trail> = spelled | with | an | a | <letter> | thanks | thank | you | please;\n"
        + "public <answer> = <yes> | <no> | [<no>] <filler>* <email> <trail>*;\n"
    )


def address_grammar(vocabulary: Iterable[str]) -> str:
    """`[lead-in] <house number> <street words> <suffix> <city words> <state> <five digits>`."""
    from service.text.address import STATES, SUFFIXES
    from service.text.numbers import TEENS_AND_TENS

    number_words = (*DIGITS, *TEENS_AND_TENS, "hundred", "thousand")
    states = " | ".join(f"( {name.lower()} )" for name in STATES.values())
    return (
        _header("address")
        + f"<digit> = {_alternatives(DIGITS)};\n"
        + f"<number> = {_alternatives(number_words)};\n"
        + f"<word> = {_alternatives(vocabulary)};\n"
        + f"<suffix> = {_alternatives(SUFFIXES)};\n"
        + f"<state> = {states};\n"
        + "<lead> = it's | it | is | the | address | our | we're | at | located | office | sure | yes;\n"
        + "public <answer> = <lead>* <number>+ <word>+ <suffix> <word>+ <state> <digit> <digit> <digit> <digit> "
        "<digit>;\n"
    )


def grammar_for(
    slot: str | None, vocabulary: Iterable[str] = (), *, spelled: bool = False, digits: bool = False
) -> str | None:
    """The grammar for a slot the agent asked for, or None for free speech (the language model).

    "email", "phone", "correction" (a read-back answer), and with a vocabulary "name", "company", "title",
    "address".
    """
    vocab = tuple(vocabulary)
    if slot == "email":
        return email_grammar(vocab, spelled=spelled, digits=digits)
    if slot == "phone":
        return phone_grammar()
    if slot == "correction":
        return correction_grammar(vocab, digits=digits)
    if slot in ("name", "company", "title") and vocab:
        return entity_grammar(slot, vocab)
    if slot == "address" and vocab:
        return address_grammar(vocab)
    return None


def grammar_words(grammar: str) -> set[str]:
    """Every terminal word of a grammar (to make sure each has a pronunciation)."""
    body = "\n".join(line.split("=", 1)[1] for line in grammar.splitlines() if "=" in line)
    body = re.sub(r"<[^>]+>", " ", body)
    return {w for w in re.findall(r"[a-z']+", body)}
