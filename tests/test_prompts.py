from pathlib import Path

import pytest

from prd_assistant.prompts import PromptError, PromptLibrary, default_library, parse_section_prompt
from prd_assistant.template import load_template, parse_template

REPO_PROMPTS = Path(__file__).resolve().parents[1] / "prompts"


def test_every_default_section_has_its_own_prompt_and_renders():
    library = default_library()
    for spec in load_template().sections:
        assert library.has_dedicated_prompt(spec), spec.key
        messages = library.chat_prompt(spec).format_messages(
            description="DESC", context="CTX", dependencies="DEPS", instruction="INSTR"
        )
        system, human = messages
        assert "Open question:" in system.content and "MUST" in system.content
        for value in ("DESC", "CTX", "DEPS", "INSTR", spec.heading):
            assert value in human.content
        assert library.for_section(spec).instructions in human.content


def test_subsection_headings_are_demanded_verbatim():
    spec = load_template().section("apis-interactions")
    human = (
        default_library()
        .chat_prompt(spec)
        .format_messages(description="d", context="c", dependencies="x", instruction="")[1]
    )
    assert "### External API Surface\n### Events / Messaging\n### Dependencies" in human.content


def test_custom_sections_use_the_generic_prompt():
    spec = parse_template("# T\n## Pricing Model\nHow we charge.\n").sections[0]
    library = default_library()
    assert not library.has_dedicated_prompt(spec)
    assert library.for_section(spec).name == "generic.md"
    human = library.chat_prompt(spec).format_messages(
        description="d", context="c", dependencies="x", instruction=""
    )[1]
    assert "## Pricing Model" in human.content and "How we charge." in human.content


def test_dependencies_name_real_sections():
    keys = {s.key for s in load_template().sections}
    for path in (REPO_PROMPTS / "sections").glob("*.md"):
        prompt = parse_section_prompt(path.read_text(encoding="utf-8"), path.name)
        assert set(prompt.depends_on) <= keys, path.name
        if path.stem != "generic":
            assert path.stem in keys, f"{path.name} matches no default section"
            assert prompt.outline, f"{path.name} has no outline skeleton"


def test_prompt_file_edits_need_no_code_change(tmp_path):
    root = tmp_path / "prompts"
    (root / "sections").mkdir(parents=True)
    for name in ("system.md", "section.md"):
        (root / name).write_text(
            (REPO_PROMPTS / name).read_text(encoding="utf-8"), encoding="utf-8"
        )
    (root / "sections" / "generic.md").write_text(
        "---\ndepends_on: []\n---\nSay it in haiku.\n", "utf-8"
    )
    spec = load_template().sections[0]
    human = (
        PromptLibrary(root)
        .chat_prompt(spec)
        .format_messages(description="d", context="c", dependencies="x", instruction="")[1]
    )
    assert "Say it in haiku." in human.content


def test_broken_prompt_files_fail_clearly(tmp_path):
    with pytest.raises(PromptError, match="depends_on must be a list"):
        parse_section_prompt("---\ndepends_on: overview\n---\nx", "bad.md")
    with pytest.raises(PromptError, match="not valid YAML"):
        parse_section_prompt("---\ndepends_on: [unclosed\n---\nx", "bad.md")
    with pytest.raises(PromptError, match="not found"):
        PromptLibrary(tmp_path)
