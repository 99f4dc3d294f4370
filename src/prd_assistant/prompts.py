"""Prompt files -> ChatPromptTemplate.

``prompts/`` holds product text that can be edited without touching code:

* ``system.md`` - the rules every section follows (system message);
* ``section.md`` - the human message frame, with ``{description}``, ``{context}``, ``{dependencies}``,
  ``{heading}``, ``{guidance}``, ``{subsections}``, ``{section_instructions}`` and ``{instruction}``;
* ``acceptance/<style>.md`` - how acceptance criteria are written (``given-when-then`` or
  ``ears``), given to sections whose front matter sets ``acceptance_criteria: true``;
* ``sections/<key>.md`` - one file per default section, matched by section key (``## 3. Goals &
  Non-Goals`` -> ``goals-non-goals.md``), and ``sections/generic.md`` for sections of custom templates.

A section file starts with YAML front matter: ``depends_on`` (section keys whose text the
section receives), ``gathers_open_questions`` (receives the ``Open question:`` lines of every
other section) and ``outline`` (the skeleton outline mode fills without a model).
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass
from pathlib import Path

import yaml
from langchain_core.prompts import ChatPromptTemplate

from prd_assistant.template import SectionSpec

FRAME_VARIABLES = frozenset(
    {
        "description",
        "context",
        "dependencies",
        "heading",
        "guidance",
        "subsections",
        "section_instructions",
        "instruction",
    }
)
ACCEPTANCE_STYLES = ("given-when-then", "ears")
DEFAULT_ACCEPTANCE_STYLE = "given-when-then"
_FRONT_MATTER = re.compile(r"\A---\s*\n(.*?)\n---\s*\n?(.*)\Z", re.DOTALL)


class PromptError(ValueError):
    """A prompt file is missing or malformed; the message names the file."""


@dataclass(frozen=True)
class SectionPrompt:
    """What one section prompt file declares."""

    name: str
    instructions: str
    depends_on: tuple[str, ...] = ()
    gathers_open_questions: bool = False
    outline: str = ""
    acceptance_criteria: bool = False


def prompts_dir() -> Path:
    """Where the prompt files live: inside the installed package, else the repository's ``prompts/``."""
    packaged = Path(__file__).parent / "prompts"
    if packaged.is_dir():
        return packaged
    return Path(__file__).resolve().parents[2] / "prompts"


def read_prompt_file(path: Path) -> str:
    """Reads a prompt file as UTF-8 text, with a clear error when it is missing."""
    try:
        return path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise PromptError(f"Prompt file not found: {path}") from None


def parse_section_prompt(text: str, name: str) -> SectionPrompt:
    """Parses a section prompt file (front matter + instructions)."""
    match = _FRONT_MATTER.match(text)
    meta: dict = {}
    body = text
    if match:
        try:
            meta = yaml.safe_load(match.group(1)) or {}
        except yaml.YAMLError as exc:
            raise PromptError(
                f"Prompt file {name}: the front matter is not valid YAML ({exc})."
            ) from None
        body = match.group(2)
    depends = meta.get("depends_on") or []
    if not isinstance(depends, list) or not all(isinstance(d, str) for d in depends):
        raise PromptError(f"Prompt file {name}: depends_on must be a list of section keys.")
    return SectionPrompt(
        name=name,
        instructions=body.strip(),
        depends_on=tuple(depends),
        gathers_open_questions=bool(meta.get("gathers_open_questions", False)),
        outline=str(meta.get("outline") or "").strip(),
        acceptance_criteria=bool(meta.get("acceptance_criteria", False)),
    )


class PromptLibrary:
    """Loads the prompt files once and builds each section's ChatPromptTemplate."""

    def __init__(self, root: Path | None = None) -> None:
        self.root = root or prompts_dir()
        self.system = read_prompt_file(self.root / "system.md").strip()
        self.frame = read_prompt_file(self.root / "section.md").strip()
        missing = FRAME_VARIABLES - set(
            ChatPromptTemplate.from_template(self.frame).input_variables
        )
        if missing:
            raise PromptError(f"{self.root / 'section.md'} lacks the variables {sorted(missing)}.")
        self._sections: dict[str, SectionPrompt] = {}
        for path in sorted((self.root / "sections").glob("*.md")):
            self._sections[path.stem] = parse_section_prompt(read_prompt_file(path), path.name)
        if "generic" not in self._sections:
            raise PromptError(f"{self.root / 'sections' / 'generic.md'} is missing.")
        self._acceptance = {
            path.stem: read_prompt_file(path).strip()
            for path in sorted((self.root / "acceptance").glob("*.md"))
        }

    def for_section(self, spec: SectionSpec) -> SectionPrompt:
        """The section's own prompt, or the generic one for sections of custom templates."""
        return self._sections.get(spec.key, self._sections["generic"])

    def acceptance_instructions(self, spec: SectionSpec, style: str) -> str:
        """How to write acceptance criteria in ``style``, for sections that write them; else "".

        Raises:
            PromptError: If ``style`` has no ``acceptance/<style>.md`` file.
        """
        if not self.for_section(spec).acceptance_criteria:
            return ""
        if style not in self._acceptance:
            known = ", ".join(sorted(self._acceptance)) or "none"
            raise PromptError(f"Unknown acceptance criteria style {style!r} (known: {known}).")
        return self._acceptance[style]

    def has_dedicated_prompt(self, spec: SectionSpec) -> bool:
        return spec.key in self._sections

    def chat_prompt(self, spec: SectionSpec) -> ChatPromptTemplate:
        """The section's ChatPromptTemplate, with the section's own fields already filled in.

        The remaining variables are ``description``, ``context``, ``dependencies`` and ``instruction``;
        ``acceptance_style`` (see :meth:`acceptance_instructions`) defaults to empty.
        """
        section = self.for_section(spec)
        subsections = ""
        if spec.subsections:
            lines = "\n".join(s.heading for s in spec.subsections)
            subsections = f"Use exactly these subheadings, verbatim and in this order:\n{lines}"
        prompt = ChatPromptTemplate.from_messages([("system", self.system), ("human", self.frame)])
        return prompt.partial(
            heading=spec.heading,
            guidance=_guidance_text(spec),
            subsections=subsections,
            section_instructions=section.instructions,
            acceptance_style="",
        )


def _guidance_text(spec: SectionSpec) -> str:
    parts = [spec.guidance] if spec.guidance else []
    parts += [f"{s.heading}: {s.guidance}" for s in spec.subsections if s.guidance]
    return "\n".join(parts) or "(none)"


@functools.cache
def default_library() -> PromptLibrary:
    """The prompt library from the default location, loaded once per process."""
    return PromptLibrary()
