"""Grouped cross-validation of a learned scorer for unquantified-claim (or open-question)
candidates, against the rules.

Run: ``.venv/bin/python benchmarks/claim_model_cv.py [--category open_question] [--cache FILE]
[--extra promise,synthetic] [--extra-weight W] [--engine-feature] [--only-new NAME,...]``.

Candidates (``claim_candidates.py``) are broad spans that may be unquantified claims: every
vague-word rule match before its gates, lexicon adjectives and adverbs, comparatives and
superlatives, and the engine's structural claim findings. An L2 logistic regression (numpy,
Newton's method) scores each candidate from general features (rule id, word, lexicon ratings,
part of speech and dependency, modality, subject kind, section and block kind, each gate's
verdict, a measure in the clause ...). A line is flagged when a kept candidate lies on it. ``--category open_question`` does the same
for open questions over ``open_candidates.py`` (``--extra`` is for claims only).

The folds group the ``dev`` documents by repository (``SOURCES.md``), so no test document shares
a repository with a training document. The decision threshold is chosen inside each training
fold, with the regularisation strength (an inner grouped cross-validation on the training
repositories only), never on the test fold. The rules are scored on the same test folds; they were fitted to all of ``dev``, so
their figures here are optimistic (see SOURCES.md for their first passes on unseen text).

Figures are line-level, scored with ``review_real.score_document`` exactly as that benchmark
scores the engine (the engine's findings of the other category are kept as they are, so false
flags per 1,000 clean words count both categories, as there).

``--only-new NAME,...`` trains on the other ``dev`` documents and scores only the named ones
(the first pass on documents that just arrived): model against rules on unseen text.
Nobody runs this on ``heldout``. Method, figures and the decision: docs/learned_claim_scorer.md.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import pickle
import re
import sys
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))

import claim_candidates as cc
import open_candidates as oc
import review_real as rr

from prd_assistant.review import engine, nlp
from prd_assistant.review.findings import OPEN_QUESTION, UNQUANTIFIED_CLAIM

SOURCES = rr.REAL / "SOURCES.md"
# Where each category's candidates come from.
CANDIDATES = {
    UNQUANTIFIED_CLAIM: cc.document_candidates,
    OPEN_QUESTION: oc.document_candidates,
}
DATA = rr.REAL.parent
C_DEFAULT = 1.0
MIN_COUNT = 2  # a feature seen fewer times in the training data is left out
THRESHOLDS = [round(0.05 * i, 2) for i in range(2, 19)]
INNER_FOLDS = 5
# Regularisation strengths tried inside each training fold.
STRENGTHS = (0.03, 0.1, 0.3, 1.0)


def repositories() -> dict[str, str]:
    """Document name -> repository (owner/name), from the tables of SOURCES.md."""
    found = {}
    for line in SOURCES.read_text(encoding="utf-8").splitlines():
        m = re.match(r"\|\s*`([^`]+)`\s*\|[^|]*\|[^|]*\|\s*\[([^\]]+)\]\(https://github", line)
        if m:
            found[m.group(1)] = m.group(2)
    return found


@dataclass
class Doc:
    """A labelled dev document with its candidates, their targets and the engine's findings."""

    document: rr.Document
    group: str
    candidates: list[cc.Candidate]
    targets: list[int]
    findings: list  # the engine's findings (all categories)
    category: str = UNQUANTIFIED_CLAIM  # the category the candidates may be


@dataclass
class _F:
    """A finding as review_real scores it."""

    category: str
    line: int
    start: int
    end: int
    rule: str


def candidate_targets(
    document: rr.Document, candidates: list[cc.Candidate], category: str = UNQUANTIFIED_CLAIM
) -> list[int]:
    """1 for a candidate on a positive line that covers the words its note quotes (or any
    candidate there when the note quotes nothing on the line), else 0."""
    out = []
    for c in candidates:
        label = document.labels.get(c.line)
        if label is None or not label.is_set(category):
            out.append(0)
            continue
        quotes = rr.quoted_spans(document.text, c.line, label.note)
        out.append(int(not quotes or any(c.start < e and s < c.end for s, e in quotes)))
    return out


def shape(features: dict[str, float], drop: Sequence[str], engine_kept: bool | None) -> dict:
    """The features a variant uses: without the ``drop`` prefixes, plus the engine's verdict
    when ``engine_kept`` is given."""
    out = (
        {k: v for k, v in features.items() if not k.startswith(tuple(drop))}
        if drop
        else dict(features)
    )
    if engine_kept is not None:
        out["engine_kept"] = float(engine_kept)
    return out


def load_docs(
    cache: Path | None,
    names: Sequence[str] | None = None,
    drop: Sequence[str] = (),
    use_engine: bool = False,
    category: str = UNQUANTIFIED_CLAIM,
) -> list[Doc]:
    """The dev documents with candidates (cached in ``cache`` by text, when given)."""
    store: dict = {}
    if cache and cache.exists():
        store = pickle.loads(cache.read_bytes())
    groups = repositories()
    pipeline = nlp.pipeline()
    docs = []
    changed = False
    for path in rr.document_paths("dev"):
        document = rr.load_document(path)
        if names is not None and document.name not in names:
            continue
        key = (category, document.name, hashlib.sha256(document.text.encode()).hexdigest())
        if key not in store:
            store[key] = (
                CANDIDATES[category](document.text, pipeline),
                engine.review(document.text),
            )
            changed = True
        candidates, findings = store[key]
        candidates = [
            cc.Candidate(
                c.start,
                c.end,
                c.line,
                c.kind,
                c.rule,
                c.engine,
                shape(c.features, drop, c.engine if use_engine else None),
            )
            for c in candidates
        ]
        docs.append(
            Doc(
                document,
                groups.get(document.name, document.name),
                candidates,
                candidate_targets(document, candidates, category),
                findings,
                category,
            )
        )
    if cache and changed:
        cache.write_bytes(pickle.dumps(store))
    return docs


def extra_examples(which: Sequence[str]) -> list[tuple[dict[str, float], int]]:
    """Candidates of the single-item sets (PROMISE 1-7, synthetic PRD lines, SRS lines),
    each labelled with its item's label: every candidate of a clean item is 0, and a flagged
    item's candidates are 1 (the items are one requirement each)."""
    import csv

    pipeline = nlp.pipeline()
    items: list[tuple[str, bool]] = []
    if "promise" in which:
        with (DATA / "promise_labels.csv").open(encoding="utf-8", newline="") as handle:
            items += [(r["text"], r["unquantified"] == "1") for r in csv.DictReader(handle)]
    if "synthetic" in which:
        for name, sectioned in (("prd_lines.tsv", True), ("srs_requirements.tsv", False)):
            with (DATA / name).open(encoding="utf-8", newline="") as handle:
                for r in csv.DictReader(handle, delimiter="\t", quoting=csv.QUOTE_NONE):
                    text = f"## {r['section']}\n{r['text']}\n" if sectioned else r["text"]
                    items.append((text, r["unquantified"] == "1"))
    out = []
    for text, positive in items:
        for c in cc.document_candidates(text, pipeline):
            out.append((c.features, int(positive)))
    return out


class Model:
    """L2 logistic regression over sparse binary features (numpy, Newton's method)."""

    def __init__(self, weights: dict[str, float], bias: float) -> None:
        self.weights = weights
        self.bias = bias

    def score(self, features: dict[str, float]) -> float:
        z = self.bias + sum(self.weights.get(k, 0.0) * v for k, v in features.items())
        return 1.0 / (1.0 + np.exp(-z))


def fit(
    rows: Sequence[dict[str, float]],
    targets: Sequence[int],
    sample_weight: Sequence[float] | None = None,
    c: float = C_DEFAULT,
) -> Model:
    """Fits the model; deterministic (features sorted, fixed iterations)."""
    names = vocabulary(rows)
    beta = newton(design(rows, names), targets, sample_weight, c)
    return Model({k: float(beta[i]) for i, k in enumerate(names)}, float(beta[-1]))


def vocabulary(rows: Sequence[dict[str, float]], min_count: int = MIN_COUNT) -> list[str]:
    """The feature names seen in at least ``min_count`` rows, sorted."""
    counts: dict[str, int] = {}
    for row in rows:
        for k in row:
            counts[k] = counts.get(k, 0) + 1
    return sorted(k for k, n in counts.items() if n >= min_count)


def design(rows: Sequence[dict[str, float]], names: Sequence[str]) -> np.ndarray:
    """The rows as a dense matrix over ``names`` (other features dropped), plus a last column
    of ones for the bias."""
    index = {k: i for i, k in enumerate(names)}
    x = np.zeros((len(rows), len(names) + 1))
    x[:, -1] = 1.0
    for r, row in enumerate(rows):
        for k, v in row.items():
            i = index.get(k)
            if i is not None:
                x[r, i] = v
    return x


def newton(
    x: np.ndarray,
    targets: Sequence[int] | np.ndarray,
    sample_weight: Sequence[float] | np.ndarray | None = None,
    c: float = C_DEFAULT,
) -> np.ndarray:
    """L2 logistic regression weights for the dense matrix ``x`` whose last column is the
    bias (all ones; not shrunk), by Newton's method (deterministic, at most 30 steps)."""
    y = np.asarray(targets, dtype=float)
    w_s = np.ones(len(y)) if sample_weight is None else np.asarray(sample_weight, float)
    penalty = np.full(x.shape[1], 1.0 / c)
    penalty[-1] = 0.0  # the bias is not shrunk
    beta = np.zeros(x.shape[1])
    for _ in range(30):
        p = 1.0 / (1.0 + np.exp(-(x @ beta)))
        gradient = x.T @ (w_s * (p - y)) + penalty * beta
        hessian = (x.T * (w_s * p * (1 - p))) @ x + np.diag(penalty) + 1e-9 * np.eye(x.shape[1])
        step = np.linalg.solve(hessian, gradient)
        beta -= step
        if np.max(np.abs(step)) < 1e-8:
            break
    return beta


def flagged_lines(doc: Doc, scores: Sequence[float], threshold: float) -> set[int]:
    return {c.line for c, s in zip(doc.candidates, scores, strict=True) if s >= threshold}


def line_counts(docs: Sequence[Doc], scores: Sequence[Sequence[float]], t: float) -> tuple:
    tp = fp = fn = 0
    for doc, s in zip(docs, scores, strict=True):
        flagged = flagged_lines(doc, s, t)
        positive = {n for n, lab in doc.document.labels.items() if lab.is_set(doc.category)}
        tp += len(flagged & positive)
        fp += len(flagged - positive)
        fn += len(positive - flagged)
    return tp, fp, fn


def f1(tp: int, fp: int, fn: int) -> float:
    return 2 * tp / (2 * tp + fp + fn) if tp else 0.0


def group_folds(docs: Sequence[Doc], k: int) -> list[list[str]]:
    """Repositories split into ``k`` folds of similar candidate counts (deterministic)."""
    sizes: dict[str, int] = {}
    for d in docs:
        sizes[d.group] = sizes.get(d.group, 0) + len(d.candidates)
    folds: list[list[str]] = [[] for _ in range(min(k, len(sizes)))]
    totals = [0] * len(folds)
    for group in sorted(sizes, key=lambda g: (-sizes[g], g)):
        i = totals.index(min(totals))
        folds[i].append(group)
        totals[i] += sizes[group]
    return folds


def train(
    docs: Sequence[Doc],
    extra: Sequence[tuple[dict[str, float], int]] = (),
    extra_weight: float = 0.3,
    c: float = C_DEFAULT,
) -> Model:
    rows = [cand.features for d in docs for cand in d.candidates]
    targets = [t for d in docs for t in d.targets]
    weights = [1.0] * len(rows)
    rows += [f for f, _ in extra]
    targets += [t for _, t in extra]
    weights += [extra_weight] * len(extra)
    return fit(rows, targets, weights, c)


def choose_setting(
    docs: Sequence[Doc],
    extra: Sequence[tuple[dict[str, float], int]] = (),
    extra_weight: float = 0.3,
    strengths: Sequence[float] = STRENGTHS,
) -> tuple[float, float]:
    """The (C, threshold) with the best line F1 over an inner grouped cross-validation of
    ``docs`` (the training repositories only)."""
    best: tuple[float, float, float] = (-1.0, 0.0, 0.0)
    for c in strengths:
        scores: dict[str, list[float]] = {}
        for fold in group_folds(docs, INNER_FOLDS):
            model = train([d for d in docs if d.group not in fold], extra, extra_weight, c)
            for d in docs:
                if d.group in fold:
                    scores[d.document.name] = [model.score(x.features) for x in d.candidates]
        ordered = [scores[d.document.name] for d in docs]
        for t in THRESHOLDS:
            value = f1(*line_counts(docs, ordered, t))
            if value > best[0]:
                best = (value, c, t)
    return best[1], best[2]


def model_findings(doc: Doc, model: Model, threshold: float) -> list:
    """The engine's open-question findings plus the model's kept claim candidates."""
    kept = [
        _F(doc.category, cand.line, cand.start, cand.end, cand.rule)
        for cand in doc.candidates
        if model.score(cand.features) >= threshold
    ]
    return [f for f in doc.findings if f.category != doc.category] + kept


def figures(score: rr.DocumentScore, category_ff: int, category: str) -> dict:
    entry = score.categories[category]
    return {
        **entry.figures(),
        "false_flags_per_1000_words": round(score.false_flags_per_1000_words, 2),
        "category_false_flags_per_1000_words": round(
            1000 * category_ff / score.clean_words if score.clean_words else 0.0, 2
        ),
    }


def _category_false_flags(document: rr.Document, findings: Sequence, category: str) -> int:
    own = [f for f in findings if f.category == category]
    return rr.score_document(document, own).clean_false_flags


def evaluate(docs: Sequence[Doc], findings_for: dict[str, list]) -> tuple[rr.DocumentScore, int]:
    total = rr.DocumentScore("total")
    claim_ff = 0
    for d in docs:
        found = findings_for[d.document.name]
        total.add(rr.score_document(d.document, found))
        claim_ff += _category_false_flags(d.document, found, d.category)
    return total, claim_ff


def _stable_order(group: str) -> str:
    """A fixed pseudo-random order of repositories (not alphabetical, not by size)."""
    return hashlib.sha256(group.encode()).hexdigest()


def cross_validate(
    docs: Sequence[Doc],
    folds: int,
    extra: Sequence[tuple[dict[str, float], int]] = (),
    extra_weight: float = 0.3,
    strengths: Sequence[float] = STRENGTHS,
    train_share: float = 1.0,
) -> dict:
    """Outer grouped folds: model (threshold chosen inside the training fold) against rules.

    ``train_share`` below 1 trains on that share of each training fold's repositories (the
    same ones for every run), for a learning curve.
    """
    category = docs[0].category
    model_found: dict[str, list] = {}
    per_fold = []
    for fold in group_folds(docs, folds):
        training = [d for d in docs if d.group not in fold]
        if train_share < 1.0:
            groups = sorted({d.group for d in training}, key=_stable_order)
            kept = set(groups[: max(2, round(train_share * len(groups)))])
            training = [d for d in training if d.group in kept]
        testing = [d for d in docs if d.group in fold]
        c, threshold = choose_setting(training, extra, extra_weight, strengths)
        model = train(training, extra, extra_weight, c)
        for d in testing:
            model_found[d.document.name] = model_findings(d, model, threshold)
        rules = {d.document.name: d.findings for d in testing}
        m_score, m_ff = evaluate(testing, model_found)
        r_score, r_ff = evaluate(testing, rules)
        per_fold.append(
            {
                "repositories": fold,
                "threshold": threshold,
                "C": c,
                "model": figures(m_score, m_ff, category),
                "rules": figures(r_score, r_ff, category),
            }
        )
    m_score, m_ff = evaluate(docs, model_found)
    r_score, r_ff = evaluate(docs, {d.document.name: d.findings for d in docs})
    return {
        "folds": per_fold,
        "model": figures(m_score, m_ff, category),
        "rules": figures(r_score, r_ff, category),
    }


def first_pass(
    docs: Sequence[Doc],
    new: Sequence[str],
    extra: Sequence[tuple[dict[str, float], int]] = (),
    extra_weight: float = 0.3,
    strengths: Sequence[float] = STRENGTHS,
) -> dict:
    """Trains on the documents not in ``new`` and scores only those in it."""
    category = docs[0].category
    training = [d for d in docs if d.document.name not in new]
    testing = [d for d in docs if d.document.name in new]
    c, threshold = choose_setting(training, extra, extra_weight, strengths)
    model = train(training, extra, extra_weight, c)
    found = {d.document.name: model_findings(d, model, threshold) for d in testing}
    m_score, m_ff = evaluate(testing, found)
    r_score, r_ff = evaluate(testing, {d.document.name: d.findings for d in testing})
    return {
        "documents": [d.document.name for d in testing],
        "threshold": threshold,
        "C": c,
        "model": figures(m_score, m_ff, category),
        "rules": figures(r_score, r_ff, category),
    }


def candidate_recall(docs: Sequence[Doc]) -> dict:
    """Share of positive lines with a candidate on them, and of quoted positive lines with a
    candidate covering the quoted words (the ceiling of any scorer)."""
    positives = on_line = quoted = covered = 0
    for d in docs:
        text = d.document.text
        for n, label in d.document.labels.items():
            if not label.is_set(d.category):
                continue
            positives += 1
            on = [c for c in d.candidates if c.line == n]
            on_line += bool(on)
            quotes = rr.quoted_spans(text, n, label.note)
            if quotes:
                quoted += 1
                covered += any(c.start < e and s < c.end for c in on for s, e in quotes)
    return {
        "positive_lines": positives,
        "line_recall": round(on_line / positives, 3) if positives else 1.0,
        "quoted_lines": quoted,
        "quoted_recall": round(covered / quoted, 3) if quoted else 1.0,
        "candidates": sum(len(d.candidates) for d in docs),
    }


def _line(name: str, f: dict) -> str:
    return (
        f"{name:<8} P {f['precision']:.3f}  R {f['recall']:.3f}  F1 {f['f1']:.3f}  "
        f"TP {f['tp']:>3} FP {f['fp']:>3} FN {f['fn']:>3}  right reason {f['right_reason']:.3f}  "
        f"ff/1k {f['false_flags_per_1000_words']:.2f} "
        f"(this category {f['category_false_flags_per_1000_words']:.2f})"
    )


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--category",
        choices=tuple(CANDIDATES),
        default=UNQUANTIFIED_CLAIM,
        help="whose candidates to score (open_question: benchmarks/open_candidates.py)",
    )
    parser.add_argument("--cache", type=Path, help="pickle file caching the candidates")
    parser.add_argument("--folds", type=int, default=5, help="outer folds of repositories")
    parser.add_argument("--extra", default="", help="extra training sets: promise,synthetic")
    parser.add_argument("--extra-weight", type=float, default=0.3)
    parser.add_argument(
        "-C",
        default=",".join(map(str, STRENGTHS)),
        dest="c",
        help="regularisation strengths to choose from inside each training fold",
    )
    parser.add_argument("--only-new", metavar="NAME[,NAME]", help="first pass on these documents")
    parser.add_argument(
        "--leave-out",
        default="",
        metavar="NAME[,NAME]",
        help="dev documents to leave out entirely (to repeat a run from before they landed)",
    )
    parser.add_argument(
        "--train-share",
        type=float,
        default=1.0,
        help="train on this share of each training fold's repositories (learning curve)",
    )
    parser.add_argument("--drop", default="", help="feature prefixes to leave out (comma list)")
    parser.add_argument(
        "--engine-feature", action="store_true", help="the rules' verdict as a feature"
    )
    args = parser.parse_args(argv)
    drop = [p for p in args.drop.split(",") if p]
    docs = load_docs(args.cache, drop=drop, use_engine=args.engine_feature, category=args.category)
    left_out = {n.strip() for n in args.leave_out.split(",") if n.strip()}
    docs = [d for d in docs if d.document.name not in left_out]
    extra = extra_examples([e for e in args.extra.split(",") if e]) if args.extra else []
    strengths = tuple(float(v) for v in args.c.split(","))
    out: dict = {"candidate_recall": candidate_recall(docs), "extra": args.extra, "C": strengths}
    print(f"candidates: {json.dumps(out['candidate_recall'])}")
    if args.only_new:
        new = [n.strip() for n in args.only_new.split(",") if n.strip()]
        result = first_pass(docs, new, extra, args.extra_weight, strengths)
        out["first_pass"] = result
        print(
            f"first pass on {len(result['documents'])} documents "
            f"(C {result['C']}, threshold {result['threshold']})"
        )
        print(_line("model", result["model"]))
        print(_line("rules", result["rules"]))
    else:
        folds = args.folds
        result = cross_validate(docs, folds, extra, args.extra_weight, strengths, args.train_share)
        out["cv"] = result
        for i, fold in enumerate(result["folds"]):
            print(
                f"fold {i} ({', '.join(fold['repositories'])}; "
                f"C {fold['C']}, threshold {fold['threshold']})"
            )
            print("  " + _line("model", fold["model"]))
            print("  " + _line("rules", fold["rules"]))
        print(f"grouped CV over {folds} folds")
        print(_line("model", result["model"]))
        print(_line("rules", result["rules"]))
    print(json.dumps(out, sort_keys=True))
    return 0


if __name__ == "__main__":
    sys.exit(main())
