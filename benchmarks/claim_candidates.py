"""Broad unquantified-claim candidates with features, for a learned scorer (see claim_model_cv.py).

Each candidate is a span of words on one line that might be an unquantified claim:

* every match of a vague-word rule (``rules_vague``) *before* any gate drops it, with each
  gate's verdict as a feature (excused by a measure, claim-free section, purpose clause, term,
  precondition, scenario scene, examples list, ``claims.keeps``, ``commitment.Gate.commits``);
* every word of the subjectivity lexicon used as an adjective or adverb (not only the
  evaluative subset the engine keeps), with its polarity and subjectivity;
* comparatives and superlatives by part-of-speech tag (JJR, JJS, RBR, RBS);
* the engine's structural claim findings (metric lines without a target, "[NEEDS
  CLARIFICATION: target ...]").

``engine`` on a candidate says whether the current rule engine reports it, so the rules are
one fixed point of the same candidate space. Nothing here decides: a model does.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import lru_cache
from importlib import resources

from prd_assistant.review import (
    claims,
    commitment,
    decisions,
    engine,
    fields,
    lexicon,
    nlp,
    questions,
    rules_vague,
    word_sense,
)
from prd_assistant.review.findings import UNQUANTIFIED_CLAIM
from prd_assistant.review.markdown_scan import Scan, normalize_title, scan_markdown

_WORD = re.compile(r"[a-z]+")
_LEXICON_WORD = re.compile(
    rb'<word form="([a-z]+)"[^>]* pos="(JJ|RB)"[^>]* polarity="(-?[\d.]+)" '
    rb'subjectivity="([\d.]+)"'
)
_COMPARATIVE_TAGS = frozenset(("JJR", "JJS", "RBR", "RBS"))
_MODALS = ("must", "shall", "should", "will", "would", "could", "can", "may", "might", "need")
_FUTURE_TITLE = re.compile(r"\b(?:future|later|next|roadmap|phase|v\d|someday|backlog|ideas?)\b")
_NONGOAL_TITLE = re.compile(r"\b(?:non goals?|out of scope|not in scope|not doing)\b")
_RISK_TITLE = re.compile(r"\b(?:risks?|threats?|mitigations?)\b")
_QUALITY_TITLE = re.compile(
    r"\b(?:non functional|nfrs?|performance|quality|security|reliability|usability|scalab)"
)
_REQ_TITLE = re.compile(r"\b(?:requirements?|functional|frs?|acceptance|criteria|must)\b")
_GOAL_TITLE = re.compile(r"\b(?:goals?|objectives?|principles|vision|outcomes?)\b")
_STORY_TITLE = re.compile(r"\b(?:stor(?:y|ies)|scenarios?|use cases?|journeys?|flows?)\b")
# Clause verbs common enough in PRDs to learn a weight each ("be fast", "feel snappy").
_COMMON_VERBS = frozenset(("be", "have", "provide", "support", "allow", "make", "feel", "ensure"))
_NUMBER = re.compile(r"\d")
_THAN = re.compile(r"\bthan\b")
_NEGATION = re.compile(r"\b(?:no|not|never|without|n t|none)\b")
_EARS = re.compile(r"\b(?:SHALL|WHEN|THEN|IF|WHILE)\b")
_RFC_MODAL = re.compile(r"\b(?:MUST|SHALL|SHOULD|MAY)\b")


@lru_cache(maxsize=1)
def lexicon_ratings() -> dict[str, tuple[float, float]]:
    """Mean (polarity, subjectivity) of every single-word adjective and adverb in the lexicon."""
    data = resources.files("prd_assistant.data").joinpath(lexicon.LEXICON_FILE).read_bytes()
    senses: dict[str, list[tuple[float, float]]] = {}
    for form, _, polarity, subjectivity in _LEXICON_WORD.findall(data):
        senses.setdefault(form.decode(), []).append((float(polarity), float(subjectivity)))
    return {
        form: (sum(p for p, _ in r) / len(r), sum(s for _, s in r) / len(r))
        for form, r in senses.items()
    }


@dataclass
class Candidate:
    """One candidate span and what is known about it."""

    start: int
    end: int
    line: int
    kind: str  # "rule", "lexicon", "comparative", "structural"
    rule: str  # the rule id whose texts a kept finding would use
    engine: bool  # the rule engine reports it today
    features: dict[str, float] = field(default_factory=dict)


def _bucket(value: float, edges: tuple[float, ...]) -> int:
    return sum(value >= e for e in edges)


class _Context:
    """What a document tells about every offset: sections, blocks, gates (computed once)."""

    def __init__(self, text: str, pipeline) -> None:
        self.text = text
        self.scan: Scan = scan_markdown(text)
        scan = self.scan
        collector = engine._Collector(scan)
        self.question_spans = engine._structural(scan, collector, questions.content_to_come(scan))
        self.claim_free = claims.merged(
            self.question_spans
            + [
                (area.start, next_start)
                for area, next_start in zip(
                    scan.areas, [*scan.area_starts[1:], len(text)], strict=True
                )
                if area.open_questions or area.under(engine._OUT_OF_SCOPE)
            ]
            + claims.section_spans(scan, claims.is_context_title, unless=claims.is_goal_title)
            + claims.labelled_context(scan)
            + fields.field_spans(scan)
            + [m.span() for m in engine._CLARIFICATION.finditer(scan.scan)]
        )
        self.terms = claims.Terms(scan)
        self.senses = word_sense.Senses(scan)
        self.gate = commitment.Gate(scan)
        self.sentences = claims.Sentences(scan, pipeline)
        starts = [s for s, e in zip(scan.sentence_starts, scan.sentence_ends, strict=True)]
        self.sentences.parse(starts + decisions.cue_offsets(scan, self.question_spans))

    def tokens(self, start: int, end: int):
        return self.sentences.tokens(start, end)

    def section_features(self, offset: int) -> dict[str, float]:
        scan = self.scan
        area = scan.area(offset)
        titles = [normalize_title(t) for t in commitment._titles(scan, offset)]
        joined = " | ".join(titles)
        says = commitment._section_says(commitment._titles(scan, offset))
        out = {
            "sec:open_questions": float(area.open_questions),
            "sec:faq": float(area.faq),
            "sec:context": float(any(claims.is_context_title(t) for t in area.path)),
            "sec:metric": float(any(claims.is_metric_title(t) for t in area.path)),
            "sec:future": float(bool(_FUTURE_TITLE.search(joined))),
            "sec:nongoal": float(bool(_NONGOAL_TITLE.search(joined))),
            "sec:risk": float(bool(_RISK_TITLE.search(joined))),
            "sec:quality": float(bool(_QUALITY_TITLE.search(joined))),
            "sec:req": float(bool(_REQ_TITLE.search(joined))),
            "sec:goal": float(bool(_GOAL_TITLE.search(joined))),
            "sec:story": float(bool(_STORY_TITLE.search(joined))),
            "sec:none": float(not titles),
            f"sec:says={says}": 1.0,
        }
        return out

    def block_features(self, offset: int) -> dict[str, float]:
        scan = self.scan
        block = scan.block_at(offset)
        out: dict[str, float] = {}
        if block is None:
            out["block:none"] = 1.0
            return out
        out[f"block:{block.kind}"] = 1.0
        if block.kind == "table_cell":
            out["cell:header_row"] = float(block.row == 0)
            out["cell:first_col"] = float(block.column == 0)
            kind = fields.field_kind(block.header) if block.header else None
            out[f"cell:field={kind}"] = 1.0
            words = len(scan.scan[block.start : block.end].split())
            out[f"cell:words={_bucket(words, (2, 4, 8, 16))}"] = 1.0
        out["block:quote"] = float(block.quote_depth > 0)
        out["block:nested"] = float(block.list_depth > 1)
        line_start, line_end = scan.line_span(offset)
        line = scan.text[line_start:line_end]
        out["line:ears"] = float(bool(_EARS.search(line)))
        out["line:rfc_modal"] = float(bool(_RFC_MODAL.search(line)))
        out["line:bold_lead"] = float(
            commitment._BOLD_LEAD.match(scan.text, block.start, block.end) is not None
        )
        out["line:goal_label"] = float(
            commitment._GOAL_LABEL.match(scan.scan, line_start) is not None
        )
        out["line:reason_label"] = float(
            claims.REASON_LABEL.match(scan.scan, line_start) is not None
        )
        step = claims.scenario_step(scan, offset)
        out[f"step:{step}"] = 1.0
        words = len(line.split())
        out[f"line:words={_bucket(words, (4, 8, 16, 32))}"] = 1.0
        return out


def _token_features(ctx: _Context, start: int, end: int, rule_id: str) -> dict[str, float]:
    span = ctx.tokens(start, end)
    out: dict[str, float] = {}
    if span is None:
        out["parse:none"] = 1.0
        return out
    token = span.root
    out[f"tag:{token.tag_}"] = 1.0
    out[f"dep:{token.dep_}"] = 1.0
    out[f"head_pos:{token.head.pos_}"] = 1.0
    out[f"head_dep:{token.head.dep_}"] = 1.0
    out[f"dep_head:{token.dep_}>{token.head.pos_}"] = 1.0
    verb = claims.clause_verb(token, subordinate=True)
    modal = commitment._modal(verb)
    out[f"modal:{modal if modal in _MODALS else ('other' if modal else 'none')}"] = 1.0
    out["has_modal"] = float(claims._has_modal(verb))
    lemma = nlp.lower_lemma(verb)
    out[f"verb:{lemma if lemma in _COMMON_VERBS else 'other'}"] = 1.0
    subject = claims.clause_subject(verb)
    if subject is None:
        kind = "none"
    else:
        lemma = subject.lemma_.lower()
        if lemma in commitment.PRODUCT_SUBJECTS or lemma in claims.PRODUCT_NOUNS:
            kind = "product"
        elif lemma in commitment.PEOPLE or lemma in claims.PEOPLE:
            kind = "people"
        elif lemma in commitment.WORLD or lemma in claims.WORLD_SUBJECTS:
            kind = "world"
        elif subject.pos_ == "PRON":
            kind = (
                "pronoun:" + subject.lower_
                if subject.lower_ in ("we", "it", "i", "you", "they")
                else "pronoun"
            )
        else:
            kind = "noun"
    out[f"subject:{kind}"] = 1.0
    out["in_subject"] = float(commitment._in_subject(token))
    out["negated"] = float(any(c.dep_ == "neg" for c in (*token.children, *verb.children)))
    sentence = token.sent
    out["fragment"] = float(commitment._is_fragment(sentence))
    out[f"sent_len={_bucket(len(sentence), (5, 10, 20, 40))}"] = 1.0
    out["is_context"] = float(claims.is_context(token))
    out["is_purpose"] = float(claims.is_purpose(token))
    out["describes_input"] = float(claims.describes_input(token))
    out["is_name"] = float(claims.is_name(span))
    out["judges_product"] = float(claims.judges_product(token))
    out["keeps"] = float(claims.keeps(span, rule_id))
    out["commits"] = float(
        ctx.gate.commits(span, start, own_clause=rule_id in claims.OWN_CLAUSE_RULES)
    )
    out["superlative"] = float(
        token.tag_ in ("JJS", "RBS") or any(c.tag_ == "RBS" for c in token.children)
    )
    out["comparative"] = float(
        token.tag_ in ("JJR", "RBR")
        or any(c.lower_ in ("more", "less") and c.i < token.i for c in token.children)
    )
    return out


def _common_features(ctx: _Context, start: int, end: int, rule_id: str) -> dict[str, float]:
    scan = ctx.scan
    c_start, c_end = scan.clause(engine._CLAUSE_BREAK, start, end)
    fit = engine._FITS.get(rule_id, engine._MEASURABLE)
    out = {
        "in_heading": float(scan.in_heading(start)),
        "in_quote": float(scan.in_quote(start, end)),
        "in_question": float(claims.inside(ctx.question_spans, start)),
        "claim_free": float(claims.inside(ctx.claim_free, start)),
        "purpose_clause": float(claims.in_purpose_clause(scan, start, end)),
        "precondition": float(claims.in_precondition(scan, start)),
        "in_scenario": float(claims.in_scenario(scan, start)),
        "closes_examples": float(claims.closes_examples(scan, start)),
        "sense_term": float(ctx.senses.is_term(start, end)),
        "names_kind": float(ctx.terms.names_a_kind(start, end)),
        "clause_measure": float(scan.search(engine._MEASURABLE, c_start, c_end)),
        "clause_fit": float(scan.search(fit, c_start, c_end)),
        "clause_number": float(scan.search(_NUMBER, c_start, c_end)),
        "clause_baseline": float(scan.search(engine._BASELINE, c_start, c_end)),
        "clause_than": float(scan.search(_THAN, c_start, c_end)),
        "clause_negation": float(scan.search(_NEGATION, c_start, c_end)),
    }
    out.update(ctx.section_features(start))
    out.update(ctx.block_features(start))
    out.update(_token_features(ctx, start, end, rule_id))
    return out


def _lexical_features(word: str, kind: str, rule_id: str) -> dict[str, float]:
    ratings = lexicon_ratings()
    base = word[:-2] if word.endswith("ly") and word[:-2] in ratings else word
    polarity, subjectivity = ratings.get(base, (0.0, 0.0))
    out = {
        f"kind:{kind}": 1.0,
        f"rule:{rule_id}": 1.0,
        f"word:{word}": 1.0,
        "lex:known": float(base in ratings),
        "lex:evaluative": float(base in lexicon.evaluative_adjectives()),
        "lex:not_evaluative": float(base in lexicon.NOT_EVALUATIVE),
        f"lex:pol={_bucket(abs(polarity), (0.1, 0.3, 0.6))}": 1.0,
        f"lex:polsign={(polarity > 0) - (polarity < 0)}": 1.0,
        f"lex:subj={_bucket(subjectivity, (0.2, 0.4, 0.6, 0.8))}": 1.0,
    }
    return out


def document_candidates(text: str, pipeline=None) -> list[Candidate]:
    """Every candidate of ``text`` with its features (needs the language pipeline)."""
    pipeline = pipeline or nlp.pipeline()
    ctx = _Context(text, pipeline)
    scan = ctx.scan
    reviewed = engine.review(text)
    engine_spans = {(f.start, f.end) for f in reviewed if f.category == UNQUANTIFIED_CLAIM}
    found: dict[tuple[int, int], Candidate] = {}

    def add(start: int, end: int, kind: str, rule_id: str, word: str, extra: dict) -> None:
        if (start, end) in found:
            found[(start, end)].features.update({f"also:{rule_id}": 1.0})
            return
        line, _ = scan.position(start)
        feats = _lexical_features(word, kind, rule_id)
        feats.update(_common_features(ctx, start, end, rule_id))
        feats.update(extra)
        found[(start, end)] = Candidate(
            start, end, line, kind, rule_id, (start, end) in engine_spans, feats
        )

    masked = scan.scan
    rule_matches: list[tuple[int, int]] = []
    for rule, pattern in engine._VAGUE_PATTERNS:
        checker = engine._NOT_ORIGINAL.get(rule.id)
        for m in pattern.finditer(masked):
            if engine.starts_inside_word(masked, m.start()):
                continue
            start, end = m.span("hit") if rule.id == "number-without-unit" else m.span()
            rule_matches.append((start, end))
            extra = {
                "not_original": float(bool(checker and checker.fullmatch(text[start:end]))),
                "excused": float(
                    (rule.measured_ok or rule.baseline_ok)
                    and engine._excused(scan, rule, start, end)
                ),
                f"words={min(3, len(masked[start:end].split()))}": 1.0,
            }
            head = masked[start:end].split()
            add(start, end, "rule", rule.id, head[0] if head else "", extra)
    ratings = lexicon_ratings()
    skip = claims.merged(rule_matches)
    for m in _WORD.finditer(masked):
        word = m.group()
        start, end = m.span()
        base = word[:-2] if word.endswith("ly") and word[:-2] in ratings else word
        if base not in ratings:
            continue
        if (start and masked[start - 1] == "-") or masked[end : end + 1] == "-":
            continue
        if claims.inside(skip, start):
            continue
        span = ctx.tokens(start, end)
        if span is None or len(span) != 1:
            continue
        tag = span[0].tag_
        if not tag.startswith(("JJ", "RB")):
            continue
        add(start, end, "lexicon", rules_vague.SUBJECTIVE_QUALITY.id, word, {})
    for (s_start, _), doc in ctx.sentences.docs.items():
        for token in doc:
            if token.tag_ not in _COMPARATIVE_TAGS:
                continue
            start = s_start + token.idx
            end = start + len(token.text)
            if claims.inside(skip, start) or (start, end) in found:
                continue
            if token.lower_ in ("more", "most", "less", "least"):
                following = token.nbor(1) if token.i + 1 < len(doc) else None
                if following is not None and following.tag_.startswith(("JJ", "RB")):
                    end = s_start + following.idx + len(following.text)  # "more configurable"
            rule_id = (
                "no-baseline-comparative" if token.tag_ in ("JJR", "RBR") else "subjective-quality"
            )
            add(start, end, "comparative", rule_id, token.lower_, {})
    for f in reviewed:
        if f.category == UNQUANTIFIED_CLAIM and f.rule in (
            "metric-without-target",
            "clarification-needs-number",
        ):
            add(f.start, f.end, "structural", f.rule, f.rule, {})
    return sorted(found.values(), key=lambda c: (c.start, c.end))
