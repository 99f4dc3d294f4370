"""The words and patterns the consistency check reads targets with.

Kept apart from the logic so that adding a synonym or a unit is a one-line, reviewable change.
"""

from __future__ import annotations

import re

from prd_assistant.pattern_cache import compile_pattern

NUMBER = r"(\d{1,3}(?:,\d{3})+|\d+(?:\.\d+)?)"
SKIP_CLAUSE = re.compile(
    r"\?|\bopen question\b|\bnon-goals?\b|\bout of scope\b|\bnot (?:required|needed|a goal)\b|"
    r"\b(?:do|does) not need\b|\bno need\b|\be\.g\.|\bfor example\b|\bsuch as\b",
    re.IGNORECASE,
)
SKIP_SECTION = re.compile(r"^[\d.\s]*(?:open questions?|change control)\b", re.IGNORECASE)
TODAY_SECTION = re.compile(r"problem|background|current state|as-is|context", re.IGNORECASE)
SKIP_SUBSECTION = re.compile(r"\bnon-goals?\b|\bout of scope\b", re.IGNORECASE)

# Words that make two targets different targets. Each maps to the token that is compared.
# fmt: off
QUALIFIERS: dict[str, str] = {
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
    "business": "business-hours",
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
AVAILABILITY_WORDS = re.compile(r"\bavailab|\buptime\b|\bsla\b|\bslo\b|\bnines\b", re.IGNORECASE)
NOT_AVAILABILITY = re.compile(
    r"durab|\berror|\bsuccess|\bcoverage|\baccura|\bcpu\b|\bmemory\b|\butili[sz]|\bdisk\b|"
    r"\bhit rate|\bcache hit|\bdelivered\b|\bdelivery\b|\bpercentile\b|\bp\d{2}",
    re.IGNORECASE,
)
PERCENT = re.compile(r"(?<![\d.\-–])(\d{2}(?:\.\d+)?)\s*%(?!\s*(?:-|–|to)\s*\d)")
DELIMITER = re.compile(r",\s|;\s|\band\b|\bwith\b|\bwhile\b|\bbut\b|\(|\)|\|")
ASIDE = re.compile(r"\s*\([^()]*\)")
PAIR_BREAK = re.compile(r"[;,]\s|\band\b|\bwith\b|\bwhile\b")
OTHER_METRIC = re.compile(
    r"\blatency\b|\bp\d{2}\b|\bms\b|\bper\s+second\b|/s\b|\brps\b", re.IGNORECASE
)
NINES = re.compile(r"\b(two|three|four|five)\s+nines\b", re.IGNORECASE)
NINES_VALUE = {"two": 99.0, "three": 99.9, "four": 99.99, "five": 99.999}
PERCENTILE = re.compile(
    r"\bp(50|75|90|95|99|99\.9|999)\b|\b(50|75|90|95|99|99\.9)(?:th)?[ -]percentile\b|\bmedian\b|"
    r"\b(50|75|90|95|99|99\.9)\s*%\s+of\s+(?:requests|calls|queries|responses|reads|writes|operations)",
    re.IGNORECASE,
)
DURATION_UNITS = {
    "µs": 1e-6,
    "μs": 1e-6,  # Greek mu, which many writers type for the micro sign
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
LATENCY_VALUE = re.compile(
    rf"(?<![\w.]){NUMBER}\s*(µs|μs|us|ms|milliseconds?|s|secs?|seconds?|min|mins|minutes?)(?![\w/])",
    re.IGNORECASE,
)
PERIOD_VALUE = re.compile(
    rf"(?<![\w.]){NUMBER}[ -]*(seconds?|secs?|s|minutes?|mins?|m|hours?|hrs?|h|days?|d|weeks?|"
    r"months?|years?|yrs?)(?![\w/])",
    re.IGNORECASE,
)
THROUGHPUT = re.compile(
    rf"(?<![\w.]){NUMBER}\s*([kKmMbB]|thousand|million|billion)?\s*(?:"
    r"(rps|qps|tps|req/s|requests?|reqs?|queries|query|transactions?|events?|messages?|msgs?|"
    r"writes?|reads?|jobs?|orders?|uploads?|calls?|notifications?)\s*(?:/|per\s+)\s*"
    r"(s|sec|second|min|minute|h|hr|hour|day)\b"
    r"|(rps|qps|tps)\b)",
    re.IGNORECASE,
)
THROUGHPUT_NOUN = {
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
PER = {
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
SCALE = {"k": 1e3, "thousand": 1e3, "m": 1e6, "million": 1e6, "b": 1e9, "billion": 1e9}
# "Peak QPS: ~5k": the unit named before the number.
THROUGHPUT_LABEL = re.compile(
    rf"\b(rps|qps|tps)\b\s*(?:[:=]|of|is)?\s*[~≈]?\s*{NUMBER}\s*([kKmM]|thousand|million)?(?!\w)(?!\.\d)",
    re.IGNORECASE,
)
# Retention stated as a target ("retained for 90 days") or as a rule ("deleted after 30 days",
# "links expire after 15 minutes", "TTL of 24 h", "logs older than 14 days are purged").
RETENTION_WORDS = re.compile(
    r"\bretain|\bretention\b|\bkept\b|\bkeep\b|\bstored?\b|\bpurged?\b|\bdeleted?\b|\barchiv|"
    r"\bexpir|\bttl\b|\btime[ -]to[ -]live\b|\bvalid for\b|\blive for\b|\blifetime\b|\bolder than\b"
    r"|\bauto-?delet|\bremoved after\b|\berased? after\b",
    re.IGNORECASE,
)
RULE_VERB = re.compile(
    r"\b(?:are|is|be|get|gets|been)\s+(?:automatically\s+|permanently\s+|hard[- ])?"
    r"(?:deleted|purged|removed|erased)\b",
    re.IGNORECASE,
)
# Rules about expiry hold for minutes too; plain storage in minutes is a timeout, not retention.
EXPIRY_WORDS = re.compile(
    r"\bexpir|\bttl\b|\btime[ -]to[ -]live\b|\bvalid for\b|\blive for\b|\blifetime\b",
    re.IGNORECASE,
)
RECOVERY = re.compile(
    r"\b(RPO|RTO)\b|\brecovery (point|time) objective\b"
    # RPO and RTO in plain words: "data loss of at most 5 minutes", "restored within 4 hours".
    r"|\b(data loss|loss of data)\b"
    r"|\b(restored|recoverable|recovered|back online)\s+within\b",
    re.IGNORECASE,
)
# "A maximum of 5 minutes of data loss": the RPO's value comes first.
LOSS_AFTER_VALUE = re.compile(r"\s+of\s+(?:data\s+)?loss\b", re.IGNORECASE)
RPO_RTO = re.compile(r"\b(RPO|RTO)\s*(?:/|&|and)\s*(RPO|RTO)\b", re.IGNORECASE)
ZERO_LOSS = re.compile(
    r"\bRPO\b[^.;|]{0,20}?(?:\bzero\b|=\s*0\b|\bof\s+0\b|:\s*0\b)", re.IGNORECASE
)
# Limits: a size or a count behind a limit word ("up to 25 MB", "at most 50 members",
# "Maximum payload size is 10 MB", "limited to 5 projects per workspace").
SIZE_UNITS = {
    "bytes": 1.0, "kb": 1e3, "kib": 1024.0, "mb": 1e6, "mib": 1024.0**2,
    "gb": 1e9, "gib": 1024.0**3, "tb": 1e12, "tib": 1024.0**4,
}  # fmt: skip
LIMIT_NOUNS = (
    r"characters?|chars?|items?|files?|attachments?|members?|seats?|users?|projects?|workspaces?"
    r"|rows?|records?|pages?|tabs?|devices?|sessions?|tokens?|keys?|webhooks?|recipients?"
    r"|participants?|guests?|collaborators?|dashboards?|reports?|boards?|teams?|channels?|tags?"
    r"|fields?|columns?|images?|photos?|videos?|documents?|uploads?|retries|attempts?|invites?"
)
LIMIT = compile_pattern(
    r"\b(?:max(?:imum)?(?:\s+of)?|up\s+to|at\s+most|no\s+more\s+than|limited\s+to|capped\s+at"
    r"|cap\s+of|not\s+exceed(?:ing)?)\s*[~≈]?\s*"
    rf"{NUMBER}\s*(?:(kib|mib|gib|tib|kb|mb|gb|tb|bytes)|({LIMIT_NOUNS}))\b"
    # "Max file size: 50 MB", "Maximum payload size is 10 MB": the limit word comes first.
    r"|\bmax(?:imum)?\b[^.;:|\d]{1,40}?\b(?:size|length|count|number)\b(?:\s+of\s+\w+)?"
    rf"\s*(?:is|:|=|of)\s*[~≈]?\s*{NUMBER}\s*(kib|mib|gib|tib|kb|mb|gb|tb|bytes)?\b",
    re.IGNORECASE,
)
# Words of a limit statement that say nothing about what is limited.
LIMIT_WORDS = frozenset(
    "max maximum up to at most no more than limited capped cap not exceed exceeding must size "  # noqa: SIM905 - a word list reads better as text
    "length count number is of can be have has support supports allow allows accept accepts "
    "each single individual per a an the and or for in on with may will should shall".split()
)
CLAUSE_WIDE = frozenset(
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
LOAD_KINDS = frozenset({"peak", "burst", "sustained", "average"})
RETENTION_SUBJECTS = frozenset(
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
STOPWORDS = frozenset(
    "the a an and or of for to in on at by with from is are be been must should may will "  # noqa: SIM905 - a word list reads better as text
    "shall retain retained retains retention keep kept keeps store stored stores storing "
    "then after least most up until within than all any each every our their its this that "
    "these those data purge purged delete deleted archive archived expire expires expired "
    "ttl days day years year months month weeks week hours hour period default".split()
)
WORD = re.compile(r"[a-z][a-z0-9]*(?:-[a-z0-9]+)*")
METRIC_LABEL = {
    "limit": "Limit",
    "availability": "Availability target",
    "latency": "Latency target",
    "throughput": "Throughput target",
    "retention": "Retention period",
    "rpo": "RPO",
    "rto": "RTO",
}
