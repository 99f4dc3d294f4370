"""Labels of repeated buttons that say what they act on, for screen readers.

Nineteen "Edit" buttons sound the same to a screen reader. A repeated button's label ends with
its target ("Overview", "'fast' in Overview") in a span the page style hides from sight but not
from assistive technology: the button still looks like "Edit" and is announced as
"Edit Overview".
"""

from __future__ import annotations

import re

_MARKDOWN = re.compile(r"([\\`*_\[\]{}<>#|~:!])")

# Streamlit renders ``:gray[...]`` in a label as a span of class ``stMarkdownColoredText``;
# inside a button it is the target, kept in the accessible name and clipped out of sight.
STYLE = """
<style>
button .stMarkdownColoredText {
  position: absolute !important; width: 1px; height: 1px; margin: -1px; padding: 0;
  overflow: hidden; clip-path: inset(50%); white-space: nowrap; border: 0;
}
</style>
"""


def named(action: str, target: str) -> str:
    """``action`` as shown, with ``target`` added for screen readers ("Edit" + "Overview")."""
    text = " ".join(_MARKDOWN.sub(r"\\\1", target).split())
    return f"{action} :gray[{text}]" if text else action


def finding_target(match: str, section: str) -> str:
    """What a finding's buttons act on: the flagged words and their section."""
    words = " ".join(match.split())
    short = words if len(words) <= 40 else words[:39] + "…"
    return f"'{short}' in {section}" if section else f"'{short}'"
