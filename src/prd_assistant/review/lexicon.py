"""Evaluative adjectives from a maintained public subjectivity lexicon, read as data.

The lexicon is ``en-sentiment.xml`` from Pattern (CLiPS, University of Antwerp), as shipped
unmodified in TextBlob 0.20.1 (``textblob/en/en-sentiment.xml``; the lexicon is under the
PDDL, TextBlob under MIT). It rates about 2,900 adjective senses for polarity (-1..1) and
subjectivity (0..1). Averaged over its senses as TextBlob does, an adjective that is clearly
subjective and clearly positive or negative is a judgement ("elegant", "stunning",
"delightful", "coherent"), which a tester cannot check as written.

See ``src/prd_assistant/data/README.md`` for the source and licence.
"""

from __future__ import annotations

import hashlib
import re
from functools import lru_cache
from importlib import resources


def word_set(text: str) -> frozenset[str]:
    """A word list written as one string, for lists that are data."""
    return frozenset(text.split())


LEXICON_FILE = "en-sentiment.xml"
LEXICON_SHA256 = "0ca603db55570bab9b2865716a3696ede01e3da02b570c47628a9dbcc3b37d1e"
MIN_SUBJECTIVITY = 0.5
MIN_POLARITY = 0.3
# Adjectives the lexicon rates as subjective that, in requirements, state a capability, an
# amount or an order rather than a judgement of the product ("shall be able to", "the latest
# version", "more", "ready for review"), or that the word rules already judge with their own
# measurable criteria ("secure", "accurate", "easy", "quick"). Amounts and timing have their
# own rules.
NOT_EVALUATIVE = word_set(
    """able unable ready willing own more most many mere certain sure different late latest
    important free full detailed normal typical original random secret static top unknown
    welcome interested false illegal confirmed filled guarded implicated justified liked
    loved elect base rank rose fly kind chicken cutting winning catching decreased
    apportioned ungraded uncut unsalted unilateral pregnant sexual drunk extinct
    untraceable popular common favorite previous necessary possible real
    unique true mean special super primary magic tense golden dirty stale fresh blind
    advanced artificial autonomous healthy approximate casual experienced skilled rare
    bold light cold warm thin shallow weak rich fine mild sick ill calculable ecological
    naturalistic applicative affirmative nameless obedient elementary impossible unlikely
    expensive cheap successful accurate precise secure safe strong significant smooth quick
    easy"""
)
# One ``<word .../>`` element per line; attributes always come in this order. A regular
# expression reads the 540 kB file about ten times faster than an XML parser.
_WORD = re.compile(
    rb'<word form="([a-z]+)"[^>]* pos="JJ"[^>]* polarity="(-?[\d.]+)" subjectivity="([\d.]+)"'
)


@lru_cache(maxsize=1)
def evaluative_adjectives() -> frozenset[str]:
    """Single-word adjectives whose mean subjectivity and polarity make them judgements.

    Raises:
        ValueError: If the shipped lexicon file does not match its expected hash.
    """
    data = resources.files("prd_assistant.data").joinpath(LEXICON_FILE).read_bytes()
    if hashlib.sha256(data).hexdigest() != LEXICON_SHA256:
        raise ValueError(f"{LEXICON_FILE} does not match the expected hash")
    senses: dict[str, list[tuple[float, float]]] = {}
    for form, polarity, subjectivity in _WORD.findall(data):
        senses.setdefault(form.decode(), []).append((float(polarity), float(subjectivity)))
    chosen = set()
    for form, rated in senses.items():
        polarity = sum(p for p, _ in rated) / len(rated)
        subjectivity = sum(s for _, s in rated) / len(rated)
        if subjectivity >= MIN_SUBJECTIVITY and abs(polarity) >= MIN_POLARITY:
            chosen.add(form)
    return frozenset(chosen - NOT_EVALUATIVE)
