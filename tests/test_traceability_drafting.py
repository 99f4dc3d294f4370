"""Drafting produces what the traceability check expects, in the chosen criteria style, and
``prd review`` / the app show traceability gaps like every other finding."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from prd_assistant.cli import main
from prd_assistant.document import Draft
from prd_assistant.drafting import Drafter
from prd_assistant.events import apply_event
from prd_assistant.prompts import PromptError, default_library
from prd_assistant.template import load_template
from prd_assistant.traceability import check_traceability
from tests.support.fake_models import SectionModel

FR = "## 6. Functional Requirements"
UC = "## 4. Core Use Cases"
USE_CASES = (
    "| ID | Actor | Trigger | Main flow | Expected outcome |\n|---|---|---|---|---|\n"
    "| UC1 | Shopper | A parcel changes status | ParcelPing sends an SMS | The shopper knows |\n"
    "| UC2 | Shopper | Opens settings | Picks channels | Only those channels are used |\n"
)
CRITERIA = {
    "given-when-then": "Given a shopper with SMS on, when the parcel ships, then an SMS arrives "
    "within 60 s.",
    "ears": "When the parcel ships, the service shall send an SMS within 60 s.",
}


def _draft(style: str, reply) -> tuple[Draft, SectionModel]:
    template = load_template()
    draft = Draft.from_template(template, "ParcelPing sends delivery updates.", "ParcelPing")
    draft.acceptance_style = style
    model = SectionModel(reply=reply)
    for event in Drafter(template, model, model_name="test-model").stream(draft):
        apply_event(draft, event, "draft")
    return draft, model


@pytest.mark.parametrize("style", ["given-when-then", "ears"])
def test_a_draft_in_the_prompted_format_traces_end_to_end(style: str) -> None:
    def reply(heading: str, prompt: str) -> str:
        if heading == UC:
            return USE_CASES
        if heading == FR:
            return (
                f"- **FR-1** (MUST, serves UC1): The service MUST send an update per status.\n"
                f"  - Acceptance criteria:\n    - {CRITERIA[style]}\n"
                "- **FR-2** (SHOULD, serves UC2): Shoppers SHOULD pick their channels.\n"
            )
        return "Assumption: 2,000 notifications per minute at peak."

    draft, model = _draft(style, reply)
    prompts = dict(model.prompts)
    marker = "Given <context>" if style == "given-when-then" else "When <trigger>, the <system>"
    assert marker in prompts[FR] and "**FR-1** (MUST, serves UC1" in prompts[FR]
    assert all("Acceptance criteria style" not in p for h, p in prompts.items() if h != FR)
    assert check_traceability(draft.to_markdown()) == []


def test_unknown_acceptance_style_is_refused_clearly() -> None:
    spec = load_template().section("functional-requirements")
    with pytest.raises(PromptError, match="Unknown acceptance criteria style 'bdd'"):
        default_library().acceptance_instructions(spec, "bdd")
    assert (
        default_library().acceptance_instructions(load_template().section("overview"), "bdd") == ""
    )


@pytest.mark.parametrize(
    "description",
    [
        "ParcelPing sends delivery updates to shoppers by SMS and email. Shoppers mute updates.",
        "Shelf is a library app. Members search the catalogue. Librarians check books in and out. "
        "Members reserve books and get a notice when they come back.",
        "An internal tool that lets finance analysts reconcile invoices against bank statements.",
    ],
)
def test_outline_drafts_define_use_cases_and_requirements_that_trace(
    description: str, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["draft", description, "--offline", "-q"]) == 0
    markdown = capsys.readouterr().out
    assert "| UC1 |" in markdown and "**FR-1** (serves UC1)" in markdown
    assert "{" not in markdown.split("## 6.")[1].split("## 7.")[0]  # every placeholder filled
    assert check_traceability(markdown) == []


def test_cli_acceptance_style_is_kept_in_the_draft_json(tmp_path: Path) -> None:
    out = tmp_path / "d.json"
    assert (
        main(
            [
                "draft",
                "Shelf is a library app.",
                "--offline",
                "-q",
                "--acceptance-style",
                "ears",
                "--json",
                str(out),
                "-o",
                str(tmp_path / "d.md"),
            ]
        )
        == 0
    )
    data = json.loads(out.read_text(encoding="utf-8"))
    assert data["acceptance_style"] == "ears"
    assert Draft.from_dict(data).acceptance_style == "ears"


def test_prd_review_reports_traceability_in_every_format(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    prd = tmp_path / "prd.md"
    prd.write_text(
        "## Use cases\n- UC1: Pay.\n- UC2: Refund.\n\n## Requirements\n"
        "- FR-1 (MUST, UC1): Payments MUST be confirmed within 2 s.\n",
        encoding="utf-8",
    )
    assert main(["review", str(prd), "--fail-on", "warning"]) == 1
    assert "use-case-not-covered" in capsys.readouterr().out
    main(["review", str(prd), "--format", "json"])
    payload = json.loads(capsys.readouterr().out)
    assert payload["summary"]["by_category"]["traceability"] == 1
    main(["review", str(prd), "--format", "sarif"])
    run = json.loads(capsys.readouterr().out)["runs"][0]
    (result,) = run["results"]
    descriptor = run["tool"]["driver"]["rules"][result["ruleIndex"]]
    assert descriptor["id"] == "use-case-not-covered"
    assert descriptor["properties"]["category"] == "traceability"
    prd.write_text(
        prd.read_text(encoding="utf-8").replace(
            "- UC2", "<!-- prd-review: disable=use-case-not-covered -->\n\n- UC2"
        ),
        encoding="utf-8",
    )
    assert main(["review", str(prd), "--fail-on", "warning"]) == 0
