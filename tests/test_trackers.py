"""prd push: preview first, idempotent sync, deletions reported, tokens never shown.

Runs the real PyGithub and jira clients against local fake servers on 127.0.0.1."""

from __future__ import annotations

import csv
import io
import logging
import re
from pathlib import Path

import pytest

from prd_assistant.cli import main
from prd_assistant.trackers import collect_items, github
from prd_assistant.trackers.items import MARKER, question_id
from tests.support.tracker_servers import GitHubServer, JiraServer, running

GH_TOKEN = "ghp_fake_token_do_not_print_123"
JIRA_TOKEN = "jira_fake_token_do_not_print_456"
PRD = """# Checkout PRD

## 4. Core Use Cases
| ID | Actor | Trigger | Main flow | Expected outcome |
|---|---|---|---|---|
| UC1 | Shopper | Taps Checkout | Pays with a saved card | Order placed in ≤ 3 taps |
| UC2 | Guest | Taps Checkout | Pays without an account | Order placed |

## 6. Functional Requirements
- **FR-1** (MUST, serves UC1): The checkout MUST prefill the saved card.
  - Acceptance criteria:
    - Given a saved card, when checkout opens, then the card is selected.
    - Given no saved card, when checkout opens, then the card form is focused.
- **FR-2** (MUST, serves UC2): Guests MUST pay without an account.
  - Acceptance criteria:
    - Given a guest, when they pay, then a receipt is emailed within 5 minutes.
- **FR-3** (MAY, serves UC2): Guests MAY save their card.

## 13. Open Questions
- Open question: Which wallets ship first? (owner: PM)
"""


def _edit(text: str) -> str:
    """The PM's next revision: FR-1 reworded, FR-3 deleted, FR-4 added."""
    text = text.replace("prefill the saved card.", "prefill the saved card and address.")
    text = re.sub(r"- \*\*FR-3\*\*.*\n", "", text)
    return text.replace(
        "\n## 13.",
        "- **FR-4** (SHOULD, serves UC1): Checkout SHOULD offer Apple Pay.\n\n## 13.",
    )


@pytest.fixture(autouse=True)
def no_pacing(monkeypatch: pytest.MonkeyPatch) -> None:
    """The fake server needs no pause between writes."""
    monkeypatch.setattr(github, "WRITE_INTERVAL", 0.0)


@pytest.fixture
def prd(tmp_path: Path) -> Path:
    path = tmp_path / "checkout.md"
    path.write_text(PRD, encoding="utf-8")
    return path


def _changes(out: str) -> dict[str, list[str]]:
    found: dict[str, list[str]] = {"create": [], "update": [], "same": [], "deleted": []}
    for m in re.finditer(r"^  [+~=!] (create|update|same|deleted)\s+(\S+)", out, re.MULTILINE):
        found[m.group(1)].append(m.group(2))
    return found


def _done(out: str) -> dict[str, list[str]]:
    found: dict[str, list[str]] = {"created": [], "updated": []}
    for m in re.finditer(r"^  (created|updated) \S+ (\S+)$", out, re.MULTILINE):
        found[m.group(1)].append(m.group(2))
    return found


def test_items_one_per_requirement_and_question_with_stable_ids() -> None:
    items = collect_items(PRD)
    assert [i.item_id for i in items] == [
        "FR-1",
        "FR-2",
        "FR-3",
        question_id("Which wallets ship first? (owner: PM)"),
    ]
    fr1 = items[0]
    assert fr1.priority == "must" and fr1.use_cases == ("UC-1",) and len(fr1.criteria) == 2
    assert "priority: must" in fr1.labels and items[2].labels[-1] == "priority: may"
    assert question_id("Which  wallets ship FIRST?") == question_id("which wallets ship first")


def test_github_round_trip_no_duplicates_updates_and_reports_deletions(
    prd: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], caplog
) -> None:
    caplog.set_level(logging.DEBUG)
    monkeypatch.setenv("GITHUB_TOKEN", GH_TOKEN)
    with running(GitHubServer(GH_TOKEN)) as gh:
        base = ["push", "github", str(prd), "--repo", "acme/shop", "--api-url", gh.url]
        assert main([*base, "--dry-run"]) == 0
        preview = capsys.readouterr().out
        assert _changes(preview)["create"] == [
            "FR-1",
            "FR-2",
            "FR-3",
            "Q-" + question_id("Which wallets ship first? (owner: PM)")[2:],
        ]
        assert gh.issues == {}  # the preview wrote nothing
        assert main(base) == 0
        first = capsys.readouterr().out
        assert _done(first)["created"] == _changes(first)["create"]
        issue = gh.issues[1]
        assert issue["title"].startswith("FR-1: The checkout MUST prefill")
        assert (
            "- [ ] Given a saved card, when checkout opens, then the card is selected."
            in issue["body"]
        )
        assert set(issue["labels"]) == {"prd-assistant", "requirement", "priority: must"}
        assert MARKER.search(issue["body"]).group("item") == "FR-1"
        # The team ticks a criterion; the PM edits the PRD and pushes again.
        issue["body"] = issue["body"].replace(
            "- [ ] Given a saved card", "- [x] Given a saved card"
        )
        prd.write_text(_edit(PRD), encoding="utf-8")
        assert main([*base, "--dry-run"]) == 0
        preview = _changes(capsys.readouterr().out)
        assert main(base) == 0
        second = capsys.readouterr().out
        assert preview == _changes(second)
        assert preview["update"] == ["FR-1"] and preview["create"] == ["FR-4"]
        assert preview["deleted"] == ["FR-3"] and len(preview["same"]) == 2
        assert _done(second) == {"created": ["FR-4"], "updated": ["FR-1"]}
        assert "#3" in second and "left open" in second
        # 0 duplicates: one issue per item, FR-3's issue untouched and still open.
        markers = [MARKER.search(i["body"]).group("item") for i in gh.issues.values()]
        assert len(markers) == len(set(markers)) == 5
        assert gh.issues[1]["title"].endswith("saved card and address")
        assert "- [x] Given a saved card" in gh.issues[1]["body"]
        assert gh.issues[3]["state"] == "open"
        assert not any(m == "PATCH" and p.endswith("/issues/3") for m, p, _ in gh.requests)
        assert main(base) == 0
        third = capsys.readouterr().out
        assert _done(third) == {"created": [], "updated": []} and len(gh.issues) == 5
    logged = "\n".join(r.getMessage() for r in caplog.records)
    assert GH_TOKEN not in first + second + third + logged


@pytest.mark.parametrize("cloud", [True, False])
def test_jira_round_trip_cloud_and_data_center(
    cloud: bool, prd: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.delenv("JIRA_PAT", raising=False)
    monkeypatch.delenv("JIRA_API_TOKEN", raising=False)
    if cloud:
        monkeypatch.setenv("JIRA_API_TOKEN", JIRA_TOKEN)
        monkeypatch.setenv("JIRA_EMAIL", "pm@example.com")
    else:
        monkeypatch.setenv("JIRA_PAT", JIRA_TOKEN)
    server = JiraServer(JIRA_TOKEN, email="pm@example.com" if cloud else None)
    with running(server) as jira:
        base = ["push", "jira", str(prd), "--server", jira.url, "--project", "PRD"]
        assert main(base) == 0
        first = capsys.readouterr().out
        assert len(jira.issues) == 4 and _done(first)["created"] == _changes(first)["create"]
        fields = jira.issues["PRD-1"]["fields"]
        assert fields["issuetype"] == {"name": "Story"} and "priority-must" in fields["labels"]
        assert (
            "prd-checkout-prd" in fields["labels"]
            and "h3. Acceptance criteria" in fields["description"]
        )
        prd.write_text(_edit(PRD), encoding="utf-8")
        assert main([*base, "--dry-run"]) == 0
        preview = _changes(capsys.readouterr().out)
        assert main(base) == 0
        second = capsys.readouterr().out
        assert preview == _changes(second) and preview["deleted"] == ["FR-3"]
        assert _done(second) == {"created": ["FR-4"], "updated": ["FR-1"]}
        assert len(jira.issues) == 5
        assert "saved card and address" in jira.issues["PRD-1"]["fields"]["description"]
    searched = {p for m, p, _ in server.requests if "search" in p}
    assert searched == ({"/rest/api/2/search/jql"} if cloud else {"/rest/api/2/search"})
    assert JIRA_TOKEN not in first + second


def test_missing_or_wrong_token_is_one_clear_line(
    prd: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.delenv("GITHUB_TOKEN", raising=False)
    monkeypatch.delenv("GH_TOKEN", raising=False)
    assert main(["push", "github", str(prd), "--repo", "acme/shop"]) == 2
    assert "set GITHUB_TOKEN" in capsys.readouterr().err
    monkeypatch.setenv("GITHUB_TOKEN", "ghp_wrong_token_789")
    with running(GitHubServer(GH_TOKEN)) as gh:
        code = main(["push", "github", str(prd), "--repo", "acme/shop", "--api-url", gh.url])
    captured = capsys.readouterr()
    assert code == 1
    assert "GitHub answered 401 Bad credentials; check GITHUB_TOKEN." in captured.err
    assert "ghp_wrong_token_789" not in captured.out + captured.err


def test_jira_csv_has_the_import_columns_and_one_row_per_item(prd: Path, tmp_path: Path) -> None:
    out = tmp_path / "issues.csv"
    assert main(["push", "jira-csv", str(prd), "-o", str(out)]) == 0
    rows = list(csv.reader(io.StringIO(out.read_text(encoding="utf-8"))))
    header, body = rows[0], rows[1:]
    assert header[:5] == ["Summary", "Issue Type", "Priority", "Description", "External ID"]
    assert set(header[5:]) == {"Labels"}
    assert [r[4] for r in body][:3] == [
        "checkout-prd:FR-1",
        "checkout-prd:FR-2",
        "checkout-prd:FR-3",
    ]
    assert body[0][1:3] == ["Story", "High"] and body[2][2] == "Low" and body[3][1] == "Task"
    assert all(" " not in label for r in body for label in r[5:])


def test_a_draft_json_pushes_under_its_own_id(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    assert (
        main(
            [
                "draft",
                "Shelf is a library app. Members reserve books.",
                "--offline",
                "-q",
                "--json",
                str(tmp_path / "d.json"),
                "-o",
                str(tmp_path / "d.md"),
            ]
        )
        == 0
    )
    monkeypatch.setenv("GITHUB_TOKEN", GH_TOKEN)
    with running(GitHubServer(GH_TOKEN)) as gh:
        assert (
            main(
                [
                    "push",
                    "github",
                    str(tmp_path / "d.json"),
                    "--repo",
                    "acme/shop",
                    "--api-url",
                    gh.url,
                    "--dry-run",
                ]
            )
            == 0
        )
    out = capsys.readouterr().out
    import json

    draft_id = json.loads((tmp_path / "d.json").read_text(encoding="utf-8"))["id"]
    assert f"(draft {draft_id})" in out and "+ create FR-1" in out


def test_tracker_tokens_never_reach_a_log_line(caplog: pytest.LogCaptureFixture) -> None:
    """The client libraries log their requests at DEBUG; once a tracker is made with a token,
    neither the token nor the Basic header it makes can appear in any log line."""
    import base64

    from prd_assistant.trackers.github import GitHubTracker
    from prd_assistant.trackers.jira import JiraTracker

    gh_token, jira_token = "ghp_unique_log_token_4711", "jira_unique_log_token_4712"
    basic = base64.b64encode(f"pm@example.com:{jira_token}".encode()).decode()
    GitHubTracker("acme/shop", gh_token, "http://127.0.0.1:9")
    with running(JiraServer(jira_token)) as jira:
        JiraTracker(jira.url, "PRD", jira_token, "pm@example.com")
    caplog.set_level(logging.DEBUG)
    # PyGithub's "github" logger has its own stderr handler at INFO: redacted all the same.
    logging.getLogger("github.Requester").info("Authorization: token %s", gh_token)
    logging.getLogger("urllib3.connectionpool").debug("Authorization: Basic %s", basic)
    logging.getLogger("requests").debug("retrying with %s", jira_token)
    assert caplog.text.count("[key hidden]") == 3
    for secret in (gh_token, jira_token, basic):
        assert secret not in caplog.text
