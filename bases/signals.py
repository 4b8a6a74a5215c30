"""What bases announce to the apps above it (they connect receivers; bases imports none of them).

Both are sent after the transaction commits, so a receiver sees the new state.
"""

from __future__ import annotations

from django.dispatch import Signal

# A base moved in its lifecycle. kwargs: base, from_status, to_status, by (User or None), reason.
base_status_changed = Signal()

# Open batches were closed because their base was suspended or exited (or by the operator).
# kwargs: base, batch_ids (list[int]), reason, by (User or None). The applications app listens
# to tell the affected applicants.
batches_closed = Signal()

# A batch may have free seats again: its capacity was raised or it was reopened.
# kwargs: batch_id. The applications app promotes its waiting list.
batch_seats_freed = Signal()

# A random inspection was drawn for a base. kwargs: inspection.
inspection_drawn = Signal()
