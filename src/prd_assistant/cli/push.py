"""Push a PRD's requirements and open questions to GitHub Issues or Jira, or write a Jira CSV.

Always previews first (what will be created, updated, left alone, and which issues lost their
requirement); --dry-run stops there. Pushing again updates the same issues: each carries a sync
marker (draft id + requirement ID). Issues whose requirement left the PRD are reported, never
closed. Tokens are read from the environment only (GITHUB_TOKEN; JIRA_API_TOKEN with
JIRA_EMAIL for Jira Cloud, or JIRA_PAT for Data Center) and are never printed or saved.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from pathlib import Path

from prd_assistant.cli.common import EXIT_FAILED, EXIT_OK, fail
from prd_assistant.textfile import TextFileError, read_text_file

MAX_BYTES = 20 * 1024 * 1024


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """Adds the ``github``, ``jira`` and ``jira-csv`` targets."""
    targets = parser.add_subparsers(dest="target", required=True, metavar="TARGET")
    github = targets.add_parser("github", help="GitHub Issues (token: GITHUB_TOKEN)")
    github.add_argument("--repo", required=True, help="owner/name")
    github.add_argument("--api-url", default="https://api.github.com", help="REST API root")
    jira = targets.add_parser("jira", help="Jira (JIRA_API_TOKEN + JIRA_EMAIL, or JIRA_PAT)")
    jira.add_argument("--server", required=True, help="e.g. https://example.atlassian.net")
    jira.add_argument("--project", required=True, help="project key, e.g. PRD")
    jira.add_argument("--issue-type", default="Story", help="issue type of requirements (Story)")
    csv_parser = targets.add_parser("jira-csv", help="a CSV for Jira's importer (no API)")
    csv_parser.add_argument("-o", "--output", help="write the CSV here (default: stdout)")
    for sub in (github, jira, csv_parser):
        sub.add_argument("file", metavar="FILE", help="the PRD: Markdown, or a draft JSON")
        sub.add_argument(
            "--draft-id",
            help="sync id of this PRD (default: the draft JSON's id, or the slug of the # title)",
        )
    for sub in (github, jira):
        sub.add_argument("--dry-run", action="store_true", help="preview only; change nothing")


def _load(path: str) -> tuple[str, str, str]:
    """(markdown, draft id, title) from a Markdown file or a draft JSON export."""
    from prd_assistant.trackers import draft_id_for

    text = read_text_file(path, max_bytes=MAX_BYTES)
    if path.endswith(".json"):
        from prd_assistant.document import Draft

        try:
            draft = Draft.from_dict(json.loads(text))
        except (ValueError, json.JSONDecodeError) as exc:
            raise TextFileError(f"{path}: {exc}") from None
        return draft.to_markdown(), draft.id, draft.title.lstrip("# ").strip()
    title = next((line[2:].strip() for line in text.splitlines() if line.startswith("# ")), "")
    return text, draft_id_for(text, Path(path).stem), title or Path(path).name


def _token(*names: str) -> str | None:
    return next((os.environ[n] for n in names if os.environ.get(n)), None)


def run(args: argparse.Namespace) -> int:
    """Previews, then (unless --dry-run) pushes; returns the exit code."""
    from prd_assistant.trackers import TrackerError, apply_plan, collect_items, plan_push

    try:
        markdown, draft_id, title = _load(args.file)
    except TextFileError as exc:
        return fail(str(exc))
    draft_id = args.draft_id or draft_id
    items = collect_items(markdown)
    if args.target == "jira-csv":
        from prd_assistant.trackers.jira_csv import jira_csv

        text = jira_csv(items, draft_id, title)
        if args.output:
            Path(args.output).write_text(text, encoding="utf-8")
            print(
                f"Wrote {len(items)} issue(s) to {args.output} (Jira: External system import > CSV)."
            )
        else:
            sys.stdout.write(text)
        return EXIT_OK
    try:
        tracker = _tracker(args)
        if isinstance(tracker, int):
            return tracker
        plan = plan_push(tracker, items, draft_id, title)
        print(plan.render())
        if args.dry_run:
            print("Dry run: nothing was changed.")
            return EXIT_OK
        done = apply_plan(tracker, plan, progress=lambda line: print(f"  {line}"))
    except TrackerError as exc:
        return fail(str(exc), EXIT_FAILED)
    created = sum(c.action == "create" for c in done)
    print(
        f"Done: {created} created, {len(done) - created} updated, "
        f"{len(plan.of('deleted'))} reported as deleted from the PRD."
    )
    return EXIT_OK


def _tracker(args: argparse.Namespace):
    if args.target == "github":
        from prd_assistant.trackers.github import GitHubTracker

        token = _token("GITHUB_TOKEN", "GH_TOKEN")
        if not token:
            return fail(
                "set GITHUB_TOKEN to a token with issues: write (read from the environment only)"
            )
        return GitHubTracker(args.repo, token, args.api_url)
    from prd_assistant.trackers.jira import JiraTracker

    token = _token("JIRA_API_TOKEN", "JIRA_PAT")
    if not token:
        return fail("set JIRA_API_TOKEN and JIRA_EMAIL (Jira Cloud) or JIRA_PAT (Data Center)")
    email = os.environ.get("JIRA_EMAIL") if os.environ.get("JIRA_API_TOKEN") else None
    return JiraTracker(args.server, args.project, token, email, args.issue_type)
