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


_MAX_OUTLINE_USE_CASES = 8


def _use_case_rows(facts: Facts) -> str:
    """One use case row per sentence of the description (``UC1``…), for Core Use Cases."""
    actor = facts.actors[0].capitalize() if facts.actors else "Primary user"
    scenarios = facts.sentences[:_MAX_OUTLINE_USE_CASES] or (
        "Open question: What is this actor's most frequent task?",
    )
    return "\n".join(
        f"| UC{i} | {actor} | {scenario.replace('|', '/')} | "
        "Open question: What does success look like? |"
        for i, scenario in enumerate(scenarios, 1)
    )


def _requirement_items(facts: Facts) -> str:
    """One requirement per use case row, each serving it, so the outline traces end to end."""
    capabilities = facts.sentences[:_MAX_OUTLINE_USE_CASES] or (
        "Open question: Which capability delivers UC1?",
    )
    return "\n".join(
        f"- **FR-{i}** (serves UC{i}): {capability}\n"
        "  - Acceptance criteria:\n"
        f"    - Open question: Which observable result shows that FR-{i} works?"
        for i, capability in enumerate(capabilities, 1)
    )


def _guidance_note(guidance: str) -> str:
    """The template's guidance after the section's question, keeping its shape.

    One line of prose follows on the same line; a table, list or several paragraphs follow as
    their own block, so a table stays a table. No guidance adds nothing.
    """
    text = guidance.strip()
    if not text:
        return ""
    if "\n" not in text and not text.startswith(("|", "-", "*", "+")):
        return " Template guidance: " + text
    return "\n\nTemplate guidance:\n\n" + text


def outline_values(spec: SectionSpec, facts: Facts) -> dict[str, str]:
    """The values an outline skeleton can use, each already phrased for the page."""
    return _KeepUnknown(
        service_name=facts.service_name,
        title=spec.title,
        guidance=spec.guidance.strip(),
        guidance_note=_guidance_note(spec.guidance),
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
        capabilities=_bullets(
            facts.sentences, "Open question: Which capabilities must the first release have?"
        ),
        use_case_rows=_use_case_rows(facts),
        requirement_items=_requirement_items(facts),
        compliance_inline=(
            ", ".join(facts.compliance) + " (named in the description)"
            if facts.compliance
            else "Open question: which regimes apply?"
        ),
    )


def outline_section(spec: SectionSpec, prompt: SectionPrompt, facts: Facts) -> str:
    """Returns the outline body for one section."""
    skeleton = prompt.outline or "Open question: What should this section say?{guidance_note}"
    try:
        return skeleton.format_map(outline_values(spec, facts)).strip()
    except (ValueError, IndexError):
        # A hand-edited skeleton with a stray brace: show it as written rather than fail.
        return skeleton.strip()
