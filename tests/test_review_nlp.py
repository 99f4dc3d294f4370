"""The language pipeline loads once, hash-checked, and review survives without it."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from prd_assistant import pattern_cache
from prd_assistant.review import nlp, review

PRD = (
    "## Problem Statement\nUsers find today's tools slow.\n\n"
    "## Requirements\n- The export must be fast.\n- Throughput: TBD\n"
)


@pytest.fixture
def fresh_pipeline() -> Iterator[None]:
    """Forgets the loaded pipeline before and after, so each test loads its own."""
    nlp.reset()
    yield
    nlp.reset()


@pytest.fixture(scope="module")
def corrupt_copy(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A copy of the installed pipeline with one weight byte flipped."""
    source = nlp.model_dir()
    assert source is not None, "the pipeline package is installed with the project"
    target = tmp_path_factory.mktemp("model") / source.name
    shutil.copytree(source, target)
    weights = target / "parser" / "model"
    data = bytearray(weights.read_bytes())
    data[len(data) // 2] ^= 0xFF
    weights.write_bytes(bytes(data))
    return target


def test_installed_pipeline_matches_its_hash_and_loads_only_what_review_needs(
    fresh_pipeline: None,
) -> None:
    folder = nlp.model_dir()
    assert folder is not None and nlp.model_hash(folder) == nlp.MODEL_SHA256
    pipeline = nlp.pipeline()
    assert pipeline is not None and nlp.load_warning() is None
    assert "ner" not in pipeline.pipe_names and "parser" in pipeline.pipe_names
    assert nlp.pipeline() is pipeline  # loaded once per process


def test_the_tokenizer_compiles_its_patterns_through_the_pattern_cache(
    fresh_pipeline: None, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import re

    import spacy.tokenizer
    import srsly

    monkeypatch.setenv(pattern_cache.CACHE_ENV, str(tmp_path))
    pipeline = nlp.pipeline()
    assert pipeline is not None and spacy.tokenizer.re is re
    assert len(list(tmp_path.rglob("*.bin"))) >= 3  # prefixes, suffixes, infixes, URLs
    folder = nlp.model_dir()
    assert folder is not None
    stored = srsly.msgpack_loads((folder / "tokenizer").read_bytes())
    tokenizer = pipeline.tokenizer
    assert tokenizer.prefix_search.__self__ == re.compile(stored["prefix_search"])
    assert tokenizer.suffix_search.__self__ == re.compile(stored["suffix_search"])
    assert tokenizer.infix_finditer.__self__ == re.compile(stored["infix_finditer"])
    # Loaded again from the cache, the pipeline tokenizes as before.
    words = [t.text for t in pipeline("Ship v2.1 (beta) to https://x.example/a?b=1 by 3pm.")]
    nlp.reset()
    again = nlp.pipeline()
    assert again is not None
    assert [t.text for t in again("Ship v2.1 (beta) to https://x.example/a?b=1 by 3pm.")] == words


def test_spacys_re_is_restored_when_loading_fails() -> None:
    import re

    import spacy.tokenizer

    with pytest.raises(RuntimeError), nlp._tokenizer_patterns_cached():
        assert spacy.tokenizer.re is not re
        raise RuntimeError("load failed")
    assert spacy.tokenizer.re is re


def test_lemmas_looked_up_on_demand_are_the_lemmatizers() -> None:
    pipeline = nlp.pipeline()
    assert pipeline is not None
    texts = [
        "The exports weren't finished, so users' reports are being regenerated nightly.",
        "We'd rather the wizard ran faster; it's the slowest of the flows we've measured.",
        "She said the APIs were better than what the teams had built in 2023.",
        "Caching will help; retries mustn't exceed three attempts per hour.",
    ]
    full = list(pipeline.pipe(texts))
    lazy = list(pipeline.pipe(texts, disable=nlp.SKIPPED))
    pairs = [(a, b) for x, y in zip(full, lazy, strict=True) for a, b in zip(x, y, strict=True)]
    # The attribute ruler's lemmas ("'s", "n't") are there without the lemmatizer.
    assert any(b.lemma_ for _, b in pairs) and any(not b.lemma_ for _, b in pairs)
    assert [nlp.lemma(b) for _, b in pairs] == [a.lemma_ for a, _ in pairs]
    assert [nlp.lemma(a) for a, _ in pairs] == [a.lemma_ for a, _ in pairs]


def test_review_reads_lemmas_only_through_nlp_lemma() -> None:
    # Review parses without the lemmatizer: a check reading token.lemma_ directly would see
    # an empty lemma for most words.
    import re

    folder = Path(nlp.__file__).parent
    readers = [
        f"{path.name}:{number}"
        for path in sorted(folder.glob("*.py"))
        if path.name != "nlp.py"
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1)
        if re.search(r"\.lemma_\b|\.lemma\b(?!\()", line)
    ]
    assert readers == []


def test_spacys_registries_read_each_entry_point_group_once_while_loading(
    fresh_pipeline: None,
) -> None:
    import catalogue

    available = catalogue.AVAILABLE_ENTRY_POINTS
    asked: list[dict[str, str]] = []

    class Counting:
        def select(self, **params: str) -> object:
            asked.append(params)
            return available.select(**params)

    catalogue.AVAILABLE_ENTRY_POINTS = Counting()
    try:
        assert nlp.pipeline() is not None
        assert catalogue.AVAILABLE_ENTRY_POINTS.__class__ is Counting  # restored after the load
    finally:
        catalogue.AVAILABLE_ENTRY_POINTS = available
    groups = [params["group"] for params in asked]
    assert "spacy_factories" in groups and len(groups) == len(set(groups))
    # Remembered selections are the selections.
    once = nlp._SelectedOnce(available)
    for group in {*groups, "console_scripts", "no such group"}:
        assert list(once.select(group=group)) == list(available.select(group=group))
        assert once.select(group=group) is once.select(group=group)
    assert list(once.select(group="console_scripts", name="pip")) == list(
        available.select(group="console_scripts", name="pip")
    )


def test_a_corrupt_pipeline_is_refused_and_review_still_runs(
    fresh_pipeline: None, corrupt_copy: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv(nlp.MODEL_DIR_ENV, str(corrupt_copy))
    findings = review(PRD)
    assert nlp.pipeline() is None
    warning = nlp.load_warning()
    assert warning and "expected hash" in warning and "\n" not in warning
    # The word rules still run: the claim and the placeholder are found.
    assert {f.rule for f in findings} >= {"vague-speed", "placeholder"}


def test_a_missing_pipeline_degrades_review_with_one_warning(
    fresh_pipeline: None, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv(nlp.MODEL_DIR_ENV, str(tmp_path / "absent"))
    findings = review(PRD)
    assert nlp.pipeline() is None and "is not a folder" in (nlp.load_warning() or "")
    assert {f.rule for f in findings} >= {"vague-speed", "placeholder"}


def _cli(args: list[str], env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "prd_assistant", "review", *args],
        capture_output=True,
        text=True,
        env={**os.environ, **env},
        timeout=120,
        check=False,
    )


def test_cli_without_the_pipeline_warns_once_on_stderr_and_in_json(
    tmp_path: Path, corrupt_copy: Path
) -> None:
    first, second = tmp_path / "a.md", tmp_path / "b.md"
    first.write_text(PRD, encoding="utf-8")
    second.write_text(PRD, encoding="utf-8")
    env = {nlp.MODEL_DIR_ENV: str(corrupt_copy)}
    text = _cli([str(first), str(second)], env)
    assert text.returncode == 1, text.stderr
    warnings = [line for line in text.stderr.splitlines() if line.startswith("prd: warning:")]
    assert len(warnings) == 1 and "reduced accuracy" in warnings[0]
    assert "vague-speed" in text.stdout

    as_json = _cli([str(first), "--format", "json"], env)
    payload = json.loads(as_json.stdout)
    assert len(payload["warnings"]) == 1 and "expected hash" in payload["warnings"][0]
    assert payload["summary"]["total"] >= 2


def test_cli_with_the_pipeline_reports_no_warning(tmp_path: Path) -> None:
    path = tmp_path / "prd.md"
    path.write_text(PRD, encoding="utf-8")
    result = _cli([str(path), "--format", "json"], {})
    assert "warning" not in result.stderr
    payload = json.loads(result.stdout)
    assert payload["warnings"] == []
    # With sentence analysis the problem statement is context: only the requirement is flagged.
    assert [f["line"] for f in payload["findings"] if f["category"] == "unquantified_claim"] == [5]


def test_a_failing_pipeline_keeps_the_word_rule_findings(monkeypatch: pytest.MonkeyPatch) -> None:
    from prd_assistant.review import claims

    def broken(self: claims.Sentences, texts: list[str], **kwargs: object) -> None:
        raise RuntimeError("model crashed")

    pipeline = nlp.pipeline()
    assert pipeline is not None
    monkeypatch.setattr(type(pipeline), "pipe", broken)
    findings = review("## Requirements\n- The export must be fast.\n")
    assert [f.match for f in findings] == ["fast"]


def test_giant_lines_are_reviewed_by_word_rules_without_parsing() -> None:
    line = "The API must be fast and scalable, " * 1_000  # 35 KB, no sentence break
    findings = review(f"## Requirements\n{line}\n")
    assert len(findings) == 2_000


def _fresh_python(code: str) -> subprocess.CompletedProcess[str]:
    """Runs ``code`` in a new interpreter, where spaCy is not imported yet."""
    return subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, timeout=120, check=False
    )


def test_spacy_is_imported_without_its_command_line_which_stays_importable() -> None:
    done = _fresh_python(
        "import sys\n"
        "from prd_assistant.review import nlp\n"
        "spacy = nlp.import_spacy()\n"
        "assert nlp.pipeline() is not None, nlp.load_warning()\n"
        "assert not {'spacy.cli', 'spacy.cli.info', 'typer', 'weasel'} & set(sys.modules)\n"
        "assert 'spacy_version' in spacy.info(silent=True)\n"
        "import spacy.cli\n"
        "assert callable(spacy.cli.setup_cli)\n"
    )
    assert done.returncode == 0, done.stderr


def test_spacy_is_imported_as_is_when_the_stand_in_does_not_satisfy_it() -> None:
    # What a spaCy release that needs more of spacy.cli at import would meet.
    done = _fresh_python(
        "import sys, types\n"
        "from prd_assistant.review import nlp\n"
        "nlp._cli_stand_ins = lambda: {\n"
        "    name: types.ModuleType(name) for name in ('spacy.cli', 'spacy.cli.info')\n"
        "}\n"
        "spacy = nlp.import_spacy()\n"
        "assert callable(spacy.cli.setup_cli)\n"
        "assert nlp.pipeline() is not None, nlp.load_warning()\n"
    )
    assert done.returncode == 0, done.stderr


def test_prd_review_loads_neither_the_model_clients_nor_spacys_command_line(
    tmp_path: Path,
) -> None:
    path = tmp_path / "prd.md"
    path.write_text(PRD, encoding="utf-8")
    heavy = ("langchain_core", "openai", "streamlit", "tiktoken", "docx", "typer", "spacy.cli")
    done = _fresh_python(
        "import contextlib, io, sys\n"
        "from prd_assistant.cli import main\n"
        "with contextlib.redirect_stdout(io.StringIO()):\n"
        f"    main(['review', {str(path)!r}])\n"
        "assert 'spacy' in sys.modules\n"
        f"print(','.join(m for m in {heavy!r} if m in sys.modules))\n"
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == ""
