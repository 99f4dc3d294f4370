"""The three-way merge of a draft's UI state (``meta``) after a save conflict."""

from prd_assistant.ui.meta_merge import merge

OFFER_A = {"text": "Offered A.", "usage": {"prompt_tokens": 10}}
OFFER_B = {"text": "Offered B.", "usage": {"prompt_tokens": 12}}


def test_what_changed_on_one_side_only_is_taken_from_that_side():
    base = {"dismissed": ["x"], "redraft_offers": {"goals": OFFER_A}, "wall_seconds": 3.0}
    mine = {"dismissed": ["x", "mine"], "redraft_offers": {"goals": OFFER_A}, "wall_seconds": 4.0}
    theirs = {
        "dismissed": ["theirs"],  # "x" un-dismissed there
        "redraft_offers": {"goals": OFFER_A, "overview": OFFER_B},
        "wall_seconds": 3.0,
    }
    assert merge(base, mine, theirs) == {
        "dismissed": ["mine", "theirs"],
        "redraft_offers": {"goals": OFFER_A, "overview": OFFER_B},
        "wall_seconds": 4.0,
    }


def test_where_both_sides_changed_an_entry_this_tabs_choice_wins():
    base = {"redraft_offers": {"overview": OFFER_A}}
    theirs = {"redraft_offers": {"overview": OFFER_B}}
    assert merge(base, {"redraft_offers": {"overview": OFFER_A}}, theirs) == theirs
    mine = {"redraft_offers": {"overview": {**OFFER_A, "text": "Newer here."}}}
    assert merge(base, mine, theirs) == mine
    assert merge(base, {}, base) == {}  # used or discarded here: not brought back
    # ... but a newer offer saved elsewhere was never seen here: it stays.
    assert merge(base, {}, theirs) == theirs
