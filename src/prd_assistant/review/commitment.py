"""Whether a vague word sits in a commitment about the product, or in an explanation.

A vague word is a problem only where the document promises something with it. Design docs,
RFCs and PRDs also explain: how compilers "typically" work, why a problem is "mostly" not one,
what "various" existing tools do, what "could" happen. Those sentences describe; nobody will
build or test against them.

The gate reads the clauses from the vague word up to the sentence root. The first clause that
says decides:

* it commits with a requirement modal (must, shall, should, will, need) and a subject that is
  not the world (competitors, the market, today's tools); with an instruction ("Keep the
  footprint small", but not "Note that ..."); with a goal as its subject ("Our goal is ...");
  with the product or a part of it as its subject ("The app syncs seamlessly"), or with that
  subject left out ("Reduces token usage ..."); with people who "can" do something through
  it; or in the Then part of an acceptance scenario, whatever its subject;
* it explains when it is a hypothetical (would, could, might, may; except under Risks, where
  what could happen is the point), or its subject is the world. "Would" of the
  product or of the change proposed ("Caching the result would make re-reviews instant")
  still claims the effect the proposal promises; "could" stays a possibility.

"Will" about a pronoun or an action ("It will generally increase heap sizes", "Choosing a name
will influence its usage") predicts rather than promises, and a condition ("if many users
...") hedges whatever clause it hangs from. A sentence that opens with an example ("For
example, ...") explains. When no clause says, the place decides: a fragment that names
something ("A modern refunds platform", "Boot time: under 40"), a list item and a table cell
commit (bullets in a PRD are features, tasks or principles); so does a paragraph under a
heading of requirements, goals, metrics, hypotheses or risks, or under a heading that says
neither. A paragraph under an explaining heading (Background, Rationale, Detailed design,
Implementation ... at the nearest level that says), or on a line that opens with "Rationale:"
or "Why:", explains.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

from prd_assistant.pattern_cache import compile_pattern
from prd_assistant.review import nlp
from prd_assistant.review.claims import (
    EFFECT_VERBS,
    REASON_LABEL,
    REQUIRING,
    SUBJECTS,
    WISHES,
    clause_subject,
    clause_verb,
    has_requiring_modal,
    scenario_step,
)
from prd_assistant.review.lexicon import word_set
from prd_assistant.template import normalize_title

if TYPE_CHECKING:
    from spacy.tokens import Span, Token

    from prd_assistant.markdown_doc import Block
    from prd_assistant.review.markdown_scan import Scan


# Modals of possibility: what would, could or might happen is not promised.
HYPOTHETICAL = word_set("would could might may 'd")
# Adverbs that describe how things generally are; without a modal, no promise.
_GENERIC = word_set("often usually typically generally normally mostly largely commonly")
# Of those, the ones that say what happens as a rule rather than how much: a hedge on how
# things go, a promise only under a modal ("The sync should usually finish overnight").
_AS_A_RULE = word_set("usually typically generally normally commonly")
# Quantities that, on a subject, say how much of the world a statement covers.
_QUANTIFIERS = word_set("some several various many most few numerous multiple countless")
# Adverbs that hedge a statement into a guess.
_HEDGES = word_set("hopefully probably likely perhaps maybe possibly presumably")
# Imperatives addressed to the reader: "Note that ...", "Consider ...".
_READER_VERBS = word_set(
    "note notice see consider imagine recall remember observe suppose assume compare take"
)
_FINITE = frozenset(("VBZ", "VBP", "VBD", "MD"))
# "Would" of the product or of the change proposed: the effect it claims ("could" is a
# possibility).
_PROPOSING = word_set("would 'd")
_CHANGES = word_set("change proposal approach")
# Modals of possibility that an effect verb still claims with.
_POSSIBLE = word_set("could may can")
# "Will" promises of the product, but predicts of a pronoun or an action.
_PREDICTING = word_set("will 'll wo")
_PRONOUNS = word_set("it this that these those there which they")
# "It is important that ...": what follows is required.
_REQUIRING_ADJECTIVES = word_set(
    "important essential critical crucial vital necessary imperative mandatory required key"
)
# Verbs that report a finding: what a study "showed" or a pilot "found" is evidence.
_REPORTING_VERBS = word_set(
    "show find report demonstrate prove suggest indicate reveal confirm observe conclude"
)
# Verbs that turn their complement into a requirement ("has to", "is required to").
_REQUIRING_VERBS = word_set("require expect")
# Subjects that name the aim itself: "Our goal is to ship a stable tool".
GOAL_NOUNS = word_set(
    """goal goals aim aims objective objectives target targets purpose intent intention mission
    vision requirement requirements priority priorities focus outcome outcomes kpi kpis
    deliverable deliverables criterion criteria"""
)
# The product, its parts and what it shows: their behaviour in the present tense is specified.
PRODUCT_SUBJECTS = word_set(
    """product system app application platform service tool feature features experience ux
    ui interface design layout dashboard page pages screen screens view views flow flows
    onboarding workflow solution website portal api sdk integration editor viewer
    navigation search checkout module component components release version mvp beta
    implementation engine backend frontend server client cli library plugin extension
    extensions report reports export exports import imports upload uploads sync
    notification notifications alert alerts result results response responses setup
    installation install update updates"""
)
# People, who act through the product: "users can export quickly" is a capability.
PEOPLE = word_set(
    """user users customer customers admin admins administrator administrators operator
    operators member members visitor visitors buyer buyers merchant merchants seller sellers
    shopper shoppers developer developers teacher teachers student students patient patients
    driver drivers agent agents analyst analysts manager managers owner owners team teams
    staff employee employees clinician clinicians you i"""
)
# The world: its sentences never specify the product, whatever their verb.
WORLD = word_set(
    """competitor competitors rival rivals incumbent incumbents market markets industry
    alternative alternatives"""
)
_TODAY = word_set("today current existing legacy manual incumbent competing other")
# "For example, ...", "E.g. ...": an illustration, not a requirement.
_EXAMPLE_OPENING = re.compile(r"[\W_]*(?:for (?:example|instance)|e\.?g\.?|say|imagine|consider)\b")
# "Goal: ...", "**Target:** ...": a line that states an aim.
_GOAL_LABEL = re.compile(
    r"[ \t]*(?:[-*+][ \t]+|\d{1,3}[.)][ \t]+)?(?:\*\*|__)?"
    r"(?:goals?|targets?|objectives?|aims?|outcomes?|deliverables?|requirements?|success"
    r"(?: criteria| metrics?)?|kpis?|metrics?|acceptance(?: criteria)?|must[- ]haves?|mvp|scope)"
    r"(?:\*\*|__)?[ \t]*:"
)
# Sections whose statements are requirements, goals, tasks or hypotheses to test, however
# they are phrased ("Events are queryable in near real time" under Requirements).
_COMMITTING_TITLE = compile_pattern(
    r"\b(?:requirements?|goals?|objectives?|features?|scope|success (?:metrics?|criteria)"
    r"|(?:key|target|product) metrics|kpis?|acceptance|criteria|deliverables?|tasks?|todo"
    r"|to do|backlog|milestones?|roadmap|must[- ]haves?|nice[- ]to[- ]haves?|user stor(?:y|ies)"
    r"|stories|capabilities|non[- ]functional|nfrs?|constraints|principles|guarantees|slas?"
    r"|slos?|definition of done|mvp|hypothes[ie]s|assumptions?|risks?|threats?|needs|must do"
    r"|should do|will do|scenarios?|edge cases|testing|remaining|planned|next steps|plan"
    r"|phases?)\b"
    # A quality attribute as the whole title ("Performance", "Security & privacy"), not a
    # topic in a design doc ("Representation of metrics", "Performance results").
    r"|^(?:(?:performance|security|privacy|reliability|availability|scalability|accessibility"
    r"|usability|compliance|latency|data quality|metrics|quality)(?: and | )?)+$"
)
# Sections that describe what is, why, or how a design works (the headings of design-doc and
# RFC templates): their statements explain unless their grammar commits.
_EXPLAINING_TITLE = compile_pattern(
    r"\b(?:abstract|philosophy|current|status|implemented|reasons?"
    r"|why|how it works|background|motivation|context|problem|rationale|discussion|notes"
    r"|appendix|examples?|alternatives|prior art|drawbacks|history|faq|glossary|users?"
    r"|personas?|jobs|research|positioning|landscape|competit\w*|proposal|proposed|design"
    r"|implementation|compatibility|explanation|evaluation|results|considerations|future"
    r"|open issues|unresolved|walkthrough|how to|tutorial|q a|questions? (?:and )?answers?"
    r"|hard questions?|objections?|related work)\b"
)
# A bold lead-in at the start of a block ("✅ **Simple onboarding**", "**Enterprise-ready.**
# SSO and audit logs ..."), after an optional emoji or check mark.
_BOLD_LEAD = re.compile(r"[^\w*_]{0,4}(?:\*\*|__)(?P<label>[^*_\n]{1,80}?)(?:\*\*|__)")
_LABEL_WORDS = 6
# Words a fragment (a feature, a label) may have.
_FRAGMENT_WORDS = 20
# Words that make the text beside a sentence prose rather than a note ("Owner: TBD.").
_PROSE_WORDS = 5
# Columns of a table that answers questions or objections.
_ANSWER_HEADER = re.compile(r"^(?:answers?|responses?|rebuttals?|replies|reply|a|questions?|q)$")
_DESCRIPTION_WORDS = 3
# Under Risks, what could happen is the point of the sentence.
_RISK_TITLE = re.compile(r"\b(?:risks?|threats?)\b")


class Gate:
    """Decides, for one scanned document, which vague words sit in commitments.

    What a section and a sentence say is worked out once each, so a long sentence with many
    vague words stays linear.
    """

    def __init__(self, scan: Scan) -> None:
        self.scan = scan
        self._sections: dict[int, tuple[bool, bool | None]] = {}
        self._sentences: dict[tuple[int, int], tuple[bool, bool]] = {}

    def commits(
        self, words: Span, offset: int, *, own_clause: bool = False, behaviour: bool = False
    ) -> bool:
        """True when the sentence holding the vague ``words`` (at ``offset`` in the scan)
        commits the product to something rather than explaining; see the module docstring.

        ``own_clause`` is for words that form a condition of their own ("unless complexity
        demands", "if possible"): that condition hedges the commitment around it, not itself.
        ``behaviour`` is for adverbs of timing and frequency: one that says how a thing acts in
        the present tense ("The phone regularly downloads the list", "Insights works quickly")
        describes the product's behaviour, even in a paragraph that explains.
        """
        line_start, _ = self.scan.line_span(offset)
        sentence_start, _ = self.scan.sentence(offset)
        if _GOAL_LABEL.match(self.scan.scan, line_start) or _GOAL_LABEL.match(
            self.scan.scan, sentence_start
        ):
            return True
        token = words.root
        if len(words) == 1 and token.lower_ in _AS_A_RULE and not _under_requirement(token):
            return False  # "requirements are normally proposed via the tracker"
        example, fragment = self._sentence(token)
        if example or (fragment and self._label(offset)) or self._answer(offset):
            return False
        if scenario_step(self.scan, offset) == "outcome":
            return True  # "Then other users see the arrow in real time": the expected result
        risk, section = self._section(offset)
        if _told(token):
            return False
        if not risk and _in_subject(token):
            return False  # "Some applications have icons", "Stability is mostly no problem"
        verb = clause_verb(token, subordinate=True)
        hypothetical = False
        for _ in range(12):
            verdict = _clause_verdict(verb, risk, token)
            if verdict is not None:
                return verdict and not hypothetical
            if _hedged(verb) and not own_clause:
                hypothetical = True
            own_clause = False
            if verb.dep_ == "ROOT" or verb.head is verb:
                break
            verb = clause_verb(verb.head, subordinate=True)
        if hypothetical or (len(words) == 1 and token.lower_ in _GENERIC):
            return False  # "Reporting types often bundle context": how things usually are
        if REASON_LABEL.match(self.scan.scan, line_start):
            return False  # "Rationale: large diffs are slow": the status quo, explained
        if self.scan.doc is None or not self.scan.doc.sections:
            return True  # text with no heading at all: a pasted requirement
        if fragment:
            return True  # a feature, a task, a principle, as a PRD lists them
        if behaviour and _states_behaviour(token):
            return True
        if section is False:
            return False
        block = self.scan.block_at(offset)
        if block is not None and block.kind in ("list_item", "table_cell"):
            return True
        # A run of prose explains; a requirement stands in a sentence or two of its own.
        return block is None or block.kind != "paragraph" or not self._discursive(offset)

    def _label(self, offset: int) -> bool:
        """True inside a fragment that labels what follows rather than claiming it: a table
        header cell; the first cell of a row that another cell describes ("Quick actions |
        Explorer context menu integration"); a short bold lead-in ("**Extensible by
        design.** Plugins ...", "✅ **Simple onboarding**" above its bullets)."""
        block = self.scan.block_at(offset)
        if block is None:
            return False
        if block.kind == "table_cell":
            return block.row == 0 or (block.column == 0 and self._described_row(block))
        if block.kind not in ("paragraph", "list_item", "blockquote"):
            return False
        content = self.scan.text[block.start : block.end].strip()
        if len(content) > 4 and content[:2] in ("**", "__") and content[-2:] == content[:2]:
            return True  # a tagline: the whole block in bold
        lead = _BOLD_LEAD.match(self.scan.text, block.start, block.end)
        if lead is None or not lead.start("label") <= offset < lead.end("label"):
            return False
        label = lead.group("label")
        if len(label.split()) > _LABEL_WORDS:
            return False
        rest = self.scan.text[lead.end() : block.end].lstrip()
        return not rest or label.rstrip()[-1:] in ".:!" or rest[:1] in ".:—–-("

    def _answer(self, offset: int) -> bool:
        """True in a table row that answers a question or an objection: its first cell
        asks ("Rules change mid-build?") or the columns say so (Question | Answer)."""
        cell = self.scan.cell(offset)
        if cell is None or cell.row == 0:
            return False
        return (
            cell.row_label.rstrip(" *_").endswith("?")
            or _ANSWER_HEADER.search(normalize_title(cell.header)) is not None
        )

    def _described_row(self, cell: Block) -> bool:
        """True when a later cell of the row holds a description (a few words at least)."""
        doc = self.scan.doc
        following = doc.next_block(cell.end + 1) if doc is not None else None
        for _ in range(50):
            if following is None or following.table != cell.table or following.row != cell.row:
                return False
            if len(self.scan.scan[following.start : following.end].split()) >= _DESCRIPTION_WORDS:
                return True
            following = doc.next_block(following.end + 1)
        return False

    def _discursive(self, offset: int) -> bool:
        """True for a sentence that shares its line with other prose or wraps in the middle
        of one: a paragraph that explains. A requirement written as prose stands on a line
        (or lines) of its own."""
        scan = self.scan
        start, end = scan.sentence(offset)
        line_start, _ = scan.line_span(start)
        _, line_end = scan.line_span(max(start, end - 1))
        before = scan.text[line_start:start]
        label = _BOLD_LEAD.match(before)
        if label is not None and not before[label.end() :].strip():
            before = ""  # "**Latency.** Events are queryable ...": a label, then the claim
        before = before.strip(" \t*_>-+0123456789.)")
        after = scan.scan[end:line_end].strip(" \t*_")
        # The prose beside it must be a sentence, not a note such as "Owner: TBD.".
        text = scan.scan
        neighbours = []
        if before:
            last = start - 1
            while last > line_start and text[last] in " \t":
                last -= 1
            neighbours.append(scan.sentence(last))
        if after:
            first = end
            while first < line_end and text[first] in " \t":
                first += 1
            neighbours.append(scan.sentence(first))
        return any(len(text[a:b].split()) >= _PROSE_WORDS for a, b in neighbours)

    def _sentence(self, token: Token) -> tuple[bool, bool]:
        """Whether the sentence holding ``token`` opens with an example, and whether it is a
        fragment that names something ("A modern refunds platform for merchants", "Boot
        time: under 40") rather than a lead-in ("A simple example:")."""
        sentence = token.sent
        key = (id(token.doc), sentence.start)
        found = self._sentences.get(key)
        if found is None:
            example = _EXAMPLE_OPENING.match(sentence[:4].text) is not None
            last = sentence[-1]
            lead_in = last.text == ":" or (
                last.is_space and len(sentence) > 1 and sentence[-2].text == ":"
            )
            fragment = not lead_in and _is_fragment(sentence)
            found = (example, fragment)
            self._sentences[key] = found
        return found

    def _section(self, offset: int) -> tuple[bool, bool | None]:
        """Whether the section holding ``offset`` lists risks, and what its headings say (see
        :func:`_section_says`)."""
        doc = self.scan.doc
        section = doc.section_at(offset) if doc is not None else None
        key = section.index if section is not None else -1
        found = self._sections.get(key)
        if found is None:
            titles = _titles(self.scan, offset)
            risk = any(_RISK_TITLE.search(normalize_title(t)) for t in titles)
            found = (risk, _section_says(titles))
            self._sections[key] = found
        return found


def _titles(scan: Scan, offset: int) -> list[str]:
    """Titles of the headings above ``offset``, innermost first. The document's own title
    (its first heading, at level 1: "Widget PRD", "MVP product requirements") says nothing
    about one section."""
    doc = scan.doc
    section = doc.section_at(offset) if doc is not None else None
    titles = []
    while section is not None:
        if section.level > 1 or section.index > 0:
            titles.append(section.title)
        section = doc.sections[section.parent] if section.parent >= 0 else None
    return titles


def _section_says(titles: list[str]) -> bool | None:
    """True when the nearest heading that says either way lists requirements, goals, tasks,
    hypotheses or risks; False when it explains (Background, Rationale, Detailed design ...,
    or a question that its section answers); None when no heading says."""
    for raw in titles:
        if raw.rstrip(" *_").endswith("?"):
            return False  # "How accurate is it?": the section answers
        title = normalize_title(raw)
        # "Users and needs", "Problem and hypothesis": the title also announces claims.
        if _COMMITTING_TITLE.search(title):
            return True
        if _EXPLAINING_TITLE.search(title):
            return False
    return None


def _clause_verdict(verb: Token, risk: bool, token: Token) -> bool | None:
    """True if the clause headed by ``verb`` commits, False if it explains, None when the
    clause alone does not say (look at the clause that governs it, then at the block and
    the section). ``token`` is the vague word being judged."""
    subject = clause_subject(verb, shares=("conj", "xcomp"))
    modal = _modal(verb)
    if subject is not None and _is_world(subject):
        return False
    if modal in ("can", "could") and any(c.dep_ == "neg" for c in verb.children):
        return False  # "Native clients cannot send headers reliably, so ...": a limitation
    if modal is not None and modal in HYPOTHETICAL:
        if (
            (modal in _PROPOSING or (modal in _POSSIBLE and nlp.lower_lemma(verb) in EFFECT_VERBS))
            and subject is not None
            and _proposed(subject)
            and not subject.left_edge.i <= token.i <= subject.right_edge.i
        ):
            # "Caching the result would make re-reviews near-instant": the effect a proposal
            # claims for the product ("A simpler design would ..." names an alternative).
            return True
        return None if risk else False
    if any(child.dep_ == "advmod" and child.lower_ in _HEDGES for child in verb.children):
        return None  # "we will hopefully ...": a guess; where it stands decides
    if subject is not None and _narrates(verb, subject):
        return False
    if (
        verb.dep_ == "ccomp"
        and verb.head.tag_ == "VBD"
        and nlp.lemma(verb.head).lower() in _REPORTING_VERBS
        and modal is None
    ):
        return False  # "AutoFDO showed that this simple solution is effective": a finding
    if subject is not None and nlp.lower_lemma(subject) in GOAL_NOUNS:
        return True
    if (
        subject is not None
        and subject.lower_ == "we"
        and nlp.lower_lemma(verb) in WISHES
        and modal is None
        and not _hedged(verb)
    ):
        return True  # "We want the workflow to be familiar": the authors' goal
    if (subject is None or subject.lower_ == "it" or subject.dep_ == "expl") and any(
        c.dep_ == "acomp" and c.lower_ in _REQUIRING_ADJECTIVES for c in verb.children
    ):
        # "It is important that this does not cause ..."; "This is critical for the cache to
        # work" gives the reason for something said before.
        return True
    if modal is not None and modal in REQUIRING:
        # "It will generally increase heap sizes", "Choosing a name will influence its
        # usage": a prediction about a pronoun or an action, not a promise.
        if modal in _PREDICTING and subject is not None and _predicted(subject):
            return None
        return True
    if subject is None:
        if _is_imperative(verb):
            return True
        if verb.tag_ == "VBZ" and _opens(verb):
            return True  # "Reduces token usage ...": the subject left out is what is described
        if nlp.lemma(verb).lower() in _REQUIRING_VERBS and verb.tag_ == "VBN":
            return True  # "is required to", "is expected to"
        return None
    word = nlp.lower_lemma(subject)
    if subject.dep_ in ("nsubj", "nsubjpass") and (
        word in PRODUCT_SUBJECTS or _possessed_by_us(subject)
    ):
        return True
    if (
        modal in (None, "can")
        and nlp.lower_lemma(verb) in EFFECT_VERBS
        and _proposed(subject)
        and not subject.left_edge.i <= token.i <= subject.right_edge.i
    ):
        return True  # "Translating the docs makes them more accessible": a benefit claimed
    if modal == "can" and word in PEOPLE:
        return True
    # Anything else in the present tense: a bullet states it, a paragraph explains it.
    return None


_RELATIVES = word_set("which that")
# Adverbs of how often something tends to happen ("is rarely inlined"): a tendency described,
# not a schedule promised.
_TENDENCIES = word_set("rarely seldom occasionally often sometimes usually")
_ORDERING = word_set("after before following once upon when until then")


def _states_behaviour(token: Token) -> bool:
    """True for an adverb on a verb in the present tense whose subject is a thing, not a
    person ("The phone regularly downloads ...", "a repo which is periodically recreated",
    "Insights works quickly"): how that thing behaves. "Users quickly find ..." and "we
    regularly review ..." describe people."""
    verb = token.head
    if token.dep_ != "advmod" or token.tag_ != "RB" or verb.pos_ not in ("VERB", "AUX"):
        return False
    following = token.nbor(1) if token.i + 1 < len(token.doc) else None
    if token.lower_ in _TENDENCIES or (following is not None and following.lower_ in _ORDERING):
        return False  # "removed quickly after that" orders events
    present = verb.tag_ in ("VBZ", "VBP") or (
        verb.tag_ == "VBN"
        and any(c.dep_ == "auxpass" and c.tag_ in ("VBZ", "VBP") for c in verb.children)
    )
    if not present:
        return False
    subject = next((c for c in verb.children if c.dep_ in ("nsubj", "nsubjpass")), None)
    if subject is not None and subject.lower_ in _RELATIVES and verb.dep_ == "relcl":
        subject = verb.head  # "a repo which is periodically recreated": the repo
    if subject is None or (subject.pos_ == "PRON" and subject.lower_ != "it"):
        return False
    word = nlp.lower_lemma(subject)
    return word not in PEOPLE and word not in WORLD and subject.lower_ not in PEOPLE


def _in_subject(token: Token) -> bool:
    """True inside the subject of a clause with no requirement modal: a quantity or a
    quality there names what the sentence is about ("Some portable apps have icons",
    "Profile stability is mostly not a problem"); "Many users must be able to ..." still
    commits."""
    if token.dep_ in ("nsubj", "nsubjpass"):
        subject = token  # the quality itself is the topic
    elif token.lower_ in _QUANTIFIERS and token.head.dep_ in ("nsubj", "nsubjpass"):
        subject = token.head  # "Some applications", "Various compilers"
    elif (
        token.lower_ in _QUANTIFIERS
        and token.head.dep_ == "attr"
        and any(c.dep_ == "expl" for c in token.head.head.children)
    ):
        subject = token.head  # "There are several issues that ...": what there is
    else:
        return False
    verb = subject.head
    if verb.pos_ not in ("VERB", "AUX") or (
        verb.tag_ == "VBG" and not any(c.dep_ in ("aux", "auxpass") for c in verb.children)
    ):
        return False  # "Clear logging": a noun phrase the parser read as a clause
    modal = _modal(verb)
    return modal is None or modal not in REQUIRING


def _told(token: Token) -> bool:
    """True in a sentence that tells a person's story ("A developer is updating their library
    and wants ... that NuGet will give it a higher score"): its root narrates, so what the
    clauses under it say is part of the story, whatever their modal."""
    root = token.sent.root
    subject = clause_subject(root, shares=("conj", "xcomp"))
    return subject is not None and _narrates(root, subject)


def _narrates(verb: Token, subject: Token) -> bool:
    """ "Marcus is working on a small app", "A developer is updating their library": a
    person in the progressive tells a scenario, it specifies nothing."""
    progressive = verb.tag_ == "VBG" and any(
        child.dep_ == "aux" and child.tag_ in ("VBZ", "VBP") for child in verb.children
    )
    # A persona is a person's name: one singular proper noun ("Marcus is ..."), not "Events or
    # Activities are ...".
    persona = subject.tag_ == "NNP" and not any(c.dep_ == "conj" for c in subject.children)
    return progressive and (nlp.lower_lemma(subject) in PEOPLE or persona)


def _proposed(subject: Token) -> bool:
    """The product, a part of it, or the change proposed ("Caching the review result", "this
    change")."""
    word = nlp.lower_lemma(subject)
    return (
        word in PRODUCT_SUBJECTS
        or word in _CHANGES
        or _possessed_by_us(subject)
        or subject.dep_ in ("csubj", "csubjpass")
        or subject.tag_ == "VBG"
        or (
            subject.pos_ in ("NOUN", "PROPN")
            and subject.lower_.endswith("ing")
            and len(subject) > 5
        )
    )


def _opens(verb: Token) -> bool:
    """True when ``verb`` is the first word of its sentence, after any bullet, number or
    "Label:" lead-in."""
    first = verb.sent[0]
    for token in verb.sent:
        if token.i >= verb.i:
            break
        if token.text == ":":
            first = token.nbor(1)
    while first.i < verb.i and (first.is_punct or first.is_space or first.like_num):
        first = first.nbor(1)
    return first.i == verb.i


def _predicted(subject: Token) -> bool:
    return (
        subject.lower_ in _PRONOUNS
        or subject.dep_ in ("csubj", "csubjpass")
        or subject.tag_ == "VBG"
    )


def _modal(verb: Token) -> str | None:
    """The modal (lower case) of the clause, shared along conjoined verbs, else None."""
    current = verb
    for _ in range(10):
        for child in current.children:
            if child.dep_ in ("aux", "auxpass") and (
                child.tag_ == "MD" or child.lower_ in REQUIRING or child.lower_ in HYPOTHETICAL
            ):
                return child.lower_
        if current.tag_ == "MD":
            return current.lower_
        if current.dep_ != "conj" or current.head is current:
            return None
        current = current.head
    return None


def _hedged(verb: Token) -> bool:
    return any(
        child.dep_ == "mark" and child.lower_ in ("if", "unless", "whether")
        for child in verb.children
    )


def _is_world(subject: Token) -> bool:
    word = nlp.lower_lemma(subject)
    if word in WORLD or subject.lower_ in WORLD:
        return True
    return any(
        child.lower_ in _TODAY
        for child in subject.children
        if child.dep_ in ("amod", "compound", "det", "poss", "nmod")
    )


def _possessed_by_us(subject: Token) -> bool:
    """ "Our tool", "our search": the product under its own name."""
    return any(c.dep_ == "poss" and c.lower_ == "our" for c in subject.children)


def _is_imperative(verb: Token) -> bool:
    """A bare verb that opens its sentence with no subject: an instruction ("Note that ...",
    "Consider ..." address the reader, not the builder)."""
    if verb.tag_ != "VB" or any(c.dep_ in ("aux", "auxpass") for c in verb.children):
        return False
    if verb.lower_ in _READER_VERBS:
        return False
    first = verb.sent[0]
    while first.i < verb.i and (first.is_punct or first.is_space or first.like_num):
        first = first.nbor(1)
    if first.i == verb.i:
        return verb.dep_ in ("ROOT", "conj")
    # "Then keep ...", "Also, keep ...": a single adverb may come first.
    return (first.pos_ == "ADV" and first.nbor(1).i == verb.i) or (
        first.pos_ == "ADV" and first.nbor(1).is_punct and first.nbor(2).i == verb.i
    )


def _is_fragment(sentence: Span) -> bool:
    """True for a sentence that names something ("A modern refunds platform", "Boot time:
    under 40", "Improving search") rather than saying something about it."""
    if sum(not t.is_punct and not t.is_space for t in sentence) > _FRAGMENT_WORDS:
        return False  # a long "fragment" is a sentence the parser misread
    root = sentence.root
    if any(child.dep_ in SUBJECTS for child in root.children):
        return False
    if root.tag_ in _FINITE or root.pos_ == "AUX" or root.tag_ == "VB":
        return False  # a clause, an instruction, or "To make it easier ..."
    return not any(child.dep_ in ("aux", "auxpass") for child in root.children)


def _under_requirement(token: Token) -> bool:
    """True when a modal of obligation, promise or plan governs ``token``'s clause or a clause
    above it ("should usually finish", "will typically run")."""
    verb = clause_verb(token)
    for _ in range(10):
        if has_requiring_modal(verb) or verb.lower_ in REQUIRING:
            return True
        if verb.dep_ == "ROOT" or verb.head is verb:
            return False
        verb = clause_verb(verb.head)
    return False
