"""Hand-off to trackers: GitHub Issues, Jira, and a Jira import CSV, with a preview first.

``collect_items`` turns a PRD into tracker items (one per functional requirement, one per open
question); ``plan_push`` compares them with what the tracker holds (by the sync marker each
pushed issue carries) and ``apply_plan`` does exactly what the plan previewed. Deleted
requirements are reported, never closed. Tokens come from the environment or Streamlit
secrets and are never stored, logged or exported.
"""

from prd_assistant.trackers.items import TrackerItem, collect_items, draft_id_for
from prd_assistant.trackers.sync import (
    Change,
    Plan,
    RemoteIssue,
    TrackerError,
    apply_plan,
    plan_push,
)

__all__ = [
    "Change",
    "Plan",
    "RemoteIssue",
    "TrackerError",
    "TrackerItem",
    "apply_plan",
    "collect_items",
    "draft_id_for",
    "plan_push",
]
