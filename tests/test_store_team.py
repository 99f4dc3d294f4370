"""Ownership, sharing and who-saved-what, on SQLite and PostgreSQL."""

import pytest

from prd_assistant.document import REDRAFT_OFFERS_KEY, Draft, Usage
from prd_assistant.store import WORKSPACE, AccessError, DraftStore
from prd_assistant.store.usage import usage_events, usage_totals
from prd_assistant.template import load_template


def new_draft(name="ParcelPing") -> Draft:
    return Draft.from_template(load_template(), f"{name} sends delivery updates.", name)


@pytest.fixture
def stores(database_url):
    """(alice, bob, carol): one database, three users."""
    alice = DraftStore(database_url, user="alice")
    yield alice, alice.as_user("bob"), alice.as_user("carol")
    alice.engine.dispose()


def test_drafts_belong_to_their_author_and_history_shows_only_ones_own(stores):
    alice, bob, _ = stores
    mine, theirs = new_draft("AliceService"), new_draft("BobService")
    alice.save(mine)
    bob.save(theirs)
    assert [d.id for d in alice.list_drafts()] == [mine.id]
    assert [(d.id, d.owner, d.access) for d in bob.list_drafts()] == [(theirs.id, "bob", "owner")]
    assert alice.access(mine.id) == "owner"


def test_guessing_another_users_draft_id_reads_and_writes_nothing(stores):
    alice, bob, _ = stores
    secret = new_draft("Secret")
    secret.section("overview").set_text("confidential plan", "edit")
    alice.save(secret, meta={"dismissed": ["f"]})
    assert bob.load(secret.id) is None
    assert bob.load_versioned(secret.id) is None
    assert bob.load_meta(secret.id) == {}
    assert bob.versions(secret.id) == []
    version_id = alice.versions(secret.id)[0].id
    with pytest.raises(KeyError):
        bob.load_version(version_id)
    assert bob.access(secret.id) is None
    forged = Draft.from_dict(secret.to_dict())
    forged.section("overview").set_text("overwritten by bob", "edit")
    with pytest.raises(AccessError, match="not shared with you"):
        bob.save(forged)
    with pytest.raises(AccessError):
        bob.delete(secret.id)
    with pytest.raises(AccessError):
        bob.share(secret.id, "bob", can_edit=True)
    assert alice.load(secret.id).section("overview").text == "confidential plan"


def test_sharing_read_only_lets_a_named_user_read_but_not_write(stores):
    alice, bob, carol = stores
    draft = new_draft()
    alice.save(draft)
    alice.share(draft.id, "bob")
    assert bob.load(draft.id).id == draft.id
    assert [(d.id, d.owner, d.access) for d in bob.list_drafts()] == [(draft.id, "alice", "read")]
    assert carol.load(draft.id) is None
    draft.section("overview").set_text("bob tries", "edit")
    with pytest.raises(AccessError, match="read-only"):
        bob.save(draft)
    assert alice.shares(draft.id)[0].can_edit is False
    assert bob.shares(draft.id) == []


def test_an_editable_share_records_who_saved_each_version(stores):
    alice, bob, _ = stores
    draft = new_draft()
    alice.save(draft, "created")
    alice.share(draft.id, "bob", can_edit=True)
    copy, base = bob.load_versioned(draft.id)
    copy.section("overview").set_text("bob's edit", "edit")
    assert bob.save(copy, "edit: Overview", base_revision=base) == base + 1
    assert [(v.note, v.saved_by) for v in alice.versions(draft.id)] == [
        ("edit: Overview", "bob"),
        ("created", "alice"),
    ]
    # Bob's save does not take the draft over.
    assert alice.access(draft.id) == "owner"
    assert bob.access(draft.id) == "edit"
    with pytest.raises(AccessError):
        bob.delete(draft.id)


def test_sharing_with_the_workspace_opens_it_to_everyone_and_can_be_taken_back(stores):
    alice, bob, carol = stores
    draft = new_draft()
    alice.save(draft)
    alice.share(draft.id, WORKSPACE)
    assert bob.load(draft.id) is not None
    assert carol.access(draft.id) == "read"
    alice.share(draft.id, WORKSPACE, can_edit=True)
    assert carol.access(draft.id) == "edit"
    alice.unshare(draft.id, WORKSPACE)
    assert carol.load(draft.id) is None
    assert bob.list_drafts() == []


def test_deleting_a_draft_removes_its_shares(stores):
    alice, bob, _ = stores
    draft = new_draft()
    alice.save(draft)
    alice.share(draft.id, "bob")
    alice.delete(draft.id)
    assert bob.list_drafts() == []
    assert alice.shares(draft.id) == []


def test_model_usage_is_booked_once_to_the_user_whose_save_brought_it_in(stores):
    alice, bob, _ = stores
    draft = new_draft()
    draft.model = "gpt-4o-mini"
    alice.save(draft)
    assert usage_events(alice) == []
    draft.section("overview").usage = Usage(100, 50, True, 0.001)
    alice.save(draft, "drafted Overview", version=False)
    alice.save(draft, "drafted Overview")  # the same usage again: not a new model call
    alice.share(draft.id, "bob", can_edit=True)
    copy, base = bob.load_versioned(draft.id)
    copy.section("overview").usage = Usage(80, 40, True, 0.0008)  # bob regenerates it
    bob.save(copy, "regenerate Overview", base_revision=base)
    events = [
        (e.user, e.section_key, e.prompt_tokens, e.completion_tokens) for e in usage_events(alice)
    ]
    assert sorted(events) == [("alice", "overview", 100, 50), ("bob", "overview", 80, 40)]
    by_user = {t.key: (t.calls, t.total_tokens, round(t.cost_usd, 6)) for t in usage_totals(bob)}
    assert by_user == {"alice": (1, 150, 0.001), "bob": (1, 120, 0.0008)}
    (by_draft,) = usage_totals(alice, by="draft")
    assert (by_draft.key, by_draft.total_tokens) == (draft.id, 270)
    assert by_draft.label.startswith("ParcelPing")


def test_an_offered_redraft_is_booked_when_saved_and_not_again_when_taken(stores):
    """A run's text offered instead of applied (ui.redraft_offers) was a model call: booked by
    the save that brings it in, whatever becomes of it; taking it books nothing more; an
    offer the store cannot read is left out rather than failing the save."""
    alice, _, _ = stores
    draft = new_draft()
    draft.model = "gpt-4o-mini"
    alice.save(draft)
    offer = {"text": "Offered.", "source": "regenerate", "seconds": 1.0, "truncated": False}
    offer["usage"] = {"prompt_tokens": 70, "completion_tokens": 30, "exact": True, "cost_usd": None}
    meta = {REDRAFT_OFFERS_KEY: {"overview": offer, "goals-non-goals": "not an offer"}}
    alice.save(draft, "run ended", meta=meta)
    alice.save(draft, "unrelated save", meta=meta)  # the same offer again
    taken = draft.section("overview")
    taken.text, taken.usage = "Offered.", Usage(70, 30, True, None)
    alice.save(draft, "used the offered redraft", meta={})
    events = [(e.section_key, e.prompt_tokens, e.completion_tokens) for e in usage_events(alice)]
    assert events == [("overview", 70, 30)]
