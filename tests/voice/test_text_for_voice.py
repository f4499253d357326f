"""Vocabulary, grammars, homophones and pronunciations (no audio)."""

from service.voice import grammar, homophones, lexicon


def test_words_of_splits_names_companies_and_emails():
    """Lower-case alphabetic words, in order, without repeats."""
    words = lexicon.words_of(["Priya Natarajan", "priya.natarajan@brightwave-analytics.com"])
    assert words == ["priya", "natarajan", "brightwave", "analytics", "com"]


def test_segment_finds_compounds_of_dictionary_words():
    """'acmerobotics' is 'acme' + 'robotics' when both are words."""
    known = {"acme", "robotics", "ac", "me"}
    assert lexicon.segment("acmerobotics", lambda w: "X" if w in known else None, min_part=4) == ["acme", "robotics"]
    assert lexicon.segment("zzz", lambda w: None) is None


def test_email_grammar_uses_the_vocabulary_not_letters():
    """With a vocabulary, the email grammar's words are the vocabulary (fast); without, spelled letters."""
    with_vocab = grammar.email_grammar(["priya", "brightwave"])
    assert "priya" in with_vocab and "| q |" not in with_vocab
    assert "| q |" in grammar.email_grammar([])


def test_phone_grammar_never_starts_a_country_code_with_zero():
    """'plus' is followed by one..nine, so it cannot swallow an 'oh'."""
    text = grammar.phone_grammar()
    assert "[plus <country>]" in text and "<country> = one" in text


def test_grammar_for_free_speech_is_none():
    """Free speech uses the language model; name/company need a vocabulary."""
    assert grammar.grammar_for(None) is None and grammar.grammar_for("money") is None
    assert grammar.grammar_for("name") is None
    assert grammar.grammar_for("name", ["priya"]) is not None


def test_grammar_words_lists_terminals():
    """Terminal words exclude rule names and JSGF syntax."""
    words = grammar.grammar_words(grammar.phone_grammar())
    assert {"plus", "double", "nine", "oh"} <= words and "digit" not in words


def test_spelled_cue_picks_the_homophone_with_the_letter():
    """'spelled with an f' turns sophia into sofia."""
    groups = [["sofia", "sophia"]]
    text = "no it's sophia dot alvarez at lumen health dot com spelled with an f"
    assert homophones.disambiguate(text, groups).startswith("no it's sofia dot")
    assert homophones.disambiguate("it's sophia", groups) == "it's sophia"


def test_homophone_groups_by_pronunciation():
    """Words with one pronunciation form a group."""
    phones = {"sofia": "S OW F IY AH", "sophia": "S OW F IY AH", "jane": "JH EY N"}
    assert homophones.groups(["sofia", "jane", "sophia"], phones.get) == [["sofia", "sophia"]]
