"""The seat lottery's rule, as a pure function anyone can re-run (DESIGN §3).

Candidates are served by priority group first (rank 0 is the policy's first group). Inside a
group the order is the SHA-256 hex digest of ``"<seed>:<application id>"``, smallest first. To
check a published draw without this code::

    echo -n "8412390017:1234" | sha256sum     # one candidate's key

and sort each priority group's candidates by their keys.
"""

from __future__ import annotations

import hashlib
import secrets


def new_seed() -> int:
    """A fresh seed that fits a signed 63-bit database integer."""
    return secrets.randbelow(2**63 - 1)


def draw_key(seed: int, application_id: int) -> str:
    return hashlib.sha256(f"{seed}:{application_id}".encode()).hexdigest()


def draw(seed: int, candidates: list[tuple[int, int]] | list[list[int]]) -> list[int]:
    """Application ids in drawn order from ``[(application id, priority rank), …]``."""
    return [
        application_id
        for application_id, _rank in sorted(candidates, key=lambda c: (c[1], draw_key(seed, c[0])))
    ]
