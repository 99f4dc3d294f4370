"""Every rule id ``prd review`` can report, with what it means and a short docs page each.

Ids are stable: baselines, suppressions and code-scanning alerts refer to them. The texts are
the rules' own (message, question, suggestion), so the docs cannot drift from the findings.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

from prd_assistant.gate.suppress import UNUSED_SUPPRESSION
from prd_assistant.review.findings import SUPPRESSION


@dataclass(frozen=True)
class RuleInfo:
    """What ``prd rules`` shows for one rule id.

    Attributes:
        id: The stable rule id.
        category: The finding category (``open_question``, ``traceability`` ...).
        severity: Default severity: ``error``, ``warning`` or ``info``.
        message: Why a finding is reported (``{match}`` stands for the flagged text).
        question: What the PM must decide.
        suggestion: A rewrite or fix to start from.
        source: Which check reports it: ``review``, ``consistency``, ``traceability``, ``gate``.
    """

    id: str
    category: str
    severity: str
    message: str
    question: str
    suggestion: str
    source: str


def _generic(text: str) -> str:
    return text.replace("'{match}'", "This wording").replace("{match}", "this value")


@lru_cache(maxsize=1)
def all_rules() -> tuple[RuleInfo, ...]:
    """Every rule, sorted by source then id (ids are unique across sources)."""
    from prd_assistant.consistency.vocabulary import METRIC_LABEL
    from prd_assistant.review import rules_open, rules_vague

    rules = [
        RuleInfo(r.id, r.category, r.severity, r.message, r.question, r.suggestion, "review")
        for r in (*rules_open.RULES, *rules_vague.RULES, rules_vague.SUBJECTIVE_QUALITY)
    ]
    metric = rules_vague.METRIC_WITHOUT_TARGET
    rules.append(
        RuleInfo(
            "metric-without-target",
            "unquantified_claim",
            "warning",
            metric["message"],
            metric["question"],
            metric["suggestion"],
            "review",
        )
    )
    structural = {
        "open-question-line": ("warning", rules_open.OPEN_QUESTION_LINE),
        "question-in-body": ("warning", rules_open.QUESTION_IN_BODY),
        "template-guidance": ("error", rules_open.TEMPLATE_GUIDANCE),
        "empty-bullet": ("error", rules_open.EMPTY_BULLET),
        "empty-table-row": ("error", rules_open.EMPTY_TABLE_ROW),
        "pending-sign-off": ("warning", rules_open.PENDING_SIGN_OFF),
    }
    for rule_id, (severity, texts) in structural.items():
        question = texts["question"]
        rules.append(
            RuleInfo(
                rule_id,
                "open_question",
                severity,
                texts["message"],
                "The question as written." if question == "{match}" else question,
                texts["suggestion"],
                "review",
            )
        )
    for metric, label in METRIC_LABEL.items():
        rules.append(
            RuleInfo(
                f"consistency-{metric}",
                "contradiction",
                "warning",
                f"{label} is stated with two different values in the document.",
                "Which value is the target?",
                "Pick one value and use it everywhere it is stated.",
                "consistency",
            )
        )
    rules.append(
        RuleInfo(
            UNUSED_SUPPRESSION,
            SUPPRESSION,
            "warning",
            "A prd-review suppression comment hides no finding, names an unknown rule, or "
            "cannot be read.",
            "Is this suppression still needed?",
            "Delete the comment, or fix the rule id (see `prd rules`).",
            "gate",
        )
    )
    rules.extend(_traceability_rules())
    order = {"review": 0, "consistency": 1, "traceability": 2, "gate": 3}
    return tuple(sorted(rules, key=lambda r: (order[r.source], r.id)))


def _traceability_rules() -> list[RuleInfo]:
    try:
        from prd_assistant.traceability.rules import RULES
    except ImportError:
        return []
    return [
        RuleInfo(
            r.id,
            r.category,
            r.severity,
            *(
                text.replace("{id}", "<ID>").replace("{line}", "N")
                for text in (r.message, r.question, r.suggestion)
            ),
            "traceability",
        )
        for r in RULES
    ]


def find(rule_id: str) -> RuleInfo | None:
    """The rule with ``rule_id`` (case-insensitive), or ``None``."""
    wanted = rule_id.strip().lower()
    return next((r for r in all_rules() if r.id == wanted), None)


def is_known(rule_id: str) -> bool:
    """True when ``rule_id`` names a rule."""
    return find(rule_id) is not None


def docs_page(rule: RuleInfo) -> str:
    """A short Markdown page for ``rule``: what it flags, what to decide, how to fix or silence."""
    category = rule.category.replace("_", " ")
    return "\n".join(
        [
            f"# `{rule.id}`",
            "",
            f"*{category} · default severity {rule.severity} · reported by the {rule.source} "
            "check of `prd review`*",
            "",
            _generic(rule.message),
            "",
            f"**Question to answer:** {_generic(rule.question)}",
            "",
            f"**Fix:** {_generic(rule.suggestion)}",
            "",
            "**Silence it** only when the text is right as it is: put "
            f"`<!-- prd-review: disable={rule.id} -->` on the line above the block, or "
            f"`<!-- prd-review: disable-file={rule.id} -->` anywhere in the file. To accept "
            "every current finding and fail only on new ones, use "
            "`prd review --write-baseline .prd-review-baseline.json` once and "
            "`prd review --baseline .prd-review-baseline.json` in CI.",
            "",
        ]
    )


def index_page() -> str:
    """A Markdown index of every rule, linking to ``<id>.md``."""
    lines = [
        "# prd review rules",
        "",
        "| id | category | severity | what it flags |",
        "|---|---|---|---|",
    ]
    for rule in all_rules():
        summary = _generic(rule.message).replace("|", "\\|")
        lines.append(
            f"| [`{rule.id}`]({rule.id}.md) | {rule.category.replace('_', ' ')} "
            f"| {rule.severity} | {summary} |"
        )
    return "\n".join(lines) + "\n"
