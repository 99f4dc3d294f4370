"""Which vague words are claims: where their sentence sits and what it says.

The word rules (``rules_vague``) find candidates; this module decides which of them are
claims about the product, in two layers:

* From the document's structure, with no language model: sections that describe the world
  (problem statement, background, motivation, personas, competitors, meeting minutes ...,
  at any heading level) make no claims; purpose clauses ("so that ...", "in order to ...")
  say why, not what; "e.g. CSV, JSON, etc." ends an example list, not a scope; and a line
  under Success Metrics / KPIs (or any title a template gives that section: "Proposed metrics",
  "How will we measure success?", "Success criteria") with no target at all is itself
  unquantified.
* From sentence structure, with the language pipeline (:mod:`nlp`): a sentence whose
  subject is users, customers, competitors, the problem or today's tools is context unless
  it states a requirement (a modal such as must/shall/will); a past-tense sentence reports
  history; an infinitive of purpose ("to boost adoption") is split off; a capitalised name
  ("Instant Payouts", "Smart Compose") is not a quality; a timing word that orders events
  ("shortly after launch") is no latency promise. Evaluative adjectives from the public
  lexicon (:mod:`lexicon`) count when they judge the product or a requirement's predicate,
  and superlatives of them ("picks the best slot") count in any claim.
"""

from __future__ import annotations

import re
import unicodedata
from bisect import bisect_left, bisect_right
from collections.abc import Callable
from dataclasses import dataclass
from itertools import pairwise
from typing import TYPE_CHECKING

from prd_assistant.pattern_cache import compile_pattern
from prd_assistant.redaction import get_logger
from prd_assistant.review import lexicon, nlp
from prd_assistant.review.lexicon import word_set
from prd_assistant.review.markup import HOST_STAND_IN
from prd_assistant.template import normalize_title

if TYPE_CHECKING:
    from spacy.language import Language
    from spacy.tokens import Doc, Span, Token

    from prd_assistant.markdown_doc import Block
    from prd_assistant.review.markdown_scan import Scan

logger = get_logger(__name__)

# Longer "sentences" are not prose (a pasted log, a giant table row): they are not parsed, and
# the word rules alone judge their words.
MAX_SENTENCE_CHARS = 5_000

# Sections that describe the world rather than the product.
CONTEXT_TITLE = compile_pattern(
    r"\b(?:problem(?: statement| space|s)?|pain points?|background|motivation|context"
    r"|(?:user |buyer )?personas?|competit(?:ors?|ive (?:analysis|landscape))|competition"
    r"|target (?:users?|user profiles?|audiences?|customers?)|who (?:is )?(?:this|it) (?:is )?for"
    r"|market (?:analysis|research|landscape|overview)|landscape|prior art|alternatives"
    r"|about (?:this|the) (?:document|doc|prd|spec)|meeting (?:minutes|notes)|minutes"
    r"|current (?:experience|process)|status quo|as[- ]is|today|why now"
    r"|(?:user )?research(?: findings)?|customer (?:quotes|feedback|interviews)|interviews?"
    r"|revision history|change ?log|document history|glossary|references?|acknowledg(?:e?ments?)"
    r"|history|discovery|insights?|rationale|drawbacks|trade[- ]?offs|positioning|guidelines"
    r"|checklist|execution (?:flow main|status)|decisions?|clarifications"
    # What a later release may bring is not this one's promise ("Future considerations",
    # "16. Future (v1.1+)"); "Future-proof storage" is no such section.
    r"|future (?:possibilities|work|ideas|considerations|enhancements|improvements|releases?"
    r"|versions?|phases?|directions?)|^future(?: v\d[\w ]*)?$)\b"
)
# The same, as a label opening a line or list item.
_CONTEXT_LABEL = re.compile(
    r"^[ \t]*(?:[-*+][ \t]+|\d{1,3}[.)][ \t]+)?(?:\*\*|__)?"
    r"(?:likelihood|probability|impact|severity|effort|confidence|trade-?offs?"
    # "Why this priority:", "Why it matters:", "Why now:": why the plan ranks or times the
    # item, not what the product does (a bare "Why:" is a rationale, see REASON_LABEL).
    r"|why[ \t][^:*_\n]{1,40}"
    r"|background|context|motivation|problem|future|risk"
    # Spec Kit's "**Input**: User description: "..."": the request the spec answers.
    r"|input|user description|original request|prompt)"
    r"(?:\*\*|__)?[ \t]*:",
    re.MULTILINE,
)
# A line that gives reasons ("**Rationale:** ...", "Why: ..."): the status quo it describes is
# context, but the effect it claims for the product is a claim (see ``commitment.Gate``).
REASON_LABEL = re.compile(
    r"[ \t]*(?:[-*+][ \t]+|\d{1,3}[.)][ \t]+)?(?:\*\*|__)?(?:rationale|reasons?|why)(?:\*\*|__)?"
    r"[ \t]*:"
)
# Labels of what is not built: a decision, not a claim ("Rejected — Streaks", "Non-goals").
_NOT_BUILT = re.compile(
    r"(?:rejected|non goals?|non requirements?|out of scope|not in scope|not doing"
    r"|won t (?:do|build)|(?:what )?we (?:re |are )?not (?:doing|building|working on)|deferred"
    r"|dropped)\b"
)
# The same, opening a line or list item up to its colon ("- **Rejected — Streaks:** ...").
_NOT_BUILT_LINE = re.compile(
    r"^[ \t]*(?:[-*+][ \t]+|\d{1,3}[.)][ \t]+)?(?:\*\*|__)?(?:rejected|non[- ]goals?"
    r"|non[- ]requirements?|out of scope|not in scope|not doing|won['\u2019]?t (?:do|build)|deferred|dropped)\b"
    r"[^:\n]{0,80}:",
    re.MULTILINE | re.IGNORECASE,
)
# A paragraph that is only a bold label, the colon inside or after the bold: "**Target user
# profile**:", "**Who it's for:**".
_BOLD_LABEL = re.compile(r"(?:\*\*|__)(?P<label>[^*_\n]{1,60}?):?(?:\*\*|__)[ \t]*:?[ \t]*")
# A title that also names what is built ("Problem and product hypothesis", "Risks and
# requirements") introduces claims too.
NOT_CONTEXT_TITLE = re.compile(
    r"\b(?:product|solution|requirements?|goals?|scope|proposal|hypothesis|features?|design"
    r"|specification|mitigations?|success)\b"
)
# How PRD templates title the section that says how success is measured: "Success Metrics",
# "Proposed metrics", "KPIs", "Success criteria", "Success indicators", "Measuring success",
# "How will we measure success?", "What does success look like?", "Success looks like",
# "Success: How do we know if we've solved this problem?", "Measurable outcomes". Criteria
# that gate a release or accept a story ("Acceptance criteria", "Launch criteria") are not.
METRIC_TITLE = compile_pattern(
    r"\b(?:metrics?|kpis?|okrs?|key results?|north star|measures? of success"
    r"|success (?:measures?|criteria|criterion|indicators?|signals?|looks? like|definition)"
    r"|definition of success|defining success|measuring success"
    r"|(?:what|how) (?:does|would|will|should) success look"
    r"|how (?:will|do|would|can|should|shall) we (?:measure|judge|evaluate|assess)"
    r"|how we(?: ll| will)? (?:measure|judge|evaluate|assess)"
    r"|how (?:will|do|would|can) we know (?:if |whether |when |that )?(?:we ve |we have |we |it |this )?"
    r"(?:solved|succeeded|worked|achieved|met|are successful|is successful|was successful)"
    r"|measurable (?:outcomes?|goals?|results?))\b"
    # "Success: How do we know ...", "Success" alone; not "Success stories".
    r"|^success\b(?! stor)"
)
# Columns of a success table: where a row's measure is, and where its target is.
_MEASURE_HEADER = re.compile(r"\b(?:metrics?|kpis?|measures?|indicators?|criteri(?:a|on))\b")
_TARGET_HEADER = re.compile(r"\b(?:targets?|thresholds?|goal values?|baseline)\b")
# A measure cell that names a quantity: "Number of searches", "Average suite execution time",
# "Click-through rate to the listing", "% of users".
_QUANTITY_NAME = re.compile(
    r"(?:%|(?:total |average |mean |median |daily |weekly |monthly )?(?:number|count|rate"
    r"|ratio|percentage|percent|share|proportion|time|duration|latency|frequency|score|nps"
    r"|retention|adoption|usage|conversion|churn|revenue|growth|volume|amount)\b"
    r"|[\w/-]+(?: [\w/-]+)? (?:rate|rates|time|score|ratio|count|percentage)\b)"
)
# A Goals part of a "Goals & Success Metrics" section states goals, not their measures.
_GOAL_TITLE = re.compile(r"\b(?:goals?|objectives?)\b")
_NOT_GOAL_TITLE = re.compile(r"\bnon[- ]?goals?\b|\bnot\b|\bout of\b")
# Purpose clauses say why, not what; their words are not judged.
PURPOSE = re.compile(
    r"\b(?:so that|so as to|in order (?:to|for|that)|with the (?:aim|goal|intent) (?:of|to)"
    r"|for (?:easier|better|faster|simpler|quicker|smoother|improved|greater|more)"
    # An infinitive of a goal verb says why, unless a verb of ability or wish governs it
    # ("allows users to reduce ..." is the capability itself).
    r"|(?<!able )(?<!allow )(?<!allows )(?<!enable )(?<!enables )(?<!want )(?<!wants )"
    r"(?<!need )(?<!needs )(?<!way )(?<!ways )(?<!how )(?<!lets )(?<!users )(?<!them )"
    r"to (?:boost|drive|increase|improve|reduce|encourage|grow|maximi[sz]e|minimi[sz]e"
    r"|enhance|accelerate|speed up|lower|raise|cut|avoid|prevent|limit))\b"
)
# Given/When clauses of an acceptance scenario set the scene; only the Then clause claims.
_GIVEN = re.compile(r"\b(?:given|when)\b")
_THEN = re.compile(r"\bthen\b")
# Steps of a Given/When/Then scenario or an EARS requirement, as they are written (see
# scenario_step); the responses are Then and EARS's "THE <system> SHALL".
_SCENARIO_STEP = re.compile(r"\b(?:Given|GIVEN|When|WHEN|WHILE|IF|WHERE|Then|THEN|THE)\b")
_RESPONSE_STEP = re.compile(r"\b(?:Then|THEN|THE)\b")
_NEXT_STEP_ITEM = re.compile(r"(?:\*\*|__)?(?:When|WHEN|Then|THEN|And|AND)\b")
_NEXT_STEP = re.compile(r"immediate(?:ly)?|right away|at once")
_CLAUSE_END = re.compile(r"[;:]|\. |, (?:and|but|while|whereas) ")
# "etc." after "e.g. CSV, JSON" or "such as Slack, Teams" closes examples, not a scope.
_EXAMPLES = re.compile(r"\b(?:e\.g\.?|eg|for example|for instance|such as|like)[ \t,:]")
_METRIC_LINE = re.compile(r"[ \t]*(?:[-*+][ \t]+|\d{1,3}[.)][ \t]+|\|)")
_CHECKBOX = re.compile(r"\[[ xX]?\][ \t]")
_HAS_NUMBER = re.compile(
    r"\d|\b(?:zero|one|two|three|four|five|ten|half|twice|double|single|once)\b"
)
_MARKUP = re.compile(r"[*_`|#>]|^[ \t]*(?:[-+][ \t]|\d{1,3}[.)][ \t])", re.MULTILINE)


# Modals of obligation, promise and plan.
REQUIRING = word_set("must shall should will 'll wo need needs ought")
MODALS = word_set("must shall should will would can could may might need needs")
SUBJECTS = frozenset(("nsubj", "nsubjpass", "csubj", "csubjpass", "expl"))
# Embedded clauses whose verb heads a clause of its own (see clause_verb).
_SUBORDINATE = frozenset(("xcomp", "advcl", "ccomp", "relcl", "acl", "conj", "pcomp"))
# Subjects whose sentences describe the world (who suffers, who competes, what is broken).
WORLD_SUBJECTS = word_set(
    """competitor competitors rival rivals incumbent incumbents problem problems pain pains
    market markets industry alternative alternatives"""
)
# People: their sentences are context unless they state a requirement ("users can ...").
PEOPLE = word_set(
    """user users customer customers people person persona personas buyer buyers shopper
    shoppers member members visitor visitors team teams we they i he she it's company
    companies business businesses manager managers engineer engineers developer developers
    admin admins administrator administrators analyst analysts agent agents operator
    operators staff employee employees pm pms designer designers researcher researchers
    merchant merchants seller sellers driver drivers patient patients student students
    teacher teachers clinician clinicians nurse nurses doctor doctors owner owners"""
)
# "today's tools", "existing solutions", "the current process": the world as it is.
_TODAY = word_set("today current existing legacy manual incumbent competing")
# What people think, feel, want or do today: "users find the search slow", "shoppers give up
# because checkout feels clunky". Actions the product performs for them ("merchants receive
# notifications in real time") are requirements, whatever the tense.
ATTITUDE_VERBS = word_set(
    """find feel complain struggle say tell report mention want wish expect prefer like love
    hate dislike abandon churn leave quit switch spend waste avoid rely depend try ask face
    suffer juggle resort perceive consider think believe describe rate give know hear worry
    care fear trust distrust tolerate accept reject ignore miss forget lose"""
)
# Verbs of an effect on the world the product is built for: "Introducing QR codes can increase
# uptake", "The service could alleviate the tracing burden", "Translating the docs makes them
# more accessible". With the product or the change proposed as subject they claim a benefit,
# in the present tense and with "can" or "could" alike; "A plugin could offer layouts" is a
# possibility, not a benefit.
EFFECT_VERBS = word_set(
    """increase improve reduce decrease lower raise cut make help enable boost alleviate ease
    lessen simplify broaden expand save accelerate speed enhance strengthen shorten streamline
    minimize minimise maximize maximise optimize optimise"""
)
# Verbs of wanting: with "we" (the authors) they state the document's goal.
WISHES = word_set("want wish prefer like love care")
# Rules whose match holds its own clause ("if problems persist", "as they emerge"): the
# clause's subject says nothing about whether the sentence is context.
OWN_CLAUSE_RULES = frozenset(("loophole", "open-ended-list"))
# Markup is blanked in the parsed text: "**As** a participant" reads "  As   a participant".
_USER_STORY = re.compile(
    r"[ \t]*(?:[-*+][ \t]+)?(?:\[[ x]\][ \t]+)?as[ \t]+an?[ \t]", re.IGNORECASE
)
# Nouns a judgement of the product can attach to ("a seamless experience", "an elegant UI").
PRODUCT_NOUNS = word_set(
    """product system app application platform service tool feature features experience
    ux ui interface design look feel layout dashboard page pages screen screens flow flows
    onboarding workflow process solution site website portal api sdk integration editor
    view views navigation search checkout ui/ux visuals visual interaction interactions
    it this"""
)
# Verbs that hand a quality to the user ("provides a seamless experience").
_GIVING = word_set(
    "provide provides offer offers deliver delivers give gives create creates ensure ensures "
    "have has feature features enable enables bring brings"
)
_ORDERING = word_set("after before following once upon when until then thereafter")
_TIMING_RULES = frozenset(("vague-timing",))


def is_context_title(title: str) -> bool:
    """True for a heading whose section describes the world rather than the product."""
    key = normalize_title(title)
    return CONTEXT_TITLE.search(key) is not None and NOT_CONTEXT_TITLE.search(key) is None


def is_metric_title(title: str) -> bool:
    """True for a Success Metrics / KPIs heading."""
    return METRIC_TITLE.search(normalize_title(title)) is not None


def section_spans(
    scan: Scan, wanted: Callable[[str], bool], *, unless: Callable[[str], bool] | None = None
) -> list[tuple[int, int]]:
    """Spans of the sections, at any heading level and with their subsections, that sit
    under a heading whose title is ``wanted``, except those with an ``unless`` heading below
    the last wanted one ("Motivation > Goals")."""
    ends = [*scan.area_starts[1:], len(scan.text)]
    # The document's own title (its first heading, at level 1) names the whole document:
    # "Proposal: API for runtime metrics" is no Metrics section, "Competitor tracker PRD" no
    # competitor analysis.
    title = scan.areas[1].path[:1] if len(scan.areas) > 1 and scan.areas[1].level == 1 else ()

    def taken(path: tuple[str, ...]) -> bool:
        marked = [index for index, t in enumerate(path) if wanted(t)]
        if not marked:
            return False
        return unless is None or not any(unless(t) for t in path[marked[-1] + 1 :])

    return merged(
        [
            (area.start, end)
            for area, end in zip(scan.areas, ends, strict=True)
            if taken(area.path[len(title) if area.path[:1] == title else 0 :])
        ]
    )


def is_goal_title(title: str) -> bool:
    """True for a Goals / Objectives heading ("Non-Goals" says what is not built)."""
    key = normalize_title(title)
    return _GOAL_TITLE.search(key) is not None and _NOT_GOAL_TITLE.search(key) is None


def labelled_context(scan: Scan) -> list[tuple[int, int]]:
    """Lines that open with a context label ("Likelihood: Low (beta signals are good)",
    "**Trade-off:** manual entry, less convenient"): an estimate or a reason, not a claim.
    Lines that say what is not built ("**Rejected — Streaks (most habit apps):** ...",
    "Non-goals: ..."). And lists under a bold label that names context or what is not built
    ("**Target user profile**:", "**Non-goals:**" above their bullets), which heads them as
    a heading would."""
    spans = [scan.line_span(m.start()) for m in _CONTEXT_LABEL.finditer(scan.scan)]
    spans += [scan.line_span(m.start()) for m in _NOT_BUILT_LINE.finditer(scan.scan)]
    doc = scan.doc
    blocks = doc.blocks if doc is not None else []
    for index, block in enumerate(blocks):
        if block.kind != "paragraph" or block.line != block.end_line:
            continue
        label = _BOLD_LABEL.fullmatch(scan.text, block.start, block.end)
        if label is None or not (
            is_context_title(label.group("label"))
            or _NOT_BUILT.match(normalize_title(label.group("label")))
        ):
            continue
        end = block.end
        for item in blocks[index + 1 :]:
            if item.kind != "list_item":
                break
            end = item.end
        if end > block.end:
            spans.append((block.start, end))
    return spans


def inside(spans: list[tuple[int, int]], offset: int) -> bool:
    """True when ``offset`` lies in one of the sorted, non-overlapping ``spans``."""
    index = bisect_right(spans, (offset, 1 << 62)) - 1
    return index >= 0 and spans[index][0] <= offset < spans[index][1]


def merged(spans: list[tuple[int, int]]) -> list[tuple[int, int]]:
    """Sorted, non-overlapping spans."""
    out: list[tuple[int, int]] = []
    for start, end in sorted(spans):
        if out and start <= out[-1][1]:
            out[-1] = (out[-1][0], max(out[-1][1], end))
        else:
            out.append((start, end))
    return out


def in_purpose_clause(scan: Scan, start: int, end: int | None = None) -> bool:
    """True when ``start`` lies in a purpose clause ("so that ...", "in order to ...",
    "... hidden to reduce distraction", "for easier serialization") of its sentence."""
    stop = start if end is None else end
    # Markers and clause ends are found once per sentence: a long line stays linear.
    starts, ends = scan.marks_in_sentence(PURPOSE, start)
    index = bisect_left(starts, start) - 1
    while index >= 0 and ends[index] > stop:
        index -= 1
    if index < 0:
        return False
    breaks, break_ends = scan.marks_in_sentence(_CLAUSE_END, start)
    following = bisect_left(breaks, ends[index])
    return following >= len(breaks) or break_ends[following] > start


def in_precondition(scan: Scan, start: int) -> bool:
    """True inside the Given/When part of a "Given ..., When ..., Then ..." scenario line, or
    the precondition of a scenario or EARS requirement block (see :func:`scenario_step`)."""
    _given, given_ends = scan.marks_in_line(_GIVEN, start)
    then_starts, _then = scan.marks_in_line(_THEN, start)
    return (
        bool(given_ends)
        and given_ends[0] <= start
        and bisect_left(then_starts, start) < len(then_starts)
    ) or scenario_step(scan, start) == "precondition"


def scenario_step(scan: Scan, offset: int) -> str | None:
    """The part of an acceptance scenario that holds ``offset``: ``"precondition"`` (after a
    Given, When, or EARS WHILE / IF / WHERE, with a Then or an EARS "THE <system> SHALL"
    still to come in the same block), ``"outcome"`` (after that Then or THE, in a block that
    opens with a precondition), else None. Keywords count capitalised as scenarios write them
    ("**Given** ... **Then** ...", "WHEN ..., THE system SHALL ..."), so prose "when" and
    "then" are no steps. The steps of a block are found once: a long block stays linear."""
    block = scan.block_at(offset)
    if block is None:
        return None
    starts, _ = scan.marks_in_block(_SCENARIO_STEP, block)
    last = bisect_left(starts, offset) - 1
    if last < 0 or _is_response(scan, starts[0]):
        return None
    if _is_response(scan, starts[last]):
        return "outcome"
    responses, _ = scan.marks_in_block(_RESPONSE_STEP, block)
    if bisect_left(responses, offset) < len(responses):
        return "precondition"
    # One step per bullet ("- Given ...", "- When ...", "- Then ..."): the scene goes on in
    # the next item.
    following = scan.doc.next_block(block.end + 1) if scan.doc is not None else None
    opens = not scan.text[block.start : starts[0]].strip("*_ \t") and following is not None
    return "precondition" if opens and _NEXT_STEP_ITEM.match(scan.text, following.start) else None


def _is_response(scan: Scan, start: int) -> bool:
    return _RESPONSE_STEP.match(scan.text, start) is not None


def in_scenario(scan: Scan, start: int) -> bool:
    """True for "immediately" on a "Given ... Then ..." acceptance scenario line, where it
    orders the next step after the action rather than promising a latency."""
    if not _NEXT_STEP.match(scan.scan, start):
        return False
    _given, given_ends = scan.marks_in_line(_GIVEN, start)
    then_starts, _then = scan.marks_in_line(_THEN, start)
    return bool(given_ends) and bisect_left(then_starts, given_ends[0]) < len(then_starts)


def closes_examples(scan: Scan, start: int) -> bool:
    """True for "etc." ending a list that "e.g." / "such as" opened in the same clause, or
    standing as the last bullet of a list whose items above it are the examples."""
    block = scan.block_at(start)
    if (
        block is not None
        and block.kind == "list_item"
        and scan.scan[block.start : block.end].strip(" \t*_.") == "etc"
    ):
        blocks = scan.doc.blocks if scan.doc is not None else []
        index = blocks.index(block)
        return index > 0 and blocks[index - 1].kind == "list_item"
    line_start, _ = scan.line_span(start)
    window = scan.scan[max(line_start, start - 160) : start]
    cut = max(window.rfind("("), window.rfind(";"))
    if cut >= 0:
        window = window[cut:]
    return _EXAMPLES.search(window) is not None


# Rules whose words count a set: a list right after the sentence names its members.
_COUNTING_RULES = frozenset(("vague-quantity",))


def enumerated_after(scan: Scan, rule_id: str, start: int) -> bool:
    """True for an amount in a lead-in that a list or table right after it enumerates ("cover
    a number of considerations:" above its bullets, "This plan has some big things that need
    explaining:"): the members are named, so the amount is not left open."""
    if rule_id not in _COUNTING_RULES or scan.doc is None:
        return False
    _, end = scan.sentence(start)
    if not scan.scan[start:end].rstrip(" \t*_").endswith(":"):
        return False
    block = scan.block_at(start)
    following = scan.doc.next_block(block.end + 1) if block is not None else None
    return following is not None and following.kind in ("list_item", "table_cell")


def _metric_sections(scan: Scan) -> list[tuple[int, int]]:
    """Spans of the sections whose nearest heading about goals or their measures is a metric
    title: "### Success Metrics" under "## Goals & Success Metrics" is one, "### Primary
    Goals" there is not."""

    def wanted(path: tuple[str, ...]) -> bool:
        for title in reversed(path):
            if is_metric_title(title):
                return True
            if _GOAL_TITLE.search(normalize_title(title)):
                return False
        return False

    ends = [*scan.area_starts[1:], len(scan.text)]
    title = scan.areas[1].path[:1] if len(scan.areas) > 1 and scan.areas[1].level == 1 else ()
    return merged(
        [
            (area.start, end)
            for area, end in zip(scan.areas, ends, strict=True)
            if wanted(area.path[len(title) if area.path[:1] == title else 0 :])
        ]
    )


def _states_its_measure(scan: Scan, offset: int) -> bool:
    """True for a table row that pairs a goal with its measure ("| Goal | Metric |") when the
    measure cell states a condition to check ("Demo shows pathway gradations, not a
    binary") rather than naming a quantity ("Number of searches", "Click-through rate"): a
    pass/fail condition is a target. A table with a Target column keeps its targets there."""
    doc = scan.doc
    cell = scan.cell(offset)
    if doc is None or cell is None:
        return False
    row = []
    block: Block | None = cell  # the row's first cell; the others follow it in the model
    while block is not None and block.table == cell.table and block.row == cell.row:
        row.append(block)
        block = doc.next_block(block.end + 1)
    headers = [normalize_title(block.header) for block in row]
    if any(_TARGET_HEADER.search(header) for header in headers):
        return False
    for block, header in zip(row, headers, strict=True):
        if block.column >= 1 and _MEASURE_HEADER.search(header):
            measure = scan.scan[block.start : block.end].strip(" \t*_")
            return len(measure.split()) >= 3 and not _QUANTITY_NAME.match(measure)
    return False


def metric_lines(scan: Scan, skip: list[tuple[int, int]]) -> list[tuple[int, int]]:
    """Items under Success Metrics / KPIs headings that state no target (no number at all).

    Returns the span of each such item's text (after its bullet or table border). Table
    header and divider rows, lead-in lines ending in ":" and lines inside ``skip`` are left
    out.
    """
    found = []
    for sec_start, sec_end in _metric_sections(scan):
        position = sec_start
        lines = scan.scan[sec_start:sec_end].split("\n")
        table_row = 0
        for line in lines:
            line_start = position
            position += len(line) + 1
            lead = _METRIC_LINE.match(line)
            if not line.strip() or lead is None:
                table_row = 0
                continue
            if line.lstrip().startswith("|"):
                table_row += 1
                if table_row <= 2 or set(line.strip()) <= set("|-: "):
                    continue  # header and divider
            body = line[lead.end() :]
            if _CHECKBOX.match(body):
                continue  # a done-criterion to tick off, not a metric
            text = body.strip(" \t|*_")
            if (
                len(text.split()) < 2
                or text.endswith(":")
                or _HAS_NUMBER.search(body)
                or scan.in_heading(line_start)
                or inside(skip, line_start + lead.end())
            ):
                continue
            if line.lstrip().startswith("|"):
                first = line_start + lead.end() + len(body) - len(body.lstrip())
                if _states_its_measure(scan, first):
                    continue
                first_cell = body.split("|")[0]
                text = first_cell.strip(" \t*_")
                if not text:
                    continue
                offset = line_start + lead.end() + first_cell.index(text)
            else:
                offset = line_start + lead.end() + body.index(text)
            found.append((offset, offset + len(text)))
    return found


_TERM_WORD = re.compile(r"[a-z][a-z0-9-]*")
# Rules whose words are qualities an adjective can give a kind of thing ("portable", "stable",
# "strong"); amounts and timing ("many users", "real time") never name a kind. Speed, scale,
# availability, efficiency and usability are left out on purpose: a PRD promises them before
# its nouns again and again ("must offer fast search"), so a repeated pair is still a promise.
TERM_RULES = word_set("""vague-maintainability vague-quality vague-reliability vague-security""")
# Words that cannot be the noun of a term ("fast and robust").
_NOT_NOUNS = word_set(
    """and or but nor for to of in on at by with from as than that the a an is are be was were
    it its this these those if when"""
)
# How often an adjective must name the same thing before it is the document's term for it.
TERM_REPEATS = 3


class Terms:
    """A document's terms of art: an adjective that the document puts before the same noun
    again and again ("portable application", "stable release", "strong name") names a kind
    of thing there, not a quality it promises."""

    def __init__(self, scan: Scan) -> None:
        self.scan = scan
        self._counts: dict[str, int] | None = None
        self._term_words: set[str] = set()

    def names_a_kind(self, start: int, end: int) -> bool:
        """True when the one word at ``start``..``end`` and the word after it form a phrase
        the document repeats at least :data:`TERM_REPEATS` times."""
        masked = self.scan.scan
        word = masked[start:end]
        if not word.isalpha():
            return False
        following = _TERM_WORD.match(masked, end + 1) if masked[end : end + 1] == " " else None
        if (
            following is not None
            and following.group() not in _NOT_NOUNS
            and self._phrases().get(f"{word} {_stem(following.group())}", 0) >= TERM_REPEATS
        ):
            return True
        # A word the document uses as a term most of the time is its term wherever it comes
        # before something ("Portable / standalone executables" in a spec about portable
        # applications); at the end of a clause it is predicated ("must be portable.").
        self._phrases()
        after = masked[end : end + 3].lstrip(" \t")
        return word in self._term_words and bool(after) and after[0] not in ".,;:!?)\n"

    def _phrases(self) -> dict[str, int]:
        if self._counts is None:
            counts: dict[str, int] = {}
            singles: dict[str, int] = {}
            words = _TERM_WORD.findall(self.scan.scan)
            for first, second in pairwise(words):
                key = f"{first} {_stem(second)}"
                counts[key] = counts.get(key, 0) + 1
                singles[first] = singles.get(first, 0) + 1
            termed: dict[str, int] = {}
            for key, count in counts.items():
                first, second = key.split(" ", 1)
                if count >= TERM_REPEATS and second not in _NOT_NOUNS:
                    termed[first] = termed.get(first, 0) + count
            self._term_words = {w for w, n in termed.items() if 2 * n >= singles[w]}
            self._counts = counts
        return self._counts


def _stem(word: str) -> str:
    return word[:-1] if word.endswith("s") and len(word) > 3 else word


# --- Sentence structure (needs the language pipeline) -----------------------------------


def _parse_text(scan: Scan, start: int, end: int) -> str:
    """The sentence as the parser should read it: blanked code and markup become spaces, a
    character reference reads as the character it stands for, padded with spaces."""
    original = scan.text[start:end]
    masked = scan.scan[start:end]
    chars = [
        (" " if o != " " else o) if m == " " else (m if o == "&" else o)
        for o, m in zip(original, masked, strict=True)
    ]
    if not original.isascii():
        chars = [_nfkc_char(c) for c in chars]
    # A host name is blank in the scan; the parser reads a name in its place, so the sentence
    # keeps its subject or object.
    hosts = scan.hosts
    for index in range(bisect_left(hosts, (start, start)), len(hosts)):
        host_start, host_end = hosts[index]
        if host_end > end:
            break
        stand_in = HOST_STAND_IN[: host_end - host_start]
        offset = host_start - start
        chars[offset : offset + len(stand_in)] = stand_in
    cleaned = "".join(chars)
    return _MARKUP.sub(lambda m: " " * len(m.group()), cleaned)


def _nfkc_char(char: str) -> str:
    normal = unicodedata.normalize("NFKC", char)
    return normal if len(normal) == 1 else char


class Sentences:
    """Parses the sentences that hold candidates, once each, in one batch."""

    def __init__(self, scan: Scan, pipeline: Language) -> None:
        self.scan = scan
        self.nlp = pipeline
        self.docs: dict[tuple[int, int], Doc] = {}
        self.by_text: dict[str, Doc] = {}

    def parse(self, offsets: list[int]) -> None:
        """Parses every sentence holding one of ``offsets`` that is not parsed yet."""
        spans = [
            (start, end)
            for start, end in sorted({self.scan.sentence(o) for o in offsets} - set(self.docs))
            if end - start <= MAX_SENTENCE_CHARS
        ]
        texts = [_parse_text(self.scan, s, e) for s, e in spans]
        # A sentence repeated in the document (a table row, a boilerplate line) is parsed once.
        unique = list(dict.fromkeys(t for t in texts if t not in self.by_text))
        try:
            for text, doc in zip(
                unique, self.nlp.pipe(unique, batch_size=64, disable=nlp.SKIPPED), strict=True
            ):
                self.by_text[text] = doc
        except Exception:  # the pipeline's failure must not stop the review
            logger.exception("sentence analysis failed; those sentences keep word-rule findings")
        for span, text in zip(spans, texts, strict=True):
            if text in self.by_text:
                self.docs[span] = self.by_text[text]

    def tokens(self, start: int, end: int) -> Span | None:
        """The parsed tokens covering ``start``..``end``; None when not parsed or empty."""
        s_start, _ = self.scan.sentence(start)
        doc = self.docs.get(self.scan.sentence(start))
        if doc is None:
            return None
        span = doc.char_span(start - s_start, end - s_start, alignment_mode="expand")
        return span if span is not None and len(span) else None


def clause_verb(token: Token, *, subordinate: bool = False) -> Token:
    """The verb of the clause holding ``token`` (the token itself if it heads one).

    With ``subordinate``, the head of an embedded clause (xcomp, advcl, ccomp, relcl, acl,
    conj, pcomp) counts as a clause verb even without a subject of its own.
    """
    current = token
    for _ in range(40):
        if current.pos_ in ("VERB", "AUX") and (
            current.dep_ == "ROOT"
            or any(c.dep_ in SUBJECTS for c in current.children)
            or (subordinate and current.dep_ in _SUBORDINATE)
        ):
            return current
        if current.head is current:
            return current
        current = current.head
    return current


def clause_subject(
    verb: Token, shares: tuple[str, ...] = ("conj", "xcomp", "ccomp")
) -> Token | None:
    """The subject of ``verb``, or of the verb it is joined to by one of ``shares``. A word
    before a colon is the line's label ("Rationale: caching would ..."), not its subject."""
    for _ in range(10):
        for child in verb.children:
            if child.dep_ in SUBJECTS and not _labels(child):
                return child
        if verb.dep_ not in shares or verb.head is verb:
            return None
        verb = verb.head
    return None


def _labels(token: Token) -> bool:
    following = token.nbor(1) if token.i + 1 < len(token.doc) else None
    return following is not None and following.text == ":"


def _has_modal(verb: Token) -> bool:
    for _ in range(10):
        for child in verb.children:
            if child.dep_ in ("aux", "auxpass") and (
                child.tag_ == "MD" or child.lower_ in MODALS or child.lower_ == "to"
            ):
                return True
        if verb.lower_ in MODALS:
            return True
        if verb.dep_ not in ("conj", "xcomp") or verb.head is verb:
            return False
        verb = verb.head
    return False


def _is_today(noun: Token) -> bool:
    return any(
        child.lower_.rstrip("'s") in _TODAY or child.lower_ in _TODAY
        for child in noun.children
        if child.dep_ in ("amod", "poss", "compound", "det", "nmod")
    )


def is_context(token: Token) -> bool:
    """True when the clause holding ``token``, or a clause that reports it ("customers
    complained that exports were slow"), describes the world rather than the product."""
    # The opening words are enough, and reading only them keeps a long sentence linear.
    if _USER_STORY.match(token.doc[:8].text):
        return False  # "As a teacher, I want authoring to be fast": a requirement
    verb = clause_verb(token)
    for _ in range(10):
        if _describes_world(verb):
            return True
        if verb.dep_ not in ("ccomp", "xcomp", "advcl", "conj", "csubj") or verb.head is verb:
            return False
        verb = clause_verb(verb.head)
    return False


def _describes_world(verb: Token) -> bool:
    subject = clause_subject(verb)
    if subject is None:
        return False
    if _has_modal(verb):
        return False  # a requirement, even about existing data or people
    word, lemma = subject.lower_, nlp.lemma(subject).lower()
    if word in WORLD_SUBJECTS or lemma in WORLD_SUBJECTS or _is_today(subject):
        return True
    if word not in PEOPLE and lemma not in PEOPLE:
        return False
    if verb.tag_ == "VBD":
        return True  # history: "users complained last year", "we tried a wizard"
    # What the authors want is the goal of the document ("we want the workflow to be
    # familiar"), not what people think today.
    if word == "we" and nlp.lemma(verb).lower() in WISHES:
        return False
    return nlp.lemma(verb).lower() in ATTITUDE_VERBS


# Verbs of a participle clause that states what the main clause makes possible ("...,
# enabling quick edits", "..., letting teams ship sooner").
_RESULT_VERBS = word_set("enable allow let help make free save spare")


def is_purpose(token: Token) -> bool:
    """True inside a purpose clause ("..., to boost adoption", "To cut costs, ...", "so that")
    or a result clause ("..., enabling quick edits")."""
    for current in (token, *token.ancestors):
        if _set_off_infinitive(current):
            return True
        # Children are listed only for a clause: the root of a long sentence has hundreds.
        if current.dep_ in ("advcl", "acl") and current.n_lefts + current.n_rights:
            children = list(current.children)
            first = current.left_edge
            before = current.doc[first.i - 1] if first.i else None
            starts_clause = before is None or before.text in (",", ";", ":") or before.is_sent_start
            # An adverbial infinitive is a purpose wherever it stands ("testing is conducted
            # to ensure ...", "commands for users to work quickly"); an adjectival one only
            # after a break ("..., to boost adoption").
            infinitive = any(c.dep_ == "aux" and c.lower_ == "to" for c in children)
            if current.dep_ == "advcl" and infinitive and first.lower_ in ("to", "for"):
                return True
            if first.lower_ == "to" and starts_clause:
                return True
            if (
                current.dep_ == "advcl"
                and current.tag_ == "VBG"
                and first.i == current.i
                and before is not None
                and before.text == ","
                and nlp.lemma(current).lower() in _RESULT_VERBS
            ):
                return True
            marks = {c.lower_ for c in children if c.dep_ == "mark"}
            if {"so", "that"} <= marks:
                return True
    return False


# Rules whose words say how an action goes (fast, easy). Before the noun of a "for" phrase
# they name what a thing is for ("polling for real-time updates", "grid view for quick
# selection"); words of size and amount there say which things it serves ("optimisation for
# large repos", "support for many extensions"), a scope that stays a claim.
_MANNER_RULES = frozenset(("vague-speed", "vague-usability"))


def names_what_for(word: Token) -> bool:
    """True for an adjective on the object of "for", or that object itself ("for low
    latency", "For easy port to mobile view"): the phrase gives the purpose of what comes
    before it."""
    # The rule's words are the adjective ("quick") or the whole phrase ("low latency").
    noun = word if word.dep_ == "pobj" else word.head
    if noun.dep_ != "pobj" or (noun is not word and word.dep_ not in ("amod", "compound")):
        return False
    prep = noun.head
    # "for" on a noun or opening the line; on a verb it is often the verb's own object
    # ("allowing for quick updates" is the capability itself).
    return (
        prep.lower_ == "for"
        and (prep.head.pos_ in ("NOUN", "PROPN") or prep.dep_ == "ROOT")
        and all(t.tag_ == "DT" for t in word.doc[prep.i + 1 : word.left_edge.i])
    )


# Conjunctions that open the reason for what the main clause says.
_REASON_MARKS = word_set("because since as")


def in_reason_clause(token: Token) -> bool:
    """True inside a clause that gives a reason ("..., since some security-conscious people
    disable JavaScript", "as most of our APIs are too low level to implement efficient
    memoization", "because the profile is used immediately"): it argues from how the world
    or the code is, and promises nothing. The clause must have its own subject, so "as" in
    "as needed" or "as fast as" is no reason."""
    for current in (token, *token.ancestors):
        if current.dep_ != "advcl":
            continue
        marks = [c for c in current.lefts if c.dep_ == "mark"]
        if (
            marks
            and marks[0].lower_ in _REASON_MARKS
            and any(c.dep_ in SUBJECTS for c in current.children)
        ):
            return True
    return False


def _set_off_infinitive(verb: Token) -> bool:
    """True for the verb of an infinitive set off by a comma or an opening parenthesis
    ("..., such as timestamps, to accurately place photos", "a CI platform (to immediately
    test check-ins)"): it says what the thing before it is for. The parser often hangs such
    an infinitive on the nearest noun as a relative clause or on a verb as its complement,
    so the break and the "to", not the label, tell the purpose."""
    if verb.dep_ not in ("relcl", "xcomp", "acl", "advcl") or verb.pos_ not in ("VERB", "AUX"):
        return False
    to = next((c for c in verb.lefts if c.dep_ == "aux" and c.lower_ == "to"), None)
    if to is None or not to.i:
        return False
    # Nothing of the clause before its "to" but the break itself (the parser may hang the
    # parenthesis on the verb).
    if any(not t.is_punct for t in verb.doc[verb.left_edge.i : to.i]):
        return False
    return verb.doc[to.i - 1].text in (",", "(")


_IMPERATIVE_OPENERS = re.compile(
    r"(?:(?:optimi[sz]|minimi[sz]|maximi[sz])e|improve|reduce|increase|enhance|simplif(?:y|ie))d?"
)


def describes_input(token: Token) -> bool:
    """True inside a subject that is an action ("rapid typing does not ...", "Creating many
    nodes rapidly should not ...", "Rapidly opening maps should not ..."): it describes what
    the user does, not the product."""
    # An adverb on a gerund is on an action, even where the parser reads the gerund as an
    # adjective of the subject ("Rapidly opening maps" as "opening maps").
    on_action = token.dep_ == "advmod" and token.head.tag_ == "VBG"
    return any(
        current.dep_ in ("csubj", "csubjpass")
        or (
            current.dep_ in ("nsubj", "nsubjpass")
            and (on_action or current.tag_ == "VBG" or current.lower_.endswith("ing"))
        )
        for current in (token, *token.ancestors)
    )


def is_name(span: Span) -> bool:
    """True for a capitalised product or company name holding the words ("Instant Payouts")."""
    first = span[0]
    if not first.text[:1].isupper() or first.text.isupper():
        return False  # lower case, or capitals for emphasis ("must be FAST")
    if _IMPERATIVE_OPENERS.fullmatch(first.lower_):
        return False  # "Optimize DynamoDB queries", "Improved WCAG compliance": no name
    doc = first.doc
    neighbours = [doc[i] for i in (first.i - 1, span[-1].i + 1) if 0 <= i < len(doc)]
    # An acronym beside the words ("Touch-friendly UI") makes no title.
    titled_neighbour = any(
        t.text[:1].isupper() and t.is_alpha and not t.text.isupper() for t in neighbours
    )
    # A bullet, number or emoji before the first word leaves it the sentence's first word,
    # capitalised for that reason alone ("- Minimal permissions"). Title case there names a
    # feature only when the sentence goes on to say what it does ("Quick Actions must open in
    # one click"); a label or a fragment ("**Real-time Threat Intelligence**: integration
    # with threat feeds", "Better GitHub/GitLab integration") is the item's promise itself.
    if not any(t.is_alpha for t in doc[first.sent.start : first.i]):
        return (
            titled_neighbour
            and any(t.tag_ in ("NNP", "NNPS") for t in [*span, *neighbours])
            and _names_the_subject(first)
        )
    # "select Stable, Preview, or LTS releases": capitals across a coordination name options.
    listed = any(t.text[:1].isupper() and t.is_alpha for t in span.root.conjuncts)
    return first.tag_ in ("NNP", "NNPS") or titled_neighbour or listed


def _names_the_subject(word: Token) -> bool:
    """True when ``word`` is part of the subject of a verb ("Quick Actions must open")."""
    noun = word
    while noun.dep_ in ("amod", "compound", "nmod") and noun.head.i > noun.i:
        noun = noun.head
    return noun.dep_ in SUBJECTS


def orders_events(span: Span) -> bool:
    """True for a timing word that opens a sentence to order events ("Shortly after launch,
    we add SSO", "Eventually, ..."); "I receive inspections soon after I reconnect" still
    promises a delay."""
    first, last = span[0], span[-1]
    if first.pos_ != "ADV" or any(not t.is_space and not t.is_punct for t in first.doc[: first.i]):
        return False
    following = last.nbor(1) if last.i + 1 < len(last.doc) else None
    return following is not None and (following.lower_ in _ORDERING or following.text == ",")


def asks_degree(span: Span) -> bool:
    """True for a vague word that "how" asks about ("govern how frequently a prompt can be
    made", "show how long the export takes"): the sentence names the measure to set, it does
    not promise a degree of it."""
    first = span[0]
    before = first.nbor(-1) if first.i > 0 else None
    return before is not None and before.lower_ == "how"


# Conjunctions that open a condition; "as needed by the support team" stays a loophole (who
# decides is no condition).
_CONDITIONS = word_set("if when where whenever wherever")


def keeps(span: Span, rule_id: str) -> bool:
    """Whether a word-rule candidate, parsed, is a claim about the product."""
    if is_name(span) or asks_degree(span):
        return False
    if rule_id in _TIMING_RULES and orders_events(span):
        return False
    root = span.root
    if rule_id == "no-baseline-comparative" and root.dep_ == "compound":
        return False  # a classifier, not a comparison: "scope reduction rules"
    if rule_id == "vague-quality" and len(span) == 1 and (root.pos_ == "VERB" or _acts_on(root)):
        return False  # "clear the selection": an action, not a quality
    if rule_id == "vague-quantity" and root.lower_ == "most" and _degree(root):
        return False  # a superlative, not an amount: "most common categories" names a statistic
    if rule_id == "vague-quantity" and _indefinite(root):
        return (
            False  # "some method of configuring", "some basic information": which one, not how much
        )
    if rule_id in _MANNER_RULES and names_what_for(root):
        return False  # "Edge functions for low latency": what the thing is for, its purpose
    if rule_id in OWN_CLAUSE_RULES:
        if rule_id == "loophole" and _attributive(
            span[-1], condition=span[0].lower_ in _CONDITIONS
        ):
            return False  # "WHEN required parameters are missing": an adjective, no loophole
        if rule_id == "loophole" and _grants_choice(root):
            return False  # "can be edited to tag images as desired": when to use it is the choice
        if rule_id == "loophole" and span[0].lower_ == "as" and span[0].dep_ == "advmod":
            return False  # "as relevant for libraries as for apps": a comparison, no loophole
        return not is_purpose(root)
    return not (
        is_context(root) or is_purpose(root) or describes_input(root) or in_reason_clause(root)
    )


# Adverbs that "more" or "less" grade to link or weigh sentences ("more importantly", "more
# likely"), not a quality of the product.
_DISCOURSE_DEGREES = word_set(
    """importantly specifically generally precisely broadly formally concretely simply likely
    recently often frequently commonly typically usually especially particularly so"""
)


def grades_quality(span: Span) -> bool:
    """True when "more" or "less" grades the adjective or adverb after it ("more accessible to
    applicants", "less cluttered", "more quickly"): a comparative, whatever the adjective.
    "More information", "less of the screen" and "more importantly" compare no quality."""
    if len(span) != 2:
        return False
    degree, word = span
    return (
        degree.dep_ == "advmod"
        and degree.head.i == word.i
        and word.tag_ in ("JJ", "RB")
        # Before its noun the degree often counts the noun ("more technical details" are more
        # details): only a predicate or an adverb is graded for sure.
        and word.dep_ != "amod"
        and word.lower_ not in _DISCOURSE_DEGREES
    )


def _acts_on(token: Token) -> bool:
    """True for a word the parser calls an adjective that a determiner follows ("clear the
    cache", "clear all filters"): a verb taking its object."""
    following = token.nbor(1) if token.i + 1 < len(token.doc) else None
    return following is not None and following.tag_ in ("DT", "PDT", "PRP$")


def _attributive(token: Token, *, condition: bool = False) -> bool:
    """True when the last word of "when required", "where relevant" qualifies a noun after it
    ("when required fields are empty"): a loophole's condition has nothing after it. With
    ``condition`` (the words open with if, when or where), any complement names the
    condition ("when required by the retention policy")."""
    if token.dep_ in ("amod", "compound") and token.head.i > token.i:
        return True
    if condition:
        return any(c.i > token.i and not c.is_punct for c in token.children)
    return any(c.dep_ in ("dobj", "nsubj", "nsubjpass") and c.i > token.i for c in token.children)


def _indefinite(token: Token) -> bool:
    """True for "some" as an indefinite article ("in some fashion", "some basic information
    about the submission", "some guiding principles"): it leaves open which thing, not how
    much of it. "Saves some time", "alleviate some burden" (the amount of an effect claimed)
    and "must support some formats" (a requirement) stay amounts."""
    if token.lower_ != "some" or token.dep_ != "det":
        return False
    noun = token.head
    if noun.dep_ in ("dobj", "pobj") and nlp.lower_lemma(noun.head) in EFFECT_VERBS:
        return False
    # "The export must support some formats": a requirement leaves the amount open.
    return not has_requiring_modal(clause_verb(noun))


def has_requiring_modal(verb: Token) -> bool:
    """True when a modal of obligation, promise or plan is an auxiliary of ``verb`` ("must
    support", "should usually finish", "will be kept")."""
    return any(c.dep_ in ("aux", "auxpass") and c.lower_ in REQUIRING for c in verb.children)


# Nouns that offer a capability: "the ability to disable auth when needed".
_CAPABILITIES = word_set("ability abilities way ways option options")


def _grants_choice(token: Token) -> bool:
    """True for a loophole on a capability ("Functionality can be hidden behind a flag, if
    desired", "the ability to disable auth for a route when needed"): it says the person
    given the capability decides when to use it, which is the feature, not a hedge on a
    requirement. A requirement's modal above it ("must retry if needed") keeps the hedge."""
    for current in token.ancestors:
        if current.pos_ in ("VERB", "AUX"):
            auxiliaries = {c.lower_ for c in current.children if c.dep_ in ("aux", "auxpass")}
            if auxiliaries & REQUIRING:
                return False
            if "can" in auxiliaries:
                return True
        elif nlp.lower_lemma(current) in _CAPABILITIES:
            return True
    return False


def _degree(token: Token) -> bool:
    """True for a word of degree before an adjective ("most common", "most recent"); the
    parser attaches it to the adjective or to the noun, so the next word decides."""
    following = token.nbor(1) if token.i + 1 < len(token.doc) else None
    return following is not None and following.tag_ == "JJ"


def _judged_adjective(token: Token) -> Token:
    """For "fast and elegant", the first conjunct carries the grammatical role."""
    current = token
    while current.dep_ == "conj" and current.head is not current:
        current = current.head
    return current


def judges_product(token: Token) -> bool:
    """True when an evaluative adjective or adverb judges the product or a requirement."""
    if is_context(token) or is_purpose(token) or describes_input(token):
        return False
    if token.tag_ == "JJS" or any(c.tag_ == "RBS" for c in token.children):
        return True  # a superlative judgement: "picks the best slot", "the most relevant"
    role = _judged_adjective(token)
    verb = clause_verb(role)
    subject = clause_subject(verb)
    if role.dep_ in ("acomp", "oprd", "attr", "xcomp"):
        product = subject is not None and nlp.lemma(subject).lower() in PRODUCT_NOUNS
        return product or _has_modal(verb)
    if role.dep_ == "amod":
        noun = role.head
        if nlp.lemma(noun).lower() in PRODUCT_NOUNS or noun.lower_ in PRODUCT_NOUNS:
            return True
        head = noun.head
        return noun.dep_ in ("dobj", "attr") and nlp.lemma(head).lower() in _GIVING
    if role.dep_ == "advmod" and role.pos_ == "ADV":
        return _has_modal(verb)
    return False


def _adjective_base(word: str) -> str:
    return word[:-2] if word.endswith("ly") else word


@dataclass(frozen=True)
class Subjective:
    """An evaluative word the lexicon and the parse flag together."""

    start: int
    end: int


_WORD = re.compile(r"[a-z]+")


def subjective_words(
    scan: Scan, sentences: Sentences, skip: list[tuple[int, int]]
) -> list[Subjective]:
    """Evaluative words that judge the product, outside ``skip`` spans and quotations."""
    evaluative = lexicon.evaluative_adjectives()
    masked = scan.scan
    hits = []
    for m in _WORD.finditer(masked):
        word = m.group()
        if word not in evaluative and not (word.endswith("ly") and word[:-2] in evaluative):
            continue
        start, end = m.span()
        if (start and masked[start - 1] == "-") or masked[end : end + 1] == "-":
            continue  # part of a compound: "user-friendly", "fine-grained"
        if inside(skip, start) or scan.in_heading(start) or scan.in_quote(start, end):
            continue
        hits.append((start, end))
    sentences.parse([start for start, _ in hits])
    found = []
    for start, end in hits:
        span = sentences.tokens(start, end)
        if span is None or len(span) != 1:
            continue
        token = span[0]
        word = token.lower_
        is_adjective = token.tag_ in ("JJ", "JJR", "JJS") and word in evaluative
        is_adverb = token.tag_ == "RB" and _adjective_base(word) in evaluative
        if (is_adjective or is_adverb) and not is_name(span) and judges_product(token):
            found.append(Subjective(start, end))
    return found
