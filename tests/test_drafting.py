import itertools
import time

import httpx
import openai
import pytest
from langchain_core.language_models.fake_chat_models import GenericFakeChatModel
from langchain_core.messages import AIMessage

from prd_assistant.description import DescriptionError, check_description
from prd_assistant.document import Clarification, Draft, SectionStatus
from prd_assistant.drafting import Drafter
from prd_assistant.events import (
    SectionDelta,
    SectionDone,
    SectionFailed,
    SectionRetrying,
    SectionStarted,
    apply_event,
)
from prd_assistant.template import load_template, parse_template
from tests.support.fake_models import SectionModel

DESCRIPTION = (
    "ParcelPing is a delivery notification service for online merchants. It sends SMS and email "
    "updates via Twilio to shoppers, up to 2,000 notifications per minute at peak."
)


def new_draft(template=None, description=DESCRIPTION):
    template = template or load_template()
    return Draft.from_template(template, description, "ParcelPing")


def run(drafter, draft, keys=None, instruction="", source="draft"):
    events = []
    for event in drafter.stream(draft, keys, instruction):
        apply_event(draft, event, source)
        events.append(event)
    return events


def prompt_for(model, heading):
    return next(text for asked, text in model.prompts if asked == heading)


def test_full_draft_one_call_per_section_with_headings_verbatim():
    template = load_template()
    model = SectionModel()
    draft = new_draft(template)
    events = run(Drafter(template, model, model_name="test-model"), draft)

    assert sorted(h for h, _ in model.prompts) == sorted(s.heading for s in template.sections)
    assert all(s.status is SectionStatus.DONE for s in draft.sections)
    markdown = draft.to_markdown()
    positions = [markdown.index(f"\n{s.heading}\n") for s in template.sections]
    assert positions == sorted(positions)
    assert markdown.startswith("# ParcelPing Product Requirements Document (PRD)\n")
    assert markdown.rstrip().endswith("Template v1.0")
    for key in {e.key for e in events}:
        kinds = [type(e) for e in events if e.key == key]
        assert kinds[0] is SectionStarted and kinds[-1] is SectionDone and SectionDelta in kinds


def test_sections_draft_concurrently_within_the_limit():
    template = load_template()
    model = SectionModel(delay=0.05)
    run(Drafter(template, model, concurrency=4), new_draft(template))
    assert model.max_concurrent == 4


def test_a_section_receives_only_its_dependencies():
    template = load_template()
    model = SectionModel()
    run(Drafter(template, model), new_draft(template))
    prompt = prompt_for(model, "## 6. Functional Requirements")
    assert "Body of ## 4. Core Use Cases" in prompt
    assert "Body of ## 5. Users & Personas" in prompt
    assert "Body of ## 19. Change Control" not in prompt
    assert DESCRIPTION in prompt
    order = [h for h, _ in model.prompts]
    assert order.index("## 4. Core Use Cases") < order.index("## 6. Functional Requirements")


def test_open_questions_section_collects_every_other_sections_questions_last():
    template = load_template()
    model = SectionModel(reply=lambda h, p: f"Text.\nOpen question: Who owns {h[3:]}?")
    draft = new_draft(template)
    events = run(Drafter(template, model), draft)
    done = [e for e in events if isinstance(e, SectionDone)]
    assert done[-1].key == "open-questions"
    text = draft.section("open-questions").text
    assert text.startswith("Text.\nOpen question: Who owns 18. Open Questions?")
    assert "1. Who owns 1. Overview? _(Overview)_" in text
    assert "Who owns 17. Rollout & Migration Strategy? _(Rollout & Migration Strategy)_" in text
    assert text.count("Who owns") == 19
    # Its call did not wait for every other section: it saw only its own dependencies.
    prompt = prompt_for(model, "## 18. Open Questions")
    assert "Who owns 3. Goals & Non-Goals?" in prompt
    assert "Who owns 6. Functional Requirements?" not in prompt


def test_context_and_clarifications_reach_every_section():
    template = load_template()
    model = SectionModel()
    draft = new_draft(template)
    draft.context = "Audience: EU merchants only."
    draft.clarifications = [
        Clarification("Peak volume?", "5,000 per minute"),
        Clarification("Which regions?", "EU only", assumed=True),
    ]
    run(Drafter(template, model), draft)
    for _, prompt in model.prompts:
        assert "Audience: EU merchants only." in prompt
        assert "Peak volume? Answer: 5,000 per minute" in prompt
        assert "Assumption: Which regions? -> EU only" in prompt


def test_one_failing_section_does_not_stop_the_others():
    template = load_template()
    model = SectionModel(fail_for={"## 8. Domain Model": RuntimeError("boom")})
    draft = new_draft(template)
    events = run(Drafter(template, model), draft)
    failed = [e for e in events if isinstance(e, SectionFailed)]
    assert [e.key for e in failed] == ["domain-model"]
    assert failed[0].error
    assert all(s.status is SectionStatus.DONE for s in draft.sections if s.key != "domain-model")
    # Its dependents still drafted, told the dependency is missing.
    assert "(not drafted yet)" in prompt_for(model, "## 10. Data Storage & Lifecycle")
    assert "Drafting this section failed" in draft.to_markdown()


def test_retrying_a_failed_section_keeps_the_rest():
    template = load_template()
    model = SectionModel(fail_for={"## 8. Domain Model": RuntimeError("boom")}, fail_times=1)
    draft = new_draft(template)
    drafter = Drafter(template, model)
    run(drafter, draft)
    before = {s.key: s.text for s in draft.sections}
    run(drafter, draft, keys=["domain-model"])
    assert draft.section("domain-model").status is SectionStatus.DONE
    assert {s.key: s.text for s in draft.sections if s.key != "domain-model"} == {
        k: v for k, v in before.items() if k != "domain-model"
    }


def server_error() -> openai.InternalServerError:
    request = httpx.Request("POST", "http://127.0.0.1/v1/chat/completions")
    return openai.InternalServerError(
        "overloaded", response=httpx.Response(503, request=request), body=None
    )


@pytest.mark.parametrize(
    ("failures", "status"), [(1, SectionStatus.DONE), (2, SectionStatus.FAILED)]
)
def test_a_transient_failure_is_retried_as_often_as_asked(failures, status):
    template = load_template()
    model = SectionModel(fail_for={"## 8. Domain Model": server_error()}, fail_times=failures)
    draft = new_draft(template)
    events = run(Drafter(template, model, retries=1), draft)
    assert draft.section("domain-model").status == status
    assert [h for h, _ in model.prompts].count("## 8. Domain Model") == 2
    retried = [e for e in events if isinstance(e, SectionRetrying)]
    assert [(e.key, e.attempt) for e in retried] == [("domain-model", 2)]
    assert "HTTP 503" in retried[0].reason
    failed = [e for e in events if isinstance(e, SectionFailed)]
    assert len(failed) == failures - 1
    assert all(not e.error.startswith("\x00") for e in failed)
    assert all(s.status == SectionStatus.DONE for s in draft.sections if s.key != "domain-model")


def test_failed_regeneration_keeps_the_previous_text():
    template = load_template()
    draft = new_draft(template)
    run(Drafter(template, SectionModel()), draft)
    old = draft.section("overview").text
    broken = SectionModel(fail_for={"## 1. Overview": TimeoutError("slow")})
    run(Drafter(template, broken), draft, keys=["overview"])
    assert draft.section("overview").status is SectionStatus.FAILED
    assert draft.section("overview").text == old


def test_regenerate_with_instruction_uses_current_text_and_skips_locked():
    template = load_template()
    draft = new_draft(template)
    run(Drafter(template, SectionModel()), draft)
    draft.section("problem-statement").locked = True
    locked_text = draft.section("problem-statement").text
    fake = GenericFakeChatModel(
        messages=iter([AIMessage(content="## 1. Overview\nShorter overview.")])
    )
    drafter = Drafter(template, fake)
    run(drafter, draft, keys=["overview"], instruction="make it shorter", source="regenerate")
    overview = draft.section("overview")
    assert overview.text == "Shorter overview."
    assert overview.source == "regenerate"
    assert draft.section("problem-statement").text == locked_text
    stale = drafter.mark_dependents_stale(draft, "overview")
    assert {"goals-non-goals", "open-questions"} <= set(stale)
    assert {"functional-requirements", "risks-mitigations"} <= set(stale)  # through Goals
    assert "domain-model" not in stale
    assert draft.section("goals-non-goals").stale


def test_regenerate_prompt_carries_the_instruction_and_current_text():
    template = load_template()
    draft = new_draft(template)
    draft.section("overview").text = "Old overview text."
    model = SectionModel()
    run(Drafter(template, model), draft, keys=["overview"], instruction="add GDPR")
    prompt = prompt_for(model, "## 1. Overview")
    assert "Old overview text." in prompt and "add GDPR" in prompt


def test_default_run_skips_locked_sections():
    template = load_template()
    draft = new_draft(template)
    draft.section("overview").locked = True
    model = SectionModel()
    run(Drafter(template, model), draft)
    assert "## 1. Overview" not in [h for h, _ in model.prompts]
    assert draft.section("overview").status is SectionStatus.WAITING


def test_streaming_and_non_streaming_give_identical_sections():
    template = load_template()
    reply = "## 3. Goals & Non-Goals\n### Goals\n- G1\n- G1\n- G1\n### Non-Goals\n- none"
    results = []
    for streaming in (True, False):
        draft = new_draft(template)
        model = SectionModel(reply=lambda h, p: reply)
        run(Drafter(template, model, streaming=streaming), draft, keys=["goals-non-goals"])
        results.append(draft.section("goals-non-goals").text)
    assert results[0] == results[1] == "### Goals\n- G1\n\n### Non-Goals\n- none"


def test_usage_comes_from_the_server_or_from_token_counting():
    template = load_template()
    draft = new_draft(template)
    run(Drafter(template, SectionModel(), model_name="gpt-4o-mini"), draft, keys=["overview"])
    reported = draft.section("overview").usage
    assert reported.exact and reported.prompt_tokens > 0 and reported.cost_usd is not None
    run(
        Drafter(template, SectionModel(usage=False), model_name="local-llama"),
        draft,
        keys=["overview"],
    )
    counted = draft.section("overview").usage
    assert counted.prompt_tokens > 100 and counted.completion_tokens > 0
    assert counted.cost_usd is None


def test_junk_reply_fails_the_section_clearly():
    template = load_template()
    draft = new_draft(template)
    events = run(
        Drafter(template, SectionModel(reply=lambda h, p: "  \n")), draft, keys=["overview"]
    )
    assert isinstance(events[-1], SectionFailed)
    assert "empty" in events[-1].error.lower()


def test_outline_mode_is_deterministic_and_states_only_facts():
    template = load_template()
    texts = []
    for _ in range(2):
        draft = new_draft(template)
        draft.outline = True
        run(Drafter(template, None), draft, source="outline")
        texts.append(draft.to_markdown())
    assert texts[0] == texts[1]
    markdown = texts[0]
    assert "**Outline**" in markdown
    assert "2,000 notifications per minute" in markdown
    assert "- merchants" in markdown and "Twilio" in markdown
    assert markdown.count("Open question:") >= 19
    assert "### Goals" in markdown and "### External API Surface" in markdown


def test_outline_mode_works_for_custom_templates():
    template = parse_template(
        "# <Service Name> one-pager\n## Pricing\nHow we charge.\n## Launch\n", "c.md"
    )
    draft = new_draft(template)
    run(Drafter(template, None), draft)
    assert (
        'Open question: What should "Pricing" say for ParcelPing?' in draft.section("pricing").text
    )


def test_an_outline_keeps_a_guidance_table_as_a_table_and_says_nothing_of_no_guidance():
    from prd_assistant.markdown_doc import parse_markdown

    table = "| Phase | Audience |\n|---|---|\n| Beta | 5 merchants |"
    template = parse_template(
        f"# <Service Name> one-pager\n## Rollout\nPlan it:\n\n{table}\n## Launch\n"
        "## Risks\n- one\n- two\n",
        "c.md",
    )
    draft = new_draft(template)
    run(Drafter(template, None), draft)
    rollout = draft.section("rollout").text
    assert table in rollout and "| Phase | Audience | |---|" not in rollout
    assert [b.kind for b in parse_markdown(rollout).blocks].count("table_cell") >= 2
    assert "(none)" not in draft.to_markdown()
    assert draft.section("launch").text == 'Open question: What should "Launch" say for ParcelPing?'
    assert "- one\n- two" in draft.section("risks").text


def test_closing_the_stream_early_cancels_waiting_sections():
    template = load_template()
    model = SectionModel(delay=0.05)
    stream = Drafter(template, model, concurrency=2).stream(new_draft(template))
    list(itertools.islice(stream, 3))
    stream.close()
    time.sleep(0.2)
    assert len(model.prompts) <= 4


def test_unknown_section_key_is_refused_before_any_call():
    template = load_template()
    model = SectionModel()
    with pytest.raises(KeyError):
        list(Drafter(template, model).stream(new_draft(template), keys=["nope"]))
    assert model.prompts == []


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("", "empty"),
        ("   ", "empty"),
        ("Payments", "too short"),
        ("word " * 5000, "limit is 3,000"),
    ],
)
def test_bad_descriptions_are_refused(text, message):
    with pytest.raises(DescriptionError, match=message):
        check_description(text)


def test_estimate_calls_no_model_and_counts_every_section():
    template = load_template()
    estimate = Drafter(template, None, model_name="gpt-4o-mini").estimate(new_draft(template))
    assert len(estimate) == 19
    assert all(u.prompt_tokens > 200 and u.cost_usd for u in estimate.values())
