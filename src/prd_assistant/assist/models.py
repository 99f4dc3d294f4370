"""The shapes the assistant asks the model for, validated with pydantic.

The models are lenient on input (case, common synonyms, missing lists) because many
OpenAI-compatible servers answer without schema enforcement; what leaves this module is
always normalised.
"""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from prd_assistant import llm

Level = Literal["low", "medium", "high"]
MAX_CLARIFYING_QUESTIONS = 5
TOPICS = ("users_scale", "constraints", "integrations", "compliance", "success_metric", "other")
_LEVEL_SYNONYMS = {
    "l": "low",
    "lo": "low",
    "minor": "low",
    "med": "medium",
    "mid": "medium",
    "moderate": "medium",
    "m": "medium",
    "h": "high",
    "hi": "high",
    "major": "high",
    "critical": "high",
    "severe": "high",
}


class AssistError(llm.PMFacingError):
    """An AI-assist step failed; the message says what happened and what to do next."""


class _Lenient(BaseModel):
    model_config = ConfigDict(extra="ignore", str_strip_whitespace=True)


def _level(value: Any) -> Any:
    if isinstance(value, str):
        word = value.strip().casefold()
        return _LEVEL_SYNONYMS.get(word, word)
    return value


class ClarifyingQuestion(_Lenient):
    """A multiple-choice question asked before drafting. Free text is always allowed too."""

    question: str = Field(min_length=3)
    topic: str = "other"
    options: list[str] = Field(default_factory=list)
    recommended: str = ""

    @field_validator("topic", mode="before")
    @classmethod
    def _topic(cls, value: Any) -> str:
        word = "_".join(
            str(value or "other").casefold().replace("&", " ").replace("-", " ").split()
        )
        aliases = {
            "users": "users_scale",
            "scale": "users_scale",
            "users_and_scale": "users_scale",
            "hard_constraints": "constraints",
            "constraint": "constraints",
            "integration": "integrations",
            "success_metrics": "success_metric",
            "metric": "success_metric",
            "metrics": "success_metric",
        }
        word = aliases.get(word, word)
        return word if word in TOPICS else "other"

    @model_validator(mode="after")
    def _recommended_is_an_option(self) -> ClarifyingQuestion:
        seen: dict[str, str] = {}
        for option in self.options:
            text = str(option).strip()
            if text:
                seen.setdefault(text.casefold(), text)
        options = list(seen.values())
        recommended = self.recommended.strip()
        if not recommended and options:
            recommended = options[0]
        if recommended and recommended.casefold() not in seen:
            # The PM must be able to pick the recommendation with one click.
            options.insert(0, recommended)
        self.options, self.recommended = options, recommended
        return self


class ClarifyingQuestions(_Lenient):
    """The clarify reply: at most five questions, most draft-changing first."""

    questions: list[ClarifyingQuestion] = Field(default_factory=list)

    @model_validator(mode="before")
    @classmethod
    def _bare_list(cls, data: Any) -> Any:
        return {"questions": data} if isinstance(data, list) else data


class Risk(_Lenient):
    """A risk the draft does not cover, with the section it concerns and a mitigation."""

    title: str = Field(min_length=3)
    section: str = ""
    likelihood: Level = "medium"
    impact: Level = "medium"
    mitigation: str = ""

    @field_validator("likelihood", "impact", mode="before")
    @classmethod
    def _normalise(cls, value: Any) -> Any:
        return _level(value)


class SuggestedQuestion(_Lenient):
    """An open question the draft should track, with why it matters and who should answer."""

    question: str = Field(min_length=3)
    why: str = ""
    section: str = ""
    owner: str = ""


class QuantifiedRewrite(_Lenient):
    """A vague sentence rewritten with concrete numbers marked as assumptions."""

    original: str = Field(min_length=3)
    rewrite: str = Field(min_length=3)
    reason: str = ""


class Suggestions(_Lenient):
    """The one-pass review: risks, open questions and quantified rewrites."""

    risks: list[Risk] = Field(default_factory=list)
    open_questions: list[SuggestedQuestion] = Field(default_factory=list)
    rewrites: list[QuantifiedRewrite] = Field(default_factory=list)

    def merge(self, other: Suggestions) -> Suggestions:
        """Both results in one (used when a large draft is reviewed in parts)."""
        return Suggestions(
            risks=[*self.risks, *other.risks],
            open_questions=[*self.open_questions, *other.open_questions],
            rewrites=[*self.rewrites, *other.rewrites],
        )


def wire_schema(model: type[BaseModel]) -> dict[str, Any]:
    """The model's JSON schema in the strict form OpenAI structured output accepts.

    Strict mode wants every property required, no defaults and ``additionalProperties: false``;
    our models keep defaults so that lenient (non-strict) replies still validate.
    """

    def tighten(node: Any, is_properties: bool = False) -> Any:
        if isinstance(node, dict):
            if is_properties:  # keys here are field names ("title" is one), not keywords
                return {k: tighten(v) for k, v in node.items()}
            node = {
                k: tighten(v, k == "properties")
                for k, v in node.items()
                if k not in {"default", "title", "minLength"}
            }
            if node.get("type") == "object" and "properties" in node:
                node["required"] = list(node["properties"])
                node["additionalProperties"] = False
            return node
        if isinstance(node, list):
            return [tighten(item) for item in node]
        return node

    # Length limits stay ours to enforce: strict mode rejects some keywords outright.
    return tighten(model.model_json_schema())
