"""Outline mode: a deterministic section drafter for when no model is configured.

It fills each section prompt's ``outline`` skeleton with what the description states (names,
numbers, actors, named systems) and turns everything else into ``Open question:`` items. It is
the zero-setup path of the product, so its output must be useful on its own, never invented.
"""

from __future__ import annotations

from prd_assistant.facts import Facts
from prd_assistant.prompts import SectionPrompt
from prd_assistant.template import SectionSpec


class _KeepUnknown(dict):
    """Leaves unknown ``{placeholders}`` as they are, so an edited prompt file cannot crash outline mode."""

    def __missing__(self, key: str) -> str:
        return "{" + key + "}"


def _bullets(items: tuple[str, ...] | list[str], empty: str) -> str:
    return "\n".join(f"- {item}" for item in items) if items else f"- {empty}"


def outline_values(spec: SectionSpec, facts: Facts) -> dict[str, str]:
    """The values an outline skeleton can use, each already phrased for the page."""
    return _KeepUnknown(
        service_name=facts.service_name,
        title=spec.title,
        guidance=" ".join(spec.guidance.split()) or "(none)",
        summary=facts.summary
        or f"Open question: What does {facts.service_name} do, for whom, in one sentence?",
        sentences=_bullets(
            facts.sentences, "Open question: Which problem does this service solve?"
        ),
        numbers=_bullets(
            facts.numbers,
            "Open question: Which numbers are already known (users, requests/s, data volume, targets)?",
        ),
        actors=_bullets(facts.actors, "Open question: Who are the primary users?"),
        first_actor=facts.actors[0].capitalize() if facts.actors else "Primary user",
        integrations=_bullets(
            [
                f"{name}: Open question: What does the service need from {name}?"
                for name in facts.integrations
            ],
            "Open question: Which systems and services does it depend on?",
        ),
        compliance=_bullets(
            facts.compliance, "Open question: Which compliance regimes (e.g. GDPR, SOC 2) apply?"
        ),
        compliance_inline=(
            ", ".join(facts.compliance) + " (named in the description)"
            if facts.compliance
            else "Open question: which regimes apply?"
        ),
    )


def outline_section(spec: SectionSpec, prompt: SectionPrompt, facts: Facts) -> str:
    """Returns the outline body for one section."""
    skeleton = prompt.outline or "Open question: What should this section say? Guidance: {guidance}"
    try:
        return skeleton.format_map(outline_values(spec, facts)).strip()
    except (ValueError, IndexError):
        # A hand-edited skeleton with a stray brace: show it as written rather than fail.
        return skeleton.strip()
