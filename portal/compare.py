"""The itineraries a visitor picked to compare: at most four, kept in their session.

Plain functions over the session (anyone may compare, logged in or not); the page of the
comparison also takes ``?ids=1,2,3`` so that a comparison can be shared as a link.
"""

from __future__ import annotations

from collections.abc import MutableMapping

MAX_ITEMS = 4
SESSION_KEY = "compare"
ADDED, REMOVED, FULL = "added", "removed", "full"


def picks(session: MutableMapping) -> list[int]:
    raw = session.get(SESSION_KEY, [])
    if not isinstance(raw, list):
        return []
    return [i for i in raw if isinstance(i, int) and i > 0][:MAX_ITEMS]


def toggle(session: MutableMapping, itinerary_id: int) -> str:
    """Add the itinerary to the picks, or take it out if it is there; a fifth is refused."""
    current = picks(session)
    if itinerary_id in current:
        current.remove(itinerary_id)
        outcome = REMOVED
    elif len(current) >= MAX_ITEMS:
        return FULL
    else:
        current.append(itinerary_id)
        outcome = ADDED
    session[SESSION_KEY] = current
    return outcome


def clear(session: MutableMapping) -> None:
    session.pop(SESSION_KEY, None)


def parse_ids(raw: str) -> list[int] | None:
    """``"3,1,3,7"`` → ``[3, 1, 7]``; None when any part is not a whole number of an id's size."""
    ids: list[int] = []
    for part in raw.split(","):
        part = part.strip()
        if not part:
            continue
        if not part.isdigit() or len(part) > 18 or int(part) < 1:
            return None
        if int(part) not in ids:
            ids.append(int(part))
    return ids
