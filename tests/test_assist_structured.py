"""The structured-output machinery: JSON extraction, validation, one repair, clear errors."""

from __future__ import annotations

import json

import pytest
from langchain_core.language_models.fake_chat_models import FakeListChatModel

from prd_assistant.assist.models import (
    AssistError,
    ClarifyingQuestion,
    Risk,
    Suggestions,
    wire_schema,
)
from prd_assistant.assist.prompt_files import (
    PROMPT_VARIABLES,
    load_prompt,
    parse_prompt,
)
from prd_assistant.assist.structured import ReplyError, ask_structured, extract_json, parse_reply
from prd_assistant.prompts import PromptError
from tests.support.fake_models import SectionModel

VALID = {
    "risks": [
        {
            "title": "Single PostgreSQL primary",
            "section": "10. Data Storage & Lifecycle",
            "likelihood": "medium",
            "impact": "high",
            "mitigation": "Add a synchronous standby in a second zone.",
        }
    ],
    "open_questions": [
        {
            "question": "Who approves schema changes?",
            "why": "Decides the migration process.",
            "section": "19. Change Control",
            "owner": "Engineering manager",
        }
    ],
    "rewrites": [],
}


def _ask(model, structured=None):
    return ask_structured(
        model,
        load_prompt("assist_suggest"),
        {
            "part_note": "",
            "document": "## 1. Overview\nA ledger.",
            "known_questions": "(none)",
            "known_risks": "(none)",
            "claims": "(none)",
        },
        Suggestions,
        name="prd_suggestions",
        what="risks and open questions",
        structured=structured,
    )


@pytest.mark.parametrize(
    "reply",
    [
        json.dumps(VALID),
        "```json\n" + json.dumps(VALID, indent=2) + "\n```",
        "Here are the risks I found:\n\n" + json.dumps(VALID) + "\n\nLet me know if you need more.",
        "Sure!\n```\n" + json.dumps(VALID) + "\n```\nDone.",
        "<think>The user wants JSON {not this}.</think>\n" + json.dumps(VALID),
    ],
    ids=["bare", "json-fence", "prose-around", "plain-fence", "think-block"],
)
def test_valid_reply_in_any_wrapping_is_read_in_one_call(reply: str) -> None:
    model = FakeListChatModel(responses=[reply])
    result, outcome = _ask(model)
    assert result.risks[0].title == "Single PostgreSQL primary"
    assert result.risks[0].impact == "high"
    assert result.open_questions[0].owner == "Engineering manager"
    assert outcome.calls == 1 and not outcome.repaired and not outcome.native


def test_invalid_json_then_successful_repair() -> None:
    broken = '{"risks": [{"title": "Single primary", "likelihood": "medium",}'  # cut off
    model = SectionModel(reply=_replies(broken, json.dumps(VALID)))
    result, outcome = _ask(model)
    assert result.open_questions[0].question == "Who approves schema changes?"
    assert outcome.repaired and outcome.calls == 2
    repair_prompt = model.prompts[1][1]
    # The repair request quotes the broken reply, says what is wrong and gives the schema.
    assert broken in repair_prompt
    assert "not valid JSON" in repair_prompt
    assert '"open_questions"' in repair_prompt


def test_schema_violation_is_repaired_with_the_validation_error() -> None:
    wrong = json.dumps({"risks": [{"title": "Vendor lock-in", "likelihood": "sometimes"}]})
    model = SectionModel(reply=_replies(wrong, json.dumps(VALID)))
    result, outcome = _ask(model)
    assert outcome.repaired
    assert "risks.0.likelihood" in model.prompts[1][1]
    assert result.risks[0].likelihood == "medium"


def test_invalid_twice_gives_a_clear_error() -> None:
    model = FakeListChatModel(responses=["I cannot help with that.", "Still no JSON, sorry."])
    with pytest.raises(AssistError) as caught:
        _ask(model)
    message = str(caught.value)
    assert "could not be read as risks and open questions" in message
    assert "even after asking it once to fix its JSON" in message
    assert "Try again" in message


def test_a_model_failure_becomes_a_pm_facing_error() -> None:
    model = SectionModel(fail_for={"": TimeoutError("read timed out")})
    with pytest.raises(AssistError, match="Could not get risks and open questions from the model"):
        _ask(model)


def test_structured_false_never_asks_for_native_output() -> None:
    model = FakeListChatModel(responses=[json.dumps(VALID)])
    result, outcome = _ask(model, structured=False)
    assert result.risks and not outcome.native and outcome.calls == 1


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ('noise {"a": 1} more {"b": 2}', {"a": 1}),
        ('[{"question": "Who?"}]', [{"question": "Who?"}]),
        ('{"text": "braces } inside { strings"}', {"text": "braces } inside { strings"}),
    ],
)
def test_extract_json(text: str, expected: object) -> None:
    assert extract_json(text) == expected


@pytest.mark.parametrize("text", ["", "   ", "no json here", "{broken"])
def test_extract_json_rejects_text_without_json(text: str) -> None:
    with pytest.raises(ReplyError):
        extract_json(text)


def test_levels_and_topics_are_normalised() -> None:
    risk = Risk(title="Hot partitions", likelihood="Moderate", impact="CRITICAL")
    assert (risk.likelihood, risk.impact) == ("medium", "high")
    question = ClarifyingQuestion(
        question="How many users?",
        topic="Users & Scale",
        options=["100", "10,000"],
        recommended="1,000",
    )
    assert question.topic == "users_scale"
    # The recommended answer is always one click away.
    assert question.options[0] == "1,000"


def test_parse_reply_reports_what_is_wrong() -> None:
    with pytest.raises(ReplyError, match=r"risks\.0\.title"):
        parse_reply('{"risks": [{"title": ""}]}', Suggestions)


def test_wire_schema_is_strict_mode_compatible() -> None:
    schema = wire_schema(Suggestions)

    def objects(node):
        if isinstance(node, dict):
            if node.get("type") == "object":
                yield node
            for value in node.values():
                yield from objects(value)
        elif isinstance(node, list):
            for item in node:
                yield from objects(item)

    found = list(objects(schema))
    assert len(found) == 4  # Suggestions, Risk, SuggestedQuestion, QuantifiedRewrite
    for node in found:
        assert node["additionalProperties"] is False
        assert sorted(node["required"]) == sorted(node["properties"])
    assert "title" in schema["$defs"]["Risk"]["properties"]  # a field, not the keyword
    assert "default" not in json.dumps(schema)


@pytest.mark.parametrize("name", sorted(PROMPT_VARIABLES))
def test_each_prompt_renders_with_its_variables(name: str) -> None:
    prompt = load_prompt(name)
    values = {var: f"<{var}-value>" for var in PROMPT_VARIABLES[name]}
    messages = prompt.format_messages(**values)
    assert [m.type for m in messages] == ["system", "human"]
    text = "\n".join(str(m.content) for m in messages)
    for var in PROMPT_VARIABLES[name]:
        assert f"<{var}-value>" in text
    assert "{{" not in text  # literal braces were escaped, and came out single


def test_a_prompt_with_a_stray_variable_is_refused() -> None:
    with pytest.raises(PromptError, match="must use exactly"):
        parse_prompt("System.\n=== human ===\n{reply} {error} {schema} {oops}", "assist_repair.md")
    with pytest.raises(PromptError, match="=== human ==="):
        parse_prompt("Only one part {reply}", "assist_repair.md")


def _replies(*texts: str):
    """A SectionModel reply function that answers with ``texts`` in order."""
    queue = list(texts)

    def reply(_heading: str, _prompt: str) -> str:
        return queue.pop(0)

    return reply
