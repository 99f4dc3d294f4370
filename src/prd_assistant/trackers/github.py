"""GitHub Issues through PyGithub: one issue per requirement (criteria as a checklist) and per
open question, labelled ``prd-assistant`` plus kind and priority."""

from __future__ import annotations

from prd_assistant.redaction import remember
from prd_assistant.trackers.items import TrackerItem, body_lines, marker
from prd_assistant.trackers.sync import RemoteIssue, TrackerError, marker_of

DEFAULT_API_URL = "https://api.github.com"
# GitHub asks integrations to pace writes (secondary rate limits): PyGithub waits this long
# between them, and between reads a quarter of it.
WRITE_INTERVAL = 1.0
_LABEL_COLORS = {
    "prd-assistant": "5319e7",
    "requirement": "0e8a16",
    "open-question": "fbca04",
    "priority: must": "b60205",
    "priority: should": "d93f0b",
    "priority: may": "c5def5",
}


def issue_body(item: TrackerItem, draft_id: str, source: str) -> str:
    """The GitHub issue body: statement, acceptance checklist, provenance, hidden marker."""
    lines = body_lines(
        item, source, strong="**", heading="### Acceptance criteria", bullet="- [ ] "
    )
    return "\n".join([*lines, "", f"<!-- {marker(draft_id, item.item_id)} -->"]) + "\n"


class GitHubTracker:
    """Issues of one repository.

    Args:
        repo: ``owner/name``.
        token: A token with ``issues: write`` (from ``GITHUB_TOKEN``; never stored or shown).
        api_url: The REST API root (GitHub Enterprise: ``https://host/api/v3``).
    """

    def __init__(self, repo: str, token: str, api_url: str = DEFAULT_API_URL) -> None:
        from github import Auth, Github  # loaded only for a push

        if "/" not in repo.strip("/"):
            raise TrackerError(f"--repo must be owner/name, not {repo!r}")
        remember(token)  # so no log line or error text (ours or the client library's) shows it
        self.name = f"GitHub {repo}"
        self._repo_name = repo.strip("/")
        self._client = Github(
            auth=Auth.Token(token),
            base_url=api_url.rstrip("/"),
            timeout=30,
            retry=2,
            seconds_between_requests=WRITE_INTERVAL / 4,
            seconds_between_writes=WRITE_INTERVAL,
        )
        self._repo = None
        self._labels: set[str] | None = None

    def _repository(self):
        if self._repo is None:
            self._repo = self._call(lambda: self._client.get_repo(self._repo_name))
        return self._repo

    def _call(self, action):
        from github import GithubException

        try:
            return action()
        except GithubException as exc:
            message = (exc.data or {}).get("message", "") if isinstance(exc.data, dict) else ""
            hint = {
                401: "check GITHUB_TOKEN",
                403: "the token needs issues: write on this repository",
                404: "check --repo (and that the token can see it)",
            }.get(exc.status, "try again later")
            raise TrackerError(f"GitHub answered {exc.status} {message}; {hint}.") from None
        except OSError as exc:
            raise TrackerError(
                f"cannot reach GitHub ({exc.__class__.__name__}); check --api-url."
            ) from None

    def body(self, item: TrackerItem, draft_id: str, source: str) -> str:
        return issue_body(item, draft_id, source)

    def labels_for(self, item: TrackerItem, draft_id: str) -> tuple[str, ...]:
        return item.labels

    def fetch(self, draft_id: str) -> list[RemoteIssue]:
        repo = self._repository()

        def read() -> list[RemoteIssue]:
            found = []
            for issue in repo.get_issues(state="all", labels=["prd-assistant"]):
                if issue.pull_request is not None:
                    continue
                item_id = marker_of(issue.body or "", draft_id)
                if item_id:
                    found.append(
                        RemoteIssue(
                            item_id,
                            f"#{issue.number}",
                            issue.title,
                            issue.body or "",
                            tuple(label.name for label in issue.labels),
                            issue.html_url or "",
                            issue,
                        )
                    )
            return found

        return self._call(read)

    def _ensure_labels(self, wanted: tuple[str, ...]) -> None:
        repo = self._repository()
        if self._labels is None:
            self._labels = self._call(lambda: {label.name for label in repo.get_labels()})
        for name in wanted:
            if name not in self._labels:
                self._call(
                    lambda name=name: repo.create_label(name, _LABEL_COLORS.get(name, "ededed"))
                )
                self._labels.add(name)

    def create(self, item: TrackerItem, body: str, draft_id: str) -> RemoteIssue:
        self._ensure_labels(item.labels)
        repo = self._repository()
        issue = self._call(
            lambda: repo.create_issue(title=item.title, body=body, labels=list(item.labels))
        )
        return RemoteIssue(
            item.item_id,
            f"#{issue.number}",
            issue.title,
            body,
            item.labels,
            issue.html_url or "",
            issue,
        )

    def update(
        self, remote: RemoteIssue, item: TrackerItem, body: str, draft_id: str
    ) -> RemoteIssue:
        labels = sorted(set(remote.labels) | set(item.labels))
        self._ensure_labels(tuple(labels))
        issue = remote.handle
        self._call(lambda: issue.edit(title=item.title, body=body, labels=labels))  # type: ignore[union-attr]
        return RemoteIssue(
            item.item_id, remote.ref, item.title, body, tuple(labels), remote.url, issue
        )
