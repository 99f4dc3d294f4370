"""Service description -> the facts a draft can take from it without a model.

Used to name the service in the title and by outline mode, which must only state what the
PM wrote and turn everything else into open questions.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

_SENTENCE_END = re.compile(r"(?<=[.!?])\s+(?=[A-Z0-9\"'(])")
_NAMED = re.compile(
    r"\b(?:called|named|codenamed|code-named)\s+[\"'“‘]?([A-Z][\w-]*(?:\s+[A-Z][\w-]*){0,3})",
)
_QUOTED = re.compile(r"[\"“‘']([A-Z][\w -]{1,38}?)[\"”’']")
_LEADING_NAME = re.compile(
    r"^\s*([A-Z][\w-]*(?:\s+[A-Z0-9][\w-]*){0,3})\s+(?:is|will|lets|helps|provides|allows|enables|"
    r"gives|offers|sends|stores|turns|tracks|collects|exposes|manages|,|:|—|-)\b"
)
_KIND_PHRASE = re.compile(
    r"\b(?:an?|the)\s+((?:[\w-]+\s+){0,3}?(?:service|platform|app|application|api|tool|system|"
    r"portal|dashboard|gateway|engine|bot|marketplace|pipeline))\b",
    re.IGNORECASE,
)
_NOT_NAMES = {"a", "an", "the", "we", "our", "this", "it", "users", "customers", "build", "i"}
_NUMBER = re.compile(r"\d")
_ACTORS = (
    "users",
    "customers",
    "merchants",
    "admins",
    "administrators",
    "operators",
    "developers",
    "engineers",
    "drivers",
    "riders",
    "patients",
    "clinicians",
    "doctors",
    "nurses",
    "students",
    "teachers",
    "sellers",
    "buyers",
    "shoppers",
    "partners",
    "support agents",
    "agents",
    "analysts",
    "employees",
    "managers",
    "finance teams",
    "product managers",
    "couriers",
    "restaurants",
    "tenants",
    "landlords",
    "members",
    "subscribers",
    "vendors",
    "suppliers",
    "auditors",
    "internal services",
    "mobile apps",
    "hosts",
    "guests",
    "players",
    "creators",
)
_ACTOR_RE = re.compile(r"\b(" + "|".join(re.escape(a) for a in _ACTORS) + r")\b", re.IGNORECASE)
_COMPLIANCE = re.compile(
    r"\b(GDPR|HIPAA|PCI[- ]DSS|PCI|SOC ?2|CCPA|ISO ?27001|FERPA|COPPA|SOX|FedRAMP|PSD2|WCAG(?: ?2\.\d)?)\b"
)
_CAPITALISED = re.compile(r"(?<![.!?]\s)(?<!^)\b([A-Z][a-zA-Z0-9]+(?:\s[A-Z][a-zA-Z0-9]+)?)\b")
_COMMON_CAPS = {
    "The",
    "A",
    "An",
    "We",
    "Our",
    "It",
    "This",
    "They",
    "Users",
    "Customers",
    "I",
    "MVP",
    "PM",
    "API",
    "APIs",
    "UI",
    "US",
    "EU",
    "UK",
    "Must",
    "Should",
    "May",
    "Today",
    "Currently",
    "Each",
    "When",
    "If",
    "For",
    "In",
    "On",
    "At",
    "By",
    "With",
    "To",
    "From",
    "And",
    "Or",
    "But",
    "No",
}


@dataclass(frozen=True)
class Facts:
    """What a description states outright."""

    service_name: str
    summary: str
    sentences: tuple[str, ...]
    numbers: tuple[str, ...]
    actors: tuple[str, ...]
    integrations: tuple[str, ...]
    compliance: tuple[str, ...]


def split_sentences(text: str) -> list[str]:
    """Splits prose into sentences; good enough for descriptions, not a linguistic tool."""
    flat = " ".join(text.split())
    return [s.strip() for s in _SENTENCE_END.split(flat) if s.strip()]


def service_name(description: str) -> str:
    """A short service name from a description, e.g. ``"ParcelPing is a ..."`` -> ``"ParcelPing"``."""
    text = description.strip()
    for pattern in (_NAMED, _LEADING_NAME, _QUOTED):
        match = pattern.search(text)
        if match and match.group(1).split()[0].casefold() not in _NOT_NAMES:
            return match.group(1).strip()[:40]
    match = _KIND_PHRASE.search(text)
    if match:
        words = [
            w for w in match.group(1).split() if w.casefold() not in {"new", "simple", "small"}
        ]
        name = " ".join(w if w.isupper() else w.capitalize() for w in words)
        return name.replace("Api", "API")[:40]
    return "New Service"


def _unique(items: list[str]) -> tuple[str, ...]:
    seen: dict[str, str] = {}
    for item in items:
        seen.setdefault(item.casefold(), item)
    return tuple(seen.values())


def extract_facts(description: str) -> Facts:
    """Extracts the service name, summary, numeric statements, actors and named systems."""
    sentences = split_sentences(description)
    name = service_name(description)
    actors = _unique([m.group(1).lower() for m in _ACTOR_RE.finditer(description)])
    compliance = _unique([m.group(1) for m in _COMPLIANCE.finditer(description)])
    skip = {w.casefold() for w in name.split()} | {c.casefold() for c in compliance}
    integrations: list[str] = []
    for sentence in sentences:
        for match in _CAPITALISED.finditer(sentence):
            word = match.group(1)
            if word.split()[0] in _COMMON_CAPS or word.casefold() in skip:
                continue
            if match.start() == 0:
                continue
            integrations.append(word)
    return Facts(
        service_name=name,
        summary=sentences[0] if sentences else "",
        sentences=tuple(sentences),
        numbers=tuple(s for s in sentences if _NUMBER.search(s)),
        actors=actors,
        integrations=_unique(integrations),
        compliance=compliance,
    )
