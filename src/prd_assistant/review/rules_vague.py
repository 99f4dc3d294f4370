"""Rules for unquantified claims: vague qualities and quantities, loopholes, open-ended lists,
unbounded optimisation, comparatives without a baseline, absolute promises and numbers
without a unit.

Each rule is data: the words it matches and, specific to them, why that is a problem, what
the PM must decide and a rewrite template with ``__`` blanks to fill. ``{match}`` in a text is
replaced with the flagged words.
"""

from __future__ import annotations

from prd_assistant.review.findings import UNQUANTIFIED_CLAIM
from prd_assistant.review.rule import E, Rule, heads, words

W = "warning"


def _vague(id: str, pattern: str, message: str, question: str, suggestion: str, **kw) -> Rule:
    kw.setdefault("measured_ok", True)
    return Rule(id, UNQUANTIFIED_CLAIM, W, pattern, message, question, suggestion, **kw)


_UNITS = (
    r"%|percent|per ?cent|nines|ms|msec|millis(?:econds?)?|µs|us|ns|s|secs?|seconds?|mins?|minutes?"
    r"|h|hrs?|hours?|days?|weeks?|months?|years?|[kmgtp]i?b(?:/s|ps)?|bytes?|[kmg]bps|rps|qps|tps|fps"
    r"|req(?:uest)?s?(?:/s|/sec| per)|ops|calls?|queries|users?|people|customers?|tenants?|accounts?"
    r"|sessions?|connections?|requests?|transactions?|messages?|events?|records?|rows?|items?"
    r"|files?|documents?|pages?|screens?|clicks?|steps?|taps?|attempts?|retries|times|x|×|errors?"
    r"|failures?|incidents?|nodes?|instances?|replicas?|regions?|zones?|servers?|cores?|cpus?|vcpus?"
    r"|characters?|chars|words?|lines?|languages?|locales?|devices?|browsers?|px|pt|dpi|em|points?"
    r"|stars?|dollars?|usd|eur|gbp|cents?|levels?|versions?|releases?|sprints?|viewers?|feet|ft|m|km"
    r"|inches|cm|mm|kg|tickets?|orders?|payments?|jobs?|tasks?|reports?|members?|students?|hits?"
)
_SPELLED = (
    r"one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|fifteen|twenty|thirty"
    r"|forty|fifty|sixty|ninety|hundred|thousand|million|half an?|a single"
)
# What makes a clause measurable: a number with a unit, a comparison with a number, a
# percentile, money, or a named standard that defines the criterion.
MEASURABLE = (
    r"\d(?:[\d,]*\d)?(?:\.\d+)?\+?[ \t-]*(?:" + _UNITS + r")(?![a-z])"
    r"|(?:" + _SPELLED + r")[ \t-]+(?:" + _UNITS + r")(?![a-z])"
    # "350 concurrent users": a count with a qualifier before the counted noun.
    r"|\d(?:[\d,]*\d)?\+?[ \t]+(?:concurrent|simultaneous|parallel|active|open|registered|unique"
    r"|paying|daily|weekly|monthly|total|new|additional)[ \t]+(?:" + _UNITS + r")(?![a-z])"
    r"|(?:<=|>=|<|>|≤|≥|=|±|under|below|above|over|within|at most|at least|no more than"
    r"|no less than|up to|less than|more than|fewer than|maximum(?: of)?|minimum(?: of)?|max|min"
    r"|exceed(?:s|ing)?|every|each|per)[ \t]*[~≈]?[ \t]*[$€£]?\d"
    r"|[$€£][ \t]*\d|\bp\d{2,3}(?:\.\d+)?\b|\d{1,2}(?:\.\d+)?(?:th|st|nd|rd)[ \t-]+percentile"
    r"|\b\d+(?:\.\d+)?[ \t]*/[ \t]*\d+\b|\b\d+[ \t]+(?:out )?of[ \t]+\d+"
    r"|\b(?:wcag|iso(?:/iec)?|iec|ieee|nist|fips|soc|rfc|owasp|pci[ -]?dss|hipaa|gdpr|ccpa"
    r"|fedramp|section 508|tls|mtls|https|hsts|hmac|jwt|kms|hsm|argon2(?:id)?|bcrypt|pbkdf2|ed25519"
    r"|x\.509|aes|sha|oauth|saml|openid|oidc|mfa|2fa|rbac|abac|sso|asvs"
    r"|cis|sox|ferpa|coppa|ada|en 301|gaap)\b"
    r"|\b(?:business|working|office) hours\b|\b24/7\b"
)
_TIME_UNITS = (
    r"ms|msec|millis(?:econds?)?|µs|us|ns|s|secs?|seconds?|mins?|minutes?|h|hrs?|hours?|days?"
    r"|weeks?|months?|years?"
)
_NUMBER = r"\d(?:[\d,]*\d)?(?:\.\d+)?"
# What a measurable criterion must give for each kind of claim: a time for speed and timing,
# a rate or a time for frequency, a target value or a delta for a comparative. "Higher
# conversion within 90 days" has a number, but not one that says how much higher.
TIME_FIT = (
    _NUMBER + r"[ \t-]*(?:" + _TIME_UNITS + r")(?![a-z])"
    r"|(?:" + _SPELLED + r")[ \t-]+(?:" + _TIME_UNITS + r")(?![a-z])"
    r"|\bp\d{2,3}(?:\.\d+)?\b|\d{1,2}(?:th|st|nd|rd)[ \t-]+percentile"
    # A named cadence is a period: "iterate fast (weekly releases)".
    r"|\b(?:hourly|daily|nightly|weekly|bi-?weekly|fortnightly|monthly|quarterly|yearly"
    r"|annually)\b"
)
SPEED_FIT = (
    TIME_FIT + r"|" + _NUMBER + r"[ \t]*(?:rps|qps|tps|fps|[kmg]bps|[kmgt]i?b/s"
    r"|(?:req(?:uest)?s?|ops|operations|transactions|events|messages|queries|calls|frames)"
    r"[ \t]*(?:/[ \t]*s|per[ \t]+(?:second|sec|s|minute|min)))"
)
COMPARATIVE_FIT = (
    r"(?:<=|>=|<|>|≤|≥|under|below|above|at most|at least|no more than|no less than|less than"
    r"|more than|fewer than|\bto)[ \t]*[~≈]?[ \t]*[$€£]?\d"
    r"|" + _NUMBER + r"[ \t]*(?:%|percent|per ?cent|x|×|times|points|pp|percentage points)(?![a-z])"
    r"|\bp\d{2,3}\b"
)
# Efficiency is a budget: time, memory, CPU or money. "Handle 10,000 files efficiently" counts
# the files, not what handling them may cost.
EFFICIENCY_FIT = (
    TIME_FIT + r"|" + _NUMBER + r"[ \t-]*(?:%|percent|per ?cent|[kmgtp]i?b|bytes?|v?cpus?|cores?"
    r"|dollars?|usd|eur|gbp|cents?|w|watts?|mah|kg|g|grams?|lbs?|oz)(?![a-z])|[$€£][ \t]*\d"
)
# Ease is measured by how many steps it takes: "easy to use: a single command", "a single
# property will let developers easily change the type".
USABILITY_FIT = MEASURABLE + r"|\b(?:a single|one single|single)[ \t]+[a-z]"
FITS = {
    "vague-usability": USABILITY_FIT,
    "vague-speed": SPEED_FIT,
    "vague-efficiency": EFFICIENCY_FIT,
    "vague-timing": TIME_FIT,
    "vague-frequency": TIME_FIT + r"|" + _NUMBER + r"[ \t]*(?:times|x|×)",
    "no-baseline-comparative": COMPARATIVE_FIT,
}
BASELINE = r"\bto[ \t]+[~≈]?[$€£]?\d|\bthan\b|\bfrom\b.{1,80}?(?:\bto\b|→|->)|\bby[ \t]+[~≈]?\d|\bcompared (?:to|with)\b|\brelative to\b"

# Qualities a statement can claim to leave untouched ("does not affect performance").
_NEGATED_QUALITIES = (
    r"(?:security|privacy|reliability|performance|safety|compatibility|accessibility"
    r"|availability|stability|usability|efficiency|power|battery life|latency|scalability"
    r"|quality|accuracy|user experience|ux)"
)
# "performance, power, or efficiency": a list of them.
_QUALITY_LIST = _NEGATED_QUALITIES + r"(?:,?\s+(?:(?:or|and|nor)\s+)?" + _NEGATED_QUALITIES + r")*"
_NOT_LIMITED = (
    r"\(but (?:(?:is|are|shall|will|should|must) )?not (?:be )?limited to\)"
    r"|but (?:(?:is|are|shall|will|should|must) )?not (?:be )?limited to"
)
# Words before "in seconds" that make it the name of a unit, not a promise.
_UNIT_NAMERS = (
    "duration",
    "time",
    "times",
    "timeout",
    "interval",
    "value",
    "values",
    "age",
    "delay",
    "latency",
    "ttl",
    "period",
    "window",
    "shown",
    "displayed",
    "stored",
    "given",
    "specified",
    "reported",
    "expressed",
    "measured",
    "configured",
    "set",
    "field",
    "column",
    "unit",
    "units",
)
# "real-time collaboration", "real-time multiplayer": synchronous co-editing, a kind of feature.
_NOT_SYNCHRONOUS_WORK = (
    r"(?![\w-])(?![ \t]+(?:collaborat\w*|multiplayer|multi-user|co-?editing|co-?authoring)"
    r"(?![\w-]))"
)
_SPEED = dict(
    message="'{match}' is a speed claim with no number: nobody can test it or agree it is met.",
    question="How fast exactly: which operation, which percentile, at what load?",
    suggestion="p95 latency ≤ __ ms for __ at __ requests/s",
)
_TIMING = dict(
    message="'{match}' gives no time bound, so any delay could be argued to meet it.",
    question="Within how long, measured from which event?",
    suggestion="within __ s (p95) of __",
)
_FREQUENCY = dict(
    message="'{match}' does not say how often.",
    question="How often exactly, and what triggers it?",
    suggestion="every __ minutes (or: at most __ times per __)",
)

_COMPARATIVE = (
    "'{match}' compares with nothing: better, faster or lower than what, and by how much?",
    "What is the baseline today and the target value?",
    "from __ (today, measured by __) to __ by <date>",
)
# "more accessible to applicants", "less cluttered": the adjectives the comparative rule does
# not name. A second pattern of "no-baseline-comparative", not in RULES (which lists one rule
# per id for the catalogue and SARIF): the engine runs it after RULES, so a rule that names the
# words ("match more closely") reports them, and the parse keeps a match only when "more" or
# "less" grades the adjective or adverb after it (claims.grades_quality), so "more information"
# and "less of" are left alone.
COMPARATIVE_DEGREE = _vague(
    "no-baseline-comparative",
    heads("more|less", r"[ \t]+(?!(?:than|of|or|and|so|about|then)\b)[a-z]{3,}") + E,
    *_COMPARATIVE,
    baseline_ok=True,
)

RULES: tuple[Rule, ...] = (
    # Phrases first: at one position the first rule that matches wins, so "as fast as
    # possible" is one finding, not "fast" plus "as possible".
    _vague(
        "unbounded-optimisation",
        words(
            r"as [a-z]+ as (?:possible|practical|practicable|feasible|we can|reasonable|"
            r"reasonably possible|can be)",
            # The same with the thing maximised in between: "as many granular status
            # milestones as reasonably possible", "as close to the data recipient as
            # practicable", "as much of the static content on the site as possible".
            r"as (?:much|many|few|little|close|far|often|soon|early|quickly)"
            r"(?:[ \t]+[^\s,;:()]+){1,10}?[ \t]+as (?:reasonably )?(?:possible|practical|practicable"
            r"|feasible|we can)",
            heads(
                "shortest|fastest|quickest|lowest|highest|best|smallest|least|greatest",
                r" (?:possible|achievable)",
            ),
            r"minimi[sz](?:e|es|ed|ing)",
            r"maximi[sz](?:e|es|ed|ing)",
            r"maximum(?= (?:performance|security|reliability|availability|efficiency|"
            r"speed|throughput|uptime|flexibility|compatibility|protection))",
            r"optimi[sz](?:e|es|ed|ing)",
            "optimal(?:ly)?",
            r"asap",
            r"a\.s\.a\.p\.?",
            # "picks the optimal slot", "recommends the best plan": a superlative choice with
            # no criterion for what is best.
            heads(
                "pick|picks|choose|chooses|select|selects|find|finds|recommend|recommends|"
                "suggest|suggests|surface|surfaces|return|returns|rank|ranks|route|routes|match|"
                "matches|show|shows",
                r"(?: \w+)? the (?:very )?(?:best|optimal|ideal|perfect|right|most (?:relevant|suitable"
                r"|appropriate|useful|efficient|accurate))(?: possible)?",
            ),
            r"minimum(?= (?:downtime|latency|delay|effort|impact|disruption|friction|overhead|"
            r"interruption|cost)\b)",
        ),
        "'{match}' sets no target, so the work never provably ends and never provably fails.",
        "What value is good enough, and by when?",
        "reduce __ from __ to ≤ __ by <date> (or: keep __ ≤ __)",
        variants=(
            (r"soon|quick|fast|early|short|asap|a\.s\.a", "within __ s (p95) of __"),
            (
                r"small|low|little|few|cheap|simple",
                "at most __ (unit), e.g. ≤ __ ms or ≤ $__ per month",
            ),
            (
                r"much|many|high|large|accurate|efficient|secure|close",
                "at least __ (unit), measured by __",
            ),
            (r"^maxim", "raise __ from __ (today) to ≥ __ by <date>"),
            (r"^optim", "state the target: __ from __ to __ by <date>, measured by __"),
        ),
    ),
    _vague(
        "absolute-promise",
        words(
            r"zero[- ]downtime",
            r"no downtime",
            r"without (?:any )?downtime",
            r"100 ?% (?:uptime|availability|available|reliable|reliability|accura(?:te|cy)|secure)",
            heads("bug|error|fault|virus|malware|defect", r"[- ]free"),
            r"free (?:of|from) (?:\w+ )?(?:viruses|bugs|errors|defects|malware|vulnerabilities)",
            r"without (?:any )?(?:problems|issues|errors|glitches|interruptions?|difficult(?:y|ies)|hassle)",
            r"fully (?:secure|reliable|available)",
            r"completely (?:secure|reliable|safe)",
            r"always[- ]on(?:line)?",
            heads(
                "available|accessible|online|operational|up|running|responsive|secure|reachable",
                r" (?:at all times|all the time|around the clock)",
            ),
            r"always (?:be )?(?:available|up|online|accessible|responsive|fast|reliable|secure|"
            r"consistent|correct|accurate|work(?:s|ing)?|succeed(?:s)?|on)",
            r"never (?:be )?(?:fail|fails|go down|goes down|down|unavailable|slow|crash(?:es)?|lose|"
            r"loses|lost|break|breaks|time out|times out|wrong|miss(?:es)?)",
        ),
        "'{match}' is an absolute promise: it cannot be met or tested, so it will be broken "
        "silently.",
        "What failure rate or downtime is acceptable, over what period?",
        "≥ 99.95% monthly availability; planned maintenance ≤ __ min/month with __ days' notice",
        measured_ok=False,
    ),
    _vague(
        "negated-absolute",
        words(
            # "with no loss of quality", "without degrading performance": how much loss is
            # acceptable is the real requirement.
            heads(
                "with no|without any|without|no|zero",
                r" (?:loss|degradation|drop|impact|compromise|reduction)(?: (?:of|in|on|to)"
                r" (?:\w+ )?(?:quality|performance|speed|accuracy|fidelity|resolution"
                r"|functionality|features?|user experience|ux|latency|reliability|security))",
            ),
            # "no noticeable lag", "without visible flicker": bounded by what someone perceives,
            # with no threshold to test against.
            heads(
                "with no|without any|without|no",
                r" (?:noticeable|perceptible|perceivable|visible|discernible) (?:lag|delay"
                r"|latency|slowdown|flicker(?:ing)?|jank|stutter(?:ing)?|pauses?|jitter|freezes?)",
            ),
            heads(
                "without|never",
                r" (?:degrading|compromising|sacrificing|affecting|impacting) (?:the )?"
                r"(?:quality|performance|speed|accuracy|security|user experience|ux|reliability"
                r"|latency)",
            ),
            # "does not impact security", "won't affect battery life": the quality is said to
            # be untouched, with no budget for how much it may move.
            heads(
                "not|never|won't|don't|doesn't|shouldn't|mustn't|cannot|can't",
                r"\s+(?:impact|affect|degrade|compromise|harm|hurt|weaken)(?:s|ed)?\s+"
                r"(?:(?:the|any|overall|existing)\s+){0,2}" + _NEGATED_QUALITIES + E,
            ),
            # "does not introduce any new security or privacy considerations", "no considerable
            # privacy concerns are expected": a claim that nothing changes, with no analysis to
            # check it against.
            heads(
                "not introduce|not add|not create|not raise|not pose|not cause|no",
                # Design docs wrap lines anywhere: any blank between the words.
                r"\s+(?:any\s+)?(?:(?:considerable|significant|notable|major|material|noticeable"
                r"|real|serious)\s+)?(?:(?:new|additional)\s+)?"
                + _QUALITY_LIST
                + r"(?=\s+(?:risks?"
                r"|concerns?|issues?|considerations?|vulnerabilit(?:y|ies)|problems?|impacts?"
                r"|implications?|regressions?)\b)",
            ),
        ),
        "'{match}' promises no loss at all, which no test can confirm.",
        "How much loss is acceptable, measured how?",
        "≤ __% drop in __ (e.g. SSIM ≥ 0.98, p95 latency +≤ __ ms) compared with __",
    ),
    _vague(
        "loophole",
        "(?:"
        + heads(
            "if|where|when|wherever|whenever",
            r" (?:possible|feasible|practical|practicable|"
            r"necessary|needed|required|applicable|appropriate|desired|relevant|reasonable|time permits)",
        )
        # Hedged commitments: "on a best-effort basis", "time permitting". "Ideally, ..."
        # states a wish: a priority, or a decision not yet taken (decisions.py reads that as
        # an open question), not a loophole in a measure.
        + r"|on a best[- ]effort basis|as best[- ]effort|best[- ]effort(?: basis)?|"
        + heads("time|resources|budget|capacity", " permitting")
        + "|"
        + heads("if|where|when", " it makes sense")
        + "|"
        + heads("strive|strives|endeavour|endeavours|endeavor|endeavors", " to")
        + "|"
        + heads("do our|do its|do their", " best to")
        + "|"
        + heads("make every|make a reasonable|make reasonable", r" efforts? to")
        + "|"
        + heads("at our|at its|at the", r"(?: \w+ team's)? discretion")
        + r"|as (?:needed|appropriate|necessary|applicable|relevant|desired|required(?! by| in| under| for)"
        r"|far as possible)|to the (?:extent|degree) (?:possible|practical|feasible|practicable)"
        r"|within reason|at reason|if (?:the )?(?:problems?|issues?|errors?|symptoms?) persists?"
        # "unless complexity demands", "unless needed": an escape hatch with no condition.
        r"|unless (?:(?:\w+ ){0,2}(?:demands?|requires?|warrants?|justifies)|(?:really |strictly )?"
        r"(?:needed|necessary|required|warranted|justified|appropriate)))" + E,
        "'{match}' is a loophole: it lets the requirement be skipped without saying when.",
        "Exactly when does this apply, and who decides?",
        "state the condition: 'when __ (e.g. load > __ requests/s), the system __'; or drop it",
        measured_ok=False,
    ),
    _vague(
        "open-ended-list",
        "(?:"
        + heads("including|includes?", r",?[ \t]*(?:" + _NOT_LIMITED + ")")
        + "|"
        + _NOT_LIMITED
        + r"|etc\b\.?|et cetera|and so (?:on|forth)|and the like|and more(?=[ \t]*(?:[.,;:)]|$))|among others"
        r"|or similar|or the like|and others|"
        + heads(
            "and|or|plus",
            r" (?:any |all )?other (?:common|popular|similar|relevant|major|standard) \w+",
        )
        # "other payment media as they emerge": the list grows with whatever comes along.
        + r"|as (?:they|these|new ones|others) (?:emerge|appear|arise|become available|come along)"
        # Open sets: "Slack, Teams and similar platforms", "and other tools".
        + "|"
        + heads("and|or", r" similar (?:\w+ )?\w+s")
        + "|"
        + heads(
            "and|or",
            r" other (?:\w+ )?(?:platforms|tools|services|apps|applications|providers|channels"
            r"|sources|formats|integrations|systems|devices|networks|vendors|partners|marketplaces"
            r"|browsers|clouds|stores|sites|websites|social networks|file types)"
            r"(?! (?:listed|named|above|below|in (?:the|this|section|table)))",
        )
        + r"|and (?:much|many) more|and beyond"
        + r"|including without limitation)(?![\w-])",
        "'{match}' leaves the list open, so nobody knows what is in scope.",
        "Which items exactly are in scope?",
        "list every item (__, __, __), or say 'only the items above'",
        measured_ok=False,
    ),
    _vague(
        "no-baseline-comparative",
        words(
            r"more (?:efficient(?:ly)?|reliable|reliably|secure(?:ly)?|scalable|robust|stable|"
            r"intuitive|responsive|accurate|usable|performant|available|flexible|quickly|easily|"
            r"user[- ]friendly|maintainable|consistent|predictable|resilient|effective|loyal|engaged|"
            r"satisfied|productive|valuable|relevant|personali[sz]ed|convenient|transparent)",
            r"less (?:error[- ]prone|complex|expensive|effort|downtime|friction|manual work|time)",
            "faster",
            "slower",
            "quicker",
            "better",
            r"improve[sd]?",
            "improving",
            # The plural names a set of changes ("These improvements will build on ...",
            # "Feature improvements (listen to feedback)"), not a claim to compare.
            "improvement",
            r"enhance[sd]?",
            "enhancing",
            "easier",
            "simpler",
            "cheaper",
            *(
                word + r"(?<!or " + word + r")(?<!and " + word + r")(?! (?:than|case|bound|level|"
                r"environments?|tiers?|education|priority|half))(?! or)"
                for word in ("higher", "lower", "fewer", "larger", "smaller", "shorter", "bigger")
            ),
            r"reduce[sd]?",
            "reducing",
            r"reductions?",
            r"increase[sd]?",
            "increasing",
            r"boost(?:s|ed)?",
            "speed up",
            heads("go|goes|went|going|trend|trends", r" (?:up|down)(?:wards?)?"),
            r"accelerate[sd]?",
        ),
        *_COMPARATIVE,
        baseline_ok=True,
    ),
    _vague(
        "vague-availability",
        words(
            r"highly[- ]available",
            r"high[- ]availability",
            r"fault[- ]tolerant",
            r"always available",
            "resilient",
            r"resilience",
        ),
        "'{match}' names an availability goal without a number or a measurement.",
        "What availability is required, over what window, and how is it measured?",
        "≥ 99.9% monthly availability, measured by __ (e.g. synthetic checks every 60 s)",
    ),
    _vague(
        "vague-scalability",
        words(
            r"highly[- ]scalable",
            r"scalable",
            r"elastic(?:ally)?(?! (?:load|beanstalk|kubernetes|container|block|file|ip|cache|compute|"
            r"search|stack|cloud|map))",
            r"infinitely scal\w+",
            r"scale (?:seamlessly|easily|effortlessly|well|massively)",
            heads(
                "handle|handles|support|supports|accommodate|absorb|cope with|allow for|room for",
                r" (?:(?:the|all|any|our) )?(?:future |expected |anticipated |projected |further )?"
                r"(?:[a-z]+ )?growth",
            ),
            heads("scale|grow", r" with (?:demand|the business|usage|traffic)"),
            heads(
                "scale|scales|grow|grows",
                r" (?:as|when|alongside|along with)(?= (?:the |our )?\w+)",
            ),
            heads("work|works|perform|performs|operate|operates|run|runs", " at scale"),
            heads(
                "keep up|keeps up|keep pace|keeps pace", r" with (?:growth|demand|usage|traffic)"
            ),
        ),
        "'{match}' does not say to what load, or how.",
        "Up to what load (users, requests/s, data volume) and by when?",
        "handles __ requests/s (__× today's peak) and __ GB with p95 latency ≤ __ ms",
    ),
    _vague(
        "vague-speed",
        words(
            r"low[- ]latency",
            r"high[- ]performance",
            r"high[- ]throughput",
            "performant",
            # "real-time collaboration" and "real-time multiplayer" name synchronous
            # co-editing (against async, commit-and-pull), a kind of feature, not a latency.
            r"near[- ]real[- ]time" + _NOT_SYNCHRONOUS_WORK,
            r"real[- ]time" + _NOT_SYNCHRONOUS_WORK,
            r"fast(?<!fail fast)(?<!fail-fast)",
            r"quick(?![ -]?start)",
            "rapid(?:ly)?",
            "speedy",
            "swift(?:ly)?",
            "snappy",
            "slow",
            "sluggish",
            r"blazing(?:ly)?[- ]fast",
            "lag[- ]free",
            # Hyphenated compounds: "fast-loading", "lightning-fast", "quick-to-load".
            heads("fast|quick|rapid|speedy|snappy", r"-(?:[a-z]+(?:ing|ed)|to-[a-z]+|paced)"),
            heads("lightning|super|ultra|hyper|blazing", r"[- ]?(?:fast|quick)"),
            r"without (?:any )?(?:delay|lag)",
        ),
        **_SPEED,
    ),
    _vague(
        "vague-timing",
        words(
            r"in a timely (?:manner|fashion)",
            "timely",
            "quickly",
            "promptly",
            r"instant(?:ly|aneous(?:ly)?)",
            # "instant payouts" is a product name; "instant feedback" or "is instant" is a claim.
            r"instant(?=[ \t]*(?:[.;,)]|$)| (?:feedback|response|results?|updates?|access|confirmation|"
            r"notifications?|delivery|sync|refresh))",
            r"near[- ]instant(?:ly|aneous(?:ly)?)?",
            # "with immediate visual update": the adjective promises the same as the adverb.
            r"immediate(?! (?:family|parent|child|children|predecessor|successor|vicinity"
            r"|neighbou?rs?|superior|manager|supervisor|context|caller|subclass))",
            # "in minutes", "within seconds": a unit with no number. "duration in minutes" and
            # "(in seconds)" name a unit instead.
            heads(
                "in" + "".join(f"(?<!{w} in)" for w in _UNIT_NAMERS) + r"(?<!\(in)|within",
                r" (?:mere |just |a matter of )?(?:seconds|minutes|hours|days)(?! (?:or|and|to) \d)",
            ),
            "right away",
            r"eventually(?! consistent)",
            "in no time",
            heads(
                "wait|waits|waiting|take|takes|taking",
                r" (?:too |very |so )?long(?! (?:term|running|polling|lived))",
            ),
            r"too (?:long|slow|late)",
            heads(
                "kept|keep|keeps|stay|stays|remain|remains|be|is|are",
                r" (?:fully |always )?up[- ]to[- ]date",
            ),
            r"immediately(?! (?:after|before|following|upon|when|once|below|above))",
            r"soon(?<!as soon)",
            "readily",
            heads(
                "short|long",
                r"(?= (?:time|period|delay|wait|response|downtime|outage|"
                r"interruption)s?\b)",
            ),
            # "loading states for long operations": how long is long?
            r"long(?:[- ]running)?(?= (?:operations?|tasks?|jobs?|queries|requests?|processes"
            r"|uploads?|downloads?|imports?|exports?|syncs?|builds?)\b)",
            "shortly",
            r"in (?:a )?reasonable time",
            r"without (?:undue )?delay",
        ),
        **_TIMING,
    ),
    _vague(
        "vague-frequency",
        words(
            r"frequently(?! asked)",
            "regularly",
            "periodically",
            "often",
            "occasionally",
            "rarely",
            "from time to time",
            "every so often",
            "seldom",
            r"periodic",
            r"regular(?= (?:\w+ )?(?:backups?|intervals?|basis|updates?|reviews?|checks?|audits?|"
            r"reports?|maintenance)\b)",
        ),
        **_FREQUENCY,
        near_only=True,
    ),
    _vague(
        "vague-security",
        words(
            r"highly secure",
            heads("bank|military|enterprise", r"[- ]grade(?: security| encryption)?"),
            r"secure(?:ly)?",
            r"safe(?:ly)?(?! to)",
            r"hardened",
            r"tamper[- ]proof",
            "unhackable",
        ),
        "'{match}' does not say against what threat, or to which standard.",
        "Which threats, data classes and standard apply, and how is it verified?",
        "meets __ (e.g. OWASP ASVS level 2); data encrypted with __ at rest and TLS 1.2+ in "
        "transit; verified by __",
    ),
    _vague(
        "vague-reliability",
        words(
            "reliabl[ey]",
            "robust(?:ly|ness)?",
            "dependabl[ey]",
            r"stable(?! (?:release|version|channel|api|branch|build|sort|id|identifier)s?)",
            "stability",
            # "must be durable" is a claim; "durable command receipts" names persisted state.
            r"durable(?=[ \t]*(?:[.;,)]|$| and | or ))",
            "fault[- ]resistant",
            r"rock[- ]solid",
            r"rugged(?:i[sz]ed)?",
            heads(
                "harsh|extreme|adverse|tough|demanding|challenging",
                r" (?:conditions|environments?|weather|use|usage|handling)",
            ),
            "trustworthy",
        ),
        "'{match}' has no failure rate or recovery target.",
        "What failure rate and recovery time are acceptable, under which faults?",
        "≤ __ failed requests per 10,000; recovers from __ within __ min (RTO), losing ≤ __ "
        "min of data (RPO)",
    ),
    _vague(
        "vague-usability",
        words(
            r"user[- ]friendly",
            r"easy[- ]to[- ]use",
            r"ease of use",
            r"easy to (?:learn|"
            r"understand|navigate|find|read|install|configure|set up|operate|integrate|adopt|"
            r"follow|access|maintain|extend|test|deploy)",
            "intuitive(?:ly)?",
            "easy",
            "easily",
            r"self[- ]explanatory",
            "straightforward",
            r"simple(?! (?:queue|storage|notification|email) service| mail)",
            r"convenient(?:ly)?",
            "pleasant",
            "visually appealing",
            "appealing",
            "attractive",
            r"user[- ]centric",
            r"frictionless",
            "effortless(?:ly)?",
            "clear and concise",
            heads("easily |naturally ", r"(?:understandable|readable|legible)"),
            r"unobtrusive(?:ly)?",
            r"friendly(?<!user friendly)(?<!user-friendly)",
            # "touch-friendly", "beginner-friendly": friendly to whom, measured how?
            heads(
                "touch|mobile|developer|beginner|newcomer|keyboard|screen-reader|reader|family"
                "|kid|budget|seo|search-engine|privacy|customer",
                "-friendly",
            ),
            r"low[- ]friction",
            # "should feel relevant", "must look great": an impression, not a behaviour.
            heads(
                "should|must|shall|will|to|needs to|need to",
                r" (?:feel|look|seem|sound)(?! (?:like|up|for|at|into|through|after|back|the|a|an|as"
                r"|identical|same|exactly|it|them)\b) (?:very |really |more |less )?[a-z]+",
            ),
            r"non[- ]intrusive(?:ly)?",
            r"hassle[- ]free",
            # An experience goal: "delight users", "wow the user".
            heads(
                "delight|delights|wow|wows|impress|impresses|amaze|amazes|thrill|thrills",
                r" (?:the |our |every |all |their )?(?:users?|customers?|people|shoppers?|members?"
                r"|visitors?|buyers?|admins?)",
            ),
            heads(
                "easy|simple|effortless|intuitive|smooth|clean|seamless", r"-(?:[a-z]+ing|feeling)"
            ),
            r"painless(?:ly)?",
            # "It must just work", "no mental overhead": an experience promise with no task.
            heads("must|should|shall|will|it|that|which|everything", r" just works?"),
            heads(
                "no|zero|minimal|little|low",
                r" (?:mental|cognitive) (?:overhead|load|effort|burden)",
            ),
            r"delightful(?:ly)?",
            "polished",
            r"elegant(?:ly)?",
            r"fully accessible",
            # "accessible from the console" is about where; "must be accessible." is a claim.
            r"accessible(?=[ \t]*(?:[.;)]|$)| (?:to|for) (?:all|everyone|everybody|people with|users with"
            r"|disabled))",
            "understandable",
            "readable",
            "legible",
            r"familiar(?! with)",
        ),
        "'{match}' is a usability claim nobody can test as written.",
        "Which users must complete which task, how fast, with what success rate?",
        "__% of first-time users complete __ within __ min without help (usability test, n = __)",
    ),
    _vague(
        "vague-efficiency",
        words(
            r"cost[- ](?:effective|efficient)(?:ly)?",
            r"resource[- ]efficient",
            r"efficient(?:ly)?",
            "efficiency",
            "lightweight",
            r"low[- ]cost",
            "cheap",
            "inexpensive",
            "affordable",
            "economical(?:ly)?",
            r"low[- ]overhead",
        ),
        "'{match}' has no resource or cost budget.",
        "What budget (CPU, memory, money) must it stay within, at what load?",
        "uses ≤ __ vCPU and ≤ __ GB RAM at __ requests/s; costs ≤ $__ per month",
    ),
    _vague(
        "vague-responsiveness",
        words(
            r"responsive(?! (?:design|layout|web|ui|grid))",
            r"seamless(?:ly)?",
            "smooth(?:ly)?",
            r"non[- ]disruptive",
        ),
        "'{match}' describes a feeling, not a measurable behaviour.",
        "What exactly must the user not notice, measured how?",
        "the UI responds to input within __ ms (p95); no step needs re-entering data or "
        "re-authenticating",
    ),
    _vague(
        "vague-maintainability",
        words(
            "maintainable",
            # "extensible" is left out: it says an extension point exists ("an extensible
            # column", "extensible analyzer registration"), which a tester checks; the real
            # PRDs label it a capability, not a quality (13 lines in 7 documents).
            "flexible",
            "flexibility",
            "portable",
            "adaptable",
            r"future[- ]proof",
            "modular",
            r"well[- ](?:documented|tested|designed|structured)",
        ),
        "'{match}' does not say what change must be easy, or how easy.",
        "Which change must be cheap, and what effort is acceptable?",
        "a new __ can be added by changing ≤ __ modules in ≤ __ days; test coverage ≥ __%",
    ),
    _vague(
        "vague-quality",
        words(
            r"best[- ]in[- ]class",
            heads("enterprise|production|mission", r"[- ](?:ready|grade|quality)"),
            r"world[- ]class",
            r"state[- ]of[- ]the[- ]art",
            r"cutting[- ]edge",
            r"industry[- ]standard",
            r"best practices?",
            r"high[- ]quality",
            "acceptable",
            "acceptably",
            "reasonable",
            "reasonably",
            r"adequate(?:ly)?",
            r"sufficient(?:ly)?",
            r"appropriate(?:ly)?",
            "proper(?:ly)?",
            # "closely aligned", "matches it more closely": how close is the open question.
            heads(
                "more closely|very closely|closely",
                r" (?:align|match|mirror|resembl|follow|track)\w*",
            ),
            heads(
                "align|aligns|aligned|match|matches|mirror|mirrors|follow|follows|resemble"
                "|resembles",
                r" (?:more |very |as )?closely",
            ),
            # "clear error messages" before its noun; "be clear." is below, "it is clear that"
            # states a fact, and the verb ("clear the selection") is read off the parse.
            r"clear(?=[ \t]+[a-z])(?![ \t]+(?:that|whether|how|what|why|if|about|of|to|from"
            r"|on|as|enough|and|or)\b)",
            "excellent",
            "accurate(?:ly)?",
            "precise(?:ly)?",
            "minimal(?:ly)?",
            "modern",
            "robustly",
            r"suitabl[ey]",
            "usually",
            "typically",
            "normally",
            r"generally(?! availab)",
            r"effective(?:ly)?(?! date| immediately| from)",
            r"strong(?:ly)?(?! (?:consisten|dependen|coupl|typ|reference|password policy))",
            r"clear(?= (?:and \w+ )?(?:errors?\b|error messages?|messages?|instructions?|guidance|feedback|labels?|"
            r"navigation|language|documentation|ui|layout|wording|visual))",
            "clearly",
            r"graceful(?:ly)?(?! (?:shutdown|restart|termination|drain|reload))",
            r"nice(?:ly)?",
            "useful",
            "helpful",
            r"explainable|interpretable",
            # "must be clear and helpful": a judgement; "it is clear that" is not a claim.
            heads("be|is|are", r" (?:very |always )?clear(?=[ \t]*(?:[.;,)]|$| and | or ))"),
            r"comfortabl[ey]",
            "unusual",
            "abnormal",
            r"anomal(?:y|ies|ous)",
            "suspicious",
            r"satisfactor(?:y|ily)",
            "tolerable",
            "unacceptable",
            "aesthetically pleasing",
            "pleasing",
            r"clean(?= (?:design|ui|interface|look|layout|appearance)\b)",
            r"visually (?:consistent|appealing|pleasing|clean|balanced|distinct|coherent)",
            r"high[- ]speed",
            "meaningful",
            r"great(?! (?:britain|lakes|degree|level|deal))",
            r"sensibl[ey]",
            r"intelligent(?:ly)?",
            r"fair(?:ly)?(?= (?:amount|number|share|usage|use)\b)",
            r"good(?<!in good)(?! standing)",
            heads("look|looks|appear|appears", " professional"),
            r"professional(?: appearance| look(?:ing)?)",
        ),
        "'{match}' is a judgement, not a criterion: who decides what counts?",
        "What measurable criterion makes it '{match}'?",
        "replace '{match}' with the criterion, e.g. '≤ __ errors per __' or 'meets __ (standard)'",
        variants=(
            (r"accura|precis", "within ± __ (unit) of __ for ≥ __% of cases, checked against __"),
            (
                r"best|industry|state|cutting|world|class",
                "name the practice or standard, e.g. 'OWASP ASVS 4.0 "
                "level 2' or 'RFC 9457 problem details'",
            ),
            (
                r"modern",
                "supports __ (e.g. the last 2 major versions of Chrome, Safari, Firefox and Edge)",
            ),
            (r"gracefu", "when __ fails, __ keeps working and __ returns HTTP __ within __ s"),
            (r"clear", "says what went wrong and what to do next, in ≤ __ words"),
            (
                r"professional|pleasing|nice|clean",
                "follows design system __ v__; ≥ __% of __ rate it ≥ 4/5",
            ),
            (
                r"unusual|abnormal|anomal|suspicious",
                "alert when __ exceeds __ for __ minutes (e.g. > __ failed "
                "sign-ins per user in 10 min)",
            ),
        ),
    ),
    _vague(
        "vague-conditions",
        # "under normal load": the condition a measured requirement holds under. The
        # requirement's own number settles it ("≤ 150 MB during normal operation"); alone,
        # nobody knows which load is meant.
        words(
            heads(
                "normal|typical|usual|regular|average|everyday",
                r" (?:load|loads|usage|use|traffic|volumes?|conditions|operation|operations"
                r"|operating conditions|times|hours|periods?|workloads?)",
            ),
        ),
        "'{match}' does not say which load or conditions the requirement holds under.",
        "Which load, volume or conditions exactly (e.g. requests/s, concurrent users)?",
        "at ≤ __ requests/s and ≤ __ concurrent users (the expected peak)",
    ),
    _vague(
        "vague-quantity",
        words(
            r"a (?:large|small|significant|high|low|huge|limited|reasonable) (?:number|amount|"
            r"percentage|portion|share|volume|proportion) of",
            "a lot of",
            "lots of",
            heads("hundreds|thousands|millions|billions|dozens|tens", " of"),
            "tons of",
            heads(
                "handle|handles|with|under|during|survive|survives|absorb|absorbs|support|supports",
                r" (?:the |any )?(?:peak|high|heavy) (?:load|loads|traffic|usage|demand)s?",
            ),
            heads(
                "|".join(
                    lead + word
                    for lead in ("all the ", "all ", "the ", "")
                    for word in ("major", "common", "popular", "mainstream", "leading", "standard")
                ),
                r" (?:web )?(?:browsers|platforms|operating systems|devices|cloud providers|"
                r"mobile devices|smartphones|email clients|screen sizes)",
            ),
            r"the most (?:common|popular|important|relevant|frequent|frequently used|used|widely used|"
            r"critical|significant|likely)",
            r"keep (?:\w+ ){1,3}(?:low|high|small|short|down|minimal|manageable|under control)(?![\w-])",
            heads(
                "be|is|are|remain|remains|stay|stays",
                r" (?:very |reasonably |extremely |relatively |sufficiently )?(?:low|high|short|long|"
                r"small|big)(?=[ \t]*(?:[.;,)]|$|and |or |enough))",
            ),
            r"a (?:wide |broad |large |great )?(?:range|variety|array) of",
            heads("high|low|great|certain", r" (?:degree|level)s? of"),
            r"little(?: to no| or no)? (?:training|effort|support|time|delay|overhead|impact|downtime)",
            "negligible",
            "insignificant",
            heads(
                "dramatically|drastically|greatly|vastly|noticeably|markedly|hugely|sharply|"
                "extensively|extensive",
                "",
            ),
            r"comprehensive(?:ly)?",
            r"a (?:handful|bunch) of",
            r"a (?:few|couple of)",
            "several",
            # "multiple regions" leaves open which ones; "multiple folders" only says more
            # than one, a cardinality.
            r"multiple(?= (?:\w+ )?(?:networks|regions|languages|locales|currencies|providers"
            r"|platforms|formats|browsers|channels|countries|markets|clouds|payment methods"
            r"|integrations|vendors|operating systems|data sources|sources|carriers|banks)\b)",
            r"a (?:growing |large |small )?number of",
            r"ever[- ](?:growing|increasing)",
            r"excessive(?:ly)?",
            r"unnecessar(?:y|ily)",
            r"undue(?:ly)?",
            heads(
                "the relevant|all relevant|relevant",
                r" (?:people|stakeholders|teams?|users|parties|staff|personnel|roles|owners)",
            ),
            # "A Member has many LedgerEntries" is a cardinality, not a vague amount.
            r"many(?<!has many)(?<!have many)(?<!or many)(?<!how many)",
            "numerous",
            "various",
            # "some of the types of queries: ..." introduces part of a list, not an amount.
            r"some(?! of (?:the|these|those|its|our|their)\b)",
            "countless",
            r"significant(?<!statistically significant)(?:ly)?(?! (?:digits|figures|bits))",
            r"considerabl[ey]",
            r"substantial(?:ly)?",
            "the majority of",
            "majority of",
            "a minority of",
            "minority of",
            "plenty of",
            # "c6i.large", "t3.small": a dotted name is an identifier, not an amount.
            r"large(?<!\.large)(?! language)",
            "huge",
            "massive",
            "vast",
            "tiny",
            r"small(?<!\.small)(?! (?:and medium|business|businesses|screens?))",
            "big",
            heads(
                "high|low|heavy|light",
                r" (?:error[- ]rates?|latency|load|traffic|volumes?|cpu|"
                r"memory|usage|demand|utili[sz]ation|concurrency|contention)",
            ),
            r"high[- ]volume",
            heads(
                "poor|weak|bad|spotty|patchy|flaky|unreliable|limited|intermittent",
                r" (?:coverage|connectivity|connections?|networks?|signal|wi-fi|wifi|reception)",
            ),
            heads(
                "handle|handles|cope with|copes with|absorb|absorbs|survive|survives|withstand",
                r" (?:\w+ )?(?:spikes|bursts|surges|peaks)",
            ),
            "heavy",
            "few",
            "almost",
            "nearly",
            "virtually",
            "mostly",
            "largely",
            r"most(?<!the most)(?<!at most)(?<!a most)(?<!\d most)(?= of\b| (?:[a-z]+ ){0,2}[a-z]+s\b)",
            r"enough(?! to)",
        ),
        "'{match}' is an amount with no number.",
        "How many or how much, exactly?",
        "replace '{match}' with a number and unit: '≥ __ users', '≤ __ GB', '__% of __'",
        near_only=True,
    ),
    Rule(
        "number-without-unit",
        UNQUANTIFIED_CLAIM,
        W,
        r"(?:latenc(?:y|ies)|response[- ]times?|timeouts?|throughput|uptime|availability"
        r"|load[- ]times?|page[- ]loads?|startup[- ]time|downtime|rto|rpo|error[- ]rates?|ttl"
        r"|retention(?: period)?|time to first byte|ttfb|render(?:ing)? time|processing time"
        r"|query time|duration|delay|cache expiry|distance|height|width|weight"
        + "|"
        + heads(
            r"boot|start|startup|cold start|install|sync|build|recovery|charging|wait|run",
            r"[- ]?times?",
        )
        + "|"
        + heads("model|file|image|bundle|binary|package|payload|download", " size")
        + r"|temperature|bandwidth|memory|budget|cost|price|interval|frequency)"
        + E
        # "uptime target for the SCIM API: 99.9": a short "for/of/on ..." qualifier may sit
        # between the metric and its number, and symbols need no space before them.
        + r"(?:[ \t]+(?:for|of|on|in) (?:the |each |every |a |an )?[\w-]+(?: [\w-]+)?(?=[ \t]*:)"
        r"|[ \t]+(?:target|goal|limit|budget|must|shall|should|will|is|are|be|of|stays?|remains?"
        r"|under|below|above|over|within|less than|more than|at most|at least|no more than|up to"
        r"|around|about|approximately|p\d{2,3}|kept|target of)|[ \t]*(?:<=|>=|<|>|≤|≥|=|:|~|≈))"
        r"{0,4}[ \t]*"
        r"(?!0(?:\.0+)?(?!\d|[.,]\d))(?P<hit>\d(?:[\d,]*\d)?(?:\.\d+)?)(?![\d.,]*\d)(?![ \t-]*(?:"
        + _UNITS
        + r")(?![a-z]))"
        r"(?![ \t]*(?:/|-|–|to|and|or)[ \t]*\d)",
        "The number {match} has no unit or percentile, so the target can be read many ways.",
        "In which unit, at which percentile, measured where?",
        "p95 __ ≤ {match} ms, measured at __",
    ),
)

# Evaluative words from the subjectivity lexicon (see ``lexicon.py``) that judge the product;
# found by ``claims.subjective_words``, not by a pattern of its own.
SUBJECTIVE_QUALITY = _vague(
    "subjective-quality",
    "",
    "'{match}' is a judgement of the product, not a property a tester can check.",
    "What observable property should make it '{match}', and how will it be checked?",
    "replace '{match}' with the property, e.g. 'follows design system __ v__' or "
    "'≥ __% of __ rate it ≥ 4/5 in a usability test (n = __)'",
)
# A line under Success Metrics / KPIs that names a metric with no target.
METRIC_WITHOUT_TARGET = {
    "message": "'{match}' is listed as a measure of success but sets no target, so the "
    "launch cannot be judged a success or a failure.",
    "question": "What value must it reach, from which baseline, by when, measured how?",
    "suggestion": "__ rises from __ (today) to ≥ __ by <date>, measured by __",
}
# A Spec Kit "[NEEDS CLARIFICATION: ...]" marker that asks for a number: the requirement
# holding it states no value yet.
CLARIFICATION_NEEDS_NUMBER = {
    "message": "'{match}' says this requirement still lacks its number, so it cannot be "
    "built or tested as written.",
    "question": "What value, in which unit, and measured how?",
    "suggestion": "replace the marker with the value: '≤ __ ms (p95)', '≥ __ px', '__ to __'",
}
