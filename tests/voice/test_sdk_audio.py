"""The official Python SDK with a custom AudioInterface (a synthesized caller) holds a voice call.

The new prospect's whole SDK audio call (exact Lead, every answer heard, agent audio, no interruption) runs once,
through the console's mount of the same agent server: `tests/console/test_console_recording.py`."""

import pytest
from voice_helpers import need

from service.runner.callers import load_persona
from service.runner.server import create_agent_server
from service.runner.stack import ServerThread
from service.voice.call import persona_vocabulary
from service.voice.sdk_caller import sdk_voice_call

pytestmark = [pytest.mark.voice, pytest.mark.slow]


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
