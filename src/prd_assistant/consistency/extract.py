"""Document text -> the targets it states (metric, qualifiers, normalised value, location)."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import NamedTuple

from prd_assistant.consistency import vocabulary as vocab
from prd_assistant.consistency.markdown import Segment, segments, split_sections
from prd_assistant.markdown_doc import MarkdownDoc, parse_markdown


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


class Hit(NamedTuple):
    """A value one extractor found in a segment, before qualifiers are worked out."""

    metric: str
    detail: str
    value: float
    written: str
    start: int  # offsets into the segment text
    end: int
    about: str  # the words around it that say what it measures


Keep = Callable[[int], bool]  # is a value at this segment offset one to report?


def extract_targets(markdown_text: str, doc: MarkdownDoc | None = None) -> list[Target]:
    """Every target the consistency check understands, in document order.

    Args:
        markdown_text: The PRD as Markdown.
        doc: Its parsed model, when the caller already has it.
    """
    doc = doc if doc is not None else parse_markdown(markdown_text)
    targets: list[Target] = []
    for section in split_sections(markdown_text, doc):
        if vocab.SKIP_SECTION.search(section.title):
            continue
        for number, line, segment in segments(doc, section):
            # The problem statement (or a Background heading at any level) describes today.
            if vocab.TODAY_SECTION.search(f"{section.title} {segment.context}"):
                segment.context = f"{segment.context} currently"
            for hit, quals in _extract(segment):
                offset = segment.offset + (hit.start - segment.value_from)
                _line, column = doc.position(offset)
                targets.append(
                    Target(
                        hit.metric,
                        quals,
                        hit.value,
                        hit.written,
                        hit.detail,
                        section.title,
                        number,
                        column,
                        offset,
                        offset + (hit.end - hit.start),
                        line.strip(),
                    )
                )
    return targets


def _extract(segment: Segment) -> list[tuple[Hit, tuple[str, ...]]]:
    """Each target in a segment with its qualifiers."""
    text = segment.text
    context = f"{text} {segment.context}"

    def keep(start: int) -> bool:
        return start >= segment.value_from

    results: list[Hit] = []
    results += _availability(text, context, keep)
    results += _latency(text, keep)
    results += _throughput(text, keep)
    results += _recovery(text, keep)
    if all(hit.metric not in {"rpo", "rto"} for hit in results):
        results += _retention(text, context, keep)
    results += _limits(text, keep)
    out: list[tuple[Hit, tuple[str, ...]]] = []
    lead_in = min((hit.start for hit in results), default=0)
    for hit in results:
        metric, qual_text = hit.metric, hit.about
        if metric == "retention":
            # "Events are deleted after 30 days" states the rule; "deleted accounts are purged
            # after 30 days" names deleted data.
            qual_text = vocab.RULE_VERB.sub(" ", qual_text)
        quals = _qualifiers(f"{qual_text} {segment.context}")
        # Phase and scope words that lead a clause ("Currently ...", "In year 2 ...", "Load
        # tests ...", "One instance ...") hold for every number in it.
        clause_wide = {q for q in _qualifiers(text[:lead_in]) if _is_clause_wide(q)}
        quals = tuple(sorted(set(quals) | clause_wide))
        if metric == "throughput":
            # "Events: 2M events/day": the counted noun is the detail already.
            quals = tuple(q for q in quals if q != hit.detail)
        if metric in {"latency", "availability"}:
            # "p95 <= 300 ms at peak" is the same latency target as "p95 <= 300 ms".
            quals = tuple(q for q in quals if q not in vocab.LOAD_KINDS)
        if metric in {"rpo", "rto"}:
            # "A maximum of 5 minutes of data loss ... in the event of failure" is the plain RPO.
            quals = tuple(
                q for q in quals if q not in {"disaster", "events"} and q not in vocab.LOAD_KINDS
            )
        if metric == "retention" and not set(quals) & vocab.RETENTION_SUBJECTS:
            quals = tuple(sorted({*quals, *_content_words(qual_text)}))
        if metric == "limit":
            # What is limited is named in free words ("payload", "workspace"): all of them count.
            quals = tuple(
                sorted(
                    {*quals, *_content_words(qual_text, vocab.LIMIT_WORDS)}
                    - vocab.LOAD_KINDS
                    - {f"about:{hit.detail}"}
                )
            )
        out.append((hit, quals))
    return out


def _qualifiers(text: str) -> tuple[str, ...]:
    tokens = set()
    lowered = (
        text.casefold().replace("control plane", "control").replace("data plane", "data-plane")
    )
    for word in vocab.WORD.findall(lowered):
        for part in {word, *word.split("-")}:
            if part in vocab.QUALIFIERS:
                tokens.add(vocab.QUALIFIERS[part])
    for match in re.finditer(
        r"\b(?:year|yr|phase|q)\s*(\d)\b|\b(20\d\d)\b|\bin\s+(\d+)\s+months\b", lowered
    ):
        tokens.add("projection:" + "".join(g for g in match.groups() if g))
    for match in re.finditer(r"\b(\d+(?:\.\d+)?)\s*[x×]\b", lowered):
        tokens.add(f"multiple:{match.group(1)}")
    return tuple(sorted(tokens))


def _is_clause_wide(token: str) -> bool:
    return token in vocab.CLAUSE_WIDE or token.startswith(("projection", "multiple:", "per-"))


def _availability(text: str, context: str, keep: Keep) -> list[Hit]:
    found: list[Hit] = []
    hits = [
        (m.start(), m.end(), float(m.group(1)), m.group(0)) for m in vocab.PERCENT.finditer(text)
    ]
    hits += [
        (m.start(), m.end(), vocab.NINES_VALUE[m.group(1).casefold()], m.group(0))
        for m in vocab.NINES.finditer(text)
    ]
    for start, end, value, written in sorted(hits):
        if not (90.0 <= value < 100.0) or not keep(start):
            continue
        part = _part(text, start, end)
        if vocab.NOT_AVAILABILITY.search(part):
            continue
        # A bare "99.9%" counts when its table row, column or ### heading names availability.
        if vocab.AVAILABILITY_WORDS.search(part) or (
            vocab.AVAILABILITY_WORDS.search(context) and not vocab.OTHER_METRIC.search(part)
        ):
            found.append(Hit("availability", "", value, written, start, end, part))
    return found


def _part(text: str, start: int, end: int) -> str:
    """The comma/"and"-delimited piece of ``text`` around ``start:end``."""
    left = max((m.end() for m in vocab.DELIMITER.finditer(text, 0, start)), default=0)
    right = next((m.start() for m in vocab.DELIMITER.finditer(text, end)), len(text))
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
    begin = max(
        (m.end() for m in vocab.DELIMITER.finditer(text, begin, spans[index][0])), default=begin
    )
    end = spans[index][1]
    stop = spans[index + 1][0] if index + 1 < len(spans) else len(text)
    # A parenthesis right after the target qualifies it: "120 jobs/min (year 2)".
    aside = vocab.ASIDE.match(text, end, stop)
    after = aside.end() if aside else end
    delimiter = next((m.start() for m in vocab.DELIMITER.finditer(text, after, stop)), stop)
    return f"{prefix} {text[begin:delimiter]}"


def _percentile_name(match: re.Match[str]) -> str:
    if match.group(0).casefold() == "median":
        return "p50"
    number = next(g for g in match.groups() if g)
    return "p" + {"999": "99.9"}.get(number, number)


def _latency(text: str, keep: Keep) -> list[Hit]:
    percentiles = list(vocab.PERCENTILE.finditer(text))
    if not percentiles:
        return []
    values = [
        v for v in vocab.LATENCY_VALUE.finditer(text) if not vocab.PERCENTILE.match(text, v.start())
    ]
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
            if pct.end() <= v.start() < limit
            and not vocab.PAIR_BREAK.search(text, pct.end(), v.start())
        ]
        before = [
            v
            for v in free
            if floor <= v.start() < pct.start()
            and not vocab.PAIR_BREAK.search(text, v.end(), pct.start())
        ]
        chosen = after[0] if after else (before[-1] if before else None)
        if chosen is not None:
            claimed.add(chosen.start())
            pairs.append((pct, chosen))
    spans = [(min(p.start(), v.start()), max(p.end(), v.end())) for p, v in pairs]
    found: list[Hit] = []
    previous = ""
    for index, (pct, value) in enumerate(pairs):
        # "at 1,500 queries/s" is the load a latency holds under, not what it measures.
        local = vocab.THROUGHPUT.sub(" ", vocab.PERCENTILE.sub(" ", _local(text, spans, index)))
        local = vocab.LATENCY_VALUE.sub(" ", local)
        if index and not set(_qualifiers(local)) - vocab.LOAD_KINDS:
            # "p95 read latency <= 50 ms and p99 <= 120 ms": the p99 is about reads too.
            local = f"{previous} {local}"
        previous = local
        if not keep(value.start()):
            continue
        seconds = _number(value.group(1)) * vocab.DURATION_UNITS[value.group(2).casefold()]
        found.append(
            Hit(
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


def _throughput(text: str, keep: Keep) -> list[Hit]:
    matches = list(vocab.THROUGHPUT.finditer(text))
    spans = [(m.start(), m.end()) for m in matches]
    found: list[Hit] = []
    for index, match in enumerate(matches):
        if not keep(match.start()):
            continue
        number, scale, noun, per, short = match.groups()
        value = _number(number) * vocab.SCALE.get((scale or "").casefold(), 1.0)
        noun = (noun or short).casefold()
        value /= vocab.PER.get((per or "s").casefold(), 1.0)
        kind = vocab.THROUGHPUT_NOUN.get(noun, noun.rstrip("s") + "s")
        local = _local(text, spans, index).replace(match.group(0), " ")
        found.append(
            Hit(
                "throughput", kind, value, match.group(0).strip(), match.start(), match.end(), local
            )
        )
    taken = [(h.start, h.end) for h in found]
    for match in vocab.THROUGHPUT_LABEL.finditer(text):
        start, end = match.start(2), match.end()
        if not keep(start) or any(a < end and start < b for a, b in taken):
            continue
        short, number, scale = match.groups()
        value = _number(number) * vocab.SCALE.get((scale or "").casefold(), 1.0)
        kind = vocab.THROUGHPUT_NOUN[short.casefold()]
        found.append(Hit("throughput", kind, value, text[start:end], start, end, text[:start]))
    return found


def _recovery(text: str, keep: Keep) -> list[Hit]:
    found: list[Hit] = []
    names = list(vocab.RECOVERY.finditer(text))
    combined = vocab.RPO_RTO.search(text)
    if combined:
        # "RPO/RTO: 5 min / 1 h" - the values follow in the same order as the names.
        values = list(vocab.PERIOD_VALUE.finditer(text, combined.end()))[:2]
        first, second = (combined.group(1).casefold(), combined.group(2).casefold())
        for metric, value in zip((first, second), values, strict=False):
            if keep(value.start()):
                seconds = _number(value.group(1)) * vocab.DURATION_UNITS[value.group(2).casefold()]
                found.append(
                    Hit(metric, "", seconds, value.group(0), value.start(), value.end(), text)
                )
        return found
    for index, name in enumerate(names):
        metric = _recovery_metric(name)
        limit = names[index + 1].start() if index + 1 < len(names) else len(text)
        if not name.group(1) and not name.group(2):
            # Plain words ("data loss", "restored within") name a target only right before it.
            limit = min(limit, name.end() + 40)
        zero = vocab.ZERO_LOSS.match(text, name.start()) if metric == "rpo" else None
        if zero and zero.end() <= limit and keep(name.start()):
            found.append(Hit(metric, "", 0.0, zero.group(0), name.start(), zero.end(), text))
            continue
        value = vocab.PERIOD_VALUE.search(text, name.end(), limit)
        if value and keep(value.start()):
            seconds = _number(value.group(1)) * vocab.DURATION_UNITS[value.group(2).casefold()]
            found.append(Hit(metric, "", seconds, value.group(0), value.start(), value.end(), text))
    taken = {hit.start for hit in found}
    found += [hit for hit in _loss_first(text, keep) if hit.start not in taken]
    return found


def _recovery_metric(name: re.Match[str]) -> str:
    if name.group(1):
        return name.group(1).casefold()
    if name.group(2):
        return "rpo" if name.group(2).casefold() == "point" else "rto"
    return "rpo" if name.group(3) else "rto"


def _loss_first(text: str, keep: Keep) -> list[Hit]:
    """RPOs written value first: "a maximum of 5 minutes of data loss"."""
    found = []
    for value in vocab.PERIOD_VALUE.finditer(text):
        if vocab.LOSS_AFTER_VALUE.match(text, value.end()) and keep(value.start()):
            seconds = _number(value.group(1)) * vocab.DURATION_UNITS[value.group(2).casefold()]
            found.append(Hit("rpo", "", seconds, value.group(0), value.start(), value.end(), text))
    return found


def _limits(text: str, keep: Keep) -> list[Hit]:
    """Sizes and counts behind a limit word; ``detail`` is "size" or the counted noun."""
    found = []
    for match in vocab.LIMIT.finditer(text):
        number = match.group(1) or match.group(4)
        unit = (match.group(2) or match.group(5) or "").casefold()
        noun = (match.group(3) or "").casefold()
        start = match.start(1) if match.group(1) else match.start(4)
        if not keep(start):
            continue
        if unit:
            detail, value = "size", _number(number) * vocab.SIZE_UNITS[unit]
        elif noun:
            detail, value = (
                noun.removesuffix("s") if noun != "retries" else "retry",
                _number(number),
            )
        else:
            continue  # "maximum number of seats is 50" without a unit: what is counted is unclear
        about = _part(text, match.start(), match.end()).replace(match.group(0), " ")
        lead = text[: match.start()]
        label = lead[: lead.rfind(":")] if ":" in lead else ""
        found.append(
            Hit(
                "limit",
                detail,
                value,
                text[start : match.end()],
                start,
                match.end(),
                f"{label} {about} {match.group(0)}",
            )
        )
    return found


def _retention(text: str, context: str, keep: Keep) -> list[Hit]:
    in_context = "retention" in context.casefold()
    if not vocab.RETENTION_WORDS.search(text) and not in_context:
        return []
    found: list[Hit] = []
    previous_end = 0
    values = list(vocab.PERIOD_VALUE.finditer(text))
    for index, value in enumerate(values):
        subject = text[previous_end : value.start()]
        # The rule may follow the value: "logs older than 14 days are deleted".
        stop = values[index + 1].start() if index + 1 < len(values) else len(text)
        after = text[value.end() : stop]
        # The words after the value describe the subject only when they state the rule.
        if vocab.RETENTION_WORDS.search(subject) or in_context:
            about = subject
        else:
            about = f"{subject} {after}"
        previous_end = value.end()
        unit = value.group(2).casefold()
        # Retention is stated in days and longer ("30 s" next to "stored" is a timeout);
        # expiry rules ("links expire after 15 minutes", TTL) are often shorter.
        if vocab.DURATION_UNITS[unit] < 3600.0 and not vocab.EXPIRY_WORDS.search(about):
            continue
        if not keep(value.start()):
            continue
        if not vocab.RETENTION_WORDS.search(about) and not in_context:
            continue
        seconds = _number(value.group(1)) * vocab.DURATION_UNITS[unit]
        found.append(
            Hit("retention", "", seconds, value.group(0), value.start(), value.end(), about)
        )
    return found


def _content_words(text: str, also_skip: frozenset[str] = frozenset()) -> set[str]:
    """What a retention or limit statement is about when no known data kind is named."""
    return {
        "about:" + word.removesuffix("s")
        for word in vocab.WORD.findall(text.casefold())
        if word not in vocab.STOPWORDS
        and word not in also_skip
        and len(word) > 2
        and not word.isdigit()
        and word not in vocab.DURATION_UNITS
        and word not in vocab.SIZE_UNITS
    }


def _number(text: str) -> float:
    return float(text.replace(",", ""))
