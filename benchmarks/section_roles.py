"""Does where a line sits predict an unquantified false flag on unseen text? Section roles.

Run: ``.venv/bin/python benchmarks/section_roles.py [--cache FILE] [--replay] [-v]`` (batches
1-5 only) and, once, ``--batch6`` for the pre-registered test below.

``rule_precision.py`` replays each dev batch against the engine that first saw it. Here those
first-pass findings are split by the *role* of the section a flagged line sits in, read by
:func:`line_roles` from two kinds of cue, neither tuned to a document's exact titles:

* the heading path (innermost heading with a role wins; the document's own title is left out):
  headings that describe the world (background, problem, motivation, overview, introduction,
  abstract, current state, history, personas, competitors, alternatives, prior art,
  drawbacks, potential issues, FAQ, narrative scenarios, appendix, resources ...) against
  headings that state what is built (requirements, goals, success, metrics, scope, design,
  solution, proposal, specification, features, acceptance criteria, user stories, edge cases,
  definition of done, quality attributes such as performance or security ...);
* for a section whose headings say neither, its own prose: sentences that narrate the world
  (time words such as "today", "currently", "historically"; past tense; "there is no"; a
  person or team as the subject of a present-tense story) against sentences that commit
  (must / shall / should / will, "we will", requirement ids such as FR-001).

and by the kind of block the line is (paragraph, list item, table cell, blockquote).

Pre-registered policy and adoption rule (committed before the policy was ever applied to
batch 6; batch 6's lines and first-pass figures were not looked at before that commit):

    Policy "context gate": an unquantified finding whose line sits in a section of role
    ``context`` (by the heading path, or by the prose when the headings say neither) is not
    shown (demoted to info / not a claim). Open-question findings are untouched.

    Test: applied post hoc to batch 6's first-pass findings (engine 423c2ae, the twelve
    documents of the fifth held-out set), the policy is adopted when, against the same
    findings without it: unquantified precision rises; unquantified F1 does not fall; the
    open-question precision, recall and F1 do not fall; and false flags per 1,000 clean words
    fall. One run; the result is written down whatever it is. Only a policy that passes is
    built into the engine.

Result (docs/section_roles.md): on batch 6, unquantified precision rose (0.750 -> 0.768) and
false flags fell (4.25 -> 3.63 per 1,000 clean words), but F1 fell (0.608 -> 0.535): the rule
failed and the gate was not built into the engine.

The last line printed is the figures as one JSON object.
"""

from __future__ import annotations

import argparse
import json
import re
import sys
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import review_real as rr
import rule_precision as rp

from prd_assistant.markdown_doc import MarkdownDoc, Section, parse_markdown
from prd_assistant.review.claims import is_context_title
from prd_assistant.template import normalize_title

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_CACHE = ROOT / "out" / "section_roles_firstpass.json"
DESIGN_BATCHES = ("1", "2", "3", "4", "5")
TEST_BATCH = "6"
CLAIM = "unquantified_claim"

CONTEXT, PRODUCT, NEUTRAL = "context", "product", "neutral"

# Headings over text that describes the world, the document or the past, not what is built.
CONTEXT_HEADING = re.compile(
    r"\b(?:background|context|motivation|motivations|problems?|pain points?|overview"
    r"|introduction|intro|abstract|preamble|purpose"
    r"|current (?:state|situation|experience|process|behaviou?r|status)|status quo|as is"
    r"|today|history|historical|existing|legacy|personas?|target (?:users?|audiences?)"
    r"|competit\w*|market\w*|landscape|alternatives?|prior art|related work|drawbacks?"
    r"|downsides?|potential issues?|concerns?|caveats?|limitations?|trade ?offs?"
    r"|faqs?|q a|questions? and answers?|hard questions?|questions? prep"
    r"|scenarios?|stories? \d+|story \w+|examples?|walkthrough"
    r"|appendix|appendices|resources|references?|links|glossary|terminology|definitions"
    r"|acknowledg\w*|research|findings|insights?|evidence|discovery|learnings?"
    r"|rationale|why|reasons?|justification|discussion|notes?|assumptions?|dependencies"
    r"|future\w*|later|next steps|out of scope|non goals?|unresolved|considerations?)\b"
)
# Headings over what is built: requirements and the qualities they promise.
PRODUCT_HEADING = re.compile(
    r"\b(?:product|requirements?|reqs?|goals?|objectives?|success|metrics?|kpis?|okrs?|scope"
    r"|must (?:ship|have)|design|solution|proposal|proposed|specification|spec|features?"
    r"|functional|functionality|capabilities|behaviou?r|acceptance|criteria|user stories"
    r"|edge cases?|definition of done|deliverables?|milestones?|release|mvp|v\d+"
    r"|api|interface|ui|ux|implementation|architecture|principles|policy|rules?"
    r"|mitigations?|plan|roadmap|tasks?"
    r"|performance|reliability|availability|scalability|security|privacy|usability"
    r"|accessibility|maintainability|portability|quality|constraints?|nfrs?|frs?)\b"
)
# Sentences that narrate the world: when, what was, what is missing, who does what today.
_NARRATION = re.compile(
    r"\b(?:today|currently|at the moment|at present|historically|in the past|previously"
    r"|nowadays|so far|until now|to date|existing|current(?:ly)?|legacy|there (?:is|are) no"
    r"|(?:was|were|had|did|used to|have been|has been|became|began|started))\b",
    re.IGNORECASE,
)
_PEOPLE_STORY = re.compile(
    r"\b(?:users?|customers?|developers?|people|teams?|companies|they|[A-Z][a-z]+)"
    r" (?:often |usually |typically |currently |still |also |now )?"
    r"(?:have to|need to|struggles?|wants?|is working|are working|uses|use|find|finds|spends?"
    r"|relies?|rely|tries|try|is updating|are updating|has|have|manages?|doesn t|don t)\b"
)
_COMMITMENT = re.compile(
    r"\b(?:must|shall|should|will|MUST|SHALL|SHOULD|WILL|we ll|we will|the system"
    r"|will be able|is required|are required)\b|\b[A-Z]{1,4}-?\d{1,3}\b"
)
_SENTENCE_END = re.compile(r"(?<=[.!?])\s+")


@dataclass(frozen=True)
class LineRole:
    """Where one line sits: its section's role, what decided it, and the block's kind."""

    role: str
    source: str  # "heading", "prose" or "none"
    kind: str
    engine_context: bool  # today's engine already treats the section as context


def heading_role(title: str) -> str | None:
    """``context`` or ``product`` for a heading that says which, else None. Product words
    win ("Problem and product hypothesis", "Goals and background")."""
    key = normalize_title(title)
    if PRODUCT_HEADING.search(key):
        return PRODUCT
    if CONTEXT_HEADING.search(key):
        return CONTEXT
    return None


def prose_role(text: str) -> str | None:
    """``context`` when most sentences of a section's own prose narrate the world and few
    commit; ``product`` when commitments outnumber narration; None for too little prose."""
    sentences = [s for s in _SENTENCE_END.split(text) if len(s.split()) >= 4]
    if len(sentences) < 2:
        return None
    narrating = sum(1 for s in sentences if _NARRATION.search(s) or _PEOPLE_STORY.search(s))
    committing = sum(1 for s in sentences if _COMMITMENT.search(s))
    if narrating >= 2 and narrating > 2 * committing:
        return CONTEXT
    if committing > narrating:
        return PRODUCT
    return None


def _own_text(doc: MarkdownDoc, section: Section) -> str:
    return "\n".join(
        doc.text[block.start : block.end]
        for block in doc.section_blocks(section, nested=False)
        if block.kind in ("paragraph", "list_item", "blockquote")
    )


def section_role(doc: MarkdownDoc, section: Section, skip: int) -> tuple[str, str]:
    """The role of ``section`` and what decided it: the innermost heading with a role on its
    path (leaving out the first ``skip`` titles: the document's own), else its own prose,
    else the prose of the sections above it."""
    for title in reversed(section.path[skip:]):
        role = heading_role(title)
        if role is not None:
            return role, "heading"
    # The document title's own section is its introduction: its prose is read too.
    current: Section | None = section
    while current is not None and len(current.path) >= max(skip, 1):
        role = prose_role(_own_text(doc, current))
        if role is not None:
            return role, "prose"
        current = doc.sections[current.parent] if current.parent >= 0 else None
    return NEUTRAL, "none"


def line_roles(text: str) -> dict[int, LineRole]:
    """1-based line -> the role of the section it sits in and the kind of its block."""
    doc = parse_markdown(text)
    first = doc.sections[0] if doc.sections else None
    title = first.path[:1] if first is not None and first.level == 1 else ()
    roles: dict[int, LineRole] = {}
    cache: dict[int, tuple[str, str, bool]] = {}
    for block in doc.blocks:
        if block.kind == "heading":
            continue
        section = doc.sections[block.section] if block.section >= 0 else None
        if section is None:
            role, source, engine = NEUTRAL, "none", False
        else:
            if section.index not in cache:
                skip = len(title) if section.path[: len(title)] == title else 0
                engine = any(is_context_title(t) for t in section.path[skip:])
                cache[section.index] = (*section_role(doc, section, skip), engine)
            role, source, engine = cache[section.index]
        for line in range(block.line, block.end_line + 1):
            roles.setdefault(line, LineRole(role, source, block.kind, engine))
    return roles


# --- scoring -----------------------------------------------------------------------------------


def gate(text: str, flags: Iterable[rp.Flag]) -> list[rp.Flag]:
    """The pre-registered policy: unquantified findings in context sections are dropped."""
    roles = line_roles(text)
    out = []
    for flag in flags:
        role = roles.get(flag.line)
        if flag.category == CLAIM and role is not None and role.role == CONTEXT:
            continue
        out.append(flag)
    return out


def split_by_role(
    documents: dict[str, rr.Document], findings: dict[str, list[rp.Flag]]
) -> dict[str, dict[str, int]]:
    """Unquantified first-pass flagged lines, TP and FP, by role, role source and block kind."""
    out: dict[str, dict[str, int]] = {}
    for name, flags in findings.items():
        document = documents[name]
        roles = line_roles(document.text)
        lines = {n for f in flags if f.category == CLAIM for n in rr.finding_span(document.text, f)}
        for number in lines:
            label = document.labels.get(number)
            outcome = "tp" if label is not None and label.unquantified_claim else "fp"
            role = roles.get(number, LineRole(NEUTRAL, "none", "other", False))
            engine = "engine context" if role.engine_context else "not engine context"
            for key in (
                f"role {role.role}",
                f"role {role.role} by {role.source}",
                f"kind {role.kind}",
                f"role {role.role} / kind {role.kind}",
                f"role {role.role} / {engine}",
            ):
                entry = out.setdefault(key, {"tp": 0, "fp": 0})
                entry[outcome] += 1
    return out


def figures_of(documents: dict[str, rr.Document], findings: dict[str, list[rp.Flag]]) -> dict:
    total, _ = rr.score_set([documents[name] for name in findings], findings)
    return rp.score_figures(total)


def compare(documents: dict[str, rr.Document], findings: dict[str, list[rp.Flag]]) -> dict:
    """The batch's figures without and with the gate, and whether the adoption rule holds."""
    gated = {name: gate(documents[name].text, flags) for name, flags in findings.items()}
    without = figures_of(documents, findings)
    with_gate = figures_of(documents, gated)
    return {"without": without, "with": with_gate, "adopt": adopts(without, with_gate)}


def adopts(without: dict, with_gate: dict) -> bool:
    """The pre-registered adoption rule."""
    claim_before, claim_after = without[CLAIM], with_gate[CLAIM]
    open_before, open_after = without["open_question"], with_gate["open_question"]
    return (
        claim_after["precision"] > claim_before["precision"]
        and claim_after["f1"] >= claim_before["f1"]
        and all(open_after[k] >= open_before[k] for k in ("precision", "recall", "f1"))
        and with_gate["false_flags_per_1000_words"] < without["false_flags_per_1000_words"]
    )


def load_runs(
    cache: Path, batches: Iterable[str], refresh: bool
) -> dict[str, dict[str, list[rp.Flag]]]:
    """First-pass findings of the named batches, replayed (rule_precision.replay) or cached."""
    raw: dict = json.loads(cache.read_text(encoding="utf-8")) if cache.exists() else {}
    by_name = {batch.name: batch for batch in rp.BATCHES}
    for name in batches:
        if refresh or name not in raw or sorted(raw[name]) != sorted(by_name[name].documents):
            print(f"replaying batch {name} on {by_name[name].engine} ...", file=sys.stderr)
            raw[name] = rp.replay(by_name[name])
    cache.parent.mkdir(parents=True, exist_ok=True)
    cache.write_text(json.dumps(raw, sort_keys=True), encoding="utf-8")
    return {
        name: {doc: [rp.Flag(**f) for f in flags] for doc, flags in raw[name].items()}
        for name in batches
    }


def _row(label: str, figures: dict) -> str:
    return rp._policy_line(label, figures)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--cache", type=Path, default=DEFAULT_CACHE)
    parser.add_argument("--replay", action="store_true", help="replay even when cached")
    parser.add_argument("-v", "--verbose", action="store_true", help="list each flagged line")
    parser.add_argument(
        "--batch6",
        action="store_true",
        help="the pre-registered test: the gate on batch 6's first pass (run once)",
    )
    args = parser.parse_args(argv)
    documents = {path.stem: rr.load_document(path) for path in rr.document_paths("dev")}
    batches = (TEST_BATCH,) if args.batch6 else DESIGN_BATCHES
    runs = load_runs(args.cache, batches, args.replay)
    figures: dict = {"batches": list(batches)}
    pooled = {doc: flags for run in runs.values() for doc, flags in run.items()}
    table = split_by_role(documents, pooled)
    print(f"first-pass unquantified flagged lines by role, batches {', '.join(batches)}")
    for key, entry in sorted(table.items()):
        flagged = entry["tp"] + entry["fp"]
        print(f"  {key:<52} TP {entry['tp']:>4} FP {entry['fp']:>4} P {entry['tp'] / flagged:.2f}")
    figures["by_role"] = table
    per_batch = {}
    for name, run in runs.items():
        result = compare(documents, run)
        per_batch[name] = result
        print(f"batch {name}")
        print(_row("without", result["without"]))
        print(_row("with", result["with"]))
    figures["per_batch"] = per_batch
    result = compare(documents, pooled)
    figures["pooled"] = result
    print("pooled")
    print(_row("without", result["without"]))
    print(_row("with", result["with"]))
    print(f"adoption rule holds: {result['adopt']}")
    if args.verbose:
        for name, flags in sorted(pooled.items()):
            document = documents[name]
            roles = line_roles(document.text)
            lines = {
                n for f in flags if f.category == CLAIM for n in rr.finding_span(document.text, f)
            }
            for number in sorted(lines):
                label = document.labels.get(number)
                role = roles.get(number, LineRole(NEUTRAL, "none", "other", False))
                mark = "TP" if label is not None and label.unquantified_claim else "FP"
                print(
                    f"{mark} {role.role:<8} {role.source:<7} {role.kind:<10} {name}:{number} "
                    f"{document.lines[number - 1].strip()[:100]}"
                )
    print(json.dumps(figures, sort_keys=True))
    return 0


if __name__ == "__main__":
    sys.exit(main())
