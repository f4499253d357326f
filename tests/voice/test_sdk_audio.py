"""The official Python SDK with a custom AudioInterface (a synthesized caller) holds a voice call."""

import pytest
from voice_helpers import need, org_query

from service.runner.callers import load_persona
from service.runner.server import create_agent_server
from service.runner.stack import ServerThread
from service.voice.call import persona_vocabulary
from service.voice.sdk_caller import sdk_voice_call

pytestmark = [pytest.mark.voice, pytest.mark.slow]


def test_sdk_audio_call_creates_the_lead(stack):
    """user_audio_chunk in, user_transcript + audio out: the SDK's voice call leaves the exact Lead in the org."""
    need("flite", "pocketsphinx")
    from service.voice.speech_io import SpeechFactory

    persona = load_persona("new-prospect")
    # The synthesized caller doesn't play agent audio in real time: shrink the barge-in window to match.
    factory = SpeechFactory(vocabulary=persona_vocabulary(persona), playback_speed=1000)
    app = create_agent_server(stack.executor(), speech_factory=factory, ping_interval=1.0)
    with ServerThread(app) as server:
        result = sdk_voice_call(server.url, persona, timeout=120)
    assert result["disconnect"] is not None and result["disconnect"].reason == "agent"
    heard = [text for role, text in result["lines"] if role == "heard"]
    assert len(heard) >= 10 and result["agent_audio_s"] > 30 and result["interruptions"] == 0
    rows = org_query(
        stack, "SELECT FirstName, LastName, Phone FROM Lead WHERE Email = 'priya.natarajan@brightwave-analytics.com'"
    )
    assert [(r["FirstName"], r["LastName"], r["Phone"]) for r in rows] == [("Priya", "Natarajan", "+15125550142")]


def test_talking_over_the_agent_interrupts_it(stack):
    """Caller speech while the agent's audio still plays (real-time window) makes the server send interruption."""
    need("flite", "pocketsphinx")
    from service.voice.speech_io import SpeechFactory

    persona = load_persona("off-topic", tag="barge")
    factory = SpeechFactory(vocabulary=persona_vocabulary(persona))  # real-time playback window
    app = create_agent_server(stack.executor(), speech_factory=factory, ping_interval=1.0)
    with ServerThread(app) as server:
        result = sdk_voice_call(server.url, persona, timeout=30, stop_on_interruption=True)
    assert result["interruptions"] >= 1
