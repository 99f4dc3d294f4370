"""Rules for open questions: placeholders, deferrals, unresolved choices.

Questions left in body text, ``Open question:`` lines, unfilled template guidance and empty
bullets need the document structure, so the engine finds those itself; their texts live here.
"""

from __future__ import annotations

from prd_assistant.review.findings import OPEN_QUESTION
from prd_assistant.review.markup import HTML_TAG
from prd_assistant.review.rule import Rule, heads, words

# What follows a number in a requirement; an X or N in front of it stands for the number.
_NUMBER_UNIT = (
    r"[ \t]?(?:%|ms|s|secs?|seconds?|mins?|minutes?|hours?|days?|weeks?|months?|[kmgt]b|users?"
    r"|requests?|rps|qps|times|members?|items?|seats?|devices?|people|accounts?|characters?|files?"
    r"|attempts?|retries|steps?|records?|rows?|tickets?|orders?|messages?|events?|sessions?)(?![\w-])"
)
_COUNTED = ("up to", "at most", "at least", "maximum of", "max", "top", "first", "last", "every")
_DECIDE = "Decide __ by <date>; owner <role>. Then write the decision here."
# "Explore if we should let them choose the subject line", "Evaluate whether a CLI wrapper adds
# enough value", "Explore generating submission references": research the team still has to
# do. A deferral only where it opens its sentence outside a table (open_words.keeps): "users
# can explore the catalog" is behaviour, and a metric's "Understand how many ..." its purpose.
RESEARCH_TASK = (
    heads(
        # "Investigate why and follow up" looks for a cause, it leaves no decision open.
        "explore|investigate|look into",
        r" (?!why\b)[a-z][\w'-]*",
    )
    + "|"
    + heads(
        "evaluate|assess|understand|decide|consider|establish|find out|figure out|work out|learn"
        "|explore|investigate|research",
        r" (?:if|whether|how|which|what|who|when|where)(?![\w-])",
    )
)

# "N/A" is not a placeholder: "Launch date: N/A" says the field does not apply, an answer
# like "None" (a value still to come is "TBD", "?" or "<date>").
PLACEHOLDER = Rule(
    "placeholder",
    OPEN_QUESTION,
    "error",
    words("tbd", "tba", "tbc", r"t\.b\.d\.?")
    + r"|todo(?! lists?| items?| apps?| entry| entries| files?| text| comments?| markers?)(?!\w|\.md)|fixme(?!\w)|xx+(?![\w-])"
    + r"|\?\?+|\(\s*\?\s*\)"
    + r"|\{\{[^{}\n]{0,80}\}\}"
    + r"|<(?<!<<)(?![\s=\d<>!/-])[^<>\n]{1,200}(?<![\s=-])>"
    # A capital X or N where a number belongs: "within X ms", "N users", "X%", "$X".
    + "".join(f"|{c}{c}?(?={_NUMBER_UNIT})" for c in "xn")
    + r"|x(?<=\$x)(?![\w-])"
    # "up to N projects", "the top X results": a letter where a count belongs.
    + "".join(
        f"|{c}(?:" + "|".join(f"(?<={q} {c})" for q in _COUNTED) + r")(?= [a-z]{3,})" for c in "xn"
    )
    + r"|\[(?:insert|add|describe|fill in|enter|your|placeholder|link to|name of|owner|date|tbd"
    r"|todo)\b[^\]\n]{0,300}\](?!\()"
    + r"|__+(?![\w_])|lorem ipsum\b"
    # "Start Date: (fill me in with today's date, YYYY-MM-DD)".
    + r"|\(fill (?:me |this |it )?in\b[^()\n]{0,200}\)",
    "'{match}' is a placeholder: the decision it stands for has not been made.",
    "What is the actual value or decision, and who owns it?",
    _DECIDE,
    # TODO/FIXME/XXX are placeholders only when shouted; "a todo list" is a feature.
    not_original=r"todo|Todo|xxx|fixme|Fixme|x|n|nn|" + HTML_TAG,
    in_headings=True,
    in_questions=True,
)
DEFERRAL = Rule(
    "deferred-decision",
    OPEN_QUESTION,
    "warning",
    words(
        r"to be (?:decided|defined|determined|confirmed|agreed|announced|discussed|clarified|"
        r"finali[sz]ed|specified|settled|codified|formali[sz]ed|refined|revisited|worked out|"
        r"nailed down|firmed up|ironed out|prioriti[sz]ed)",
        # "All of these themes are yet-to-be-validated with ongoing user research": the
        # assessment they wait for has not happened ("yet-to-be-built gaps" are work, not
        # a decision).
        r"yet[- ]to[- ]be[- ](?:decided|defined|determined|confirmed|agreed|validated|prioriti[sz]ed"
        r"|finali[sz]ed|scoped|estimated|specified|assessed|evaluated)",
        # "considering for v2.0", "under consideration for a later release".
        heads(
            "considering|considered|under consideration|being considered",
            r" for (?:v\d[\w.]*|version \d|a (?:later|future|subsequent) (?:release|version|phase)"
            r"|later|the future|future releases?|the next (?:release|version|phase|iteration))",
        ),
        # "left for a later release", "left open", "left to a follow-up RFC".
        r"left (?:open|undecided|unresolved|for (?:a |the )?(?:later|future|subsequent|follow-up|"
        r"next) (?:release|version|phase|iteration|rfc|proposal|discussion|decision))",
        r"before (?:making|we make|taking|reaching) (?:a|the|any|this|our) (?:final )?decision",
        r"until (?:the |a )?(?:\w+ )?decisions? (?:is |are |have been |has been )?(?:made|taken)",
        # "truncation approach deferred": the decision is put off (a feature deferred to a
        # later release is a scoping decision, not an open one).
        heads(
            "approach|decision|design|choice|format|mechanism|strategy|method|semantics|naming"
            "|wording|details",
            r" (?:is |are |was |remains? )?(?:deferred|postponed|left open|undecided)",
        ),
        heads(
            "is|are|remains|remain", r" (?:still )?open (?:at this point|for now|for discussion)"
        ),
        r"open to (?:suggestions|ideas|alternatives|other ideas)",
        r"confirm (?:acceptable|ok|okay)",
        heads(
            "still under|currently under|under",
            r" (?:discussion|consideration|investigation|"
            r"evaluation|debate)",
        ),
        r"still (?:evaluating|investigating|discussing|deciding|considering|exploring|comparing|"
        r"debating|weighing)",
        heads(
            "evaluating|comparing|considering|weighing",
            r" (?:both|two|three|several|the|all) "
            r"(?:options|alternatives|approaches|candidates|vendors)",
        ),
        r"still (?:under review|being (?:discussed|decided|evaluated|defined|worked out))",
        # "still being assessed", "still being scoped": the decision is work in progress.
        r"still being (?:assessed|reviewed|scoped|investigated|explored|considered|analy[sz]ed"
        r"|negotiated|estimated|validated|drafted|researched|sized|costed|worked on|figured out)",
        r"needs? sign[- ]?off",
        heads(
            "will be|to be|is to be|are to be",
            r" [a-z]+ed(?: (?:with|by) [\w-]+(?: [\w-]+)?)? (?:later|at a later (?:date|stage|time)"
            r"|down the road|in a later phase)",
        ),
        r"not (?:yet )?(?:been )?(?:decided|defined|determined|"
        r"confirmed|agreed(?: on| upon)?|finali[sz]ed|settled|chosen|known|specified)(?: yet)?",
        r"has not (?:yet )?been (?:decided|defined|determined|agreed|confirmed|"
        r"finali[sz]ed|chosen)",
        r"have not (?:yet )?been (?:decided|defined|determined|agreed|confirmed|"
        r"finali[sz]ed|chosen)",
        r"not yet (?:been )?(?:selected|approved|signed off|scoped|estimated|sized|designed|"
        r"validated|clear|known|available|written|drafted)",
        # "not written yet": the content the document needs does not exist.
        r"not (?:been )?(?:written|drafted|designed|scoped|specified) yet",
        heads("remains|remain|it remains", " to be seen"),
        # "...; which one is open.", "Whether we localise is still open.": a clause that
        # opens with the question ("manage which sections are open" is a UI state).
        "|".join(
            f"{w}(?:(?<=; {w})|(?<=: {w})|(?<=^{w})|(?<=\\. {w}))"
            r"(?: [\w'-]+){0,6} (?:is|are|remains) (?:still )?open(?=[ \t]*(?:[.;)]|$))"
            for w in ("which", "what", "who", "whether", "how")
        ),
        heads("currently|still|as yet|remains|remain", " unknown"),
        r"unknown (?:at this (?:time|stage|point)|for now|yet)",
        heads("details|specs?|numbers?|figures?|dates?|more", r" to (?:follow|come)"),
        # Content the document promises instead of giving: "More technical details will be
        # available in the coming days", "(more on this in coming 'Repository Management'
        # work)", "There will be a separate doc ... that will go into more detail".
        heads(
            "details|information|specifics|documentation|designs",
            r" will be (?:available|shared|added|provided|published|posted)"
            r" (?:in the coming|soon|later|at a later|in a (?:later|future|separate))",
        ),
        r"more on this in (?:the )?(?:coming|upcoming|future|later|next|a (?:later|future"
        r"|separate|follow-up))",
        heads(
            "there will be|will be covered in|will be described in|will be detailed in",
            r" a (?:separate|future|follow-up|later) (?:doc|document|spec|specification|rfc"
            r"|proposal|design)",
        ),
        heads(
            "will be|shall be",
            r" (?:decided|defined|finali[sz]ed|agreed|clarified|discussed)"
            # "will be defined earlier in the evaluation", "as defined below": an order of
            # steps or a pointer, not a decision put off.
            r"(?! by the (?:system|user|service)| earlier| before| first| above| below| here"
            r"| as\b| in this| in the following)",
        ),
        heads(
            "is being|are being",
            r" (?:decided|defined|discussed|evaluated|finali[sz]ed|clarified|"
            r"investigated)",
        ),
        # "Finance to confirm", "DS to calibrate": a named owner still has to decide.
        heads(
            # Teams only: "call support to confirm" and "asks the owner to confirm" are flows.
            "legal|finance|security|compliance|product|engineering|eng|design|ux|ops|sre|ds|pm|"
            "data science|marketing|procurement|hr|leadership",
            r" to (?:confirm|decide|advise|clarify|check|verify|calibrate|follow up|sign off|propose)",
        ),
        heads(
            "check|confirm|verify|align|discuss|clarify",
            r" with (?:legal|finance|security|compliance|"
            r"sre|ops|product|engineering|the vendor|the (?:\w+ )?team|\w+ team)",
        ),
        # "Confirm exact submission mechanics with the MDBA contact.": a note to self (the
        # engine keeps it only where it opens its sentence; "agents verify the address with
        # the customer" is a flow).
        heads(
            "check|confirm|verify|align on|clarify|finali[sz]e|agree",
            r" (?:[\w/-]+ ){1,5}with (?:the |our |an? )?(?:[\w-]+ ){0,2}(?:contacts?|team|lead"
            r"|owner|vendor|partner|sponsors?|client|stakeholders?|counsel|organi[sz]ers?)",
        ),
        # "Replace these with the official weights once MDBA supplies them": the values are
        # placeholders until someone else decides.
        r"replace (?:this|these|them|it|the (?:[\w-]+ ){0,2}(?:values?|numbers?|figures?|weights?"
        r"|estimates?|targets?|placeholders?)) with\b[^.;:!?\n]{1,80}?\b(?:once|when|after|as soon as)",
        r"placeholders? (?:until|for now|pending)",
        # "This design document requires approval from:": the sign-off has not happened.
        heads(
            "this|the",
            r" (?:design |product |technical |feature )?(?:document|doc|design|spec|specification"
            r"|prd|proposal|rfc|plan) (?:requires|needs|awaits|is awaiting|is pending)"
            r" (?:approval|sign[- ]?off|review)",
        ),
        r"depending on (?:the )?(?:outcome|decision|results?|answer) of",
        "still in flux",
        "in flux",
        "subject to change",
        r"not (?:yet )?final(?:i[sz]ed)?",
        "work in progress",
        "undecided",
        "undetermined",
        # "Ownership of the runbook is unassigned.": nobody owns the decision yet. Only as the
        # predicate ending its clause: "unresolved conflicts are shown in red" is a state.
        heads(
            "is|are|remains|remain|still|currently|as yet",
            r" (?:unassigned|unowned|unresolved|unsettled|unscoped|unestimated)"
            r"(?=[ \t]*(?:[.;)|—–,]|$))",
        ),
        # "Open: how refunds interact with loyalty points": a label on a question left open
        # ("Open: Monday to Friday" is opening hours).
        heads(
            "open|unresolved|undecided|to decide|to discuss|to be decided",
            r"(?:\*\*|__)?[ \t]*:(?:\*\*|__)?[ \t]*(?:how|what|which|who|whom|whose|whether|when|where"
            r"|if|do we|should)",
        ),
        r"not sure",
        heads("it is|it's|still|remains", " unclear"),
        r"unclear (?:whether|if|how|what|which|who|when)",
        r"open (?:item|issue|point|decision)s?(?! (?:source|format|standard))",
        heads(
            "is|are|remains|remain|still",
            # "still an open design question".
            r" (?:an |the )?open (?:[\w-]+ )?(?:questions?|items?|issues?|points?)",
        ),
        heads(
            # "(2 clarifications needed)": the results of deliberation, still owed.
            "decision|decisions|sign-off|input|clarification|clarifications",
            r" (?:is |are |still )?(?:needed|required|outstanding)",
        ),
        # "date unclear.", "owner unknown": a field whose value is not known yet. "The copy is
        # unclear." is a complaint, not a deferral.
        heads(
            "unclear|unknown",
            r"(?<!is \w{7})(?<!are \w{7})(?<!was \w{7})(?<!be \w{7})(?=[ \t]*(?:[.;)|]|$))",
        ),
        "unsure",
        # "per-sponsor terms unpublished —": the same, for facts nobody has been told yet.
        heads(
            "unconfirmed|unpublished|unannounced",
            r"(?<!is \w{11})(?<!are \w{11})(?<!was \w{11})(?<!be \w{11})"
            r"(?=[ \t]*(?:[.;)|—–]|$))",
        ),
        # "will be set once traffic is known": the value waits for information nobody has yet.
        heads(
            "once|when|after|until",
            r" (?:the |we |our )?(?:\w+ ){0,2}(?:is|are|becomes?|gets?) "
            r"(?:known|clear|clearer|understood)",
        ),
        heads("once|when|after|until", r" we (?:know|learn|understand|have) more"),
        heads(
            "we need to|we have to|we still need to|we must|still need to|need to check with|"
            "we'll need to",
            r" (?:confirm|check|verify|validate|investigate|clarify|understand|determine|find out|ask|"
            r"explore|decide|figure out|work out|agree)",
        ),
        # "Explore generating submission references": research still to do (see RESEARCH_TASK).
        RESEARCH_TASK,
        # "Below is a list of functional questions that must be addressed during the
        # implementation", "the design will need to answer at least the following questions:".
        r"questions (?:that |which )?(?:still )?(?:must|should|need to|needs to|will need to"
        r"|have to|has to|remain to) be (?:answered|addressed|resolved|decided|settled)",
        heads(
            "must|should|need to|needs to|have to|has to|still to|yet to",
            r" (?:answer|address|resolve|settle) (?:at least )?(?:the following|these|some|several"
            r"|a few|the remaining|a number of|open|outstanding) questions",
        ),
        # "we should consider having the default behaviour ...": proposed for thought, not
        # decided.
        heads(
            "we should|we should also|the team should|we may want to|we might want to",
            r" (?:consider|reconsider|revisit|explore|evaluate|investigate|look into)",
        ),
        # "We are also considering using PGO for memory": weighed, not decided.
        heads(
            "we are|we're|we are also|we're also|the team is|we are still|we're still",
            r" (?:considering|exploring|evaluating|investigating|weighing)",
        ),
        # "Details still need to be considered", "this needs to be worked out".
        heads(
            "details|specifics|this|that|it|still",
            r" (?:still )?needs? to be (?:considered|worked out|decided|determined|discussed"
            r"|figured out|fleshed out|settled|agreed|clarified)",
        ),
        # "we plan to tackle this on a case-by-case basis": no rule decided yet.
        heads(
            "tackle|handle|handled|decide|decided|address|addressed|evaluate|evaluated|determine"
            "|determined|deal with|dealt with|judge|judged",
            r" (?:[\w-]+ ){0,3}(?:on )?(?:a )?case[- ]by[- ]case",
        ),
        heads(
            "depends on|depend on", r" (?:the )?(?:outcome|decision|results?|answer|findings) of"
        ),
        heads("to be|tbd", r" (?:sorted|worked|figured|fleshed) out"),
        r"needs? (?:further |more )?(?:discussion|clarification|investigation|decision|input|"
        r"confirmation|alignment)",
        # "Draft, Pending review, Submitted" lists states; "March, pending legal review." defers.
        r"pending(?:(?<!, pending)|(?! [\w -]{1,30},)) (?:a |an |the )?(?:decision|review|approval|"
        # Plural only for results of deliberation ("pending clarifications"); "pending
        # reviews" and "pending approvals" are items in a queue.
        r"confirmation|discussion|clarifications?|decisions|input|sign[- ]?off|legal|security|finance|"
        r"investigation|further|agreement|analysis|outcome|results?|calibration|testing|validation|"
        # Not "data", "quotes" or "experiments": "pending data" is a thing, not a deferral.
        r"measurement|benchmark(?:s|ing)?|research|evaluation|assessment|estimat(?:es?|ion)"
        r"|answers?|feedback|response"
        r"|budget|funding|procurement|pilot|load test(?:s|ing)?)",
        # "Launch: March, pending." defers; "draft, pending, paid and shipped" lists states.
        r"pending(?=[ \t]*(?:[).;\]]|$))",
        r"pending(?<!, pending)(?=[ \t]*,)",
        heads(
            r"decided?|determined?|defined?|figured? (?:it |this )?out|confirm(?:ed)?|finali[sz]ed?",
            # "defined later in this proposal" points ahead in the document.
            r" (?:later(?! in th| on in| below)|at a later (?:date|stage|time)|down the road"
            r"|in a later phase)",
        ),
        heads("will|we'll", r" (?:decide|figure (?:it |this )?out)"),
        heads("we will|we'll", " see"),
        heads(
            "awaiting|waiting for|waiting on",
            # "awaiting the DPO's input".
            r" (?:a |the )?(?:[\w-]+'s )?(?:decision|confirmation|legal|approval|input|"
            r"answer|feedback|sign[- ]?off)",
        ),
        heads(
            # Not a bare "to": "a way to choose", "hard to figure out" and "lets users decide"
            # describe abilities, not a decision someone owes.
            "must|need to|needs to|have to|has to|should|yet to|still to|left to|remains to"
            "|remain to|is to|are to",
            r" (?:decide|choose|pick|agree on|figure out|work out)(?: (?:whether|if|between|on|which|how))?",
        ),
        heads("decision|choice", r" (?:is )?(?:still )?(?:open|outstanding|pending)"),
    ),
    "'{match}' defers a decision the document depends on.",
    "What is the decision, who makes it and by when?",
    _DECIDE,
    # "not due to flaws in Flux": the capitalised name of a product (Flux CD), not in flux.
    not_original=r"(?:still )?in Flux",
)
CHOICE = Rule(
    "unresolved-choice",
    OPEN_QUESTION,
    "warning",
    words(
        "maybe",
        "perhaps",
        "possibly",
        # Not "hopefully": "hopefully a very small set" hopes, it weighs no options.
        "probably",
        # "- Potentially stabilize an error type": a tentative plan item (the engine keeps it
        # only where it opens its sentence; "could potentially fail" is a risk).
        "potentially",
        # "between 6 months and 2 years I'd guess": an estimate nobody stands behind.
        heads("i'd|we'd|i would|we would", " guess"),
        "my guess is",
        r"(?:don't|do not) quote me",
        # "There are several possible approaches ... Another possibility is ...": options
        # named, none chosen.
        heads(
            "several|two|three|multiple|a few|various|many",
            r" possible (?:approaches|options|ways|solutions|designs|alternatives|strategies)",
        ),
        r"another (?:possibility|option|alternative) (?:is|would be|could be)",
        heads(
            "use|choose|go with|adopt|pick|build on|host on|deploy on|deploy to|migrate to|store (?:it |them |data )?in",
            r" either",
        ),
        r"tentative(?:ly)?",
        r"provisional(?:ly)?",
        # "we could imagine ..." speculates; it does not weigh options.
        heads("we|i|the team", r" (?:might|may|could)(?! not| imagine| envision| argue| say| see)"),
        r"might (?:want|need|use|go with|"
        r"choose|adopt|switch|consider)",
        heads("either|whether", r" .{1,60}? or .{1,60}?\(\?\)"),
        r"or maybe",
        # "One possible way to do this would be ...": options named, none chosen.
        r"one possible (?:way|option|approach|solution|design|alternative)",
        r"one (?:way|option|approach|alternative)(?: to do (?:this|that|it))? (?:would|could|might) be",
        heads("may|might|could", r" be (?:deferred|postponed|dropped|descoped|cut)"),
        r"or something (?:like that|similar|along those lines)",
        # "We're torn between a wizard and a long form": two options, none chosen.
        r"torn between",
        r"if (?:it is |this is )?(?:omitted|not (?:implemented|built|included|shipped))",
        # "(if a confirmation affordance is required)": whether it is required is not said.
        r"if (?:a |an |the )?(?:[\w-]+ ){1,3}is (?:required|needed|wanted|desired)(?=\))",
        r"one of .{1,40}? or .{1,40}? \(tbd\)",
    ),
    "'{match}' leaves a choice unmade.",
    "Which option is chosen, and why?",
    "We use __ because __. (Or: 'Open question: __ or __? Owner <role>, decide by <date>' "
    "under Open Questions.)",
    not_original=r"(?s:.*\b(?:MAY|MIGHT|COULD)\b.*)",
)
RULES: tuple[Rule, ...] = (PLACEHOLDER, DEFERRAL, CHOICE)

QUESTION_IN_BODY = dict(
    message="A question left in the body: the document does not answer it.",
    question="{match}",
    suggestion="Write the answer in place ('We __ because __'), or move it to Open Questions "
    "as 'Open question: __ (owner <role>, decide by <date>)'.",
)
OPEN_QUESTION_LINE = dict(
    message="An 'Open question:' line outside the Open Questions section: this part is not "
    "decided yet.",
    question="{match}",
    suggestion="Answer it here, or move it to Open Questions with an owner and a date.",
)
OPEN_QUESTION_LISTED = dict(
    message="Listed under Open Questions, as expected; resolve it before sign-off.",
    question="{match}",
    suggestion="Add 'owner <role>, decide by <date>' so it gets closed.",
)
TEMPLATE_GUIDANCE = dict(
    message="Template guidance left in place: this part of the template was not filled in.",
    question="What does this section actually say for this service?",
    suggestion="Replace the guidance with the content it asks for.",
)
PENDING_SIGN_OFF = dict(
    message="An unchecked sign-off: '{match}' has not approved yet.",
    question="When will this sign-off be given, and is anything blocking it?",
    suggestion="Tick the box with the date once they approve ('[x] Engineering Lead, "
    "<date>'), or note what blocks the approval.",
)
EMPTY_TABLE_ROW = dict(
    message="An empty table row: a row of the template was never filled in.",
    question="What belongs in this row?",
    suggestion="Fill the row in, or delete it.",
)
EMPTY_BULLET = dict(
    message="An empty bullet: an item was started and never written.",
    question="What belongs in this item?",
    suggestion="Write the item, or delete the empty bullet.",
)
