"""The voice call's figures: one `VoiceTurn` per caller turn, WER, percentiles and the call's summary.

WER follows jiwer's definition (word edit distance / reference words, both sides in spoken form); it is
a dozen lines here because jiwer is only in the dev extra, not in the voice runtime.
"""

from __future__ import annotations

from dataclasses import dataclass

from service.text import wer_form


@dataclass
class VoiceTurn:
    """One caller turn through the voice loop."""

    said: str
    heard: str
    slot: str | None
    search: str
    wer: float
    words: int
    audio_s: float
    stt_decode_ms: float
    stt_tail_ms: float
    endpoint_ms: float
    agent_ms: float
    tts_first_ms: float
    tts_ms: float
    latency_ms: float


def word_error_rate(reference: str, hypothesis: str) -> tuple[float, int]:
    """(WER, reference word count) after both sides are put in spoken form (jiwer's definition)."""
    ref, hyp = wer_form(reference).split(), wer_form(hypothesis).split()
    if not ref:
        return (0.0 if not hyp else 1.0), 0
    prev = list(range(len(hyp) + 1))
    for i, r in enumerate(ref, 1):
        cur = [i] + [0] * len(hyp)
        for j, h in enumerate(hyp, 1):
            cur[j] = min(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + (r != h))
        prev = cur
    return prev[-1] / len(ref), len(ref)


def percentile(values: list[float], q: float) -> float:
    """The q-th percentile (0-100) by linear interpolation; 0 for no values."""
    if not values:
        return 0.0
    ordered = sorted(values)
    k = (len(ordered) - 1) * q / 100
    lo, hi = int(k), min(int(k) + 1, len(ordered) - 1)
    return ordered[lo] + (ordered[hi] - ordered[lo]) * (k - lo)


def summarize(turns: list[VoiceTurn]) -> dict[str, float]:
    """Latency p50/p95, corpus WER and STT real-time factor over turns."""
    latencies = [t.latency_ms for t in turns]
    words = sum(t.words for t in turns)
    audio_s = sum(t.audio_s for t in turns)
    return {
        "turns": len(turns),
        "latency_p50_ms": round(percentile(latencies, 50), 1),
        "latency_p95_ms": round(percentile(latencies, 95), 1),
        "wer": round(sum(t.wer * t.words for t in turns) / words, 4) if words else 0.0,
        "stt_rtf": round(sum(t.stt_decode_ms for t in turns) / 1000 / audio_s, 4) if audio_s else 0.0,
        "stt_tail_p50_ms": round(percentile([t.stt_tail_ms for t in turns], 50), 1),
        "agent_p50_ms": round(percentile([t.agent_ms for t in turns], 50), 1),
        "agent_max_ms": round(max((t.agent_ms for t in turns), default=0.0), 1),  # turns with tool calls
        "tts_first_p50_ms": round(percentile([t.tts_first_ms for t in turns], 50), 1),
    }
