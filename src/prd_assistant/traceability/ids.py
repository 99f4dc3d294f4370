"""Requirement IDs in PRD text: ``FR-12``, ``UC7``, ``NFR-3``, ``FR-CUR-001``, and ranges of them.

IDs are upper-case prefixes (FR, NFR, UC, REQ, BR), optional upper-case groups (``FR-CUR-``)
and a number with optional sub-numbers and a letter (``FR-1.2``, ``UC-07a``). Two spellings of
one ID compare equal: ``UC-01``, ``UC1`` and ``UC-1`` all normalise to ``UC-1``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

PREFIXES = ("FR", "NFR", "UC", "REQ", "BR")
FUNCTIONAL = frozenset({"FR", "REQ", "BR"})
USE_CASE = "UC"

ID_PATTERN = (
    r"(?<![\w-])(?P<prefix>NFR|FR|UC|REQ|BR)(?P<groups>(?:[-_][A-Z][A-Z0-9]{1,7})*)[-_]?"
    r"(?P<number>\d{1,4}(?:\.\d{1,3})*)(?P<letter>[a-z]?)(?![\w])"
)
_ID = re.compile(ID_PATTERN)
# "UC-03…07", "FR-1..FR-5", "FR-CUR-001 – 005", "UC1 to UC4": every ID in between is meant.
_RANGE_TAIL = re.compile(
    r"[ \t]*(?:…|\.\.\.?|–|—|to|through|thru)[ \t]*(?:"
    + ID_PATTERN.replace("?P<", "?P<end_")
    + r"|(?P<bare>\d{1,4})(?!\w|\.\d))"
)
_MAX_RANGE = 200


@dataclass(frozen=True)
class IdMention:
    """One ID written in the text (a range stands for every ID in it).

    Attributes:
        key: The normalised ID, e.g. ``"FR-CUR-1"``.
        prefix: ``"FR"``, ``"NFR"``, ``"UC"``, ``"REQ"`` or ``"BR"``.
        start: Offset of the written text.
        end: Offset just past it (the whole range, for IDs from a range).
        text: The written text.
        in_range: It was written as part of a range ("UC-03…07").
    """

    key: str
    prefix: str
    start: int
    end: int
    text: str
    in_range: bool = False


def normalise(prefix: str, groups: str, number: str, letter: str = "") -> str:
    """``("UC", "", "07", "a")`` -> ``"UC-7a"``; leading zeros and separators do not matter."""
    parts = [prefix, *(g[1:] for g in re.findall(r"[-_][A-Z0-9]+", groups))]
    digits = ".".join(str(int(n)) for n in number.split("."))
    return "-".join(parts) + "-" + digits + letter


def find_ids(text: str, start: int = 0, end: int | None = None) -> list[IdMention]:
    """Every ID in ``text[start:end]``, ranges expanded, in order of position."""
    end = len(text) if end is None else end
    found: list[IdMention] = []
    position = start
    while True:
        m = _ID.search(text, position, end)
        if m is None:
            return found
        key = normalise(m["prefix"], m["groups"], m["number"], m["letter"])
        tail = _RANGE_TAIL.match(text, m.end(), end)
        expanded = _expand(m, tail) if tail else None
        if expanded:
            written = text[m.start() : tail.end()]  # type: ignore[union-attr]
            found.extend(
                IdMention(k, m["prefix"], m.start(), tail.end(), written, True)  # type: ignore[union-attr]
                for k in expanded
            )
            position = tail.end()  # type: ignore[union-attr]
        else:
            found.append(IdMention(key, m["prefix"], m.start(), m.end(), m.group()))
            position = m.end()


def _expand(first: re.Match[str], tail: re.Match[str]) -> list[str] | None:
    if first["letter"] or "." in first["number"]:
        return None
    if tail["bare"]:
        last = int(tail["bare"])
    elif (
        tail["end_prefix"] == first["prefix"]
        and tail["end_groups"] == first["groups"]
        and not tail["end_letter"]
        and "." not in tail["end_number"]
    ):
        last = int(tail["end_number"])
    else:
        return None
    begin = int(first["number"])
    if not 0 < last - begin <= _MAX_RANGE:
        return None
    return [normalise(first["prefix"], first["groups"], str(n)) for n in range(begin, last + 1)]
