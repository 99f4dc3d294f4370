"""A CSV in Jira's import format, for teams without API access (System > External system import
> CSV). One row per item; several Labels columns, because the importer maps each to a label."""

from __future__ import annotations

import csv
import io

from prd_assistant.trackers.items import TrackerItem
from prd_assistant.trackers.jira import description, jira_label

_PRIORITY = {"must": "High", "should": "Medium", "may": "Low"}


def jira_csv(items: list[TrackerItem], draft_id: str, source: str) -> str:
    """The CSV text: Summary, Issue Type, Priority, Description, External ID, Labels…"""
    label_rows = [
        [*dict.fromkeys([*(jira_label(x) for x in item.labels), f"prd-{draft_id}"])]
        for item in items
    ]
    width = max((len(labels) for labels in label_rows), default=1)
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(
        ["Summary", "Issue Type", "Priority", "Description", "External ID", *(["Labels"] * width)]
    )
    for item, labels in zip(items, label_rows, strict=True):
        writer.writerow(
            [
                item.title[:250],
                "Story" if item.kind == "requirement" else "Task",
                _PRIORITY.get(item.priority, "Medium"),
                description(item, draft_id, source),
                f"{draft_id}:{item.item_id}",
                *labels,
                *([""] * (width - len(labels))),
            ]
        )
    return out.getvalue()
