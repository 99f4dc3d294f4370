"""Broad open-question candidates with features, for a learned scorer (see claim_model_cv.py).

Candidates, each with the verdicts of the checks that would drop it:

* every question mark in the text (a "?" the engine leaves alone too: in a heading, a quote, a
  FAQ, answered on its line or below);
* every match of an open-question word rule (``rules_open``: TBD, "to be decided", "either
  ... or" ...) before ``open_words.keeps`` and the other checks;
* every cue word of a decision left open (``decisions.CUES``), with whether the parse found a
  decision in its sentence;
* the engine's structural open-question findings (open-question lines, listed items, empty
  bullets and rows, template guidance, pending sign-offs, bare choices, placeholders).
"""

from __future__ import annotations

import re

import claim_candidates as cc

from prd_assistant.review import decisions, engine, nlp, open_words, questions
from prd_assistant.review.findings import OPEN_QUESTION
from prd_assistant.review.markdown_scan import Scan

_FIRST_WORDS = frozenset(
    [
        "what",
        "how",
        "should",
        "do",
        "does",
        "can",
        "could",
        "is",
        "are",
        "will",
        "would",
        "who",
        "which",
        "why",
        "when",
        "where",
        "whether",
        "shall",
        "may",
        "might",
        "must",
        "did",
        "have",
        "has",
    ]
)
_WORD = re.compile(r"[a-z']+")
_DECIDING = re.compile(r"\b(?:decide|decision|choose|pick|determine|agree|confirm|tbd|open)\b")
_OR = re.compile(r"\bor\b|\bvs\.?\b|/")
_WE = re.compile(r"\b(?:we|our|us)\b")


def _sentence_features(scan: Scan, start: int, mark: int) -> dict[str, float]:
    masked = scan.scan
    s_start, s_end = scan.sentence(start)
    words = _WORD.findall(masked[s_start:s_end])
    first = next((w for w in words if w in _FIRST_WORDS), "") if words[:3] else ""
    line_start, line_end = scan.line_span(start)
    after = masked[mark + 1 : line_end].strip(" \t*_|")
    out = {
        f"first:{words[0] if words and words[0] in _FIRST_WORDS else 'other'}": 1.0,
        f"opens:{first or 'none'}": 1.0,
        f"q_words={cc._bucket(len(words), (4, 8, 16, 32))}": 1.0,
        f"after_words={cc._bucket(len(after.split()), (1, 4, 10))}": 1.0,
        "deciding_word": float(bool(_DECIDING.search(masked, s_start, s_end))),
        "or_in_sentence": float(bool(_OR.search(masked, s_start, s_end))),
        "we_in_sentence": float(bool(_WE.search(masked, s_start, s_end))),
        "question_marks_on_line": float(masked.count("?", line_start, line_end) > 1),
    }
    following = scan.next_sentence(s_start)
    out["next_on_line"] = float(following is not None and following[0] < line_end)
    return out


def document_candidates(text: str, pipeline=None) -> list[cc.Candidate]:
    """Every open-question candidate of ``text`` with its features."""
    pipeline = pipeline or nlp.pipeline()
    ctx = cc._Context(text, pipeline)
    scan = ctx.scan
    masked = scan.scan
    reviewed = engine.review(text)
    kept = {(f.start, f.end) for f in reviewed if f.category == OPEN_QUESTION}
    kept_lines = {f.line for f in reviewed if f.category == OPEN_QUESTION}
    structure = questions.Structure(scan)
    found: dict[tuple[int, int], cc.Candidate] = {}

    def add(start: int, end: int, kind: str, rule_id: str, word: str, extra: dict) -> None:
        if (start, end) in found:
            found[(start, end)].features[f"also:{rule_id}"] = 1.0
            return
        line, _ = scan.position(start)
        feats = {f"kind:{kind}": 1.0, f"rule:{rule_id}": 1.0, f"word:{word}": 1.0}
        area = scan.area(start)
        feats.update(
            {
                "in_heading": float(scan.in_heading(start)),
                "in_quote": float(scan.in_quote(start, end)),
                "faq": float(area.faq),
                "listed": float(structure.listed(start)),
                "open_area": float(structure.open_area(start)),
                "in_question_span": float(engine.claims.inside(ctx.question_spans, start)),
            }
        )
        feats.update(ctx.section_features(start))
        feats.update(ctx.block_features(start))
        feats.update(extra)
        found[(start, end)] = cc.Candidate(
            start, end, line, kind, rule_id, (start, end) in kept or line in kept_lines, feats
        )

    for m in re.finditer(r"\?+", masked):
        mark = m.start()
        s_start, _ = scan.sentence(mark)
        start = min(engine._LEAD.match(text, s_start).end(), mark)
        heading = scan.in_heading(mark)
        extra = _sentence_features(scan, start, mark)
        extra.update(
            {
                "placeholder_marks": float(
                    m.end() - mark > 1 or masked[mark - 1 : mark + 2] == "(?)"
                ),
                "quoted_voice": float(engine._quoted_voice(scan, mark)),
                "not_asking": float(not heading and structure.not_asking(mark)),
                # (open_heading is newer than some engines this is run against)
                "open_heading": float(
                    heading and getattr(structure, "open_heading", lambda _: False)(mark)
                ),
            }
        )
        add(start, mark + 1, "question", "question-in-body", "?", extra)
    for rule, pattern in engine._OPEN_PATTERNS:
        checker = engine._NOT_ORIGINAL.get(rule.id)
        for m in pattern.finditer(masked):
            if engine.starts_inside_word(masked, m.start()):
                continue
            start, end = m.span()
            if end <= start:
                continue
            head = masked[start:end].split()
            extra = _sentence_features(scan, start, end - 1)
            extra.update(
                {
                    "rule_in_headings": float(rule.in_headings),
                    "not_original": float(bool(checker and checker.fullmatch(text[start:end]))),
                    "keeps": float(open_words.keeps(scan, rule.id, start, end)),
                }
            )
            add(start, end, "rule", rule.id, head[0] if head else "", extra)
    decided = {
        scan.sentence(found_open.start): found_open.kind
        for found_open in decisions.find(
            scan, ctx.sentences, decisions.cue_offsets(scan, ctx.question_spans)
        )
    }
    for m in decisions.CUES.finditer(masked):
        start, end = m.span()
        if end <= start:
            continue
        kind = decided.get(scan.sentence(start))
        extra = _sentence_features(scan, start, end - 1)
        extra.update({"decision_found": float(kind is not None), f"decision:{kind}": 1.0})
        word = masked[start:end].split()
        add(start, end, "cue", "decision-cue", word[0] if word else "", extra)
    for f in reviewed:
        if f.category == OPEN_QUESTION and (f.start, f.end) not in found:
            add(f.start, f.end, "structural", f.rule, f.rule, {})
    return sorted(found.values(), key=lambda c: (c.start, c.end))
