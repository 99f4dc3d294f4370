"""Traceability check: deterministic, like the consistency check (no model, no Streamlit).

Every use case (UC…) is served by at least one functional requirement (FR…, REQ…); every MUST
requirement has acceptance criteria; criteria are checkable (Given/When/Then, EARS or a
measurable statement); every referenced ID exists and no ID is defined twice::

    from prd_assistant.traceability import check_traceability
    for finding in check_traceability(markdown_text):
        print(finding.line, finding.rule, finding.message)

Findings are review :class:`~prd_assistant.review.Finding` objects of category
``traceability``, so they flow through text, JSON and SARIF output, baselines and
suppressions like every other rule.
"""

from prd_assistant.traceability.check import check_traceability
from prd_assistant.traceability.rules import RULES

__all__ = ["RULES", "check_traceability"]
