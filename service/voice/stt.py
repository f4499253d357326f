"""Speech to text behind one small streaming interface; input is 16 kHz mono PCM16.

* `PocketsphinxSTT` (default): PyPI pocketsphinx 5 with the model inside its wheel; the language model
  for free speech, a JSGF grammar per slot turn (`grammar.py`), decoding while the caller speaks so only
  the tail is left when the utterance ends. Grammar turns with no parse fall back to the LM.
* `WhisperSTT` (optional): faster-whisper from a *local* CTranslate2 model directory (never a model
  name: that would download); slot turns still go through pocketsphinx grammars when it is installed.
"""

from __future__ import annotations

import hashlib
import os
import re
import time
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any, Protocol

from service.voice import audio, grammar, homophones, lexicon
from service.voice.discovery import require


@dataclass
class Transcript:
    """One recognised utterance."""

    text: str
    search: str  # "lm", or the slot grammar used
    decode_seconds: float  # CPU time spent decoding (streaming included)
    audio_seconds: float
    finalize_seconds: float = 0.0  # time from the end of audio to the final hypothesis

    @property
    def rtf(self) -> float:
        """Real-time factor of the decode."""
        return self.decode_seconds / self.audio_seconds if self.audio_seconds else 0.0


class STT(Protocol):
    """A streaming recogniser: begin(slot) → process(pcm)… → end()."""

    name: str

    def add_vocabulary(self, words: Iterable[str]) -> None:
        """Words (names, company, email parts) the slot grammars may use."""
        ...

    def set_vocabulary(self, words: Iterable[str]) -> None:
        """Replace the call vocabulary (a pooled recogniser starting a new call)."""
        ...

    def begin(self, slot: str | None = None) -> None:
        """Start an utterance, constrained to `slot`'s grammar when there is one."""
        ...

    def process(self, pcm: bytes) -> None:
        """Feed audio of the current utterance."""
        ...

    def end(self) -> Transcript:
        """Finish the utterance and return its transcript."""
        ...


def transcribe(stt: STT, pcm: bytes, slot: str | None = None) -> Transcript:
    """Recognise one whole utterance."""
    stt.begin(slot)
    stt.process(pcm)
    return stt.end()


class PocketsphinxSTT:
    """pocketsphinx 5 with its bundled en-us model; one Decoder, reused across utterances."""

    name = "pocketsphinx"

    def __init__(
        self,
        vocabulary: Iterable[str] = (),
        *,
        hmm: str | None = None,
        lm: str | None = None,
        dictionary: str | None = None,
        fwdflat: bool = False,
    ) -> None:
        require("pocketsphinx")
        from pocketsphinx import Decoder

        # No second (fwdflat) pass: it re-searches the whole utterance after it ends, which is latency the
        # caller hears; the first pass alone loses little on these turns (see benchmarks.voice).
        options: dict[str, Any] = {
            "samprate": audio.SAMPLE_RATE,
            "loglevel": "FATAL",
            "fwdflat": fwdflat,
            "bestpath": fwdflat,
        }
        options.update({k: v for k, v in (("hmm", hmm), ("lm", lm), ("dict", dictionary)) if v})
        self.decoder: Any = Decoder(**options)
        self.vocabulary: list[str] = []
        self._digits = False
        self._variants: dict[str, str] = {}
        self._known: set[str] = set()
        self._searches: dict[str, str] = {}  # search name -> digest of its grammar text
        self._ensure_words(grammar.GRAMMAR_WORDS)
        self.add_vocabulary(vocabulary)
        self._search = "_default"
        self._slot: str | None = None
        self._buffer: list[bytes] = []
        self._decode = 0.0

    def _lookup(self, word: str) -> str | None:
        found = self.decoder.lookup_word(word)
        return str(found) if found else None

    def _ensure_words(self, words: Iterable[str]) -> None:
        missing = [w for w in words if w not in self._known and self._lookup(w) is None]
        for i, word in enumerate(missing):
            phones = lexicon.pronounce(word, self._lookup)
            if phones:
                self.decoder.add_word(word, phones, i == len(missing) - 1)
        self._known.update(words)

    def add_vocabulary(self, words: Iterable[str]) -> None:
        words = [str(w) for w in words]
        self._digits = self._digits or any(c.isdigit() for w in words for c in w if "@" in w)
        new = [w for w in lexicon.words_of(words) if w not in self.vocabulary and len(w) > 1 and w not in grammar.TLDS]
        if not new:
            return
        self._ensure_words(new)
        self._add_variants(new)
        self.vocabulary.extend(new)
        # A compound of other vocabulary words ("lumenhealth" from the email domain) would compete with its
        # parts ("lumen health", the company); the normaliser joins the parts of an address anyway.
        vocab = set(self.vocabulary)
        compounds = {w for w in vocab if lexicon.segment(w, _other_word(vocab, w))}
        self.vocabulary = [w for w in self.vocabulary if w not in compounds]

    def _add_variants(self, words: list[str]) -> None:
        """flite's reading of a vocabulary word, when it differs from the dictionary's, as a second word
        (`omar_alt`): names have several pronunciations, and the dictionary's may not be the caller's."""
        for word in words:
            if word in self._variants:
                continue
            ours, theirs = self._lookup(word), lexicon.flite_phones(word)
            if theirs and ours and theirs != ours:
                self.decoder.add_word(word + VARIANT, theirs, True)
                self._variants[word] = word + VARIANT

    def grammar_vocabulary(self) -> list[str]:
        """The call vocabulary plus pronunciation variants (what the grammars list)."""
        return [*self.vocabulary, *(self._variants[w] for w in self.vocabulary if w in self._variants)]

    def set_vocabulary(self, words: Iterable[str]) -> None:
        self.vocabulary, self._digits = [], False
        self.add_vocabulary(words)

    def _activate(self, slot: str | None) -> str:
        # Without a vocabulary an email can only be spelled: the open, slower letter grammar.
        spelled = slot == "email" and not self.vocabulary
        text = grammar.grammar_for(slot, self.grammar_vocabulary(), spelled=spelled, digits=self._digits)
        if text is None or slot is None:
            self.decoder.activate_search("_default")
            return "_default"
        name = slot + ("_spelled" if spelled else "")
        digest = hashlib.sha1(text.encode(), usedforsecurity=False).hexdigest()
        if self._searches.get(name) != digest:
            self._ensure_words(grammar.grammar_words(text))
            self.decoder.add_jsgf_string(name, text)
            self._searches[name] = digest
        self.decoder.activate_search(name)
        return name

    def begin(self, slot: str | None = None) -> None:
        self._slot = slot
        # A yes/no answer is read with the LM (fast, streaming); only a read-back *correction* that names an
        # address ("no, it's ... at ... dot com") is read again with the correction grammar in `end`.
        self._search = self._activate(None if slot == "yes_no" else slot)
        self._buffer, self._decode = [], 0.0
        self.decoder.start_utt()

    def process(self, pcm: bytes) -> None:
        started = time.perf_counter()
        self.decoder.process_raw(pcm, False, False)
        self._decode += time.perf_counter() - started
        self._buffer.append(pcm)

    def _finish(self) -> str:
        self.decoder.end_utt()
        hyp = self.decoder.hyp()
        text = str(hyp.hypstr).strip() if hyp is not None and hyp.hypstr else ""
        return text.replace(VARIANT, "")

    def _redecode(self, pcm: bytes, slot: str | None) -> str:
        self._activate(slot)
        self.decoder.start_utt()
        self.decoder.process_raw(pcm, False, True)
        return self._finish()

    def end(self) -> Transcript:
        started = time.perf_counter()
        text = self._finish()
        search = "lm" if self._search == "_default" else self._search
        pcm = b"".join(self._buffer)
        if self._search != "_default" and not _acceptable(self._slot, text):
            # Out-of-grammar speech (no parse, or no entity in it): read it with the language model instead.
            text, search = self._redecode(pcm, None), "lm"
        elif self._slot == "yes_no" and (_CORRECTION_CUE.search(text) or set(text.split()) & set(self.vocabulary)):
            corrected = self._redecode(pcm, "correction")
            if _acceptable("correction", corrected):
                text, search = corrected, "correction"
        if self.vocabulary:
            groups = homophones.groups(self.vocabulary, self._lookup)
            text = homophones.disambiguate(text, groups)
            if self._slot in ("name", "company"):
                text = homophones.prefer_first(text, groups)
        finalize = time.perf_counter() - started
        self._buffer = []
        return Transcript(text, search, self._decode + finalize, audio.duration(pcm), finalize)


# An LM reading of a yes/no answer that names an address (or a call vocabulary word) is a correction.
VARIANT = "_alt"  # suffix of a vocabulary word's second pronunciation
_CORRECTION_CUE = re.compile(r"\b(dot|at|com|dash|spelled)\b")


def _other_word(vocab: set[str], word: str) -> lexicon.Lookup:
    return lambda part: part if part != word and part in vocab else None


def _acceptable(slot: str | None, text: str) -> bool:
    """Whether a grammar hypothesis holds what the slot asked for (else the LM gets a turn)."""
    from service.text import extract_email, extract_phone

    if not text:
        return False
    if slot == "email":
        return extract_email(text) is not None
    if slot == "phone":
        return extract_phone(text) is not None
    if slot == "correction":
        return extract_email(text) is not None or not re.search(r"\b(at|dot)\b", text)
    if slot == "address":
        from service.text import written_address

        return written_address(text) is not None
    return True


class WhisperSTT:
    """faster-whisper from a local model directory; slot turns through pocketsphinx grammars when present."""

    name = "faster-whisper"

    def __init__(
        self,
        model_path: str,
        vocabulary: Iterable[str] = (),
        *,
        compute_type: str = "int8",
        cpu_threads: int = 2,
        slot_stt: STT | None = None,
    ) -> None:
        require("faster-whisper")
        if not os.path.isdir(model_path):
            raise FileNotFoundError(f"faster-whisper needs a local model directory, not {model_path!r}")
        os.environ.setdefault("HF_HUB_OFFLINE", "1")
        from faster_whisper import WhisperModel

        self.model: Any = WhisperModel(
            model_path, device="cpu", compute_type=compute_type, cpu_threads=cpu_threads, local_files_only=True
        )
        self.slot_stt = slot_stt
        self.vocabulary = lexicon.words_of(vocabulary)
        self._slot: str | None = None
        self._buffer: list[bytes] = []

    def add_vocabulary(self, words: Iterable[str]) -> None:
        self.vocabulary.extend(w for w in lexicon.words_of(words) if w not in self.vocabulary)
        if self.slot_stt is not None:
            self.slot_stt.add_vocabulary(words)

    def set_vocabulary(self, words: Iterable[str]) -> None:
        self.vocabulary = []
        self.add_vocabulary(words)
        if self.slot_stt is not None:
            self.slot_stt.set_vocabulary(words)

    def _grammar_turn(self) -> bool:
        return self.slot_stt is not None and grammar.grammar_for(self._slot, self.vocabulary) is not None

    def begin(self, slot: str | None = None) -> None:
        self._slot, self._buffer = slot, []
        if self._grammar_turn():
            assert self.slot_stt is not None
            self.slot_stt.begin(slot)

    def process(self, pcm: bytes) -> None:
        self._buffer.append(pcm)
        if self._grammar_turn():
            assert self.slot_stt is not None
            self.slot_stt.process(pcm)

    def end(self) -> Transcript:
        if self._grammar_turn():
            assert self.slot_stt is not None
            return self.slot_stt.end()
        import numpy as np

        pcm = b"".join(self._buffer)
        started = time.perf_counter()
        samples = audio.to_samples(pcm).astype(np.float32) / 32768.0
        prompt = ("Vocabulary: " + ", ".join(self.vocabulary) + ".") if self.vocabulary else None
        segments, _info = self.model.transcribe(
            samples,
            beam_size=1,
            language="en",
            initial_prompt=prompt,
            condition_on_previous_text=False,
            without_timestamps=True,
        )
        text = " ".join(s.text.strip() for s in segments).strip()
        took = time.perf_counter() - started
        return Transcript(text, "whisper", took, audio.duration(pcm), took)


def make_stt(backend: str = "pocketsphinx", *, vocabulary: Iterable[str] = (), model_path: str | None = None) -> STT:
    """An STT backend by name; ConfigError names the install command when it is missing."""
    if backend == "pocketsphinx":
        return PocketsphinxSTT(vocabulary)
    if backend in ("faster-whisper", "whisper"):
        if not model_path:
            raise FileNotFoundError("faster-whisper needs --stt-model PATH (a local CTranslate2 model directory)")
        slot = PocketsphinxSTT(vocabulary) if "pocketsphinx" in _available_stt() else None
        return WhisperSTT(model_path, vocabulary, slot_stt=slot)
    require(backend)
    raise AssertionError("unreachable")


def _available_stt() -> list[str]:
    from service.voice.discovery import available

    return available("stt")
