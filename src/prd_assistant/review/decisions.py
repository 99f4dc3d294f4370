"""Decisions a PRD leaves open without a question mark, read from sentence structure.

The word rules in :mod:`prd_assistant.review.rules_open` know set phrases ("to be decided",
"pending sign-off"). Writers put a decision off in forms no list can hold, so this module
reads the dependency parse instead. A sentence leaves a decision open when:

* **a decision is still owed**: a deliberation verb (decide, finalize, agree, settle,
  revisit, work out ...) that has not happened yet: an infinitive ("Retry limits: to finalize
  in design", "we have yet to settle on a provider"), a future or an obligation ("the tiers
  will be worked out with sales", "we need to determine which regions launch first", "the
  team should discuss whether drafts expire"), work in progress ("we are choosing between
  ...", "Metadata is being determined in the API deliverable"), a modal that lets it wait
  ("can be finalized during implementation"), other work waiting for it ("should be updated
  once that is finalized") or a negated result ("we haven't figured out pricing"). The decider
  must be the team or another team: the product and its users decide at run time ("the
  scheduler decides which worker ...", "users choose whether ...", "the import must
  determine whether ...");
* **deliberation is still needed**: need/require + a deliberation noun ("will need special
  consideration", "needs more thought", "requires sign-off from marketing"), but not a
  recurring process ("each release needs a security review") nor the product's own data
  ("transactions that need further review");
* **a decision waits with another team or for an owner**: "is up to the analytics team",
  "rests with the security team", "the numbers are with ops for review", "marketing to
  provide", "to be written by UX", "an owner is to be appointed";
* **a choice is left between two alternatives**: "or" joins what the product must do or
  show under SHALL/MUST/WILL/COULD ("SHALL show a toast or a banner", "SHALL collapse or
  hide", "will be either CSV or Parquet", "we will store it in S3 or in the database"). Not
  a choice offered to users ("users can pick monthly or annual", "drivers may accept or
  decline"), alternatives the product accepts ("accepts PNG or JPEG"), a negation ("SHALL
  NOT display A or B"), a selection rule ("whichever ...", "depending on ...", "as set in
  the config", "if stored ... or ..."), examples in parentheses, or a longer list of
  acceptable means ("using a divider, heading, or grouping label");
* **a wish stands in for a decision**: "Ideally, all profiles will appear ..." with no firm
  SHALL/MUST beside it;
* **a possibility is offered instead**: "This could be wrapped into a script", "This could be
  a mix of sources", "Some solutions for this might be:", not an assessment ("This could be
  confusing") or a relative clause ("an app that could be used ...").

The findings use the deferral and unresolved-choice rules' texts.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from typing import TYPE_CHECKING

from prd_assistant.pattern_cache import compile_pattern
from prd_assistant.review import claims, nlp
from prd_assistant.review.lexicon import word_set
from prd_assistant.review.open_words import argues, people_decide_today

if TYPE_CHECKING:
    from spacy.tokens import Doc, Token

    from prd_assistant.review.markdown_scan import Scan


# Verbs whose only sense in a PRD is deliberating about it: done by people, not by the product.
DELIBERATE = word_set(
    """decide finalize finalise agree align settle revisit reconsider discuss debate clarify
    refine codify formalize formalise negotiate"""
)
# Verbs that are deliberation when people do them and behaviour when the product does them
# ("the service determines the region"): deliberation only with a team as the decider, or
# with a time that is still to come ("during the security review", "after beta").
WEIGH = word_set(
    """determine define choose pick select confirm evaluate assess investigate explore
    consider calibrate tune benchmark research specify set validate review design scope
    assign name appoint"""
)
# Phrasal verbs of deliberation: lemma + particle.
PHRASAL = frozenset(
    [
        ("figure", "out"),
        ("work", "out"),
        ("sort", "out"),
        ("nail", "down"),
        ("iron", "out"),
        ("flesh", "out"),
        ("hash", "out"),
        ("think", "through"),
        ("look", "into"),
        ("pin", "down"),
        ("land", "on"),
        ("weigh", "in"),
        ("sign", "off"),
    ]
)
# Who decides. People on the team (or another team) owe the decision; the product and its
# users decide at run time.
TEAMS = word_set(
    """we us i our team teams legal security counsel design ux ui product engineering eng
    marketing finance ops sre sales partnerships partnership leadership management
    stakeholders stakeholder pm pms architects architect committee board compliance
    procurement support research science analytics platform brand data infra
    infrastructure qa"""
)
# Team names that also name a thing of the product ("the platform", "the design").
_ALSO_THINGS = word_set(
    """product platform design support research data security analytics brand ui ux infra
    infrastructure board management science"""
)
RUNTIME_DECIDERS = word_set(
    """system systems app application service services api server platform tool product job
    scheduler engine model algorithm user users customer customers admin admins
    administrator administrators operator operators reviewer reviewers moderator moderators
    agent agents driver drivers member members owner owners it they he she you client
    clients browser module component function script pipeline workflow importer exporter
    controller router worker workers bot player players buyer buyers seller sellers"""
)
# Governors that give an ability or ask someone in a flow ("allow users to choose", "asks the
# user to confirm"): not a decision the document owes.
_ABILITY_HEADS = word_set(
    """allow let enable permit ask prompt invite help want use able way option button dialog
    ability chance opportunity easy hard possible free how where when require requires
    instruct tell remind encourage force"""
)
# Governors of an infinitive that still owes it: "need to decide", "is to be agreed", "yet to
# settle", "left to decide".
_GIVING_ABILITY = word_set("allow let enable permit ask want help invite")
_OWING_HEADS = word_set("need have be remain leave still yet plan")
_FUTURE_AUX = word_set("will shall 'll should must wo")
# Modals that let a decision wait ("can be finalized during implementation").
_POSSIBLE_AUX = word_set("can could may might")
_FINITE_BE = word_set("am is are was were")
# Times that are still to come, when deliberation happens: a decision placed there is not made
# yet ("set during the security review", "evaluated per-stage", "revisited in Q3").
_LATER = compile_pattern(
    r"\b(?:later|at a later|in a (?:later|future|subsequent)|in the next (?:phase|release|version"
    r"|iteration|sprint|quarter|milestone)|in q[1-4]|in h[12]"
    r"|after (?:launch|the launch|beta|the beta|the pilot|(?:user |usability )?testing|the survey"
    r"|research|the spike|discovery|kickoff|the (?:[\w-]+ )?review|(?:[\w-]+ )?review)"
    r"|during (?:the )?(?:[\w-]+ )?(?:review|design|planning|discovery|beta|pilot|testing|kickoff"
    r"|implementation)|in (?:the )?design(?! system)|before (?:launch|implementation|ga|release)"
    r"|on a per[- ][\w-]+ basis|per[- ](?:stage|customer|case|project|team|tenant|release|phase)"
    r"|case[- ]by[- ]case"
    # "will be tuned once we have usage data": it waits for information nobody has yet.
    r"|(?:once|when|after) (?:we|the team) (?:have|get|know|see|learn|gather)\b)"
)
# A decision of this kind that waits for one ("evaluated per-stage") is put off even with no
# auxiliary.
_WAITING = re.compile(r"\b(?:per[- ]\w+|case[- ]by[- ]case|later)\b")
# Nouns of deliberation: what "needs", "requires" or "will need" when a decision is not made.
DELIBERATION_NOUNS = word_set(
    """consideration considerations thought thinking discussion discussions debate
    clarification investigation exploration decision decisions alignment agreement
    deliberation"""
)
# Sign-offs and reviews are deliberation only for this document's content, not as a process
# every release goes through ("each release needs a security review").
APPROVAL_NOUNS = word_set("sign-off signoff off approval approvals review reviews input")
_QUANTIFIERS = word_set("each every all any")
_OWNER_NOUNS = word_set("owner owners ownership dri dris lead leads approver approvers assignee")
_NEED_VERBS = word_set("need require warrant deserve")

# Verbs that present or store something for the product: "or" between their objects leaves
# the product's own behaviour undecided. Verbs that accept or support ("accepts PNG or JPEG")
# offer both.
PRESENT_VERBS = word_set(
    """display show present render notify send return redirect store save persist use be
    appear place put highlight indicate surface open play log write email message alert
    warn"""
)
# What can be the alternatives: objects, complements, places and behaviours, not subjects or
# modifiers.
_ALTERNATIVE_DEPS = frozenset(("dobj", "attr", "pobj", "acomp", "oprd", "prep", "npadvmod"))
_NOT_CHOSEN_PREPS = word_set("by via for with from between among")
_CHOICE_MODALS = word_set("shall must will 'll should could would")
# Modals that leave the alternatives after them as possibilities, not a requirement.
_HEDGING_MODALS = word_set("could would may might")
_SELECTION = re.compile(
    r"\b(?:whichever|depending|according to|based on|as (?:set|configured|chosen|selected|"
    r"specified)|configurable|at the user's|per user|otherwise|respectively)\b"
)
_FIRM = re.compile(r"\b(?:must|shall|required|requires)\b")

# The forms of the weighing verbs, for the cue below ("determined", not "specific").
_WEIGHING_FORMS = "|".join(
    [
        "determin(?:e|ed|es|ing)",
        "defin(?:e|ed|es|ing)",
        "choos(?:e|es|ing)|chosen",
        "pick(?:ed|s|ing)?",
        "select(?:ed|s|ing)?",
        "confirm(?:ed|s|ing)?",
        "evaluat(?:e|ed|es|ing)",
        "assess(?:ed|es|ing)?",
        "investigat(?:e|ed|es|ing)",
        "explor(?:e|ed|es|ing)",
        "consider(?:ed|s|ing)?",
        "calibrat(?:e|ed|es|ing)",
        "tun(?:e|ed|es|ing)",
        "benchmark(?:ed|s|ing)?",
        "research(?:ed|ing)?",
        "specif(?:y|ied|ies|ying)",
        "set",
        "validat(?:e|ed|es|ing)",
        "review(?:ed|s|ing)?",
        "design(?:ed|s|ing)?",
        "scop(?:e|ed|es|ing)",
        "assign(?:ed|s|ing)?",
        "nam(?:e|ed|es|ing)",
        "appoint(?:ed|s|ing)?",
        "nominat(?:e|ed|es|ing)",
    ]
)
# Cues that select the sentences worth parsing (parsing is most of review's time): a
# deliberation word, a weighing verb still to come, deliberation needed, "or" near a modal,
# "either", "ideally", a team handed the decision.
CUES = compile_pattern(
    r"\b(?:decid|finali[sz]|agree|align|settl|revisit|reconsider|discuss|debat|clarif|refin"
    r"|codif|formali[sz]|negotiat|left to|figur|work(?:ed|ing)? out|sort(?:ed)? out|nail"
    r"|iron(?:ed)? out|flesh|hash(?:ed)? out|think through|look into|pin(?:ned)? down|ideally"
    r"|either|defer|postpon|(?:are|is|'re)[ \t]+(?:still[ \t]+)?choosing|land(?:ed)? on"
    r"|weigh(?:ed|s)? in|rests? with|(?:is|are) with|sign(?:ed|s)? off"
    # A weighing verb only where it is still to come: "to be determined by", "will be
    # evaluated", "need to investigate", "yet to choose", "not validated".
    # (A bare "to validate" is a purpose, too common to parse for nothing.)
    r"|(?:to be|to have been|will|shall|'ll|being|need|needs|yet|still|not|n't|should|must"
    r"|have|has)[ \t]+(?:(?:to|be|been|being|still|yet|also|first|then|further|fully)[ \t]+){0,2}"
    rf"(?:{_WEIGHING_FORMS})\b"
    # "Remaining rules evaluated per-stage".
    r"|(?:evaluat|assess|decid|review|determin|handl|judg|consider)\w*[ \t]+(?:per[- ]|case[- ]by"
    r"|on a per))"
    # "will need special consideration", "requires sign-off", "have to have design reviews".
    r"|\b(?:need|needs|needed|require|requires|required|warrant|warrants|deserve|deserves|have"
    r"|has)[ \t]+(?:[\w-]+[ \t]+){0,3}(?:thought|consideration|discussion|sign-?off|approval"
    r"|input|reviews?|decision|clarification|investigation|alignment|agreement|deliberation"
    r"|debate|exploration)\b"
    r"|\b(?:shall|must|will|should|could|would|may|might)\b[^.;:!?\n]{0,120}\bor\b"
    # "This could be wrapped into a script", "Some solutions for this might be:".
    r"|\b(?:this|that|solutions?|options?|approaches|alternatives?|fix(?:es)?|workarounds?)"
    r"(?:[ \t]+for[ \t]+\w+)?[ \t]+(?:could|might)[ \t]+be\b"
    # "is up to the analytics team", "to be written by UX", "will come from the sales team".
    r"|\b(?:legal|security|design|ux|marketing|finance|ops|sales|product|engineering|compliance"
    r"|leadership|pm|team)[ \t]+to[ \t]+[a-z]"
    r"|\b(?:up to|by|from|with|whatever)[ \t](?:the[ \t]|our[ \t])?(?:[\w-]+[ \t]){0,2}"
    r"(?:teams?|legal|security|counsel|ux|design|marketing|finance|ops|sales|partnerships|leadership|product"
    r"|engineering|compliance)\b"
)


@dataclass(frozen=True)
class Open:
    """One decision left open: ``kind`` is ``"deferral"``, ``"weighed"`` (a deferral of a
    verb that only deliberates with a team or a later time) or ``"choice"``; offsets in the
    document."""

    kind: str
    start: int
    end: int


# Sections that only list what is not built: a feature put off there is a scoping decision.
_OUT_OF_SCOPE = re.compile(r"\b(?:out of scope|not in scope|non goals?|deferred|not doing)\b")


def cue_offsets(scan: Scan, skip: list[tuple[int, int]]) -> list[int]:
    """One offset per sentence that may leave a decision open, for parsing; sentences in
    ``skip`` (questions), headings, quotations and out-of-scope sections are left out."""
    offsets: list[int] = []
    last: tuple[int, int] | None = None
    for m in CUES.finditer(scan.scan):
        start = m.start()
        span = scan.sentence(start)
        if span == last:
            continue
        last = span
        if scan.in_heading(start) or scan.in_quote(start, m.end()) or claims.inside(skip, start):
            continue
        area = scan.area(start)
        if area.faq or area.under(_OUT_OF_SCOPE):
            continue
        offsets.append(start)
    return offsets


def find(scan: Scan, sentences: claims.Sentences, offsets: list[int]) -> Iterator[Open]:
    """Decisions left open in the parsed sentences that hold ``offsets``."""
    seen: set[tuple[int, int]] = set()
    for offset in offsets:
        span = scan.sentence(offset)
        if span in seen:
            continue
        seen.add(span)
        doc = sentences.docs.get(span)
        if doc is None:
            continue
        framing = argues(scan, span[0])
        for kind, first, last in _in_sentence(doc):
            if scan.in_quote(span[0] + first, span[0] + last):
                continue  # quoted words ask nothing of this document
            if kind in ("choice", "weighed") and framing:
                # "we could compute a rolling average", "so we need to define how it will
                # interact": the motivation for what the document then decides.
                continue
            if kind == "deferral" and framing and people_decide_today(scan, span[0] + first):
                continue
            yield Open(kind, span[0] + first, span[0] + last)


def _in_sentence(doc: Doc) -> Iterator[tuple[str, int, int]]:
    for token in doc:
        if token.pos_ in ("VERB", "AUX") or token.tag_.startswith("VB"):
            owed = _owed(token)
            if owed is not None:
                kind = "weighed" if _kind(token) == "weigh" else "deferral"
                yield kind, owed[0], owed[1]
                continue
            needed = _needs_deliberation(token) or _put_off(token) or _handed_over(token)
            if needed is not None:
                yield "deferral", needed[0], needed[1]
                continue
        if token.lower_ == "or" and token.dep_ == "cc":
            choice = _choice(token)
            if choice is not None:
                yield "choice", choice[0], choice[1]
        if token.lower_ in ("could", "might") and token.dep_ == "aux":
            proposal = _proposal(token)
            if proposal is not None:
                yield "choice", proposal[0], proposal[1]
        if token.lower_ == "ideally":
            wish = _wish(token)
            if wish is not None:
                yield "choice", wish[0], wish[1]


# --- a decision still owed ----------------------------------------------------------------


def _lemma(token: Token) -> str:
    return nlp.lemma(token).lower()


def _particle(verb: Token) -> Token | None:
    for child in verb.children:
        attached = child.dep_ == "prt" or (
            child.dep_ == "prep" and child.lower_ in ("into", "through", "on")
        )
        if attached and (_lemma(verb), child.lower_) in PHRASAL:
            return child
    return None


def _kind(verb: Token) -> str | None:
    """``"deliberate"``, ``"weigh"`` or None for a verb that is no deliberation."""
    lemma = _lemma(verb)
    if _particle(verb) is not None or lemma in DELIBERATE:
        return "deliberate"
    if lemma in WEIGH:
        return "weigh"
    return None


def _children(token: Token, *deps: str) -> list[Token]:
    return [c for c in token.children if c.dep_ in deps]


def _is_team(noun: Token | None) -> bool:
    """True for the team or another team as decider: "we", "legal", "the security team",
    "Product and engineering". A word that also names the product counts only bare ("with
    design", not "the design")."""
    if noun is None:
        return False
    word = noun.lower_
    if word in ("team", "teams", "group", "committee", "board"):
        return True
    if word not in TEAMS:
        return False
    return word not in _ALSO_THINGS or not any(c.dep_ in ("det", "poss") for c in noun.children)


def _is_runtime(noun: Token | None) -> bool:
    return noun is not None and noun.lower_ in RUNTIME_DECIDERS and not _is_team(noun)


def _agent(verb: Token) -> Token | None:
    """The ``by``/``with``/``from`` noun of a passive verb ("determined by security")."""
    for prep in _children(verb, "agent", "prep"):
        if prep.lower_ in ("by", "with", "from"):
            objects = _children(prep, "pobj")
            if objects:
                return objects[0]
    return None


def _ancestors(token: Token, limit: int) -> Iterator[Token]:
    """``token``, its head, the head's head ... up to the root, at most ``limit`` of them."""
    current = token
    for _ in range(limit):
        yield current
        if current.head is current:
            return
        current = current.head


def _in_condition(verb: Token) -> bool:
    """True inside an if/when/unless clause: the verb describes a case, not a decision owed."""
    return any(
        (c.dep_ == "mark" and c.lower_ in ("if", "unless", "when", "whenever", "once"))
        or (c.dep_ == "advmod" and c.lower_ in ("when", "whenever"))
        for current in _ancestors(verb, 12)
        for c in current.children
    )


def _awaited(verb: Token) -> bool:
    """True for a decision that other work waits for: "should be updated once that is
    finalized", "until pricing is agreed". The product does not deliberate, so a runtime
    decider ("once the user confirms") is a step in a flow."""
    # The parser reads "once" as a marker or an adverb; before the verb it opens the clause
    # ("decided once" after it is a count).
    if not any(
        c.dep_ in ("mark", "advmod") and c.lower_ in ("once", "until") and c.i < verb.i
        for c in verb.children
    ):
        return False
    if any(c.dep_ == "neg" for c in verb.children):
        return False
    # Only in the present: "Once legal signed off in May, the terms were published" tells
    # of a wait that is over.
    auxpass = _children(verb, "auxpass")
    passive = bool(auxpass)
    if passive and auxpass[0].lower_ not in ("is", "are", "be", "'s", "'re"):
        return False
    if not passive and verb.tag_ not in ("VB", "VBP", "VBZ"):
        return False
    return not _is_runtime(_agent(verb) if passive else _subject(verb))


def _subject(verb: Token) -> Token | None:
    return claims.clause_subject(verb)


def _later(verb: Token) -> bool:
    """True when an adjunct of ``verb`` places it in a time still to come."""
    doc = verb.doc
    tail = doc[verb.i + 1 : verb.right_edge.i + 1].text.lower()
    return _LATER.search(tail) is not None


def _owed(verb: Token) -> tuple[int, int] | None:
    """The span of a deliberation verb that has not happened yet, or None."""
    kind = _kind(verb)
    if kind == "deliberate" and _awaited(verb):
        return _span(verb, _children(verb, "aux", "auxpass"))
    if kind is None or _in_condition(verb) or _regards(verb) or _conforms(verb):
        return None
    if any(c.dep_ == "neg" for c in verb.children) and not _negated_result(verb):
        return None
    aux = _children(verb, "aux", "auxpass")
    aux_words = {a.lower_ for a in aux}
    passive = any(a.dep_ == "auxpass" for a in aux) or (
        verb.tag_ == "VBN" and any(c.dep_ == "nsubjpass" for c in verb.children)
    )
    decider = _agent(verb) if passive else _subject(verb)
    if _is_runtime(decider):
        return None
    team = _is_team(decider)
    later = _later(verb)
    # A weighing verb is deliberation when a team is named as who does it in the passive
    # ("determined by security"), or when it waits for a later time; "we must set the value"
    # and "the team will review them" describe work, not a decision.
    strong = kind == "deliberate" or later or (passive and team) or _owner_named(verb)
    if passive and _owner_named(verb) and aux_words & (_FUTURE_AUX | {"to"}):
        return _span(verb, aux)  # "an owner is to be appointed"
    if "to" in aux_words:
        return _infinitive(verb, strong or team, passive)
    if aux_words & _FUTURE_AUX:
        if not strong or not (passive or team):
            return None  # "the export will determine ...": the product decides
        return _span(verb, aux)
    if passive and strong and aux_words & _POSSIBLE_AUX:
        # "The exact directory can be finalized during implementation": the decision is
        # allowed to wait, so it has not been made.
        return _span(verb, aux)
    if "being" in aux_words or (verb.tag_ == "VBG" and aux_words & word_set("am is are")):
        # "is still being worked out", "we are choosing between ...", "Metadata is being
        # determined in the GET Opportunity deliverable".
        # A weighing verb only in a finite passive: "the packages being validated" names them.
        finite = bool(aux_words & _FINITE_BE)
        if (kind == "deliberate" or (passive and finite)) and (passive or team):
            return _span(verb, aux)
        if verb.lower_ == "choosing" and team:
            return _span(verb, aux)
        return None
    if _negated_result(verb) and (passive or team) and (kind == "deliberate" or team):
        # "has not been decided", "we have not picked one"
        return _span(verb, aux + _children(verb, "neg"))
    if not aux and verb.tag_ in ("VBN", "VBD") and not team:
        # "Remaining rules evaluated per-stage": a reduced passive that waits (the parser
        # may read it as a past tense; rules do not evaluate, so it is not one).
        doc = verb.doc
        tail = doc[verb.i + 1 : min(len(doc), verb.i + 5)].text.lower()
        if _WAITING.match(tail.lstrip()):
            return _span(verb, [])
    return None


def _owner_named(verb: Token) -> bool:
    """True for an owner still to be named: "ownership to be assigned", "a DRI will be
    appointed"."""
    if _lemma(verb) not in ("assign", "name", "appoint", "nominate"):
        return False
    subject = next((c for c in verb.children if c.dep_ == "nsubjpass"), None) or _subject(verb)
    return subject is not None and subject.lower_ in _OWNER_NOUNS


def _regards(verb: Token) -> bool:
    """True for consider in the sense of regard: "consider terminating pods to be separate",
    "will need to be considered as input"."""
    if _lemma(verb) != "consider":
        return False
    doc = verb.doc
    tail = doc[verb.i + 1 : verb.right_edge.i + 1].text.lower()
    return re.search(r"\b(?:as|to be)\b", tail) is not None


def _conforms(verb: Token) -> bool:
    """True for align in the sense of make consistent: "We will align the journey with MoJ
    Forms", "changes to the deprecation UX to align with the vulnerability UX". Aligning on
    something, or with a team ("we need to align with legal"), is still deliberation."""
    if _lemma(verb) != "align":
        return False
    if _children(verb, "dobj"):
        return True
    partners = [
        pobj
        for prep in _children(verb, "prep")
        if prep.lower_ in ("with", "to")
        for pobj in _children(prep, "pobj")
    ]
    # "the vulnerability UX" is a design to match, "UX" or "the UX team" a team to agree with.
    return bool(partners) and not any(
        _is_team(p) and not _children(p, "compound", "amod") for p in partners
    )


def _negated_result(verb: Token) -> bool:
    """True when the result is denied: "has not been decided", "haven't figured out", "is
    not settled"."""
    negated = any(c.dep_ == "neg" for c in verb.children)
    return negated and verb.tag_ in ("VBN", "VBD")


def _infinitive(verb: Token, strong: bool, passive: bool) -> tuple[int, int] | None:
    head = verb.head
    aux = _children(verb, "aux", "auxpass")
    governor = claims.clause_verb(head) if head is not verb else verb
    if any(c.dep_ == "neg" for c in governor.children):
        return None  # "not a paraphrase to be confirmed later": the deferral is denied
    if head is verb:  # "To finalize in design." as a fragment
        return _span(verb, aux) if strong else None
    head_lemma = _lemma(head)
    if head_lemma in _ABILITY_HEADS or head.lower_ in _ABILITY_HEADS:
        return None
    # "the retention period is for legal to decide": the "for" subject decides.
    if any(
        c.dep_ in ("nsubj", "nsubjpass") and c.i < verb.i and _is_runtime(c) for c in verb.children
    ):
        return None
    if verb.dep_ == "xcomp" and (head_lemma in _OWING_HEADS or head.lower_ in ("yet", "still")):
        owner = _subject(head)
        if _is_runtime(owner):
            return None
        # No subject at all ("Need to benchmark first.") is the writer's note to self.
        if not strong and not _is_team(owner) and not passive and owner is not None:
            return None
        return _span(verb, aux, head)
    if verb.dep_ in ("acl", "relcl", "advcl", "appos", "dep", "xcomp", "ccomp"):
        # "Proposed prefixes (to finalize in design)": the noun is what is to be decided
        # (no object of its own). "a button to confirm the order" has one: a purpose.
        if _children(verb, "dobj", "ccomp", "csubj") and not passive:
            return None
        if head.pos_ in ("VERB", "AUX") and _subject(head) is not None and verb.dep_ != "ccomp":
            owner = _subject(head)
            if verb.dep_ in ("advcl", "xcomp") and not _is_team(owner):
                return None  # "the tool uses X to determine risk": a purpose
        return _span(verb, aux) if strong else None
    return None


def _span(verb: Token, extra: list[Token], head: Token | None = None) -> tuple[int, int]:
    """Character span from the first auxiliary (or the owing verb) to the verb's particle or
    a short complement ("to finalize in design")."""
    tokens = [verb, *extra]
    if head is not None:
        tokens.append(head)
    particle = _particle(verb)
    if particle is not None:
        tokens.append(particle)
    first = min(t.i for t in tokens)
    last = max(t.i for t in tokens)
    doc = verb.doc
    return doc[first].idx, doc[last].idx + len(doc[last].text)


# --- deliberation still needed ------------------------------------------------------------


def _needs_deliberation(verb: Token) -> tuple[int, int] | None:
    """The span of deliberation still needed: "will need special consideration", "needs more
    thought", "requires sign-off from marketing"."""
    lemma = _lemma(verb)
    if _in_condition(verb):
        return None
    if lemma == "have":
        # "We will have to have design reviews for all of the content pages": deliberation
        # the team still has to hold.
        if not (_is_team(_subject(verb)) and (_children(verb, "aux") or verb.dep_ == "xcomp")):
            return None
    elif lemma not in _NEED_VERBS:
        return None
    if verb.dep_ not in ("ROOT", "conj", "xcomp") or any(c.dep_ == "neg" for c in verb.children):
        # "transactions that need further review", "decides whether a transaction needs
        # manual review": the product's data and behaviour.
        return None
    objects = _children(verb, "dobj")
    if not objects:
        return None
    noun = objects[0]
    word = noun.lower_
    if word not in DELIBERATION_NOUNS and word not in APPROVAL_NOUNS:
        return None
    subject = _subject(verb)
    if subject is not None and not _is_team(subject) and subject.lower_ in claims.PEOPLE:
        return None  # "users need clarification on fees": what people lack today
    if word in APPROVAL_NOUNS:
        # A sign-off or review as a rule of the process ("each release needs a security
        # review") is decided; one this document still waits for is not.
        if subject is not None and any(
            c.lower_ in _QUANTIFIERS for c in subject.children if c.dep_ == "det"
        ):
            return None
        if (
            subject is not None
            and subject.tag_ in ("NNS", "NNPS")
            and not any(c.dep_ == "det" for c in subject.children)
        ):
            return None  # "Releases need a security review": a rule for every release
    aux = _children(verb, "aux")
    doc = verb.doc
    first = min([verb.i, *(a.i for a in aux)])
    return doc[first].idx, noun.idx + len(noun.text)


# Nouns that name a decision: put off, it stays open ("decision on the sort order deferred to
# design review"); a feature put off is scoped out ("bulk editing deferred to v2").
DECISION_NOUNS = word_set(
    """decision decisions choice choices approach format naming wording details question
    questions strategy mechanism method semantics layout policy pricing"""
)
_PUT_OFF = word_set("defer postpone park punt table")
_DELIBERATION = DELIBERATION_NOUNS | APPROVAL_NOUNS
# Verbs by which another team hands the content over later ("to be written by UX", "will come
# from the partnerships team", "will follow whatever the security team recommends").
_HANDING = word_set("write draft provide supply propose recommend suggest share come follow")


def _put_off(verb: Token) -> tuple[int, int] | None:
    """The span of a decision put off: "Decision on the default sort order deferred to design
    review"."""
    if _lemma(verb) not in _PUT_OFF or any(c.dep_ == "neg" for c in verb.children):
        return None
    subject = next((c for c in verb.children if c.dep_ in ("nsubj", "nsubjpass")), None)
    if subject is None and verb.dep_ == "acl":
        subject = verb.head
    if subject is None or subject.lower_ not in DECISION_NOUNS:
        return None
    doc = verb.doc
    return doc[subject.i].idx, verb.idx + len(verb.text)


def _handed_over(verb: Token) -> tuple[int, int] | None:
    """A decision handed to another team: "is up to the analytics team", "to be written by
    UX", "will come from the partnerships team"."""
    doc = verb.doc
    lemma = _lemma(verb)
    if _in_condition(verb) or any(c.dep_ == "neg" for c in verb.children):
        return None
    if lemma == "leave":
        # "Grace period length is left to the billing team".
        for prep in _children(verb, "prep"):
            objects = _children(prep, "pobj")
            if prep.lower_ == "to" and objects and _is_team(objects[0]):
                return verb.idx, objects[0].idx + len(objects[0].text)
        return None
    if lemma in ("be", "rest", "lie", "sit"):
        # "Final decision on SSO rests with the security team", "the SLA numbers are with
        # the ops team for review": the decision waits with another team.
        subject = _subject(verb)
        for prep in _children(verb, "prep"):
            objects = _children(prep, "pobj")
            if prep.lower_ != "with" or not objects or not _is_team(objects[0]):
                continue
            if objects[0].lower_ in ("we", "us"):
                continue
            waiting = any(
                p.lower_ == "for" and any(o.lower_ in _DELIBERATION for o in _children(p, "pobj"))
                for p in _children(objects[0], "prep") + _children(verb, "prep")
            )
            if waiting or (subject is not None and subject.lower_ in DECISION_NOUNS):
                return verb.idx, objects[0].idx + len(objects[0].text)
        if lemma != "be":
            return None
        for prep in _children(verb, "prep"):
            if prep.lower_ != "up":
                continue
            for to in _children(prep, "prep"):
                objects = _children(to, "pobj")
                if to.lower_ == "to" and objects and _is_team(objects[0]):
                    return prep.idx, objects[0].idx + len(objects[0].text)
        return None
    aux = _children(verb, "aux", "auxpass")
    named = [c for c in verb.children if c.dep_ == "nsubj"] or [verb.head]
    to = next((a for a in aux if a.lower_ == "to"), None)
    if (
        to is not None
        and named[0].i == to.i - 1  # the team stands right before "to"
        and verb.head is not verb
        and named[0].lower_ not in ("we", "us")
        and _is_team(named[0])
        and not _under_ability(verb.head)
        and (lemma in _HANDING or _kind(verb) is not None)
    ):
        # "Exact copy for the survey: marketing to provide.", "Help text: UX to write."
        first = min(named[0].i, verb.i)
        return doc[first].idx, verb.idx + len(verb.text)
    if lemma not in _HANDING:
        return None
    if not {a.lower_ for a in aux} & (_FUTURE_AUX | {"to"}):
        return None
    team = _agent(verb)
    if team is None and lemma == "follow":
        # "will follow whatever the security team recommends".
        for clause in _children(verb, "ccomp", "dobj"):
            owner = _subject(clause) if clause.pos_ in ("VERB", "AUX") else None
            if _is_team(owner):
                team = owner
    if not _is_team(team):
        return None
    if team.lower_ in ("we", "us", "i", "our"):
        return None
    first = min([verb.i, *(a.i for a in aux)])
    end = max(verb.i, team.i)
    return doc[first].idx, doc[end].idx + len(doc[end].text)


# --- an unresolved choice -----------------------------------------------------------------


def _choice(cc: Token) -> tuple[int, int] | None:
    """The span of two alternatives the product must pick between: "SHALL show a toast or a
    banner"."""
    first = cc.head
    conjuncts = [first, *(c for c in first.children if c.dep_ == "conj")]
    if len(conjuncts) != 2:
        return None
    second = conjuncts[1]
    if any(c.lower_ == "," and first.i < c.i < second.i for c in first.children):
        return None  # "a divider, heading, or grouping label": acceptable means listed
    doc = cc.doc
    if _SELECTION.search(doc.text.lower()) or _in_parentheses(first) or _in_parentheses(cc):
        return None
    if any(t.lower_ in ("if", "unless") for t in doc[first.i : second.i]):
        return None  # "restore the last viewport (if stored) or default to the origin"
    preconj = any(c.dep_ == "preconj" for c in first.children)
    verb = _governing_verb(first)
    if verb is None:
        return None
    if first is verb:
        # "SHALL collapse or hide", "SHALL be rejected or queued": two behaviours; two
        # clauses ("either all edges are kept, or nothing changes") state a rule.
        if any(c.dep_ in claims.SUBJECTS for c in second.children):
            return None
        if (_children(first, "dobj") or _children(second, "dobj")) and not preconj:
            return None  # "shall update or create listings": operations on data, both done
        if _modal(first) == "should":
            return None  # "setups should pass it explicitly or import it": advice to users
    elif first.dep_ not in _ALTERNATIVE_DEPS and not (
        # "either nightly or weekly"; "HTTP 429 or 503"
        (preconj and first.dep_ == "advmod")
        or (first.dep_ == "nummod" and first.head.dep_ in _ALTERNATIVE_DEPS)
    ):
        return None  # "CPU or memory exceeds", "a binary or ZIP file": not what is chosen
    elif first.dep_ == "pobj" and first.head.lower_ in _NOT_CHOSEN_PREPS:
        return None  # "by either employees or external users": who may, not what is built
    elif first.dep_ == "pobj" and first.head.lower_ == "of" and first.head.head.lower_ != "one":
        return None  # "the list of A or B"; "one of Stripe or Adyen" is a choice
    modal = _modal(verb)
    if modal is None and not preconj:
        return None
    # "can" gives an ability ("the admin can export CSV or PDF"); "may" and "might" hedge
    # like "could" ("This may live as a wiki page or a dashboard"), unless they permit: a
    # person as the subject is caught below, an RFC 2119 MAY by its rule.
    if modal == "can" or (modal in ("may", "might") and _permits_or_describes(verb)):
        return None
    if any(c.dep_ == "neg" for c in verb.children) or _in_condition(verb):
        return None
    subject = _subject(verb)
    team = _is_team(subject)
    if subject is not None and not team and subject.lower_ in claims.PEOPLE:
        return None  # "users will pick monthly or annual": a choice offered to them
    timing = first.dep_ == "npadvmod"  # "SHALL run every hour or every 15 minutes"
    one_of = first.dep_ == "pobj" and first.head.lower_ == "of" and first.head.head.lower_ == "one"
    chosen = one_of or (preconj and first.dep_ in ("dobj", "attr", "acomp", "oprd", "advmod"))
    # "could happen on upload or on first view": a hedged place or time.
    # "may live as a page or a dashboard": a hedged form.
    hedged = modal in _HEDGING_MODALS and first.dep_ in ("prep", "pobj")
    if (
        first is not verb
        and _lemma(verb) not in PRESENT_VERBS
        and not (chosen or team or timing or hedged)
    ):
        return None  # "link events back to either A or B": where each one goes, not a choice
    if _under_ability(verb):
        return None
    if first is not verb:
        # Alternatives as single things ("a toast or a banner", "either CSV or Parquet") are
        # one to pick; bare plurals name categories the product handles ("shall display
        # Events or Activities"), and a generic subject classifies ("A class shall be either
        # clinical or non-clinical").
        nouns = [n for t in conjuncts for n in (_children(t, "pobj") if t.pos_ == "ADP" else [t])]
        single = any(
            c.dep_ == "det" and c.lower_ in ("a", "an", "every") for t in nouns for c in t.children
        ) or all(t.tag_ == "CD" for t in nouns)  # "HTTP 429 or 503"
        if not (single or chosen or preconj or team or modal in _HEDGING_MODALS):
            return None
        if subject is not None and any(
            c.dep_ == "det" and c.lower_ in ("a", "an", "each", "every", "any")
            for c in subject.children
        ):
            return None
    if first is verb:
        start, end = first.i, second.i
    else:
        start = min(t.left_edge.i for t in conjuncts)
        end = max(t.right_edge.i for t in conjuncts)
    return doc[start].idx, doc[end].idx + len(doc[end].text)


def _permits_or_describes(verb: Token) -> bool:
    """True when "may"/"might" before ``verb`` permits ("The database may be located on the
    same machine or on another one": a passive, both allowed) or describes a kind ("error
    types that may need to be reported or composed": a relative clause)."""
    return _children(verb, "auxpass") != [] or any(t.dep_ == "relcl" for t in _ancestors(verb, 4))


def _in_parentheses(token: Token) -> bool:
    """True inside parentheses: "(origin 0,0 or a central point)", "(or help make new
    ones)" give examples or an aside, not the requirement's alternatives."""
    doc = token.doc
    before = doc[: token.i].text
    return before.count("(") > before.count(")")


def _governing_verb(token: Token) -> Token | None:
    """The verb the alternatives depend on; None when an adjective stands between ("available
    on iOS or Android", "compatible with A or B": both are offered)."""
    for current in _ancestors(token, 6):
        if current.pos_ in ("VERB", "AUX"):
            return current
        if current.pos_ == "ADJ" and current is not token:
            return None
    return None


def _modal(verb: Token) -> str | None:
    current = verb
    for _ in range(4):
        for child in current.children:
            if child.dep_ == "aux" and (child.tag_ == "MD" or child.lower_ in _CHOICE_MODALS):
                return child.lower_
        if current.dep_ not in ("conj", "xcomp") or current.head is current:
            return None
        current = current.head
    return None


def _under_ability(verb: Token) -> bool:
    """True when the alternatives are an ability given to someone ("allow users to add or
    remove tags", "must be able to draw with click-drag or click-click")."""
    return any(
        _lemma(current) in _GIVING_ABILITY or current.lower_ == "able"
        for current in _ancestors(verb, 6)
    )


# --- a possibility offered instead of a decision -----------------------------------------


def _proposal(modal: Token) -> tuple[int, int] | None:
    """The span of a possibility the writer offers for the design instead of deciding it:
    "This could be wrapped into a script", "This could be a mix of sources", "Some solutions
    for this might be:". Not an assessment ("This could be confusing": an adjective), and
    "it" is left alone ("so it could be a one-liner", "Yes, it could be one plugin")."""
    verb = modal.head
    if verb.dep_ == "relcl":
        return None  # "a web app that could be used ...": "that" relates, it proposes nothing
    passive = _children(verb, "auxpass") != [] and verb.tag_ == "VBN"
    subjects = _children(verb, "nsubjpass" if passive else "nsubj")
    if not subjects or (not passive and _lemma(verb) != "be"):
        return None
    subject = subjects[0]
    if not (subject.lower_ in ("this", "that") or _lemma(subject) in _PROPOSAL_NOUNS):
        return None
    if not passive and (
        _children(verb, "acomp")
        or not (_children(verb, "attr") or verb.i + 1 >= len(verb.doc) or verb.nbor(1).text == ":")
    ):
        return None
    return subject.idx, verb.idx + len(verb.text)


_PROPOSAL_NOUNS = word_set("solution option approach alternative fix workaround")


# --- a wish instead of a decision ---------------------------------------------------------


def _wish(word: Token) -> tuple[int, int] | None:
    """The span of a wish that stands in for a decision ("Ideally, all profiles will appear
    ..."), unless the sentence states the firm requirement too ("ideally under 1 s; they must
    load in under 2 s")."""
    doc = word.doc
    rest = doc[word.i + 1 :].text.lower()
    if _FIRM.search(rest) and ";" in rest:
        return None
    return word.idx, word.idx + len(word.text)
