"""Review flags the PM dismissed, exported with the draft so a reader sees they were weighed.

The app keeps the ids of dismissed findings beside the draft; exports carry each one with its
section, the flagged words and why it was flagged (Markdown and DOCX as a table, JSON as a
list), and a JSON import brings the dismissals back.
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass
from typing import Any

JSON_KEY = "dismissed_findings"
HEADING = "## Dismissed review flags"


@dataclass(frozen=True)
class Dismissal:
    """One dismissed review flag.

    Attributes:
        section: Title of the section it was in ("" for the title).
        flagged: The flagged words.
        rule: The review rule's id.
        reason: Why it was flagged (the rule's message).
        id: The finding's id, so an import can dismiss it again.
    """

    section: str
    flagged: str
    rule: str
    reason: str
    id: str = ""


def _cell(text: str) -> str:
    return " ".join(text.replace("|", "\\|").split()) or "—"


def to_markdown(dismissals: list[Dismissal]) -> str:
    """The dismissals as a Markdown table under their own heading ("" when there are none)."""
    if not dismissals:
        return ""
    lines = [
        HEADING,
        "",
        "Flagged by review and dismissed by the author:",
        "",
        "| Section | Flagged | Why it was flagged | Rule |",
        "| --- | --- | --- | --- |",
    ]
    rows: dict[tuple[str, str, str, str], int] = {}
    for d in dismissals:  # three blanks in one sentence are one row, as on the page
        row = (d.section, d.flagged, d.reason, d.rule)
        rows[row] = rows.get(row, 0) + 1
    for (section, flagged, reason, rule), count in rows.items():
        shown = f"{flagged} (×{count})" if count > 1 else flagged
        lines.append("| " + " | ".join(_cell(v) for v in (section, shown, reason, rule)) + " |")
    return "\n".join(lines) + "\n"


def to_json_value(dismissals: list[Dismissal]) -> list[dict[str, str]]:
    """The dismissals as JSON-ready dictionaries."""
    return [asdict(d) for d in dismissals]


def ids_in_json(data: dict[str, Any]) -> list[str]:
    """Finding ids dismissed in an exported draft's JSON object (none when it has no list)."""
    items = data.get(JSON_KEY)
    if not isinstance(items, list):
        return []
    return [str(i["id"]) for i in items if isinstance(i, dict) and i.get("id")]


def ids_in_text(text: str | bytes) -> list[str]:
    """Like :func:`ids_in_json`, from the file's text (none when it is not a JSON object)."""
    try:
        data = json.loads(text)
    except (json.JSONDecodeError, UnicodeDecodeError):
        return []
    return ids_in_json(data) if isinstance(data, dict) else []
