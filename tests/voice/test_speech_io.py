"""VoiceSpeechIO: the agent server's audio seam on flite + pocketsphinx."""

import pytest
from voice_helpers import need

from service.runner.speech import SpeechIO
from service.text import extract_email, extract_phone
from service.voice import audio
from service.voice.speech_io import SpeechFactory, truecase

VOCAB = ["Priya", "Natarajan", "Brightwave Analytics", "priya.natarajan@brightwave-analytics.com"]


@pytest.fixture(scope="module")
def factory():
    need("flite", "pocketsphinx")
    made = SpeechFactory(vocabulary=VOCAB)
    made.warm()
    return made


def stream(io, pcm: bytes) -> list[str]:
    texts = []
    for chunk in audio.chunks(audio.silence(0.3) + pcm + audio.silence(0.8), 0.25):
        texts += io.feed(chunk)
    return texts


def test_implements_the_runner_protocol(factory):
    """The factory's product is a SpeechIO."""
    io = factory()
    try:
        assert isinstance(io, SpeechIO)
    finally:
        io.close()


def test_feed_returns_the_transcript_when_the_utterance_ends(factory, say):
    """Streaming chunks produce one transcript, after the trailing silence."""
    io = factory()
    try:
        assert stream(io, say("We need help tracking our sales calls.")) != []
        assert len(io.utterances) == 1
    finally:
        io.close()


def test_slots_switch_grammars(factory, say):
    """After expect_slot('email') and ('phone') the entities come out exact."""
    io = factory()
    try:
        io.expect_slot("email")
        [email_text] = stream(io, say("It's priya.natarajan@brightwave-analytics.com"))
        io.expect_slot("phone")
        [phone_text] = stream(io, say("My number is 512 555 0142."))
        assert extract_email(email_text) == "priya.natarajan@brightwave-analytics.com"
        assert extract_phone(phone_text) == "+15125550142"
    finally:
        io.close()


def test_name_answers_come_back_capitalised(factory, say):
    """Names are written as names, so the agent's name extraction works."""
    io = factory()
    try:
        io.expect_slot("name")
        [text] = stream(io, say("I'm Priya Natarajan."))
        assert text.endswith("Priya Natarajan")
    finally:
        io.close()


def test_speech_during_agent_playback_is_a_barge_in(factory, say):
    """Caller speech while the agent's audio is still playing reports barged_in once."""
    io = factory()
    try:
        reply = io.synthesize("Thanks. What budget have you set aside for this?")
        assert audio.duration(reply) > 1.0
        io.start_speaking(len(reply) * 100)
        stream(io, say("Sixty thousand dollars."))
        assert io.barged_in() is True and io.barged_in() is False
        io.stop_speaking()
        stream(io, say("Sixty thousand dollars."))
        assert io.barged_in() is False
    finally:
        io.close()


def test_closed_recognisers_are_reused(factory):
    """close() returns the recogniser to the pool; the next conversation gets it."""
    first = factory()
    stt = first.stt
    first.close()
    second = factory()
    try:
        assert second.stt is stt
    finally:
        second.close()


def test_truecase_capitalises_known_names():
    """Recogniser output becomes written text."""
    assert truecase("i'm priya natarajan", {"i'm": "I'm", "priya": "Priya"}) == "I'm Priya natarajan"


def test_factory_if_available_builds_one_when_backends_exist():
    """With flite and pocketsphinx installed the agent server gets a speech factory."""
    from service.voice.speech_io import speech_factory_if_available

    need("flite", "pocketsphinx", "webrtcvad")
    assert isinstance(speech_factory_if_available(playback_speed=2.0), SpeechFactory)


def test_a_read_back_primes_the_correction_grammar(factory, say):
    """After the agent reads an address back, a 'no, it's ...' answer is read with the correction grammar."""
    io = factory()
    try:
        io.synthesize("Perfect. Let me read your email back to confirm: priya dot natarajan at brightwave dot com.")
        io.synthesize("Is that right?")
        io.expect_slot("yes_no")
        [text] = stream(io, say("No, it's priya dot natarajan at brightwave dash analytics dot com."))
        assert io.utterances[-1].transcript.search == "correction"
        assert extract_email(text) == "priya.natarajan@brightwave-analytics.com"
    finally:
        io.close()
