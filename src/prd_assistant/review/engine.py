"""``review(text)``: runs every rule over a scanned PRD and returns the findings in order."""

from __future__ import annotations

import re
from bisect import bisect_left, insort
from functools import lru_cache

from prd_assistant.pattern_cache import compile_pattern
from prd_assistant.review import (
    claims,
    commitment,
    decisions,
    fields,
    markup,
    nlp,
    open_words,
    questions,
    rules_open,
    rules_vague,
    word_sense,
)
from prd_assistant.review.findings import OPEN_QUESTION, UNQUANTIFIED_CLAIM, Finding
from prd_assistant.review.markdown_scan import Scan, scan_markdown
from prd_assistant.review.rule import Rule
from prd_assistant.template import default_template_text

# Rules whose adverbs say how a thing behaves ("The phone regularly downloads the list").
_BEHAVIOUR_RULES = frozenset(("vague-timing", "vague-frequency"))
_CLAUSE_BREAK = re.compile(r";|\|| but | whereas | while |, (?:and|but|or|so|yet|while) ")
_MEASURABLE = compile_pattern(rules_vague.MEASURABLE)
_FITS = {rule_id: compile_pattern(fit) for rule_id, fit in rules_vague.FITS.items()}
_BASELINE = re.compile(rules_vague.BASELINE)
_MORE_LESS = re.compile(r"(?:more|less) $")
# A section that only lists what is not built ("Out of scope", "4. Non-goals",
# "Non-requirements", "What we're not working on & why"); "Goals & Non-Goals" also states
# goals, so it does not count.
_OUT_OF_SCOPE = re.compile(
    r"^(?:out of scope|not in scope|non goals?|non requirements?|not doing|won t (?:do|build)"
    r"|(?:what )?we (?:re |are |will |ll )?not (?:doing|building|working on|do|build))"
    r"(?: (?:and )?why)?(?: (?:for now|in v\d|for v\d|this release))?$"
)
# A Spec Kit marker whose question asks for a number ("[NEEDS CLARIFICATION: target latency]").
_CLARIFY_NUMBER = re.compile(
    r"\[needs clarification:[^\]\n]{0,120}?\b(?:numeric|number|range|min"
    r"|max|minimum|maximum|threshold|latency|target|metric|limit|timeout|budget|duration"
    r"|count|rate)\b[^\]\n]{0,120}\]"
)
_CLARIFICATION = re.compile(r"\[needs clarification\b[^\]\n]*\]")
_NEAR = 40  # characters after a vague amount in which its number must appear
_OPEN_QUESTION_LINE = re.compile(
    r"(?<![\w])open questions?(?:\*\*|__)?[ \t]*:(?:\*\*|__)?[ \t]*(?=\S)[^\n]*[^\s*_]"
)
_EMPTY_BULLET = re.compile(
    r"^[ \t]*(?:[-*+]|\d{1,3}[.)])(?:[ \t]+\[[ x]?\])?[ \t]*\r?$", re.MULTILINE
)
_QUESTION_MARKS = re.compile(r"\?+")
_NEXT_WORD = re.compile(r"[ \t]*([a-z][a-z-]{2,})")
_LEAD = re.compile(
    r"[ \t]*(?:>[ \t]*)*(?:[-*+][ \t]+|\d{1,3}[.)][ \t]+)?(?:\[[ x]\][ \t]+)?(?:\*\*|__)?"
)
_GUIDANCE_STRIP = re.compile(r"^[ \t]*(?:[-*+]|\d{1,3}[.)])[ \t]+|[\s*_`]+$")
# Template residue keeps its severity even under Open Questions: the template was not filled.
_RESIDUE_RULES = {"template-guidance", "empty-bullet", "empty-table-row"}
_RESIDUE_PLACEHOLDER = re.compile(r"[<{\[_]|lorem")


_OPEN_RULES = rules_open.RULES
_VAGUE_RULES = (*rules_vague.RULES, rules_vague.COMPARATIVE_DEGREE)
# One pattern per rule, in priority order: where two rules of a category overlap, the earlier
# rule's finding is kept ("as fast as possible" is unbounded optimisation, not "fast").
_OPEN_PATTERNS = [(rule, compile_pattern(rule.pattern, re.MULTILINE)) for rule in _OPEN_RULES]
_VAGUE_PATTERNS = [(rule, compile_pattern(rule.pattern, re.MULTILINE)) for rule in _VAGUE_RULES]
_NOT_ORIGINAL = {
    rule.id: re.compile(rule.not_original)
    for rule in _OPEN_RULES + _VAGUE_RULES
    if rule.not_original
}


@lru_cache(maxsize=1)
def _template_guidance() -> tuple[frozenset[str], re.Pattern[str] | None]:
    """Guidance lines of the built-in template (normalised), and a pattern that finds them.

    A finished PRD no longer holds them. Short lines such as "Availability & SLA" are left
    out: a PM may keep them as labels.
    """
    lines = set()
    for line in default_template_text().split("\n"):
        if line.lstrip().startswith("#"):
            continue
        key = _guidance_key(line)
        if key and (len(key.split()) >= 5 or key[-1] in ".)"):
            lines.add(key)
    if not lines:
        return frozenset(), None
    alternatives = sorted(
        (r"\s+".join(map(re.escape, key.split())) for key in lines), key=len, reverse=True
    )
    return frozenset(lines), compile_pattern("|".join(alternatives))


def _guidance_key(line: str) -> str:
    return " ".join(_GUIDANCE_STRIP.sub("", line).casefold().split())


class _Collector:
    """Keeps findings, dropping any that overlaps a kept one of the same category."""

    def __init__(self, scan: Scan) -> None:
        self.scan = scan
        self.kept: dict[str, list[tuple[int, int]]] = {}
        self.findings: list[Finding] = []

    def add(
        self,
        rule_id: str,
        category: str,
        severity: str,
        start: int,
        end: int,
        texts: dict[str, str],
    ) -> None:
        spans = self.kept.setdefault(category, [])
        index = bisect_left(spans, (start, end))
        if index > 0 and spans[index - 1][1] > start:
            return
        if index < len(spans) and spans[index][0] < end:
            return
        insort(spans, (start, end))
        text = self.scan.text
        match = text[start:end]
        area = self.scan.area(start)
        residue = rule_id in _RESIDUE_RULES or (
            rule_id == "placeholder" and _RESIDUE_PLACEHOLDER.match(match.lower()) is not None
        )
        if category == OPEN_QUESTION and area.open_questions and not residue:
            severity = "info"
        line, column = self.scan.position(start)
        # An open question is its whole sentence: the PM has to answer all of it.
        where = _sentence_around(self.scan, start, end) if category == OPEN_QUESTION else None
        location_start, location_end = where or (start, end)
        short = match if len(match) <= 200 else match[:197] + "..."
        self.findings.append(
            Finding(
                rule=rule_id,
                category=category,
                severity=severity,
                line=line,
                column=column,
                start=start,
                end=end,
                section=area.section,
                match=match,
                sentence=self.scan.sentence_text(start, end),
                message=texts["message"].replace("{match}", short),
                question=texts["question"].replace("{match}", short),
                suggestion=texts["suggestion"].replace("{match}", short),
                location_start=location_start,
                location_end=location_end,
                first_line=self.scan.position(location_start)[0],
                last_line=self.scan.position(max(location_start, location_end - 1))[0],
            )
        )


def _sentence_around(scan: Scan, start: int, end: int) -> tuple[int, int]:
    """The sentence, list item or table cell holding ``start``..``end`` (the sentences of both
    ends when it crosses one), as the sentence splitter sees it: hard-wrapped lines of a
    paragraph or list item included, never past its block. Without the bullet and markup that
    open it and the blanks that close it."""
    text = scan.text
    s_start = scan.sentence(start)[0]
    s_end = scan.sentence(max(start, end - 1))[1]
    s_start = min(_LEAD.match(text, s_start).end(), start)
    s_end = max(s_end, end)
    while s_end > end and text[s_end - 1].isspace():
        s_end -= 1
    return s_start, s_end


def review(markdown_text: str, *, use_nlp: bool = True) -> list[Finding]:
    """Flags open questions and unquantified claims in a PRD.

    Args:
        markdown_text: The PRD as Markdown (any text works).
        use_nlp: Judge vague words by sentence structure with the language pipeline. When
            it cannot be loaded, review runs without it and :func:`nlp.load_warning` says
            why.

    Returns:
        Findings ordered by position; ``markdown_text[f.start:f.end] == f.match`` for each.
    """
    if not markdown_text.strip():
        return []
    scan = scan_markdown(markdown_text)
    out = _Collector(scan)
    # "*coming soon*" in place of a section's content: a placeholder, and no speed promised.
    to_come = questions.content_to_come(scan)
    question_spans = _structural(scan, out, to_come)
    _run_rules(scan, out, _OPEN_PATTERNS, question_spans)
    # Items under an Open Questions heading ask, items under Out of scope are not built,
    # sections that describe the world (problem, background, personas ...) state no
    # requirement and fields (metadata, naming and rating columns) classify the item: their
    # vague words are not claims.
    claim_free = claims.merged(
        question_spans
        + [
            (area.start, next_start)
            for area, next_start in zip(
                scan.areas, [*scan.area_starts[1:], len(markdown_text)], strict=True
            )
            if area.open_questions or area.under(_OUT_OF_SCOPE)
        ]
        + claims.section_spans(scan, claims.is_context_title, unless=claims.is_goal_title)
        + claims.labelled_context(scan)
        + fields.field_spans(scan)
        # "[NEEDS CLARIFICATION: should creation clear the selection?]" asks the author.
        + [m.span() for m in _CLARIFICATION.finditer(scan.scan)]
        + to_come
    )
    matched: list[tuple[int, int]] = []
    terms = claims.Terms(scan)
    senses = word_sense.Senses(scan)
    candidates = [
        c
        for c in _candidates(scan, _VAGUE_PATTERNS, claim_free, matched)
        if not claims.in_purpose_clause(scan, c[1], c[2])
        and not (c[0].id in claims.TERM_RULES and terms.names_a_kind(c[1], c[2]))
        and not senses.is_term(c[1], c[2])
        and not claims.in_precondition(scan, c[1])
        and not (c[0].id == "vague-timing" and claims.in_scenario(scan, c[1]))
        and not (c[0].id == "open-ended-list" and claims.closes_examples(scan, c[1]))
        and not claims.enumerated_after(scan, c[0].id, c[1])
    ]
    pipeline = nlp.pipeline() if use_nlp else None
    if pipeline is not None:
        sentences = claims.Sentences(scan, pipeline)
        open_cues = decisions.cue_offsets(scan, question_spans)
        sentences.parse([start for _, start, _, _ in candidates] + open_cues)
        gate = commitment.Gate(scan)
        candidates = [c for c in candidates if _is_claim(sentences, gate, *c[:3])]
    else:
        # Only the parse tells "more accessible" (a comparative) from "more information".
        candidates = [c for c in candidates if c[0] is not rules_vague.COMPARATIVE_DEGREE]
    for rule, start, end, texts in candidates:
        out.add(rule.id, rule.category, rule.severity, start, end, texts)
    if pipeline is not None:
        _add_open_decisions(out, sentences, open_cues)
        # Words a rule already matched were judged by it, with its own measurable criterion.
        skip = claims.merged(claim_free + matched)
        subjective = rules_vague.SUBJECTIVE_QUALITY
        for word in claims.subjective_words(scan, sentences, skip):
            if (
                not _commits(sentences, gate, word.start, word.end)
                or claims.in_purpose_clause(scan, word.start, word.end)
                or claims.in_precondition(scan, word.start)
                or senses.is_term(word.start, word.end)
                or _excused(scan, subjective, word.start, word.end)
            ):
                continue
            texts = {
                "message": subjective.message,
                "question": subjective.question,
                "suggestion": subjective.suggestion,
            }
            out.add(subjective.id, UNQUANTIFIED_CLAIM, "warning", word.start, word.end, texts)
    for start, end in claims.metric_lines(scan, question_spans):
        if not _flagged_line(out, scan, start):
            out.add(
                "metric-without-target",
                UNQUANTIFIED_CLAIM,
                "warning",
                start,
                end,
                rules_vague.METRIC_WITHOUT_TARGET,
            )
    # "[NEEDS CLARIFICATION: target latency]": the spec itself says its number is missing.
    for m in _CLARIFY_NUMBER.finditer(scan.scan):
        if scan.area(m.start()).open_questions or scan.in_heading(m.start()):
            continue
        out.add(
            "clarification-needs-number",
            UNQUANTIFIED_CLAIM,
            "warning",
            m.start(),
            m.end(),
            rules_vague.CLARIFICATION_NEEDS_NUMBER,
        )
    return sorted(out.findings, key=lambda f: (f.start, f.end, f.category))


def _add_open_decisions(out: _Collector, sentences: claims.Sentences, cues: list[int]) -> None:
    """Decisions left open without a set phrase (see :mod:`decisions`), in sentences no open
    question was found in yet."""
    scan = out.scan
    asked = {scan.sentence(start) for start, _ in out.kept.get(OPEN_QUESTION, [])}
    for found in decisions.find(scan, sentences, cues):
        if scan.sentence(found.start) in asked:
            continue
        rule = rules_open.CHOICE if found.kind == "choice" else rules_open.DEFERRAL
        text = scan.text[found.start : found.end]
        texts = {
            "message": rule.message,
            "question": rule.question,
            "suggestion": rule.suggestion_for(text),
        }
        out.add(rule.id, OPEN_QUESTION, rule.severity, found.start, found.end, texts)


def _is_claim(
    sentences: claims.Sentences, gate: commitment.Gate, rule: Rule, start: int, end: int
) -> bool:
    span = sentences.tokens(start, end)
    if rule is rules_vague.COMPARATIVE_DEGREE and (span is None or not claims.grades_quality(span)):
        return False
    # A loophole hedges whatever it hangs from, in a paragraph that explains as much as in a
    # requirement ("The method may also include Authorization config if practical").
    return span is None or (
        claims.keeps(span, rule.id)
        and (
            rule.id == "loophole"
            or gate.commits(
                span,
                start,
                own_clause=rule.id in claims.OWN_CLAUSE_RULES,
                behaviour=rule.id in _BEHAVIOUR_RULES,
            )
        )
    )


def _commits(sentences: claims.Sentences, gate: commitment.Gate, start: int, end: int) -> bool:
    span = sentences.tokens(start, end)
    return span is None or gate.commits(span, start)


def _flagged_line(out: _Collector, scan: Scan, offset: int) -> bool:
    """True when a finding already lies on the line holding ``offset``."""
    line_start, line_end = scan.line_span(offset)
    return any(line_start <= f.start < line_end for f in out.findings)


def _structural(
    scan: Scan, out: _Collector, to_come: list[tuple[int, int]]
) -> list[tuple[int, int]]:
    """Open-question lines, unfilled guidance, empty bullets and questions in the body, and
    the paragraphs ``to_come`` that only promise their content.

    Returns the spans of questions, where vague words ask rather than claim.
    """
    text, masked = scan.text, scan.scan
    question_spans: list[tuple[int, int]] = []
    # Read as the rules read ("Open&nbsp;question:" is "Open question:").
    for start, end in scan.read_spans(_OPEN_QUESTION_LINE):
        # "### Open question: who owns billing?" is one too, heading or not.
        if scan.in_quote(start, end):
            continue
        texts = (
            rules_open.OPEN_QUESTION_LISTED
            if scan.area(start).open_questions
            else rules_open.OPEN_QUESTION_LINE
        )
        out.add("open-question-line", OPEN_QUESTION, "warning", start, end, texts)
        question_spans.append((start, end))
    for m in _EMPTY_BULLET.finditer(masked):
        if text[m.start() : m.end()].strip() != m.group().strip():
            continue  # "- `avatars`": the item holds inline code, blanked in the scan
        start = m.start() + len(m.group()) - len(m.group().lstrip())
        end = start + len(m.group().strip())
        out.add("empty-bullet", OPEN_QUESTION, "error", start, end, rules_open.EMPTY_BULLET)
    guidance, finder = _template_guidance()
    for m in finder.finditer(masked) if finder else ():
        line_start, line_end = scan.line_span(m.start())
        if (
            scan.in_heading(line_start)
            or _guidance_key(masked[line_start:line_end]) not in guidance
        ):
            continue
        lead = _LEAD.match(text, line_start).end()
        end = line_start + len(text[line_start:line_end].rstrip())
        out.add(
            "template-guidance", OPEN_QUESTION, "error", lead, end, rules_open.TEMPLATE_GUIDANCE
        )
    structure = questions.Structure(scan)
    for m in _QUESTION_MARKS.finditer(masked):
        mark = m.start()
        if m.end() - mark > 1 or masked[mark - 1 : mark + 2] == "(?)":
            continue  # "???" and "(?)" are placeholders, found by their rule
        if scan.in_quote(mark, mark + 1) or _quoted_voice(scan, mark):
            continue
        if scan.in_heading(mark):
            # A question heading is answered by its section unless nothing there answers it.
            if not structure.open_heading(mark):
                continue
        elif scan.area(mark).faq or scan.in_answered_summary(mark) or structure.not_asking(mark):
            continue
        s_start, s_end = scan.sentence(mark)
        start = min(_LEAD.match(text, s_start).end(), mark)
        question_spans.append((s_start, s_end))
        listed = structure.listed(mark)
        texts = rules_open.OPEN_QUESTION_LISTED if listed else rules_open.QUESTION_IN_BODY
        end = scan.char_end(mark)  # past "&#63;", a question mark written as a reference
        out.add("question-in-body", OPEN_QUESTION, _listed(listed), start, end, texts)
    # Items under an Open issues heading need no "?" to be open ("* the heap dump format").
    for start, end in questions.listed_items(structure):
        if scan.in_answer_body(start):
            continue  # "<summary>Which services exist?</summary>" and the list answering it
        texts = rules_open.OPEN_QUESTION_LISTED
        out.add("open-question-line", OPEN_QUESTION, "info", start, end, texts)
    for start, end in questions.pending_sign_offs(structure):
        out.add(
            "pending-sign-off", OPEN_QUESTION, "warning", start, end, rules_open.PENDING_SIGN_OFF
        )
    for start, end in questions.empty_rows(scan):
        out.add("empty-table-row", OPEN_QUESTION, "error", start, end, rules_open.EMPTY_TABLE_ROW)
    found = [(rules_open.CHOICE, span) for span in questions.bare_choices(scan)]
    found += [(rules_open.PLACEHOLDER, span) for span in questions.bracket_placeholders(scan)]
    found += [(rules_open.PLACEHOLDER, span) for span in to_come]
    found += [(rules_open.PLACEHOLDER, span) for span in fields.empty_fields(scan)]
    for rule, (start, end) in found:
        texts = {
            "message": rule.message,
            "question": rule.question,
            "suggestion": rule.suggestion_for(text[start:end]),
        }
        out.add(rule.id, OPEN_QUESTION, rule.severity, start, end, texts)
    question_spans.sort()
    return question_spans


def _listed(listed: bool) -> str:
    return "info" if listed else "warning"


def _quoted_voice(scan: Scan, mark: int) -> bool:
    """True inside a blockquote: a quoted question (a user's words) is not the PRD asking."""
    block = scan.block_at(mark)
    return block is not None and block.quote_depth > 0


def _run_rules(
    scan: Scan,
    out: _Collector,
    patterns: list[tuple[Rule, re.Pattern[str]]],
    question_spans: list[tuple[int, int]],
) -> None:
    for rule, start, end, texts in _candidates(scan, patterns, question_spans):
        out.add(rule.id, rule.category, rule.severity, start, end, texts)


def starts_inside_word(masked: str, begin: int) -> bool:
    """Whether a match at ``begin`` starts inside a word: "fast" in "breakfast". Underscores
    that open emphasis ("_TBD - once we synthesize research_") stand outside the word."""
    first = masked[begin]
    if not begin or not (first.isalnum() or first == "_"):
        return False
    before = masked[begin - 1]
    if before == "_" and first != "_":
        opening = begin - 1
        while opening > 0 and masked[opening - 1] == "_":
            opening -= 1
        return opening > 0 and (masked[opening - 1].isalnum() or masked[opening - 1] == "-")
    return before.isalnum() or before in "_-"


def _candidates(
    scan: Scan,
    patterns: list[tuple[Rule, re.Pattern[str]]],
    question_spans: list[tuple[int, int]],
    matched: list[tuple[int, int]] | None = None,
) -> list[tuple[Rule, int, int, dict[str, str]]]:
    """Every match of ``patterns`` that its rule does not excuse, in rule priority order.

    ``matched``, when given, receives the span of every match, excused or not.
    """
    text = scan.text
    # Matched where character references are reduced to what they read as ("as&nbsp;needed"
    # is "as needed"), then mapped back to the text.
    squeezed = scan.squeezed
    source = squeezed.text if squeezed is not None else scan.scan
    found = []
    for rule, pattern in patterns:
        checker = _NOT_ORIGINAL.get(rule.id)
        for m in pattern.finditer(source):
            if starts_inside_word(source, m.start()):
                continue
            start, end = m.span("hit") if rule.id == "number-without-unit" else m.span()
            if squeezed is not None:
                start, end = squeezed.span(start, end)
            if matched is not None:
                matched.append((start, end))
            if scan.in_heading(start) and not rule.in_headings:
                continue
            if scan.in_quote(start, end):
                continue
            if not rule.in_questions and claims.inside(question_spans, start):
                continue
            if checker and checker.fullmatch(text[start:end]):
                continue
            if (
                rule is rules_open.PLACEHOLDER
                and text[start] == "<"
                and markup.is_markup(text, start, end)
            ):
                continue
            if rule.category == OPEN_QUESTION and not open_words.keeps(scan, rule.id, start, end):
                continue
            if (rule.measured_ok or rule.baseline_ok) and _excused(scan, rule, start, end):
                continue
            texts = {
                "message": rule.message,
                "question": rule.question,
                "suggestion": rule.suggestion_for(text[start:end]),
            }
            found.append((rule, start, end, texts))
    return found


def _excused(scan: Scan, rule: Rule, start: int, end: int) -> bool:
    """True when the clause around the match gives its measurable criterion or baseline."""
    s_start, s_end = scan.sentence(start)
    c_start, c_end = scan.clause(_CLAUSE_BREAK, start, end)
    # The criterion must fit the claim: a time for speed, a target or delta for a comparative.
    fit = _FITS.get(rule.id, _MEASURABLE)
    if rule.measured_ok:
        if rule.near_only:
            if fit.search(scan.scan, end, min(c_end, end + _NEAR)):
                return True
        elif scan.search(fit, c_start, c_end):
            return True
    # "more reliable than the monolith" is a comparative: a baseline settles it.
    comparative = (
        rule.baseline_ok or _MORE_LESS.search(scan.scan, max(s_start, start - 6), start) is not None
    )
    if comparative and (
        scan.search(_BASELINE, c_start, c_end)
        or scan.search(_FITS["no-baseline-comparative"], c_start, c_end)
    ):
        return True
    # "The product shall be easy to use. 90% of users ...": a vague statement followed, in the
    # same requirement, by its fit criterion is measured.
    # An amount or a frequency needs its own number ("various systems. 100% of transactions
    # succeed" still leaves "various" open).
    # Only a sentence that continues the same line counts: in a paragraph of one-line
    # requirements ("FR-12 ... promptly.\nFR-13 ... 30 days ..."), the next line is another
    # requirement, not this one's fit criterion.
    following = scan.next_sentence(start)
    if not rule.measured_ok or not following or "\n" in scan.scan[s_end : following[0]]:
        return False
    if not rule.near_only:
        return scan.search(fit, *following)
    # An amount is settled when the next sentence counts the same thing ("within a few
    # minutes. ... in less than 15 minutes").
    noun = _NEXT_WORD.match(scan.scan, end)
    if noun is None:
        return False
    counted = re.compile(r"\d[\d,.]*\+?[ \t]+" + re.escape(noun.group(1)))
    return scan.search(counted, *following)
