"""A draft's saved UI state (``meta``) after a save conflict: this tab's and the stored, merged.

``meta`` is saved whole with each save, so a tab that saves over a change made elsewhere
("Keep mine", "Merge") would drop what the other tab or a run saved there: offered redrafts,
dismissed findings. Like the section texts, it is merged three ways against what this tab
last loaded or saved (its base): what changed on one side only is taken from that side, and
where both sides changed the same entry, this tab's wins (the PM chose this tab's version), except
that removing an entry here does not remove a newer one saved there.
Pure functions, no Streamlit.
"""

from __future__ import annotations

from typing import Any

_MISSING = object()  # an entry one side does not have


def merge(base: dict[str, Any], mine: dict[str, Any], theirs: dict[str, Any]) -> dict[str, Any]:
    """``mine`` with every change ``theirs`` made since ``base`` that ``mine`` did not make.

    A mapping (offers by section key) is merged entry by entry, each entry as a whole; a list
    (dismissed finding ids) as a set; any other value as a whole.
    """
    merged: dict[str, Any] = {}
    for key in sorted({*base, *mine, *theirs}):
        was, here, there = (side.get(key, _MISSING) for side in (base, mine, theirs))
        if isinstance(here, dict) or isinstance(there, dict):
            entries = _merge_entries(_mapping(was), _mapping(here), _mapping(there))
            value: Any = entries or _MISSING  # no offers left: no key, as when the last goes
        elif isinstance(here, list) or isinstance(there, list):
            value = _merge_sets(_items(was), _items(here), _items(there))
        else:
            value = _pick(was, here, there)
        if value is not _MISSING:
            merged[key] = value
    return merged


def _merge_entries(
    was: dict[str, Any], here: dict[str, Any], there: dict[str, Any]
) -> dict[str, Any]:
    merged = {}
    for key in sorted({*was, *here, *there}):
        value = _pick(*(side.get(key, _MISSING) for side in (was, here, there)))
        if value is not _MISSING:
            merged[key] = value
    return merged


def _pick(was: Any, here: Any, there: Any) -> Any:
    """Unchanged here: the other side's (changed, removed or the same); else this tab's.

    A removal here removes only what this tab saw: a newer entry saved there (another run's
    offer for the same section) stays.
    """
    if here == was or (here is _MISSING and there != was):
        return there
    return here


def _merge_sets(was: list[Any], here: list[Any], there: list[Any]) -> list[Any]:
    """Entries added on either side are in; entries removed on either side are out."""
    base = set(was)
    kept = base & set(here) & set(there)
    added = (set(here) - base) | (set(there) - base)
    return sorted(kept | added, key=str)


def _mapping(value: Any) -> dict[str, Any]:
    return value if isinstance(value, dict) else {}


def _items(value: Any) -> list[Any]:
    return value if isinstance(value, list) else []
