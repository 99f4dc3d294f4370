"""Whether a placeholder, deferral or choice word in a PRD leaves a decision open.

The open-question rules in :mod:`prd_assistant.review.rules_open` match words; :func:`keeps`
decides from where a match sits whether it decides nothing open:

* a work status ("TODO" in a Status column, "⏳ Pending"), a file ("doc/TODO.md"), a number
  format shown by example ("e.g., $XX.XX"), a thematic break written ``___``;
* an ability given to users ("allow the colour to be specified"), an input value ("one command
  value to be specified"), a condition ("if it is not specified, ..."), a stated default ("If
  omitted, the parameter will be left blank"), an upper-case SHALL requirement, a denied
  deferral, a recommendation ("is to choose option 3"), a pointer ahead ("as we'll see"), a
  person's doubt in a story ("He's not sure"), a flow step rather than a note to self;
* a possibility rather than a choice: "we may have missed", "we might be able to", "could not
  possibly", "In the future we may also support ...", "a possibly non-exhaustive enum", an
  example introduced ("we might write:"), "we could" in a sketch of future work;
* a writer's hedge in background, rationale, alternatives or drawbacks text, or on a line
  labelled "Rationale:" ("we can probably build better tools"), unless the alternative itself
  is left open ("or something like that");
* a mention of a Spec Kit marker ("Use [NEEDS CLARIFICATION: ...] for ...");
* a hedge or deferral in a table's purpose column ("So that I can…": "know what cuisines I
  might like"): the user's reason for the story, which leaves no decision to the team;
* a bold line heading the list of questions below it ("**Clarifications Needed**").
"""

from __future__ import annotations

import re

from prd_assistant.review.fields import field_kind
from prd_assistant.review.markdown_scan import Scan
from prd_assistant.review.questions import FRAMING_TITLES, SENTENCE_OPENING, STATUS_HEADER
from prd_assistant.review.rules_open import RESEARCH_TASK

# Sections that describe the world (FRAMING_TITLES) or argue for the design: "probably", "we
# could" and "not sure" there are the writer's hedges, not open product decisions. (A sketch of
# future work still leaves its choices open: "Perhaps it is better to leave the flag out.")
_HEDGE_CONTEXT_TITLE = re.compile(
    rf"\b(?:{FRAMING_TITLES}|rationale|alternatives?(?: considered)?|drawbacks"
    r"|(?:options?|approaches|designs?|solutions?) considered|considered (?:options|approaches))\b"
)
_ARGUING_LABEL = re.compile(
    r"[ \t]*(?:[-*+][ \t]+|\d{1,3}[.)][ \t]+)?(?:\*\*|__)?(?:rationale|why|reasons?|background"
    r"|context|motivation|trade-?offs?|alternatives?(?: considered)?)(?:\*\*|__)?[ \t]*:"
)
_PSEUDO_HEADING = re.compile(r"[ \t]*(?:\*\*|__)[^*_\n.]{2,120}(?:\*\*|__)[ \t]*:?[ \t]*")
_STATUS_FIELD = re.compile(r"(?:^|\W)status\W{0,6}$")
# "- Import — ⏳ Pending", "❌ TODO": a status icon marks the word as a work status.
_STATUS_MARK = re.compile("[⏳🚧❌✅☑✔🔄⬜🟡🟢🔴⌛][ \t*_:-]*$")
_STATUS_WORD = re.compile(r"[\W_]*(?:todo|pending|wip|to ?do)[\W_]*")
# "allow the colour ... to be specified", "allowing the user to choose": an ability.
_ABILITY = re.compile(
    r"\b(?:allow|let|enable|permit)(?:s|ed|ing)?\b[^.;:!?]{0,80}$"
    r"|\b(?:users?|customers?|admins?|administrators?|operators?|members?|people|they|viewers?)"
    r"(?:[ \t]+(?:can|may|must|should|will|get|are able|is able))?[ \t]+$"
)
# "Confirm the rubric with the MDBA contact.": a note to self when it opens its sentence.
_NOTE_TO_SELF = re.compile(
    r"(?:check|confirm|verify|align on|clarify|finali[sz]e|agree) (?!with\b)[^\n]* with\b"
)
_RESEARCH_TASK = re.compile(RESEARCH_TASK)
# "He's not sure about these warnings": a person in a story is unsure, not the document.
_SOMEONE_ELSE = re.compile(
    r"\b(?:he|she|they|he's|she's|they're|(?:the )?(?:users?|customers?|developers?|people"
    r"|admins?|[a-z]+ers))[ \t]+(?:(?:is|are|was|were|feels?|felt|seems?|remains?)[ \t]+)?"
    r"(?:still[ \t]+)?$"
)
# "support zero or one command value to be specified": an input someone gives, not a decision.
_INPUT_NOUN = re.compile(
    r"\b(?:values?|arguments?|parameters?|flags?|fields?|settings?|options?|paths?)[\"']?[ \t]+$"
)
# "If omitted, the parameter defaults to ...": the behaviour when it is left out is defined.
_DEFAULT_STATED = re.compile(
    r"[ \t]*,[^.;]{0,60}\b(?:defaults?|is used|will be|uses|falls? back|is assumed|is inferred"
    r"|is left|are left|is treated|are treated|is ignored|are ignored)\b"
)
_RECOMMENDED = re.compile(r"\b(?:recommend\w*|propos\w*|plan|decision|approach|suggest\w*)\b")
_FORMAT_MASK = re.compile(r"[.:,/]x")
_FORMAT_LEAD = re.compile(r"\b(?:e\.g\.|for example|format\w*|such as|pattern|mask)")
_FORMAT_MASK_BEFORE = re.compile(r"x[.:,/]$")
_NEGATED_NOUN = re.compile(r"\bnot (?:a |an |the |something )?(?:[\w-]+ ){0,2}$")
# "as we'll see", "as we will see below": a pointer further into the document.
_FORWARD_POINTER = re.compile(r"\bas[ \t]+$")
_CONDITION = re.compile(
    r"\b(?:if|when|unless|where|whether)[ \t]+(?:it is[ \t]+|is[ \t]+)?$"
    # "if the style team thinks it is not specified in enough detail": the same condition,
    # further back in its clause.
    r"|\b(?:if|unless)[ \t][^,.;:!?()\n]{1,60}[ \t](?:is|are)[ \t]+$"
)
# A written-out user story up to its purpose clause: "(S) As a requester, in order to ...",
# "As an admin, I want exports so that I ...". The purpose ends at the next comma or stop.
# (The text is read in lower case.)
_STORY_PURPOSE = re.compile(
    r"[ \t]*(?:[-*+][ \t]+)?(?:\([a-z]\)[ \t]*)?as[ \t]+an?[ \t][^,.;:]{1,80},[^.;:]*?"
    r"\b(?:in order to|so that|so i can)\b[^,.;:]*$"
)
_HEDGE_RULE = "unresolved-choice"
# "... (or something like that)", "or maybe": the writer left the alternative itself open,
# whatever the section.
_OPEN_ALTERNATIVE = ("or something", "or maybe")
# "we may have missed", "we could just as well have used", "we might be able to": a modal that
# states a possibility or a counterfactual, not an option being weighed.
_POSSIBILITY_AFTER = re.compile(
    r"[ \t]+(?:(?:also|then|still|even)[ \t]+)?(?:have(?! to)[ \t]+\w+|be able to|just as well"
    # "We could now split B in two": a step in a walk-through.
    r"|now\b)"
)
_EXAMPLE_INTRO = re.compile(r"\b(?:like this|like so|as follows|for (?:example|instance)|e\.g\.)")
# "## Future work": "we could also have a collect-a-profile API" lists a possible addition.
# (A hedged choice there stays open: "Perhaps it is better to leave the flag out.")
_FUTURE_TITLE = re.compile(
    r"\bfuture (?:possibilities|work|directions|extensions|enhancements|ideas|improvements)\b"
)
_MODAL_HEDGE = re.compile(r"(?:we|i|the team) (?:might|may|could)\b|might ")
_ARTICLE_BEFORE = re.compile(r"\b(?:a|an|the)[ \t]+\(?$")
# "could not possibly be aware": an intensifier, not a hedge.
_NEGATED_BEFORE = re.compile(r"(?:\bnot|n't|\bcannot)[ \t]+$")
# "In the future we may also support ...", "(and in the future perhaps vector registers)": a
# possibility put off to later is a scoping statement, not a choice left open.
_LATER_BEFORE = re.compile(
    r"\b(?:in the (?:near |distant )?future|eventually|some ?day|down the road|over time"
    r"|in (?:a )?future (?:versions?|releases?|iterations?))\b[^.;:!?]{0,40}$"
)
# "we may want to track accuracy in the future": the same, with the time after the hedge.
_LATER_AFTER = re.compile(
    r"[^.;:!?]{0,150}\b(?:in the (?:near |distant )?future|eventually|some ?day|down the road"
    r"|in (?:a )?future (?:versions?|releases?|iterations?|phases?))\b"
)
_HEDGE_WORDS = re.compile(r"not sure|unsure|unclear")
# "Other designs were not chosen because they touch the Properties pane": in the simple past,
# with its reason, an option turned down, not a choice still to make ("has not been chosen
# yet because legal is reviewing" stays open).
_REJECTED_BEFORE = re.compile(r"\b(?:was|were)[ \t]+$")
_REJECTED = re.compile(r"not (?:chosen|selected|adopted|pursued|accepted|considered)")
_REASON_AFTER = re.compile(r"[ \t]+(?:because|since|due to|as (?:it|they|this|that))\b")
# "teams have to decide", "Today admins must choose": people in general as the ones who
# decide, a bare plural with no "the", "our" or "your" before it. In a section that describes
# the world, that is how things are today, not a decision the document owes.
_PEOPLE_BEFORE = re.compile(
    r"(?<!\bthe )(?<!\bour )(?<!\byour )(?<!\bthese )(?<!\bthose )\b(?:users|customers|teams"
    r"|admins|administrators|developers|organi[sz]ations|companies|operators|people|engineers"
    r"|maintainers|applicants|merchants|clients|buyers|sellers|members|owners)[ \t]+$"
)
# "Use [NEEDS CLARIFICATION: ...] for", "No [NEEDS CLARIFICATION] markers remain": the marker
# named, not used.
_MARKER_MENTION = re.compile(r"\b(?:use|mark(?: it| them)? with|add|insert|any|no)[ \t]+\[?$")
_MARKERS_WORD = re.compile(r"[ \t]*markers?\b")


def keeps(scan: Scan, rule_id: str, start: int, end: int) -> bool:
    """False when a placeholder, deferral or choice word at ``start``..``end`` decides nothing
    open (see the module docstring)."""
    masked = scan.scan
    # The matched words as read: "not&nbsp;sure" is "not sure" (see Scan.reading).
    match = scan.read(start, end)
    if _STATUS_WORD.fullmatch(match) and _status_value(scan, start, end):
        return False
    if match.startswith("todo") and masked[start - 1 : start] == "/":
        return False  # "doc/TODO.md": a file
    if rule_id == "placeholder" and _thematic_break(scan, start):
        return False  # "___" on a line of its own is a thematic break, not a blank to fill
    if (
        _FORMAT_MASK.match(masked, end)
        or _FORMAT_MASK_BEFORE.search(masked, max(0, start - 3), start)
    ) and _FORMAT_LEAD.search(*scan.reading(max(scan.sentence(start)[0], start - 60), start)):
        return False  # "format (e.g., $XX.XX for USD)": the shape of a number, not a missing one
    original = scan.text[start:end]
    if rule_id == "deferred-decision" and original.startswith(("SHALL ", "MUST ", "WILL ")):
        return False  # "A config struct SHALL be defined in ...": a requirement (RFC 2119, EARS)
    if (
        rule_id == "deferred-decision"
        and match.startswith("to be ")
        and _NEGATED_NOUN.search(*scan.reading(max(0, start - 40), start))
    ):
        return False  # "not a paraphrase to be confirmed later — it is verified"
    if rule_id == "deferred-decision" and match.startswith(("to ", "will ")):
        s_start, _ = scan.sentence(start)
        if _ABILITY.search(*scan.reading(max(s_start, start - 100), start)):
            return False
    if (
        rule_id == "deferred-decision"
        and _NOTE_TO_SELF.match(match)
        and not SENTENCE_OPENING.fullmatch(masked, scan.sentence(start)[0], start)
    ):
        return False  # "agents verify the address with the customer": a flow step
    if (
        rule_id == "deferred-decision"
        and _RESEARCH_TASK.fullmatch(match)
        and (
            scan.cell(start) is not None
            or not SENTENCE_OPENING.fullmatch(masked, scan.sentence(start)[0], start)
            # A persona's or a problem statement's "- Understand how much they spend" is
            # what users need, not research the team owes.
            or argues(scan, start)
        )
    ):
        return False  # "users can explore the catalog": behaviour, not a task left to do
    if (
        rule_id == "deferred-decision"
        and match.startswith(("not sure", "unsure"))
        and _SOMEONE_ELSE.search(*scan.reading(max(scan.sentence(start)[0], start - 40), start))
    ):
        return False
    if (
        rule_id == "deferred-decision"
        and match.startswith("to be ")
        and _INPUT_NOUN.search(*scan.reading(max(0, start - 20), start))
    ):
        return False
    if (
        rule_id == "deferred-decision"
        and match.endswith(" see")
        and _FORWARD_POINTER.search(*scan.reading(max(0, start - 6), start))
    ):
        return False
    # "if not specified, the version is inferred": a condition, not a missing decision.
    if (
        rule_id == "deferred-decision"
        and match.startswith("not ")
        and _CONDITION.search(*scan.reading(max(scan.sentence(start)[0], start - 80), start))
    ):
        return False
    if rule_id == "deferred-decision" and people_decide_today(scan, start):
        return False
    if (
        rule_id == "deferred-decision"
        and _REJECTED_BEFORE.search(*scan.reading(max(0, start - 6), start))
        and _REJECTED.fullmatch(match)
        and _REASON_AFTER.match(*scan.reading(end, scan.sentence(start)[1]))
    ):
        return False  # "Other designs were not chosen because ...": an option turned down
    if rule_id == "deferred-decision" and _heads_a_list(scan, start):
        return False  # "**Open Questions / Clarifications Needed**" above the questions
    if rule_id == "deferred-decision" and match.startswith("needs clarification"):
        if _MARKER_MENTION.search(*scan.reading(max(0, start - 20), start)):
            return False
        bracket_end = masked.find("]", end, end + 300)
        if bracket_end > 0 and _MARKERS_WORD.match(masked, bracket_end + 1):
            return False
    if rule_id == _HEDGE_RULE and (_possibility(scan, start, end) or _checked_off(scan, start)):
        return False
    if rule_id != "placeholder" and (
        _in_purpose_cell(scan, start) or _in_story_purpose(scan, start)
    ):
        return False
    if (
        rule_id == _HEDGE_RULE
        and match.startswith("if ")
        and _DEFAULT_STATED.match(*scan.reading(end, scan.sentence(start)[1]))
    ):
        return False  # "If omitted, then the parameter will be left blank": a default
    if (
        rule_id == "deferred-decision"
        and match.startswith(("is to ", "are to "))
        and _RECOMMENDED.search(*scan.reading(max(scan.sentence(start)[0], start - 80), start))
    ):
        return False  # "The recommendation for this proposal is to choose option 3"
    hedge = rule_id == _HEDGE_RULE or (
        rule_id == "deferred-decision" and _HEDGE_WORDS.search(match) is not None
    )
    return not (hedge and argues(scan, start) and not match.startswith(_OPEN_ALTERNATIVE))


def people_decide_today(scan: Scan, start: int) -> bool:
    """True when the deferral at ``start`` is owed by people in general in text that describes
    the world ("This leads to a problem where teams have to decide whose credentials to use"
    under Motivation): the problem as it is today, not a decision the document owes."""
    return _PEOPLE_BEFORE.search(*scan.reading(max(0, start - 40), start)) is not None and argues(
        scan, start
    )


def argues(scan: Scan, offset: int) -> bool:
    """True when ``offset`` lies in text that describes the world or argues for the design: a
    section such as Background, Rationale or Alternatives considered, or a line opening with
    such a label ("**Rationale:** ... We could compute a rolling average"). Its hedges are the
    writer's reasoning, not open product decisions; Open Questions sections never argue."""
    area = scan.area(offset)
    if area.open_questions:
        return False
    if area.under(_HEDGE_CONTEXT_TITLE):
        return True
    line_start, _ = scan.line_span(offset)
    text, line_at, _ = scan.reading(line_start, line_start)
    return _ARGUING_LABEL.match(text, line_at) is not None


def _possibility(scan: Scan, start: int, end: int) -> bool:
    """True when a hedge word states a possibility rather than leaving a choice open: see
    :data:`_POSSIBILITY_AFTER`, :data:`_NEGATED_BEFORE`, :data:`_LATER_BEFORE`,
    :data:`_FUTURE_TITLE`, :data:`_ARTICLE_BEFORE`, "potentially" inside a sentence, and a
    sentence that introduces an example ("we might write:" above code, "We could then add a
    fourth iterator like this:")."""
    masked = scan.scan
    s_start, s_end = scan.sentence(start)
    if _POSSIBILITY_AFTER.match(*scan.reading(end, s_end)):
        return True
    if _NEGATED_BEFORE.search(*scan.reading(max(s_start, start - 12), start)):
        return True
    if _MODAL_HEDGE.match(masked, start, end) and scan.area(start).under(_FUTURE_TITLE):
        return True
    if _ARTICLE_BEFORE.search(*scan.reading(max(s_start, start - 6), start)):
        return True  # "on a possibly non-exhaustive enum": a hedged attribute
    if masked.startswith("potentially", start) and not SENTENCE_OPENING.fullmatch(
        masked, s_start, start
    ):
        return True
    if _LATER_BEFORE.search(*scan.reading(max(s_start, start - 80), start)) or _LATER_AFTER.match(
        *scan.reading(end, s_end)
    ):
        return True
    if masked[s_start:s_end].rstrip(" \t*_").endswith(":") and scan.doc is not None:
        if _EXAMPLE_INTRO.search(*scan.reading(s_start, s_end)):
            return True
        block = scan.block_at(start)
        following = scan.doc.next_block(block.end + 1) if block is not None else None
        return following is not None and following.kind == "code"
    return False


def _thematic_break(scan: Scan, offset: int) -> bool:
    """True on a ``___``/``***``/``---`` line that Markdown reads as a thematic break."""
    return scan.doc is not None and any(
        start <= offset < end for start, end in scan.doc.thematic_breaks
    )


def _checked_off(scan: Scan, offset: int) -> bool:
    """True in a checked list item ("- [x] Services are live in PROD (maybe behind a flag)"):
    the item is done, and a hedge in it describes how, not a choice still open."""
    block = scan.block_at(offset)
    return (
        block is not None and block.kind == "list_item" and scan.scan.startswith("[x]", block.start)
    )


def _in_purpose_cell(scan: Scan, offset: int) -> bool:
    """True in a body cell of a column that opens the row's purpose ("So that I can…")."""
    cell = scan.cell(offset)
    return cell is not None and cell.row >= 1 and field_kind(cell.header) == "purpose"


def _in_story_purpose(scan: Scan, offset: int) -> bool:
    """True in the purpose clause of a user story written out ("(M) As a requester, in order
    to get a sense of when I might expect my request to be completed, I want ..."): the
    user's reason, as in a table's purpose column."""
    s_start, _ = scan.sentence(offset)
    return _STORY_PURPOSE.match(*scan.reading(s_start, offset)) is not None


def _heads_a_list(scan: Scan, offset: int) -> bool:
    """True when ``offset`` is in a bold line that stands as the heading of the list below it:
    the items ask, the heading names them."""
    if scan.doc is None:
        return False
    block = scan.block_at(offset)
    if block is None or block.kind != "paragraph":
        return False
    if not _PSEUDO_HEADING.fullmatch(scan.doc.content(block)):
        return False
    following = scan.doc.next_block(block.end + 1)
    while following is not None and following.kind == "html":  # a comment between
        following = scan.doc.next_block(following.end + 1)
    return following is not None and following.kind == "list_item"


def _status_value(scan: Scan, start: int, end: int) -> bool:
    """True when the word is the whole value of a status cell, a "Status:" field or an
    item marked with a status icon."""
    cell = scan.cell(start)
    masked = scan.scan
    if cell is not None:
        if not _STATUS_WORD.fullmatch(masked[cell.start : cell.end]):
            return False
        return STATUS_HEADER.search(cell.header.lower()) is not None
    line_start, line_end = scan.line_span(start)
    alone = not masked[end:line_end].strip(" \t*_.")
    return alone and (
        _STATUS_FIELD.search(masked, line_start, start) is not None
        or _STATUS_MARK.search(masked, max(line_start, start - 4), start) is not None
    )
