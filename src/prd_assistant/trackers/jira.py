"""Jira through the ``jira`` client: one issue per requirement and per open question, found
again by the labels ``prd-assistant`` and ``prd-<draft id>`` and the marker in the description."""

from __future__ import annotations

import logging
import re

from prd_assistant.redaction import remember_login
from prd_assistant.trackers.items import TrackerItem, body_lines, marker
from prd_assistant.trackers.sync import RemoteIssue, TrackerError, marker_of

_LABEL_CHARS = re.compile(r"[^\w.-]+")


def jira_label(label: str) -> str:
    """Jira labels hold no spaces: ``"priority: must"`` -> ``"priority-must"``."""
    return _LABEL_CHARS.sub("-", label).strip("-")


def description(item: TrackerItem, draft_id: str, source: str) -> str:
    """The Jira description in wiki markup, ending with the sync marker line."""
    lines = body_lines(item, source, strong="*", heading="h3. Acceptance criteria", bullet="* ")
    return "\n".join(
        [*lines, "", f"{marker(draft_id, item.item_id)} (sync marker: keep this line)"]
    )


class JiraTracker:
    """Issues of one Jira project.

    Args:
        server: The Jira URL, e.g. ``https://example.atlassian.net``.
        project: The project key, e.g. ``PRD``.
        token: API token (Cloud, with ``email``) or personal access token (Data Center).
        email: The account e-mail for Cloud's basic auth; ``None`` uses the token as a bearer.
        issue_type: Issue type for requirements (questions use ``Task``).
    """

    def __init__(
        self,
        server: str,
        project: str,
        token: str,
        email: str | None = None,
        issue_type: str = "Story",
    ) -> None:
        from jira import JIRA  # loaded only for a push

        # The HTTP client's debug log and an echoing proxy may show the token or its header.
        remember_login(email, token)
        self.name = f"Jira {project}"
        self.server = server.rstrip("/")
        self.project = project
        self.issue_type = issue_type
        # Jira Cloud takes e-mail + API token and searches with /search/jql; Data Center takes
        # a personal access token and searches with /search.
        self._cloud = email is not None
        # The client warns about every short search page; that is noise for a PM.
        logging.getLogger("jira").setLevel(logging.ERROR)
        auth = {"basic_auth": (email, token)} if email else {"token_auth": token}
        try:
            self._client = JIRA(
                server=self.server,
                get_server_info=False,
                options={"check_update": False},
                timeout=30,
                max_retries=2,
                **auth,
            )
        except Exception as exc:  # the client raises many kinds; none may carry the token out
            raise TrackerError(_describe(exc)) from None
        if self._cloud:
            # Skipping the serverInfo call leaves the deployment type unset; the client only
            # allows Cloud's /search/jql when it is "Cloud".
            self._client.deploymentType = "Cloud"

    def _call(self, action):
        try:
            return action()
        except TrackerError:
            raise
        except Exception as exc:
            raise TrackerError(_describe(exc)) from None

    def body(self, item: TrackerItem, draft_id: str, source: str) -> str:
        return description(item, draft_id, source)

    def labels_for(self, item: TrackerItem, draft_id: str) -> tuple[str, ...]:
        return tuple(dict.fromkeys([*(jira_label(x) for x in item.labels), f"prd-{draft_id}"]))

    def fetch(self, draft_id: str) -> list[RemoteIssue]:
        jql = f'project = "{self.project}" AND labels = "prd-{draft_id}" ORDER BY key'
        fields = "summary,description,labels"

        def read() -> list[RemoteIssue]:
            if self._cloud:
                issues = self._client.enhanced_search_issues(jql, maxResults=0, fields=fields)
            else:
                issues = self._client.search_issues(jql, maxResults=False, fields=fields)
            found = []
            for issue in issues:
                text = issue.fields.description or ""
                item_id = marker_of(text, draft_id)
                if item_id:
                    found.append(
                        RemoteIssue(
                            item_id,
                            issue.key,
                            issue.fields.summary,
                            text,
                            tuple(issue.fields.labels or ()),
                            f"{self.server}/browse/{issue.key}",
                            issue,
                        )
                    )
            return found

        return self._call(read)

    def create(self, item: TrackerItem, body: str, draft_id: str) -> RemoteIssue:
        labels = list(self.labels_for(item, draft_id))
        fields = {
            "project": {"key": self.project},
            "summary": item.title[:250],
            "description": body,
            "issuetype": {"name": self.issue_type if item.kind == "requirement" else "Task"},
            "labels": labels,
        }
        issue = self._call(lambda: self._client.create_issue(fields=fields, prefetch=False))
        return RemoteIssue(
            item.item_id,
            issue.key,
            item.title,
            body,
            tuple(labels),
            f"{self.server}/browse/{issue.key}",
            issue,
        )

    def update(
        self, remote: RemoteIssue, item: TrackerItem, body: str, draft_id: str
    ) -> RemoteIssue:
        labels = sorted(set(remote.labels) | set(self.labels_for(item, draft_id)))
        fields = {"summary": item.title[:250], "description": body, "labels": labels}
        self._call(lambda: remote.handle.update(fields=fields, notify=False))  # type: ignore[union-attr]
        return RemoteIssue(
            item.item_id, remote.ref, item.title, body, tuple(labels), remote.url, remote.handle
        )


def _describe(exc: Exception) -> str:
    status = getattr(exc, "status_code", None)
    if status:
        hint = {
            401: "check JIRA_API_TOKEN (and JIRA_EMAIL for Jira Cloud)",
            403: "the account needs permission to create issues in the project",
            404: "check --server and --project",
        }.get(status, "try again later")
        text = getattr(exc, "text", "") or ""
        return f"Jira answered {status} {str(text)[:200]}; {hint}."
    return f"cannot reach Jira ({exc.__class__.__name__}); check --server."
