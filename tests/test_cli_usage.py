"""``prd usage``: tokens and cost per person and per draft, from the app's database."""

import json

import pytest

from prd_assistant.cli import main
from prd_assistant.document import Draft, Usage
from prd_assistant.store import DraftStore, sqlite_url
from prd_assistant.template import load_template


def seed(path):
    url = sqlite_url(path)
    alice = DraftStore(url, user="alice@example.com")
    bob = alice.as_user("bob@example.com")
    first = Draft.from_template(load_template(), "A.", "Alpha")
    first.model = "gpt-4o-mini"
    first.section("overview").usage = Usage(1000, 500, True, 0.0015)
    first.section("goals-non-goals").usage = Usage(800, 300, True, 0.001)
    alice.save(first)
    second = Draft.from_template(load_template(), "B.", "Beta")
    second.model = "local-model"
    second.section("overview").usage = Usage(200, 100, False, None)
    bob.save(second)
    alice.engine.dispose()
    return url, first, second


def test_usage_per_user_is_a_table_with_totals(tmp_path, capsys):
    url, _, _ = seed(tmp_path / "d.sqlite3")
    assert main(["usage", "--database", url]) == 0
    out = capsys.readouterr().out.splitlines()
    assert out[0].startswith("Model usage by user")
    alice = next(line for line in out if line.startswith("alice@example.com"))
    assert alice.split()[1:] == ["2", "1,800", "800", "$0.0025"]
    bob = next(line for line in out if line.startswith("bob@example.com"))
    assert "(1 unpriced)" in bob
    assert out[-1].split() == ["Total", "3", "2,000", "900", "$0.0025"]


def test_usage_per_draft_as_json(tmp_path, capsys, monkeypatch):
    url, first, second = seed(tmp_path / "d.sqlite3")
    monkeypatch.setenv("PRD_DATABASE_URL", url)
    assert main(["usage", "--by", "draft", "--json", "--days", "30"]) == 0
    report = json.loads(capsys.readouterr().out)
    rows = {row["draft"]: row for row in report["rows"]}
    assert rows[first.id]["total_tokens"] == 2600
    assert rows[first.id]["title"].startswith("Alpha")
    assert rows[second.id]["unpriced_sections"] == 1
    assert report["rows"][0]["draft"] == first.id  # most expensive first


def test_usage_json_counts_calls_under_calls_and_keeps_the_old_keys_for_one_release(
    tmp_path, capsys
):
    url, first, second = seed(tmp_path / "d.sqlite3")
    store = DraftStore(url, user="alice@example.com")
    store.book_usage(first.id, "(suggestions)", "local-model", Usage(50, 10, False, None))
    store.engine.dispose()
    assert main(["usage", "--by", "draft", "--json", "--database", url]) == 0
    rows = {row["draft"]: row for row in json.loads(capsys.readouterr().out)["rows"]}
    # Two drafted sections and one suggestions call: three calls, one of them unpriced.
    assert rows[first.id]["calls"] == 3 and rows[first.id]["unpriced_calls"] == 1
    assert rows[second.id]["calls"] == 1 and rows[second.id]["unpriced_calls"] == 1
    for row in rows.values():  # deprecated aliases, so CI consumers of the old keys keep working
        assert row["sections"] == row["calls"]
        assert row["unpriced_sections"] == row["unpriced_calls"]


def test_usage_help_names_the_json_keys_and_the_deprecated_aliases(capsys):
    with pytest.raises(SystemExit):
        main(["usage", "--help"])
    help_text = " ".join(capsys.readouterr().out.split())
    assert "calls, unpriced_calls" in help_text
    assert "sections, unpriced_sections" in help_text and "deprecated" in help_text


def test_a_missing_database_is_one_line_that_says_what_to_set(tmp_path, capsys):
    missing = tmp_path / "none.sqlite3"
    assert main(["usage", "--database", sqlite_url(missing)]) == 1
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "PRD_DATABASE_URL" in err
    assert not missing.exists()
