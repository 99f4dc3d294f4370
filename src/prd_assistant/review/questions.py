"""Which questions in a PRD leave a decision open, read from the structure.

A "?" is not the document asking when it is answered (``A:`` on the next line, "→ we retry",
"— Rate limiting applies", "Yes/No/Because ..." after it, the sentence after a run of
questions, one explanation nested under a question item, the statement after a paragraph or
item that only asks, an "If yes / If no" plan below a decision-point question, an answer column
in the same table row), when it ends an example query the product answers ("queries we aim to
answer with the viewer:", "Home must answer:"), when the product or a researcher puts it to
someone else (dialog copy, a "Prompt copy" column, an interview script), when it is type notation (``autoLoadLast:boolean?``), a key (``Ctrl-Alt-?``) or the
title of a cited page or issue, when it pitches the proposal ("What if the user could ...?"),
or when it frames background or motivation text, or sits in a section's lead above a
subsection whose title takes it up ("- How is a group represented in the flow file?" above
"### Flow file representation").

It also finds what has no tell-tale word: every item under an Open issues / Unresolved
questions heading (or a bold pseudo-heading such as ``**Open Questions**``), unchecked
sign-off boxes under an approval heading, empty template table rows, unfilled bracketed
guidance, and bare alternatives left as a plan item ("Pivot or iterate"). Whether a
placeholder, deferral or choice *word* leaves a decision open is
:mod:`prd_assistant.review.open_words`' job.
"""

from __future__ import annotations

import re
from functools import lru_cache

from prd_assistant.markdown_doc import Block
from prd_assistant.pattern_cache import compile_pattern
from prd_assistant.review import nlp, rules_open
from prd_assistant.review.markdown_scan import Scan
from prd_assistant.template import is_open_questions_title, normalize_title

# Framing questions a PM asks and answers at once ("Why now? Two competitors launched ...").
_RHETORICAL = re.compile(
    r"(?:why (?:now|not|(?:does|do|is|would) (?:this|it|that) (?:matter|important|needed))"
    r"|what (?:does|would) success look like|what(?:'s| is) (?:the problem|in it for \w+)"
    r"|so what|what if we could|how does (?:it|this) work|what (?:are|is) we (?:building|solving))\b[^?]*\?$"
)
# "What if the user didn't have to duplicate this action?": a pitch for what the document
# then proposes, asked of no one.
_PITCH = re.compile(
    r"what if (?:\w+ ){1,3}(?:could|didn't have to|did not have to|never had to"
    r"|no longer had to|only had to)\b"
)
# "Ctrl-Alt-? does not work", "[How to ... in Javascript?](https://...)", "... processing?
# [#1694]": a key named, or the title of a page or issue cited, not the document asking.
_CITED_AFTER = re.compile(r"\]\(|\][\[:]|[ \t]*\[#?\d+\]|[ \t]*\(#\d+\)")
_KEY_BEFORE = re.compile(r"\b(?:ctrl|control|alt|shift|cmd|command|option|meta|win|super)[-+]$")
# Titles of sections that describe the world (also read by open_words): a question there
# frames the text ("How do people track runway today?") unless it asks what the product will
# do ("How will merchants be billed?").
FRAMING_TITLES = (
    r"background|motivation|problem(?: statement| space)?|context|prior art|competit\w+"
    r"|personas?|user research|interviews?|why (?:now|this)|inspiration"
)
# Sections whose questions someone else is asked: an interview script, a survey, UI copy.
_ASKED_OF_OTHERS_TITLES = (
    r"research plan|survey|questionnaire|screener|discussion guide|interview (?:guide|script)"
    r"|usability (?:test|study|session)\w*|(?:ui |ux )?copy|microcopy|ux writing|strings"
)
# The document's introduction poses the questions its sections then answer ("How do we think
# about developer experience?", "How does an existing UWP developer move forward?").
_INTRODUCTION_TITLES = r"overview|introduction|intro|abstract|summary|tl;?dr"
_QUESTION_CONTEXT_TITLE = re.compile(
    rf"\b(?:{FRAMING_TITLES}|{_ASKED_OF_OTHERS_TITLES}|{_INTRODUCTION_TITLES})\b"
)
# A topic word for :func:`_content_words`.
_TOPIC_WORD = re.compile(r"[a-z][a-z'-]{3,}")
# How far before a "?" its topic words are read (a sentence longer than this is a runaway line).
_ASKED_WINDOW = 1_000
_DECIDING = re.compile(r"\b(?:we|our|should|will|shall|must|need to)\b(?! could)")
_BOLD_ONLY = re.compile(r"(?:\*\*|__)([^*_\n]{2,120})(?:\*\*|__)[ \t]*:?[ \t]*")
# What an answer opens with, after the "?" on the same line or on the next line.
_ANSWER_START = re.compile(
    r"[ \t]*(?:[-*>][ \t]+)?(?:\*\*|__)?[ \t]*(?:→|->|=>|⇒|[—–][ \t]|--[ \t]"
    r"|(?:a|answer|resolved|resolution|decision|decided|outcome)(?:\*\*|__)?[ \t]*[:.\-–—]"
    r"|(?:yes|no)\b[ \t]*(?:\*\*|__)?[ \t]*[,.:;\-–—(]|because\b)"
)
# A question on a line of its own that heads its answer: bold, or labelled "Q:".
_FAQ_QUESTION = re.compile(
    r"[ \t]*(?:(?:\*\*|__)[^*_\n]{3,300}\?[ \t]*(?:\*\*|__)"
    r"|(?:\*\*|__)?q[ \t]*\d*[ \t]*[:.][^\n]{3,300}\?[ \t]*(?:\*\*|__)?)[ \t]*"
)
_RUN_IN = re.compile(r"(?:\*\*|__)[^*_\n]{3,300}\?[ \t]*(?:\*\*|__)")
_WHY = re.compile(r"[ \t*_]*why\b")
# A plan that branches on the answer: "- If YES (Top 5): double down ...".
_BRANCH = re.compile(
    r"[ \t]*(?:\*\*|__)?(?:if (?:yes|no|so|not|true|false|the answer)\b|yes\b[ \t]*[:,\-–—]"
    r"|no\b[ \t]*[:,\-–—])"
)
# Where product copy sits: "the editor shows a dialog: Do you want to save?", "Confirmation
# toast: Undo?", a table column "Prompt copy". The question is put to the user by the product.
_UI_NOUNS = (
    r"dialog(?:ue)?|modal|pop-?up|prompt|toast|banner|snackbar|tooltip|alert|confirmation"
    r"|empty state|placeholder|button|tagline|headline|copy|microcopy|message|notification"
    r"|subject line|cta|helper text|error text|caption"
)
_UI_COPY_LEAD = re.compile(
    rf"\b(?:{_UI_NOUNS})(?:[ \t]+(?:copy|text|title|body|reads|says|asks|shows|displays))?[ \t]*:$"
    r"|\b(?:reads|says|asks|displays)[ \t]*:$"
    # Reported speech: "One admin told us: why can't I export the audit log?"
    r"|\b(?:said|told (?:us|me)|asked|wrote|complained|wondered)[ \t]*:$"
)
# "Banner: top or bottom?" weighs options for the team; copy asks the user one thing.
_ALTERNATIVES = re.compile(r"\b(?:or|vs\.?|versus)\b")
_COPY_HEADER = re.compile(
    rf"^(?!.*\bquestions?\b).*\b(?:{_UI_NOUNS}|wording|strings?|utterances?|examples?|samples?"
    r"|user says|says|reads)\b"
)
# A lead-in that introduces questions the product or its users ask, not questions the
# document asks: "queries we aim to answer with the heap viewer:", "Example prompts:".
_EXAMPLE_LEAD = compile_pattern(
    r"\b(?:examples? (?:of )?(?:quer(?:y|ies)|questions?|prompts?|requests?|utterances?)"
    r"|(?:sample|typical|common) (?:quer(?:y|ies)|questions?|prompts?)"
    r"|(?:quer(?:y|ies)|questions?|prompts?|utterances?)\b[^.:]{0,80}\b(?:answer(?:s|ed)?|ask(?:s|ed)?"
    r"|type[sd]?|say|enter)[^.:]{0,40}\b(?:with|using|via|through|in|by)\b"
    r"|(?:users?|customers?|people|they) (?:can|could|will|may|might) (?:ask|type|say|enter)"
    r"|(?:answers?|handles?|supports?) (?:quer(?:y|ies)|questions?|prompts?) (?:such as|like)"
    # "Every major screen should answer at least one of these:", "Home must answer:": the
    # questions the product answers for its users.
    r"|\b(?:should|must|will|shall|can|needs? to|has to|is to|helps?(?: \w+)? to)[ \t]+answer\b"
    # "This document answers the questions of:": the document's framing questions, which
    # its sections then answer.
    r"|\b(?:document|doc|page|proposal|rfc|spec|specification|section|this)[ \t]+"
    r"(?:answers|addresses)\b"
    # "should understand questions like:"
    r"|\b(?:quer(?:y|ies)|questions?|prompts?|requests?|utterances?) (?:such as|like)\b"
    # A research instrument: "We will ask five writers in each interview:", "Survey:".
    r"|\b(?:interview(?:s|ed|ing)?|surveys?|questionnaires?|screeners?|discussion guide"
    r"|usability (?:tests?|sessions?|stud(?:y|ies)))\b"
    # The product asks its user: "The setup wizard asks:", "The bot replies with:".
    rf"|\b(?:{_UI_NOUNS}|wizard|bot|assistant|app|screen|form)s? (?:asks?|says|reads|shows|displays)\b)"
)
_OPEN_LEAD = re.compile(
    r"\b(?:unresolved|open|outstanding|remaining|pending)\b|\bto be answered\b"
    # "the design will need to answer at least the following questions:", "questions that
    # must be addressed during the implementation:": questions the team still owes.
    r"|\b(?:need|needs|must|should|have|has) (?:to )?(?:answer|address|resolve)\b[^.:]{0,40}"
    r"\bquestions\b|\bquestions\b[^.:]{0,60}\b(?:be|being) (?:answered|addressed|resolved)\b"
    r"|\b(?:we|you|team) (?:need|must|should|have) to answer\b|\bbefore\b"
    r"|\b(?:we|you|team|i) (?:must|should|will|need to|have to)[ \t]+answer\b"
)
# Any open-question rule's words ("to be decided", "maybe", "TBD" ...), from a word start as
# the engine matches them ("reasons" holds no placeholder "n").
_OPEN_WORDS = compile_pattern(
    r"(?<![\w-])(?:" + "|".join(f"(?:{rule.pattern})" for rule in rules_open.RULES) + ")"
)
# An item nested under a question item of at least this many words explains rather than
# lists an option; an answer of at least the second is judged as an explanation (_unsettled).
_OPTION_WORDS = 8
_LONG_ANSWER_WORDS = 12
# How many nested items under a question are read for its answer (a long run stays linear).
_NESTED_ITEMS = 20
# An answer that is no answer: it defers or chooses (_OPEN_WORDS), or it hedges, lists options
# or asks for input (this). Two patterns, not one: compiling _OPEN_WORDS's 24 KB a second time
# inside a combined pattern cost 60 ms of every start.
_HEDGED = re.compile(
    r"\b(?:we|i) (?:think|believe|guess|suspect|assume|hope)\b|\b(?:don't|do not) know\b"
    r"|\be\.g\.|\bfor example\b|\bvs\b|\bdepends\b|\bneeds? (?:data|input|more|to)\b"
    r"|\bopen to\b|\bsuggestions\b|\bfeedback\b|\bor\b[^.]*\?"
)
# "What are the goals?", "Who are the users?": a question a list answers item by item.
_LISTING_QUESTION = re.compile(r"(?:what|who|which)(?: \w+)? (?:are|were)\b")
# A full stop, colon or semicolon that ends a statement or a label before a question.
_STATEMENT_END = re.compile(r"[.!:;](?:\s|$)")
# A paragraph that comments on the question instead of answering it.
# "This RFC does not depend on the question being resolved": a paragraph under Open
# questions that speaks of the questions rather than raising one.
_NAMES_THE_QUESTIONS = re.compile(r"\bquestions?\b")
_ABOUT_THE_QUESTION = re.compile(
    r"[ \t*_]*(?:this|that|it|the (?:answer|choice|decision|question))(?:[ \t]+\w+){0,2}[ \t]+"
    r"(?:affects?|matters?|impacts?|determines?|drives?|blocks?|influences?|shapes?|depends?"
    r"|is (?:important|key|critical|unclear|open))\b"
)
# "autoLoadLast:boolean?", "name?: string", "user?.id": a "?" in type or code notation.
_TYPE_BEFORE = re.compile(r"\w:[ \t]?[\w<>\[\]|]+$")
# A table column that holds a work status ("Status", "Progress"); also read by open_words.
STATUS_HEADER = re.compile(r"\b(?:status|state|progress|stage|done)\b")
_ANSWER_HEADER = re.compile(
    r"\b(?:answers?|outcome|decision|resolution|response|result|conclusion|finding)s?\b|^a$"
)
_ASIDE_HEADER = re.compile(
    r"\b(?:owner|assignee|who|raised|asked|due|date|deadline|when|priority|severity|impact"
    r"|#|id|status|context|notes?|source)\b"
)
# What may open a sentence before its first word: bullets, numbers, quote marks, a checkbox.
SENTENCE_OPENING = re.compile(r"[\s>*_+\-#\d.)\[\]x]*")
# An unchecked box, and the words that make a list of them sign-offs (see pending_sign_offs).
_UNCHECKED = re.compile(r"\[ \][ \t]+\S")
_SIGN_OFF = re.compile(r"\b(?:approv\w*|sign[- ]?offs?|signatures?|reviewers?)\b")
# "Pivot or iterate", "If NO: build or buy (talk to users)": a bare choice as a plan item.
_BARE_CHOICE = re.compile(
    r"(?:if [^:\n]{1,40}:[ \t]*)?(?P<hit>[a-z]{3,} or (?P<second>[a-z]{3,}))[ \t]*(?:\([^)\n]*\))?[ \t.]*"
)
_THIRD_PERSON = re.compile(r"[^su]s$")
_CHOICE_ASKED = re.compile(r"([a-z][\w-]*)[ \t]+(?:vs\.?|versus|or)[ \t]+([a-z][\w-]*)[ \t*_]*$")
_WORD = re.compile(r"[a-z][\w-]*")
# "[Describe this user journey]", "[FEATURE NAME]": a bracketed span that is not a link, a
# checkbox, a footnote or a citation.
_BRACKET = re.compile(r"\[(?![ xX]\]|\^|\d+\])([^\[\]\n]{2,300})\](?![(\[:])")
_LABEL_PREFIX = re.compile(
    r"[ \t]*(?:(?:\*\*|__)?[^\n:*_]{1,60}(?:\*\*|__)?[ \t]*:[ \t]*(?:\*\*|__)?[ \t]*)?"
)
_GUIDANCE_WORDS = re.compile(
    r"(?:[a-z][a-z-]*|[A-Z][A-Z-]+|#+)(?:[ \t]+(?:[a-z][a-z-]*|[A-Z][A-Z-]+|\d+))+"
)
_TITLE_WORDS = re.compile(r"[A-Z][a-z]*(?:[ \t]+[A-Z][a-z]*)+")
_REFERENCE_DEF = re.compile(r"^[ \t]{0,3}\[([^\]\n]+)\]:", re.MULTILINE)
# "None", "Resolved: ...", "~~struck~~", "**Undo scope** — ✅ single action": items under an
# Open issues heading that ask nothing.
_CLOSED_ITEM = re.compile(
    r"(?:\*\*|__)?(?:none|n/a|nothing|resolved|answered|decided|closed|done|~~|\[x\]"
    r"|(?:yes|no)\b[ \t]*(?:\*\*|__)?[ \t]*[,.:;\-–—(]|→|->|=>"
    r"|no (?:\w+ )?(?:questions?|issues?|items?)\b|all (?:\w+ )?(?:are |were |have been )?"
    r"(?:resolved|answered|closed))"
    r"|.*(?:[✅☑✔]|\b(?:resolved|decided|answered|answer|decision)\b[ \t]*(?:\*\*|__)?[ \t]*[:—–-]"
    # "**[MVP Decision] Fallbacks:** ...", "We've decided to focus on adoption": the item
    # records the decision.
    r"|\bdecision\]|\bwe(?:'ve| have)? (?:decided|agreed|settled)\b)"
)
# "**Fallbacks:** Explicit fallback prompt required if no action found": an item under an Open
# questions heading that names its topic and states what was decided about it.
_LABELLED_ITEM = re.compile(
    r"(?:\*\*|__)[^*_\n]{1,80}?(?::[ \t]*(?:\*\*|__)|(?:\*\*|__)[ \t]*:)[ \t]*(?=\S)"
)
_DECIDED_VALUE = re.compile(
    r"\b(?:required|only|must|shall|will|defaults?(?: to)?|always|never|targets?|chosen|decided"
    r"|yes|no)\b|\d[\d.,]*[ \t]*%"
)
_ASKING_VALUE = re.compile(
    r"[ \t*_]*(?:how|what|which|who|whom|whose|whether|when|where|why|if|do we|should|can we)\b"
)
# "## Open Questions (Resolved)": the heading says they are closed.
_RESOLVED_TITLE = re.compile(r"(?<!un)\b(?:resolved|answered|closed|decided)\b")


class Structure:
    """Per-review lookups the open-question checks share, built once in one pass.

    Attributes:
        scan: The scanned PRD.
        index: Block start offset -> position in the document model's block list.
        lead: Block position -> position of the block that introduces it: for a list item,
            the nearest earlier block outside the list (HTML comments skipped) or the
            enclosing item's paragraph; ``-1`` for none.
        preamble: Start of the text under the document's one level-1 title, before its
            first section (None when there is no such title).
    """

    def __init__(self, scan: Scan) -> None:
        self.scan = scan
        titles = [area for area in scan.areas if area.level == 1]
        self.preamble = titles[0].start if len(titles) == 1 else None
        blocks = scan.doc.blocks if scan.doc is not None else []
        self.index = {block.start: i for i, block in enumerate(blocks)}
        self.lead: list[int] = []
        anchors: list[int] = []  # anchors[d]: last block seen at list depth d
        for i, block in enumerate(blocks):
            if block.kind == "html":
                self.lead.append(-1)
                continue
            depth = block.list_depth if block.kind == "list_item" else 0
            earlier = [a for a in anchors[:depth] if a >= 0]
            self.lead.append(max(earlier) if block.kind == "list_item" and earlier else -1)
            del anchors[depth + 1 :]
            anchors.extend([-1] * (depth + 1 - len(anchors)))
            anchors[depth] = i
        self._runs: dict[int, int] = {}
        self._first_statements: dict[int, int] = {}

    def lead_block(self, block: Block) -> Block | None:
        """The block that introduces the list holding ``block`` (see :attr:`lead`)."""
        doc = self.scan.doc
        position = self.index.get(block.start)
        if doc is None or position is None or self.lead[position] < 0:
            return None
        return doc.blocks[self.lead[position]]

    def pseudo_heading(self, block: Block | None) -> str | None:
        """The title of a bold-only paragraph (``**Open Questions**``) heading this list."""
        if block is None or block.kind != "list_item":
            return None
        lead = self.lead_block(block)
        if lead is None or lead.kind != "paragraph" or self.scan.doc is None:
            return None
        found = _BOLD_ONLY.fullmatch(self.scan.doc.content(lead))
        return found.group(1) if found else None

    def listed(self, offset: int) -> bool:
        """True under an Open Questions heading at any level, or in a list headed by a bold
        pseudo-heading such as ``**Open Questions / Clarifications Needed**``."""
        if self.scan.area(offset).open_questions:
            return self.open_area(offset)
        title = self.pseudo_heading(self.scan.block_at(offset))
        return title is not None and is_open_questions_title(title)

    def open_area(self, offset: int) -> bool:
        """True under an Open Questions heading that does not say they are resolved."""
        area = self.scan.area(offset)
        return area.open_questions and not area.under(_RESOLVED_TITLE)

    def open_heading(self, mark: int) -> bool:
        """True when the "?" at ``mark`` ends a heading whose section does not answer it.

        A heading phrased as a question ("### How will this work with existing SDKs?") is
        answered by its section's body, as FAQ and question-led design templates are written.
        It stays open when nothing is written under it (subsections included), when the body
        only lists short options ("- Bill per stored byte", "- Bill per object") for a
        question that asks for one answer, or under an Open questions heading unless the body
        opens with its answer. A body that says TBD is reported by its own rule.
        """
        scan, doc, masked = self.scan, self.scan.doc, self.scan.scan
        section = doc.section_at(mark) if doc is not None else None
        if (
            doc is None
            or section is None
            or not section.title_start <= mark < section.title_end
            or masked[mark + 1 : section.title_end].strip(" \t*_#")
            or scan.area(mark).faq
        ):
            return False
        title_start = SENTENCE_OPENING.match(masked, section.title_start, mark).end()
        if scan.area(mark).under(_QUESTION_CONTEXT_TITLE) and not _DECIDING.search(
            masked, title_start, mark
        ):
            return False
        body = [b for b in doc.section_blocks(section) if b.kind != "html" and b.end > b.start]
        if not body:
            return True
        if self.open_area(mark):
            # "### Should flags cascade?" under Unresolved questions: its body discusses it,
            # and it stays open unless the body opens with the answer ("Resolved: no").
            first = scan.read(body[0].start, body[0].end).strip()
            return not (_CLOSED_ITEM.match(first) or _ANSWER_START.match(first))
        # "## What does success look like?" over a list of measures: the PM's framing question,
        # answered item by item, like "What are the goals?".
        if (
            len(body) < 2
            or _LISTING_QUESTION.match(masked, title_start, mark)
            or _RHETORICAL.match(*scan.reading(title_start, mark + 1))
            or any(b.kind != "list_item" or b.section != section.index for b in body)
        ):
            return False
        return all(
            len(masked[b.start : b.end].split()) < _OPTION_WORDS
            and _STATEMENT_END.search(masked[b.start : b.end].strip()) is None
            for b in body
        )

    def not_asking(self, mark: int) -> bool:
        """True when the "?" at ``mark`` is not the document leaving a question open."""
        scan = self.scan
        masked = scan.scan
        if self._answered_in_table(mark):
            return True
        line_start, line_end = scan.line_span(mark)
        after = masked[mark + 1 : mark + 2]
        if after and (after.isalnum() or after in ":.[<_"):
            return True  # "name?: string", "user?.id"
        if _TYPE_BEFORE.search(masked, max(line_start, mark - 80), mark):
            return True  # "autoLoadLast:boolean?"
        if _CITED_AFTER.match(scan.text, mark + 1) or _KEY_BEFORE.search(
            masked, max(line_start, mark - 10), mark
        ):
            return True
        opening = masked.rfind("[", max(line_start, mark - 300), mark)
        if opening >= 0 and masked.startswith("[needs clarification", opening):
            return True  # the marker is reported whole by its rule, not as a question
        area = scan.area(mark)
        if self.listed(mark):
            # Listed questions stay open unless an answer is marked as one.
            return self._answered(mark, line_end, plan=False)
        s_start, _ = scan.sentence(mark)
        # The text under the document's title, before its first section, introduces it.
        framing = area.under(_QUESTION_CONTEXT_TITLE) or area.start == self.preamble
        deciding = self._decides_before(mark)
        if framing and not deciding:
            return True  # "Why do teams abandon dashboards?" frames the problem
        if not deciding and self._taken_up_below(s_start, mark):
            return True  # "- How is a group represented?" above "### Flow file representation"
        opening = SENTENCE_OPENING.match(masked, s_start, mark).end()
        if _PITCH.match(*scan.reading(opening, mark)):
            return True
        if self._product_copy(s_start, mark):
            return True
        # "What if GCs occur rapidly? Should the runtime expose when a GC ends? It suffices to
        # say ...": a run of questions is answered, or not, by what follows the last of them.
        last = self._last_of_run(mark)
        if last != mark:
            line_end = scan.line_span(last)[1]
        following = scan.next_sentence(last)
        # "How are refunds handled? Refunds go back to the card within 5 days.": the next
        # sentence on the same line answers it, unless it hedges or defers ("We think so, but
        # ... not confirmed"). A table row's next sentence is another cell, not an answer.
        if (
            following is not None
            and following[0] < line_end
            and scan.cell(mark) is None
            and "?" not in masked[following[0] : following[1]]
        ):
            if _RHETORICAL.search(*scan.reading(max(s_start, mark - 80), mark + 1)):
                return True
            if not _unsettled(scan, *following):
                return True
        return self._answered(last, line_end, plan=True) or self._example_query(mark)

    def _product_copy(self, s_start: int, mark: int) -> bool:
        """True for a question the product puts to its user, introduced on its line by the
        copy that holds it ("the editor shows a dialog: Do you want to save?", "The empty
        state reads: Nothing here yet. Want to start from a template?"): it does not ask the
        team, so it must not say what "we" should or will do."""
        masked = self.scan.scan
        line_start = self.scan.line_span(mark)[0]
        block = self.scan.block_at(mark)
        floor = max(line_start, block.start if block is not None else line_start)
        # Copy is introduced close to its question; a bound keeps a long line linear.
        colon = masked.rfind(":", max(floor, mark - 300), mark)
        if (
            colon < 0
            or _DECIDING.search(masked, colon, mark)
            or _ALTERNATIVES.search(masked, colon, mark)
        ):
            return False
        return _UI_COPY_LEAD.search(masked, max(floor, colon - 80), colon + 1) is not None

    def _last_of_run(self, mark: int) -> int:
        """The "?" ending the run of questions that the "?" at ``mark`` belongs to: each next
        question starts on the line where the one before ends, in the same block."""
        known = self._runs.get(mark)
        if known is not None:
            return known
        scan, masked = self.scan, self.scan.scan
        seen = [mark]
        last = mark
        while scan.cell(last) is None:
            following = scan.next_sentence(last)
            if following is None or following[0] >= scan.line_span(last)[1]:
                break
            ends = masked.rfind("?", *following)
            if ends < 0:
                break
            last = ends
            seen.append(last)
            if last in self._runs:
                last = self._runs[last]
                break
        for one in seen:
            self._runs[one] = last
        return last

    def _answered(self, mark: int, line_end: int, *, plan: bool) -> bool:
        """An answer follows: on the same line, on the next line, or as a branching plan."""
        scan = self.scan
        masked = scan.scan
        if _ANSWER_START.match(*scan.reading(mark + 1, line_end)):
            return True
        if _picks_alternative(scan, scan.sentence(mark)[0], mark, line_end):
            return True
        doc = scan.doc
        block = scan.block_at(mark)
        if doc is None or block is None or block.kind == "table_cell":
            return False
        # "Why 16? Why not 15 or 14?" on its own, then a paragraph that explains.
        if _WHY.match(masked, scan.sentence(mark)[0], mark) and masked[
            block.start : block.end
        ].rstrip(" \t*_").endswith("?"):
            following = doc.next_block(block.end + 1)
            if (
                following is not None
                and following.kind == "paragraph"
                and "?" not in masked[following.start : following.end]
            ):
                return True
        if masked[mark + 1 : min(line_end, mark + 200)].strip(" \t*_"):
            # "**What might it contain?** We have ...": a bold question opening its block is
            # a run-in heading; the rest of the line answers it.
            return _RUN_IN.match(masked, block.start, mark + 3) is not None
        # "**Can I cancel anytime?**" or "Q: Can I cancel?" on a line of its own heads its
        # answer, FAQ style: whatever text follows answers it.
        line_start = scan.line_span(mark)[0]
        headed = _FAQ_QUESTION.fullmatch(masked, max(line_start, block.start), line_end)
        # A paragraph or item that only asks ("How do reminders behave across time zones?")
        # is answered by the statement that follows it in the same paragraph or item; not
        # under an Open questions heading, where questions stay open until marked answered.
        asked = plan and self._asks_only(block, line_end)
        line = doc.line_index(mark)
        if line + 1 < len(doc.line_starts) and doc.line_starts[line + 1] < block.end:
            next_line = doc.line_span(doc.line_starts[line + 1])
            return (
                _ANSWER_START.match(*scan.reading(*next_line)) is not None
                or (headed is not None and "?" not in masked[slice(*next_line)])
                or (
                    asked
                    and masked.find("?", *next_line) < 0
                    and _states(scan, next_line[0], block.end)
                )
            )
        following = doc.next_block(block.end + 1)
        if following is None or following.kind not in {
            "paragraph",
            "list_item",
            "blockquote",
            "code",
        }:
            return False
        first_end = following.lines[0][1] if following.lines else following.end
        if _ANSWER_START.match(*scan.reading(following.start, first_end)):
            return True
        if headed is not None and "?" not in masked[following.start : first_end]:
            return True
        # "- Should the goal be conversion or adoption?" with "- We've decided to focus on
        # adoption" nested under it: the decision recorded below the question closes it.
        if (
            block.kind == "list_item"
            and following.kind == "list_item"
            and following.list_depth > block.list_depth
            and self._closed_below(following)
        ):
            return True
        if not plan:
            return False
        # "- How are refunds issued?" and the item's next paragraph "To the original card.",
        # or a question paragraph and the paragraph after it.
        if (
            asked
            and following.kind == block.kind
            and (block.kind == "paragraph" or following.item == block.item)
            and _states(scan, following.start, following.end)
        ):
            return True
        # "*What are our goals for this version?*", then "Objectives:" and the objectives: a
        # lead-in and the list it introduces answer the question above them.
        if asked and block.kind == "paragraph" and following.kind == "paragraph":
            listed = doc.next_block(following.end + 1)
            if (
                _leads_in(scan, following.start, following.end)
                and listed is not None
                and listed.kind == "list_item"
                and self.lead_block(listed) == following
                and self._answering_list(listed)
            ):
                return True
        # "What would the config look like?" and the example under it.
        if (
            asked
            and block.kind == "paragraph"
            and following.kind == "code"
            and not _ALTERNATIVES.search(masked, block.start, mark)
        ):
            return True
        # A question-led template: "Does this deliverable involve content that needs
        # translation?" and the list under it that says what, item by item. Short items under
        # a question are its options ("- Postgres", "- MySQL"), and so are the items under a
        # question between alternatives.
        if (
            asked
            and block.kind == "paragraph"
            and following.kind == "list_item"
            and not _ALTERNATIVES.search(masked, block.start, mark)
            and self.lead_block(following) == block
            and self._answering_list(following)
        ):
            return True
        # "- Why not `type Foo: Trait`?" with "  - That may be fine, but ..." nested below it:
        # the one item under a question item answers it. Two or more short items under it
        # are the options ("- Postgres", "- MySQL"); a short answer must not hedge, a long
        # one (an explanation, examples and all) must not defer or ask.
        if (
            block.kind == "list_item"
            and following.kind == "list_item"
            and following.list_depth > block.list_depth
            and "?" not in masked[following.start : following.end]
        ):
            words = len(masked[following.start : following.end].split())
            sibling = doc.next_block(following.end + 1)
            alone = sibling is None or not (
                sibling.kind == "list_item" and sibling.list_depth == following.list_depth
            )
            if (alone or words >= _OPTION_WORDS) and not _unsettled(
                self.scan, following.start, following.end
            ):
                return True
        # A decision-point question with its plan below: "- If YES: ...", "- If NO: ...".
        return (
            block.kind != "list_item"
            and following.kind == "list_item"
            and _BRANCH.match(masked, following.start, first_end) is not None
        )

    def _asks_only(self, block: Block, end: int) -> bool:
        """True when ``block`` up to ``end`` holds questions and nothing else: no statement,
        no label or lead-in ("We need to decide: ...?", "**Question:** ...?"). The block's
        first statement end is found once, so a long run of questions stays linear."""
        masked = self.scan.scan
        first = self._first_statements.get(block.start)
        if first is None:
            found = _STATEMENT_END.search(masked, block.start, block.end)
            first = found.start() if found is not None else block.end + 1
            self._first_statements[block.start] = first
        return first >= end and _last_char(masked, block.start, end) == "?"

    def _closed_below(self, first: Block) -> bool:
        """True when an item of the nested list that starts with ``first`` records the
        answer or decision (:data:`_CLOSED_ITEM`)."""
        doc = self.scan.doc
        position = self.index.get(first.start)
        if doc is None or position is None:
            return False
        for block in doc.blocks[position : position + _NESTED_ITEMS]:
            if block.kind != "list_item" or block.list_depth < first.list_depth:
                break
            if block.list_depth == first.list_depth and _CLOSED_ITEM.match(
                self.scan.read(block.start, block.end).strip()
            ):
                return True
        return False

    def _answering_list(self, first: Block) -> bool:
        """True when the list that starts with ``first`` states things: no item asks, no
        item at its top level hedges or defers, and at least one is a statement of
        ``_OPTION_WORDS`` words or more rather than a bare option."""
        doc, masked = self.scan.doc, self.scan.scan
        position = self.index.get(first.start)
        if doc is None or position is None:
            return False
        stated = False
        for block in doc.blocks[position:]:
            if block.kind != "list_item" or block.list_depth < first.list_depth:
                break
            if "?" in masked[block.start : block.end]:
                return False
            if block.list_depth == first.list_depth:
                if _unsettled(self.scan, block.start, block.end):
                    return False
                stated = stated or len(masked[block.start : block.end].split()) >= _OPTION_WORDS
        return stated

    def _answered_in_table(self, mark: int) -> bool:
        """True for a "?" that ends a table header cell ("Required?"), or a question in a row
        that answers it: a filled Answer/Outcome/Decision cell, a Resolved status, or (with no
        such column) a filled next cell that is not an owner, date or priority."""
        scan = self.scan
        cell = scan.cell(mark)
        if cell is None:
            return _answered_in_pipe_row(scan, mark)
        if cell.row == 0 or _COPY_HEADER.search(normalize_title(cell.header)):
            return True  # a header cell ("Required?"), or copy the product shows
        if scan.text[mark + 1 : cell.end].strip() or scan.doc is None:
            return False
        after = []
        following = scan.doc.next_block(cell.end + 1)
        while (
            following is not None
            and following.table == cell.table
            and following.row == cell.row
            and len(after) < 50
        ):
            after.append(following)
            following = scan.doc.next_block(following.end + 1)
        for other in after:
            value = scan.scan[other.start : other.end].strip()
            header = normalize_title(other.header)
            if _ANSWER_HEADER.search(header):
                return bool(value.strip(" -–—*_"))
            if STATUS_HEADER.search(header) and _RESOLVED_TITLE.search(value):
                return True
        return (
            cell.column == 0
            and bool(after)
            and after[0].end > after[0].start
            and not _ASIDE_HEADER.search(normalize_title(after[0].header))
        )

    def _decides_before(self, mark: int) -> bool:
        """True when the sentence of the "?" at ``mark`` says "we", "should", "will" ... before
        it: the document's own plan, not a question that frames or leads. The words are found
        once per sentence, so a runaway line with a thousand "?" stays linear."""
        _, ends = self.scan.marks_in_sentence(_DECIDING, mark)
        return bool(ends) and ends[0] <= mark

    def _taken_up_below(self, s_start: int, mark: int) -> bool:
        """True when the "?" at ``mark`` sits in a section's lead, above its subsections, and
        a subsection title takes up what it asks: "This design needs to cover: - How is a
        group represented in the flow file?" above "### Flow file representation", "Why two
        changes?" above "### Why two changes?". The lead poses the questions the section then
        answers, as the document's introduction does for its sections."""
        doc = self.scan.doc
        section = doc.section_at(mark) if doc is not None else None
        if doc is None or section is None or mark < section.body_start:
            return False
        below = [
            s.title
            for s in doc.sections
            if section.start < s.start < section.end and s.level > section.level
        ]
        if not below:
            return False
        # The words just before the "?" say what it asks; a runaway line is read no further
        # back than a long sentence, so every "?" on it costs the same.
        asked = _content_words(self.scan.read(max(s_start, mark - _ASKED_WINDOW), mark))
        return any(_share_a_word(asked, _content_words(title)) for title in below)

    def _example_query(self, mark: int) -> bool:
        """The "?" ends an example query that a lead-in introduces ("queries we aim to
        answer with the heap viewer:"), not a question the document asks."""
        block = self.scan.block_at(mark)
        lead = self.lead_block(block) if block is not None else None
        if lead is None:
            return False
        text = self.scan.read(lead.start, lead.end)
        if not text.rstrip("*_ \t").endswith(":"):
            return False
        return _EXAMPLE_LEAD.search(text) is not None and _OPEN_LEAD.search(text) is None


@lru_cache(maxsize=1)
def _stop_words() -> frozenset[str]:
    """spaCy's English stop words (imported without spaCy's command line, see nlp)."""
    nlp.import_spacy()
    from spacy.lang.en.stop_words import STOP_WORDS

    return frozenset(STOP_WORDS)


def _content_words(text: str) -> set[str]:
    """The words of ``text`` that carry its topic: four letters or more, not stop words."""
    stop = _stop_words()
    return {w for w in _TOPIC_WORD.findall(text.lower()) if w not in stop}


def _share_a_word(first: set[str], second: set[str]) -> bool:
    """True when a word of one set and a word of the other are forms of one word: a shared
    start of four letters or more that is most of the shorter word ("edited", "Editing";
    "represented", "representation")."""
    for a in first:
        for b in second:
            shorter = min(len(a), len(b))
            common = next((i for i in range(shorter) if a[i] != b[i]), shorter)
            if common >= 4 and common >= 0.6 * shorter:
                return True
    return False


def _picks_alternative(scan: Scan, start: int, mark: int, line_end: int) -> bool:
    """True when a question between two options ("ASR: Local vs. cloud?") is followed on its
    line by an answer that names one of them first ("Default local, opt-in for cloud")."""
    # The two options end the question; a bound keeps a runaway sentence linear.
    text, first, last = scan.reading(max(start, mark - 200), mark)
    asked = _CHOICE_ASKED.search(text, first, last)
    if asked is None:
        return False
    text, first, last = scan.reading(mark + 1, min(line_end, mark + 80))
    opening = _WORD.findall(text, first, last)[:3]
    return bool(set(asked.groups()) & set(opening)) and not _unsettled(scan, mark + 1, line_end)


def _last_char(masked: str, start: int, end: int) -> str:
    """The last character of ``start``..``end`` that is not a blank or emphasis mark."""
    while end > start and masked[end - 1] in " \t\r\n*_":
        end -= 1
    return masked[end - 1] if end > start else ""


def _states(scan: Scan, start: int, end: int) -> bool:
    """True when ``start``..``end`` reads as the answer to the questions before it: it asks
    nothing, leads into no list, does not hedge or defer, and does not only say why the
    question matters ("This affects the pricing page.")."""
    masked = scan.scan
    return (
        masked.find("?", start, end) < 0
        and _last_char(masked, start, end) != ":"
        and _ABOUT_THE_QUESTION.match(*scan.reading(start, end)) is None
        and not _unsettled(scan, start, end)
    )


def _leads_in(scan: Scan, start: int, end: int) -> bool:
    """True when ``start``..``end`` is a statement that introduces a list ("Objectives:", "To
    create a stack from scratch:"): it asks nothing and neither hedges nor defers."""
    return (
        scan.scan.find("?", start, end) < 0
        and _last_char(scan.scan, start, end) == ":"
        and not _unsettled(scan, start, end)
    )


def _unsettled(scan: Scan, start: int, end: int) -> bool:
    """:func:`_unsettled_reading` of ``start``..``end`` as the rules read it ("To be&nbsp;
    decided" defers like "To be decided")."""
    return _unsettled_reading(*scan.reading(start, end))


def _unsettled_reading(text: str, start: int, end: int) -> bool:
    """True when the answer at ``start``..``end`` of ``text`` is no answer: a short one must
    not hedge, list examples or ask for input; a long one (an explanation, examples and all)
    must not defer or choose."""
    if _OPEN_WORDS.search(text, start, end) is not None:
        return True
    long = len(text[start:end].split()) >= _LONG_ANSWER_WORDS
    return not long and _HEDGED.search(text, start, end) is not None


def _answered_in_pipe_row(scan: Scan, mark: int) -> bool:
    """The same for a pipe row that Markdown does not read as a table (no delimiter row)."""
    line_start, line_end = scan.line_span(mark)
    text = scan.text
    lead = line_start + len(text[line_start:mark]) - len(text[line_start:mark].lstrip())
    if mark - line_start > 500 or text[lead : lead + 1] != "|" or "|" in text[lead + 1 : mark]:
        return False
    cells = text[mark + 1 : min(line_end, mark + 2000)].split("|")
    return len(cells) >= 3 and not cells[0].strip() and bool(cells[1].strip())


def listed_items(structure: Structure) -> list[tuple[int, int]]:
    """Spans of the list items under an Open issues heading or a bold pseudo-heading, and of
    the first sentence of each paragraph under an Open issues heading.

    Each leaves a decision open, with or without a "?". A paragraph there opens with the
    issue it raises ("It will be important to allow Extensions to specify their own
    documentation URLs ...", "One of the problems this RFC doesn't tackle properly is ...");
    the sentences after it explain the issue, so only their questions and rule words count.
    """
    scan = structure.scan
    doc = scan.doc
    if doc is None:
        return []
    found = []
    for block in doc.blocks:
        if block.end <= block.start:
            continue
        if block.kind == "paragraph" and structure.open_area(block.start):
            opening = _opening_sentence(structure, block)
            if opening is not None:
                found.append(opening)
            continue
        if block.kind != "list_item" or not structure.listed(block.start):
            continue
        # An item nested under a listed question discusses it (an opinion, an option, the
        # decision): the question is the open item, judged where its "?" stands.
        parent = structure.lead_block(block)
        if (
            parent is not None
            and parent.kind == "list_item"
            and scan.scan.find("?", parent.start, parent.end) >= 0
        ):
            continue
        reading, first, last = scan.reading(block.start, block.end)
        text = reading[first:last]
        # A "?" in the item is judged where it stands (answered or not), a rule's word is
        # reported by its rule, "None" asks nothing and "The following remain open:" leads in.
        if (
            not text.strip()
            or "?" in text
            or _CLOSED_ITEM.match(text.strip())
            or _OPEN_WORDS.search(text)
            or text.rstrip("*_ \t").endswith(":")
            or _decided_item(reading, first, last)
        ):
            continue
        found.append((block.start, block.end))
    return found


def _opening_sentence(structure: Structure, block: Block) -> tuple[int, int] | None:
    """The first sentence of a paragraph under an Open issues heading, unless the paragraph
    asks (its questions are judged where they stand), answers ("**Q:** ... **A:** ..."),
    names what is settled ("None", "Resolved: ..."), is reported by a rule's word, or leads
    into a list ("Notes:", "The following remain open:") as a listed item does."""
    scan = structure.scan
    whole = scan.text[block.start : block.end]
    if not whole.strip() or "?" in whole or _discusses_a_question(structure, block):
        return None
    start = block.start + len(whole) - len(whole.lstrip())
    end = min(block.end, scan.sentence(start)[1])
    reading, first, last = scan.reading(start, end)
    text = reading[first:last]
    if (
        _CLOSED_ITEM.match(text.strip())
        or _OPEN_WORDS.search(text)
        or _NAMES_THE_QUESTIONS.search(text)
        or text.rstrip("*_ \t").endswith(":")
        or _decided_item(reading, first, last)
    ):
        return None
    return start, end


def _discusses_a_question(structure: Structure, block: Block) -> bool:
    """True when the block before ``block`` (a heading included) asks: the paragraph
    discusses that question ("Who owns the token store? / The platform team runs storage.",
    "### Should flags cascade? / We lean toward yes."), and the question is the open item."""
    doc = structure.scan.doc
    position = structure.index.get(block.start)
    if doc is None or position is None:
        return False
    for earlier in reversed(doc.blocks[:position]):
        if earlier.kind != "html":
            return structure.scan.scan.find("?", earlier.start, earlier.end) >= 0
    return False


def _decided_item(masked: str, start: int, end: int) -> bool:
    """True for a listed item that names its topic in bold and states the decision after it
    ("**Telemetry:** Opt-in only", "**Accuracy threshold:** Target 85%+"): a value that asks
    nothing, weighs no alternatives, does not hedge and says what is required or chosen.
    ``masked`` is the text as read (:meth:`Scan.reading`)."""
    label = _LABELLED_ITEM.match(masked, start, end)
    if label is None:
        return False
    value = label.end()
    return (
        len(masked[value:end].split()) >= 2
        and _ASKING_VALUE.match(masked, value, end) is None
        and _ALTERNATIVES.search(masked, value, end) is None
        and not _unsettled_reading(masked, value, end)
        and _DECIDED_VALUE.search(masked, value, end) is not None
    )


def pending_sign_offs(structure: Structure) -> list[tuple[int, int]]:
    """Unchecked boxes ("- [ ] Engineering Lead") in a list that an approval lead-in or
    heading introduces ("## Approval", "This design requires approval from:"): sign-offs not
    given yet. Elsewhere an unchecked box is a work status (a task list), not a question."""
    scan = structure.scan
    doc = scan.doc
    if doc is None:
        return []
    spans = []
    text = scan.text
    for block in doc.blocks:
        box = _UNCHECKED.match(scan.scan, block.start, block.end)
        if block.kind != "list_item" or box is None:
            continue
        lead = structure.lead_block(block)
        path = scan.area(block.start).path
        if (lead is not None and scan.search(_SIGN_OFF, lead.start, lead.end)) or (
            path and _SIGN_OFF.search(normalize_title(path[-1]))
        ):
            end = block.end
            while end > box.end() and text[end - 1].isspace():
                end -= 1
            spans.append((box.end() - 1, end))
    return spans


def empty_rows(scan: Scan) -> list[tuple[int, int]]:
    """Body rows of a table whose every cell is empty: a template row never filled in."""
    doc = scan.doc
    if doc is None:
        return []
    rows: dict[tuple[int, int], list[Block]] = {}
    for block in doc.blocks:
        if block.kind == "table_cell" and block.row >= 1:
            rows.setdefault((block.table, block.row), []).append(block)
    spans = []
    for cells in rows.values():
        if all(not scan.text[c.start : c.end].strip() for c in cells):
            line_start, line_end = scan.line_span(cells[0].start)
            row = scan.text[line_start:line_end]
            first = row.find("|")
            if first < 0:
                continue
            spans.append((line_start + first, line_start + len(row.rstrip())))
    return spans


# A block that only promises its content: "*coming soon*", "Details to come.".
_CONTENT_TO_COME = re.compile(
    r"[\s*_(]*(?:(?:content|details|designs?|walkthrough|more|section)[ \t]+)?"
    r"(?:coming soon|to come|forthcoming|to follow)[\s*_.!…)]*"
)


def content_to_come(scan: Scan) -> list[tuple[int, int]]:
    """Paragraphs whose whole text promises content not written yet ("*coming soon*" under
    "Rough-in designs"): a placeholder. "**Coming soon:** Native apps (Q3 2026)" names what
    is coming, so it is not one."""
    doc = scan.doc
    if doc is None:
        return []
    spans = []
    for block in doc.blocks:
        if block.kind != "paragraph":
            continue
        if _CONTENT_TO_COME.fullmatch(scan.read(block.start, block.end)):
            text = scan.text[block.start : block.end]
            start = block.start + len(text) - len(text.lstrip())
            spans.append((start, block.start + len(text.rstrip())))
    return spans


def bracket_placeholders(scan: Scan) -> list[tuple[int, int]]:
    """Template guidance in brackets that was never filled in.

    A bracketed span counts when it is all there is in its block or after a field label
    ("**Why this priority**: [Explain the value ...]"), when it is two or more words in one
    case ("Given [initial state]", "[FEATURE NAME]"), or when it gives an example ("[specific
    capability, e.g., ...]"). Link labels defined in the document are links, not guidance.
    """
    text, masked = scan.text, scan.scan
    defined = {m.group(1).strip().lower() for m in _REFERENCE_DEF.finditer(text)}
    spans = []
    for m in _BRACKET.finditer(text):
        start, end = m.span()
        inner = m.group(1).strip()
        if (
            masked[start] != "["
            or len(inner.split()) < 2
            or inner.lower() in defined
            or inner.lower().startswith("needs clarification")
        ):
            continue
        # "### User Story 1 - [Brief Title]": a heading names nothing in Title Case brackets.
        if scan.in_heading(start) and _TITLE_WORDS.fullmatch(inner):
            spans.append((start, end))
            continue
        block = scan.block_at(start)
        whole = False
        if block is not None and block.kind != "code":
            lead = _LABEL_PREFIX.match(text, block.start, start)
            whole = (
                lead is not None
                and lead.end() == start
                and not text[end : block.end].strip(" \t*_.")
            )
        if whole or _GUIDANCE_WORDS.fullmatch(inner) or "e.g." in inner.lower():
            spans.append((start, end))
    return spans


def bare_choices(scan: Scan) -> list[tuple[int, int]]:
    """List items that are only two one-word options ("Pivot or iterate")."""
    doc = scan.doc
    if doc is None:
        return []
    spans = []
    for block in doc.blocks:
        if block.kind != "list_item" or len(block.lines) != 1:
            continue
        found = _BARE_CHOICE.fullmatch(scan.scan, block.start, block.end)
        # "Pivot or iterate" weighs actions; "Android or iOS" names products, left alone;
        # "2. Scrolls or searches." narrates a step someone takes in a flow (both verbs in
        # the third person).
        if (
            found is not None
            and scan.text[slice(*found.span("second"))].islower()
            and not all(_THIRD_PERSON.search(w) for w in found.group("hit").split(" or "))
        ):
            spans.append(found.span("hit"))
    return spans
