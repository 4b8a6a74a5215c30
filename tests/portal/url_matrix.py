"""The portal's own rows of the URL × method × role matrix in tests/test_permissions.py (format:
tests/matrix.py): the staff dashboard. What county B's staff see on it (not county A's numbers)
is checked by content in tests/portal/test_dashboard.py."""

from __future__ import annotations

from tests.matrix import LOGIN, SUPERVISORS, only

MATRIX = {
    # Federation staff and auditors, each over their own subtree; everyone else 403.
    ("portal:dashboard", "get"): ("/dashboard/", LOGIN, only(SUPERVISORS)),
}
