"""Document text -> contradictions between the targets its sections state (no LLM).

A PRD states the same target in several places: availability in Non-Functional Requirements
and again in Performance & Capacity Planning, retention in Data Storage and in Security. When
they disagree, engineers build to whichever they read. This module extracts availability %,
percentile latency, throughput, retention periods and RPO/RTO, normalises units (1 s = 1000 ms,
60 min = 1 h) and reports every pair of different values for the *same* target.

"Same" is deliberately narrow, because a false alarm costs the PM more than a missed one:
two targets are compared only when their metric and their qualifiers match exactly -
percentile, operation (read/write/search...), scope (SLA/SLO, control/data plane, per tenant,
per node...), load kind (peak/average/sustained), data kind for retention, and phase
(baseline/current vs target, year 2, growth projections). Table cells take their qualifiers
from the row label and the column header. Questions, non-goals and examples are skipped.
"""

from __future__ import annotations

import re
from dataclasses import asdict, dataclass, field, replace
from typing import Any

RULE_PREFIX = "consistency"
_FENCE = re.compile(r"^\s*(```|~~~)")
_H2 = re.compile(r"^##(?!#)\s+(.+?)\s*#*\s*$")
_H3 = re.compile(r"^###(?!#)\s+(.+?)\s*#*\s*$")
_TABLE_SEPARATOR = re.compile(r"^\s*\|?\s*:?-{2,}:?\s*(\|\s*:?-{2,}:?\s*)*\|?\s*$")
_NUMBER = r"(\d{1,3}(?:,\d{3})+|\d+(?:\.\d+)?)"
_SKIP_CLAUSE = re.compile(
    r"\?|\bopen question\b|\bnon-goals?\b|\bout of scope\b|\bnot (?:required|needed|a goal)\b|"
    r"\b(?:do|does) not need\b|\bno need\b|\be\.g\.|\bfor example\b|\bsuch as\b",
    re.IGNORECASE,
)
_SKIP_SECTION = re.compile(r"^[\d.\s]*(?:open questions?|change control)\b", re.IGNORECASE)
_TODAY_SECTION = re.compile(r"problem|background|current state|as-is|context", re.IGNORECASE)
_SKIP_SUBSECTION = re.compile(r"\bnon-goals?\b|\bout of scope\b", re.IGNORECASE)

# Words that make two targets different targets. Each maps to the token that is compared.
# fmt: off
_QUALIFIERS: dict[str, str] = {
    # phase: a baseline or a projection is not the target
    "baseline": "baseline", "current": "baseline", "currently": "baseline", "today": "baseline",
    "existing": "baseline", "legacy": "baseline", "as-is": "baseline", "projected": "projection",
    "projection": "projection", "forecast": "projection", "growth": "projection",
    "grow": "projection", "future": "projection", "eventually": "projection", "launch": "launch",
    "mvp": "launch", "beta": "launch", "pilot": "launch", "initial": "launch",
    "initially": "launch", "ga": "ga",
    # load kind
    "peak": "peak", "max": "peak", "maximum": "peak", "burst": "burst", "spike": "burst",
    "average": "average", "avg": "average", "mean": "average", "typical": "average",
    "sustained": "sustained", "sustain": "sustained", "sustains": "sustained",
    "steady": "sustained", "bursts": "burst", "minimum": "minimum",
    # scope
    "sla": "sla", "slo": "slo", "internal": "internal", "external": "external",
    "contractual": "sla", "control": "control-plane", "data-plane": "data-plane",
    "plane": "plane", "tenant": "per-tenant", "user": "per-user", "client": "per-client",
    "key": "per-key", "node": "per-node", "instance": "per-instance", "pod": "per-pod",
    "partition": "per-partition", "shard": "per-shard", "region": "region", "regional": "region",
    "zone": "zone", "zonal": "zone", "az": "zone", "global": "global", "disaster": "disaster",
    "limit": "limit", "limits": "limit", "quota": "limit", "throttle": "limit",
    "throttled": "limit", "trigger": "trigger", "threshold": "trigger", "alert": "trigger",
    "alerts": "trigger", "headroom": "headroom", "test": "test", "tests": "test",
    "tested": "test", "benchmark": "test",
    # operation
    "read": "read", "reads": "read", "write": "write", "writes": "write", "search": "search",
    "query": "query", "queries": "query", "ingest": "ingest", "ingestion": "ingest",
    "upload": "upload", "uploads": "upload", "download": "download", "downloads": "download",
    "login": "login", "checkout": "checkout", "export": "export", "import": "import",
    "end-to-end": "end-to-end", "e2e": "end-to-end", "cold": "cold", "warm": "warm", "hot": "hot",
    "cache": "cache", "batch": "batch", "streaming": "streaming", "webhook": "webhook",
    "webhooks": "webhook", "notification": "notification", "notifications": "notification",
    "dashboard": "dashboard", "ui": "ui", "console": "ui", "mobile": "mobile", "web": "web",
    "page": "page", "freshness": "freshness", "lag": "lag", "delay": "delay",
    "propagation": "propagation", "replication": "replication", "delivery": "delivery",
    "delivered": "delivery", "processing": "processing", "queue": "queue", "queued": "queue",
    "indexing": "indexing", "index": "indexing", "indexed": "indexing", "sync": "sync",
    "startup": "startup", "render": "render", "ttfb": "ttfb", "failover": "failover",
    # retention subjects
    "log": "logs", "logs": "logs", "logging": "logs", "audit": "audit", "event": "events",
    "events": "events", "backup": "backups", "backups": "backups", "snapshot": "backups",
    "snapshots": "backups", "metric": "metrics", "metrics": "metrics", "trace": "traces",
    "traces": "traces", "pii": "pii", "personal": "pii", "session": "sessions",
    "sessions": "sessions", "message": "messages", "messages": "messages", "raw": "raw",
    "analytics": "analytics", "telemetry": "telemetry", "payment": "payments",
    "payments": "payments", "transaction": "transactions", "transactions": "transactions",
    "order": "orders", "orders": "orders", "file": "files", "files": "files",
    "attachment": "files", "attachments": "files", "document": "documents",
    "documents": "documents", "account": "accounts", "accounts": "accounts", "token": "tokens",
    "tokens": "tokens", "archive": "archive", "archived": "archive", "archival": "archive",
    "deleted": "deleted", "delete": "deleted", "deletion": "deleted", "purge": "deleted",
    "purged": "deleted", "soft-deleted": "deleted", "tombstone": "deleted",
    "customer": "customer", "record": "records", "records": "records", "erasure": "on-request",
    "gdpr": "on-request", "dsar": "on-request",
}
# fmt: on
_AVAILABILITY_WORDS = re.compile(r"\bavailab|\buptime\b|\bsla\b|\bslo\b|\bnines\b", re.IGNORECASE)
_NOT_AVAILABILITY = re.compile(
    r"durab|\berror|\bsuccess|\bcoverage|\baccura|\bcpu\b|\bmemory\b|\butili[sz]|\bdisk\b|"
    r"\bhit rate|\bcache hit|\bdelivered\b|\bdelivery\b|\bpercentile\b|\bp\d{2}",
    re.IGNORECASE,
)
_PERCENT = re.compile(r"(?<![\d.\-–])(\d{2}(?:\.\d+)?)\s*%(?!\s*(?:-|–|to)\s*\d)")
_DELIMITER = re.compile(r",\s|;\s|\band\b|\bwith\b|\bwhile\b|\bbut\b|\(|\)|\|")
_ASIDE = re.compile(r"\s*\([^()]*\)")
_PAIR_BREAK = re.compile(r"[;,]\s|\band\b|\bwith\b|\bwhile\b")
_OTHER_METRIC = re.compile(
    r"\blatency\b|\bp\d{2}\b|\bms\b|\bper\s+second\b|/s\b|\brps\b", re.IGNORECASE
)
_NINES = re.compile(r"\b(two|three|four|five)\s+nines\b", re.IGNORECASE)
_NINES_VALUE = {"two": 99.0, "three": 99.9, "four": 99.99, "five": 99.999}
_PERCENTILE = re.compile(
    r"\bp(50|75|90|95|99|99\.9|999)\b|\b(50|75|90|95|99|99\.9)(?:th)?[ -]percentile\b|\bmedian\b|"
    r"\b(50|75|90|95|99|99\.9)\s*%\s+of\s+(?:requests|calls|queries|responses|reads|writes)",
    re.IGNORECASE,
)
_DURATION_UNITS = {
    "µs": 1e-6,
    "us": 1e-6,
    "ms": 1e-3,
    "millisecond": 1e-3,
    "milliseconds": 1e-3,
    "s": 1.0,
    "sec": 1.0,
    "secs": 1.0,
    "second": 1.0,
    "seconds": 1.0,
    "m": 60.0,
    "min": 60.0,
    "mins": 60.0,
    "minute": 60.0,
    "minutes": 60.0,
    "h": 3600.0,
    "hr": 3600.0,
    "hrs": 3600.0,
    "hour": 3600.0,
    "hours": 3600.0,
    "d": 86400.0,
    "day": 86400.0,
    "days": 86400.0,
    "week": 604800.0,
    "weeks": 604800.0,
    "month": 2592000.0,
    "months": 2592000.0,
    "year": 31536000.0,
    "years": 31536000.0,
    "yr": 31536000.0,
    "yrs": 31536000.0,
}
_LATENCY_VALUE = re.compile(
    rf"(?<![\w.]){_NUMBER}\s*(µs|us|ms|milliseconds?|s|secs?|seconds?|min|mins|minutes?)(?![\w/])",
    re.IGNORECASE,
)
_PERIOD_VALUE = re.compile(
    rf"(?<![\w.]){_NUMBER}[ -]*(seconds?|secs?|s|minutes?|mins?|m|hours?|hrs?|h|days?|d|weeks?|"
    r"months?|years?|yrs?)(?![\w/])",
    re.IGNORECASE,
)
_THROUGHPUT = re.compile(
    rf"(?<![\w.]){_NUMBER}\s*([kKmM])?\s*(?:"
    r"(rps|qps|tps|req/s|requests?|reqs?|queries|query|transactions?|events?|messages?|msgs?|"
    r"writes?|reads?|jobs?|orders?|uploads?|calls?|notifications?)\s*(?:/|per\s+)\s*"
    r"(s|sec|second|min|minute|h|hr|hour|day)\b"
    r"|(rps|qps|tps)\b)",
    re.IGNORECASE,
)
_THROUGHPUT_NOUN = {
    "rps": "requests",
    "req/s": "requests",
    "request": "requests",
    "requests": "requests",
    "req": "requests",
    "reqs": "requests",
    "call": "requests",
    "calls": "requests",
    "qps": "queries",
    "query": "queries",
    "queries": "queries",
    "tps": "transactions",
    "transaction": "transactions",
    "transactions": "transactions",
}
_PER = {
    "s": 1.0,
    "sec": 1.0,
    "second": 1.0,
    "min": 60.0,
    "minute": 60.0,
    "h": 3600.0,
    "hr": 3600.0,
    "hour": 3600.0,
    "day": 86400.0,
}
_RETENTION_WORDS = re.compile(
    r"\bretain|\bretention\b|\bkept\b|\bkeep\b|\bstored?\b|\bpurged?\b|\bdeleted?\b|\barchiv|"
    r"\bexpire|\bttl\b",
    re.IGNORECASE,
)
_RECOVERY = re.compile(r"\b(RPO|RTO)\b|\brecovery (point|time) objective\b", re.IGNORECASE)
_RPO_RTO = re.compile(r"\b(RPO|RTO)\s*(?:/|&|and)\s*(RPO|RTO)\b", re.IGNORECASE)
_ZERO_LOSS = re.compile(
    r"\bRPO\b[^.;|]{0,20}?(?:\bzero\b|=\s*0\b|\bof\s+0\b|:\s*0\b)", re.IGNORECASE
)
_CLAUSE_WIDE = frozenset(
    {
        "baseline",
        "projection",
        "launch",
        "ga",
        "test",
        "trigger",
        "headroom",
        "limit",
        "region",
        "zone",
        "global",
    }
)
_LOAD_KINDS = frozenset({"peak", "burst", "sustained", "average"})
_RETENTION_SUBJECTS = frozenset(
    {
        "logs",
        "audit",
        "events",
        "backups",
        "metrics",
        "traces",
        "pii",
        "sessions",
        "messages",
        "raw",
        "analytics",
        "telemetry",
        "payments",
        "transactions",
        "orders",
        "files",
        "documents",
        "accounts",
        "tokens",
        "customer",
        "records",
    }
)
_STOPWORDS = frozenset(
    "the a an and or of for to in on at by with from is are be been must should may will "  # noqa: SIM905 - a word list reads better as text
    "shall retain retained retains retention keep kept keeps store stored stores storing "
    "then after least most up until within than all any each every our their its this that "
    "these those data purge purged delete deleted archive archived expire expires expired "
    "ttl days day years year months month weeks week hours hour period default".split()
)
_WORD = re.compile(r"[a-z][a-z0-9]*(?:-[a-z0-9]+)*")
_METRIC_LABEL = {
    "availability": "Availability target",
    "latency": "Latency target",
    "throughput": "Throughput target",
    "retention": "Retention period",
    "rpo": "RPO",
    "rto": "RTO",
}


@dataclass(frozen=True)
class MarkdownSection:
    """A ``##`` section: its heading title, heading line and body lines (1-based numbers)."""

    title: str
    line: int
    lines: tuple[tuple[int, str], ...]


def split_sections(markdown_text: str) -> list[MarkdownSection]:
    """The document's ``##`` sections, ignoring headings inside code fences.

    Text before the first ``##`` heading is a section with the title "".
    """
    sections: list[MarkdownSection] = []
    title, start, body = "", 0, []
    in_fence = False
    for number, line in enumerate(markdown_text.splitlines(), 1):
        if _FENCE.match(line):
            in_fence = not in_fence
        match = None if in_fence else _H2.match(line)
        if match:
            sections.append(MarkdownSection(title, start, tuple(body)))
            title, start, body = match.group(1).strip(), number, []
        else:
            body.append((number, line))
    sections.append(MarkdownSection(title, start, tuple(body)))
    return [s for s in sections if s.title or any(text.strip() for _n, text in s.lines)]


@dataclass(frozen=True)
class Target:
    """One stated target: metric, qualifiers, normalised value and where it was written."""

    metric: str
    qualifiers: tuple[str, ...]
    value: float  # percent, seconds, or per second
    text: str  # the value as written, e.g. "300 ms"
    detail: str  # e.g. "p95" for latency, "requests" for throughput
    section: str
    line: int
    column: int  # 1-based
    start: int  # 0-based offsets into the document
    end: int
    sentence: str


@dataclass(frozen=True)
class Contradiction:
    """Two different values for the same target, shaped like a review ``Finding``.

    The primary location (``line``, ``column``, ``section``) is the later statement; ``other_*``
    is the earlier statement it contradicts.
    """

    rule: str
    metric: str
    line: int
    column: int
    start: int
    end: int
    section: str
    match: str
    sentence: str
    other_line: int
    other_column: int
    other_section: str
    other_match: str
    other_sentence: str
    message: str
    question: str
    suggestion: str
    category: str = "contradiction"
    severity: str = "warning"
    qualifiers: tuple[str, ...] = field(default=())

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready dict, with ``qualifiers`` as a list."""
        data = asdict(self)
        data["qualifiers"] = list(self.qualifiers)
        return data


@dataclass
class _Segment:
    """Text to extract from: ``text[value_from:]`` sits at ``line_offset`` in the line."""

    text: str
    value_from: int
    line_offset: int
    context: str  # extra words for keywords and qualifiers (table header, ### heading)


def check_consistency(markdown_text: str) -> list[Contradiction]:
    """Contradicting targets across (and within) the document's sections.

    Args:
        markdown_text: The PRD as Markdown.

    Returns:
        One contradiction per later value that differs from the first value stated for the
        same target, in document order. An empty list means no contradiction was found.
    """
    targets = _merge_sla_slo(extract_targets(markdown_text))
    groups: dict[tuple[str, str, tuple[str, ...]], list[Target]] = {}
    for target in targets:
        groups.setdefault((target.metric, target.detail, target.qualifiers), []).append(target)
    found: list[Contradiction] = []
    for group in groups.values():
        first = group[0]
        reported: list[float] = [first.value]
        for target in group[1:]:
            if target.line == first.line or any(_same(target.value, v) for v in reported):
                continue
            reported.append(target.value)
            found.append(_contradiction(first, target))
    return sorted(found, key=lambda c: (c.line, c.column))


def _merge_sla_slo(targets: list[Target]) -> list[Target]:
    """Treats "availability SLO" as the plain availability target unless the PRD has both.

    An SLA (contractual) below an internal SLO is deliberate; a lone "SLO 99.95%" next to
    "availability 99.9%" is a contradiction.
    """
    scopes = {q for t in targets if t.metric == "availability" for q in t.qualifiers}
    if {"sla", "slo"} <= scopes:
        return targets
    return [
        replace(t, qualifiers=tuple(q for q in t.qualifiers if q not in {"sla", "slo"}))
        if t.metric == "availability"
        else t
        for t in targets
    ]


def extract_targets(markdown_text: str) -> list[Target]:
    """Every target the consistency check understands, in document order."""
    line_starts = [0]
    for line in markdown_text.splitlines(keepends=True):
        line_starts.append(line_starts[-1] + len(line))
    targets: list[Target] = []
    for section in split_sections(markdown_text):
        if _SKIP_SECTION.search(section.title):
            continue
        # The problem statement describes today, not the target.
        today = "currently" if _TODAY_SECTION.search(section.title) else ""
        for number, line, segment in _segments(section):
            if today:
                segment.context = f"{segment.context} {today}"
            for metric, detail, value, text, start, end, quals in _extract(segment):
                column = segment.line_offset + (start - segment.value_from)
                offset = line_starts[number - 1] + column
                targets.append(
                    Target(
                        metric,
                        quals,
                        value,
                        text,
                        detail,
                        section.title,
                        number,
                        column + 1,
                        offset,
                        offset + (end - start),
                        line.strip(),
                    )
                )
    return targets


def _segments(section: MarkdownSection):
    """(line number, line, segment) for each clause or table cell worth reading."""
    subheading = ""
    header: list[str] = []
    in_fence = False
    skip_sub = False
    previous_was_table = False
    for index, (number, line) in enumerate(section.lines):
        if _FENCE.match(line):
            in_fence = not in_fence
            continue
        if in_fence:
            continue
        sub = _H3.match(line)
        if sub:
            subheading = sub.group(1)
            skip_sub = bool(_SKIP_SUBSECTION.search(subheading))
            continue
        if skip_sub or not line.strip():
            previous_was_table = False
            continue
        if line.lstrip().startswith("|"):
            if _TABLE_SEPARATOR.match(line):
                continue
            cells = _cells(line)
            following = section.lines[index + 1][1] if index + 1 < len(section.lines) else ""
            if not previous_was_table and _TABLE_SEPARATOR.match(following):
                header = [text for text, _pos in cells]
                previous_was_table = True
                continue
            previous_was_table = True
            yield from _table_segments(number, line, cells, header, subheading)
            continue
        previous_was_table = False
        for clause, offset in _clauses(line):
            if not _SKIP_CLAUSE.search(clause):
                yield number, line, _Segment(clause, 0, offset, subheading)


def _cells(line: str) -> list[tuple[str, int]]:
    """(cell text, position of the text in the line) for a Markdown table row."""
    cells = []
    for match in re.finditer(r"(?<=\|)([^|]*)(?=\|)|(?<=\|)([^|]+)$", line):
        raw = match.group(0)
        stripped = raw.strip()
        if stripped or raw:
            cells.append((stripped, match.start() + (len(raw) - len(raw.lstrip()))))
    return cells


def _table_segments(
    number: int, line: str, cells: list[tuple[str, int]], header: list[str], sub: str
):
    if not cells:
        return
    label = cells[0][0]
    if _SKIP_CLAUSE.search(label):
        return
    for position, (text, column) in enumerate(cells):
        if not text or _SKIP_CLAUSE.search(text):
            continue
        column_name = header[position] if position < len(header) else ""
        if position == 0:
            yield number, line, _Segment(text, 0, column, f"{column_name} {sub}")
            continue
        prefix = f"{label}: "
        yield number, line, _Segment(prefix + text, len(prefix), column, f"{column_name} {sub}")


def _clauses(line: str) -> list[tuple[str, int]]:
    """Splits a line at ``;`` and sentence ends, keeping each clause's position."""
    pieces = []
    start = 0
    for match in re.finditer(r";\s+|(?<=[\w)\]])\.\s+(?=[A-Z])", line):
        pieces.append((line[start : match.start()], start))
        start = match.end()
    pieces.append((line[start:], start))
    return [(text, pos) for text, pos in pieces if text.strip()]


def _qualifiers(text: str) -> tuple[str, ...]:
    tokens = set()
    lowered = (
        text.casefold().replace("control plane", "control").replace("data plane", "data-plane")
    )
    for word in _WORD.findall(lowered):
        for part in {word, *word.split("-")}:
            if part in _QUALIFIERS:
                tokens.add(_QUALIFIERS[part])
    for match in re.finditer(
        r"\b(?:year|yr|phase|q)\s*(\d)\b|\b(20\d\d)\b|\bin\s+(\d+)\s+months\b", lowered
    ):
        tokens.add("projection:" + "".join(g for g in match.groups() if g))
    for match in re.finditer(r"\b(\d+(?:\.\d+)?)\s*[x×]\b", lowered):
        tokens.add(f"multiple:{match.group(1)}")
    return tuple(sorted(tokens))


def _extract(segment: _Segment):
    """(metric, detail, value, text, start, end, qualifiers) for each target in a segment."""
    text = segment.text
    context = f"{text} {segment.context}"
    keep = lambda start: start >= segment.value_from  # noqa: E731 - tiny local predicate
    results = []
    results += _availability(text, context, keep)
    results += _latency(text, keep)
    results += _throughput(text, keep)
    results += _recovery(text, keep)
    if not results or all(r[0] != "rpo" and r[0] != "rto" for r in results):
        results += _retention(text, context, keep)
    out = []
    lead_in = min((r[4] for r in results), default=0)
    for metric, detail, value, written, start, end, qual_text in results:
        quals = _qualifiers(f"{qual_text} {segment.context}")
        # Phase and scope words that lead a clause ("Currently ...", "In year 2 ...", "Load
        # tests ...", "One instance ...") hold for every number in it.
        clause_wide = {q for q in _qualifiers(text[:lead_in]) if _is_clause_wide(q)}
        quals = tuple(sorted(set(quals) | clause_wide))
        if metric in {"latency", "availability"}:
            # "p95 <= 300 ms at peak" is the same latency target as "p95 <= 300 ms".
            quals = tuple(q for q in quals if q not in _LOAD_KINDS)
        if metric in {"rpo", "rto"}:
            quals = tuple(q for q in quals if q != "disaster")
        if metric == "retention" and not set(quals) & _RETENTION_SUBJECTS:
            quals = tuple(sorted({*quals, *_content_words(qual_text)}))
        out.append((metric, detail, value, written, start, end, quals))
    return out


def _availability(text: str, context: str, keep) -> list:
    found = []
    hits = [(m.start(), m.end(), float(m.group(1)), m.group(0)) for m in _PERCENT.finditer(text)]
    hits += [
        (m.start(), m.end(), _NINES_VALUE[m.group(1).casefold()], m.group(0))
        for m in _NINES.finditer(text)
    ]
    for start, end, value, written in sorted(hits):
        if not (90.0 <= value < 100.0) or not keep(start):
            continue
        part = _part(text, start, end)
        if _NOT_AVAILABILITY.search(part):
            continue
        # A bare "99.9%" counts when its table row, column or ### heading names availability.
        if _AVAILABILITY_WORDS.search(part) or (
            _AVAILABILITY_WORDS.search(context) and not _OTHER_METRIC.search(part)
        ):
            found.append(("availability", "", value, written, start, end, part))
    return found


def _part(text: str, start: int, end: int) -> str:
    """The comma/"and"-delimited piece of ``text`` around ``start:end``."""
    left = max((m.end() for m in _DELIMITER.finditer(text, 0, start)), default=0)
    right = next((m.start() for m in _DELIMITER.finditer(text, end)), len(text))
    return text[left:right]


def _local(text: str, spans: list[tuple[int, int]], index: int) -> str:
    """Words that qualify the ``index``-th target of a clause holding several.

    A label before a colon ("Search API: ...") applies to every target; otherwise each target
    gets the text since the previous target and up to the next delimiter.
    """
    lead_in = text[: spans[0][0]]
    prefix = lead_in[: lead_in.rfind(":") + 1] if index else ""
    begin = spans[index - 1][1] if index else 0
    # Words after the previous target's last delimiter belong to this one, not to it.
    begin = max((m.end() for m in _DELIMITER.finditer(text, begin, spans[index][0])), default=begin)
    end = spans[index][1]
    stop = spans[index + 1][0] if index + 1 < len(spans) else len(text)
    # A parenthesis right after the target qualifies it: "120 jobs/min (year 2)".
    aside = _ASIDE.match(text, end, stop)
    after = aside.end() if aside else end
    delimiter = next((m.start() for m in _DELIMITER.finditer(text, after, stop)), stop)
    return f"{prefix} {text[begin:delimiter]}"


def _percentile_name(match: re.Match[str]) -> str:
    if match.group(0).casefold() == "median":
        return "p50"
    number = next(g for g in match.groups() if g)
    return "p" + {"999": "99.9"}.get(number, number)


def _latency(text: str, keep) -> list:
    percentiles = list(_PERCENTILE.finditer(text))
    if not percentiles:
        return []
    values = [v for v in _LATENCY_VALUE.finditer(text) if not _PERCENTILE.match(text, v.start())]
    pairs, claimed = [], set()
    for index, pct in enumerate(percentiles):
        limit = percentiles[index + 1].start() if index + 1 < len(percentiles) else len(text)
        floor = percentiles[index - 1].end() if index else 0
        free = [v for v in values if v.start() not in claimed]
        # "p95 <= 300 ms" is the usual order, "300 ms at p95" the other; a comma or "and" in
        # between means the number belongs to something else.
        after = [
            v
            for v in free
            if pct.end() <= v.start() < limit and not _PAIR_BREAK.search(text, pct.end(), v.start())
        ]
        before = [
            v
            for v in free
            if floor <= v.start() < pct.start()
            and not _PAIR_BREAK.search(text, v.end(), pct.start())
        ]
        chosen = after[0] if after else (before[-1] if before else None)
        if chosen is not None:
            claimed.add(chosen.start())
            pairs.append((pct, chosen))
    spans = [(min(p.start(), v.start()), max(p.end(), v.end())) for p, v in pairs]
    found = []
    previous = ""
    for index, (pct, value) in enumerate(pairs):
        # "at 1,500 queries/s" is the load a latency holds under, not what it measures.
        local = _THROUGHPUT.sub(" ", _PERCENTILE.sub(" ", _local(text, spans, index)))
        local = _LATENCY_VALUE.sub(" ", local)
        if index and not set(_qualifiers(local)) - _LOAD_KINDS:
            # "p95 read latency <= 50 ms and p99 <= 120 ms": the p99 is about reads too.
            local = f"{previous} {local}"
        previous = local
        if not keep(value.start()):
            continue
        seconds = _number(value.group(1)) * _DURATION_UNITS[value.group(2).casefold()]
        found.append(
            (
                "latency",
                _percentile_name(pct),
                seconds,
                value.group(0),
                value.start(),
                value.end(),
                local,
            )
        )
    return found


def _throughput(text: str, keep) -> list:
    matches = list(_THROUGHPUT.finditer(text))
    spans = [(m.start(), m.end()) for m in matches]
    found = []
    for index, match in enumerate(matches):
        if not keep(match.start()):
            continue
        number, scale, noun, per, short = match.groups()
        value = _number(number) * {"k": 1e3, "m": 1e6}.get((scale or "").casefold(), 1.0)
        noun = (noun or short).casefold()
        value /= _PER.get((per or "s").casefold(), 1.0)
        kind = _THROUGHPUT_NOUN.get(noun, noun.rstrip("s") + "s")
        local = _local(text, spans, index).replace(match.group(0), " ")
        found.append(
            ("throughput", kind, value, match.group(0).strip(), match.start(), match.end(), local)
        )
    return found


def _recovery(text: str, keep) -> list:
    found = []
    names = list(_RECOVERY.finditer(text))
    combined = _RPO_RTO.search(text)
    if combined:
        # "RPO/RTO: 5 min / 1 h" - the values follow in the same order as the names.
        values = list(_PERIOD_VALUE.finditer(text, combined.end()))[:2]
        first, second = (combined.group(1).casefold(), combined.group(2).casefold())
        for metric, value in zip((first, second), values, strict=False):
            if keep(value.start()):
                seconds = _number(value.group(1)) * _DURATION_UNITS[value.group(2).casefold()]
                found.append(
                    (metric, "", seconds, value.group(0), value.start(), value.end(), text)
                )
        return found
    for index, name in enumerate(names):
        metric = (
            name.group(1) or ("RPO" if name.group(2).casefold() == "point" else "RTO")
        ).casefold()
        limit = names[index + 1].start() if index + 1 < len(names) else len(text)
        zero = _ZERO_LOSS.match(text, name.start()) if metric == "rpo" else None
        if zero and zero.end() <= limit and keep(name.start()):
            found.append((metric, "", 0.0, zero.group(0), name.start(), zero.end(), text))
            continue
        value = _PERIOD_VALUE.search(text, name.end(), limit)
        if value and keep(value.start()):
            seconds = _number(value.group(1)) * _DURATION_UNITS[value.group(2).casefold()]
            found.append((metric, "", seconds, value.group(0), value.start(), value.end(), text))
    return found


def _retention(text: str, context: str, keep) -> list:
    if not _RETENTION_WORDS.search(text) and "retention" not in context.casefold():
        return []
    found = []
    previous_end = 0
    for value in _PERIOD_VALUE.finditer(text):
        unit = value.group(2).casefold()
        # Retention is stated in days and longer; "30 s" next to "stored" is a timeout.
        if _DURATION_UNITS[unit] < 3600.0:
            previous_end = value.end()
            continue
        if keep(value.start()):
            subject = text[previous_end : value.start()]
            if not _RETENTION_WORDS.search(subject) and "retention" not in context.casefold():
                previous_end = value.end()
                continue
            seconds = _number(value.group(1)) * _DURATION_UNITS[unit]
            found.append(
                ("retention", "", seconds, value.group(0), value.start(), value.end(), subject)
            )
        previous_end = value.end()
    return found


def _is_clause_wide(token: str) -> bool:
    return token in _CLAUSE_WIDE or token.startswith(("projection", "multiple:", "per-"))


def _content_words(text: str) -> set[str]:
    """What a retention statement is about when no known data kind is named."""
    return {
        "about:" + word.removesuffix("s")
        for word in _WORD.findall(text.casefold())
        if word not in _STOPWORDS and len(word) > 2 and not word.isdigit()
    }


def _number(text: str) -> float:
    return float(text.replace(",", ""))


def _same(a: float, b: float) -> bool:
    return abs(a - b) <= 1e-9 * max(1.0, abs(a), abs(b))


def _describe(target: Target) -> str:
    label = _METRIC_LABEL[target.metric]
    if target.metric == "latency":
        label = f"Latency target ({target.detail})"
    elif target.metric == "throughput":
        label = f"Throughput target ({target.detail}/s)"
    scope = [q for q in target.qualifiers if not q.startswith("multiple:")]
    return label + (f" [{', '.join(scope)}]" if scope else "")


def _where(target: Target) -> str:
    return f"'{target.section or 'the preamble'}' (line {target.line})"


def _contradiction(first: Target, later: Target) -> Contradiction:
    what = _describe(later)
    message = f"{what} is {later.text} in {_where(later)} but {first.text} in {_where(first)}."
    return Contradiction(
        rule=f"{RULE_PREFIX}-{later.metric}",
        metric=later.metric,
        line=later.line,
        column=later.column,
        start=later.start,
        end=later.end,
        section=later.section,
        match=later.text,
        sentence=later.sentence,
        other_line=first.line,
        other_column=first.column,
        other_section=first.section,
        other_match=first.text,
        other_sentence=first.sentence,
        message=message,
        question=f"Which is the target: {first.text} or {later.text}?",
        suggestion=f"Pick one value and use it in both places (lines {first.line} and {later.line}).",
        qualifiers=later.qualifiers,
    )
