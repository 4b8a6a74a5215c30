"""Demo applications for ``manage.py seed_demo``: the money story made of real trips.

Two parts, both told relative to the demo's today T (``SeedReport.today``) and both moving every
application through ``applications.services`` with simulated dates (``today=``; the ledger's
movements carry them as their value dates), never by writing rows of their own:

- ``Spending`` (``story.py``), the strategy ``funds.demo.seed`` calls for each federation (a county, or the city
  for the unions directly under it) and year of its story, with the money to commit. It draws
  trips of the federation's members on that year's batches, group trips of one union (some
  entrusted to the travel agency) and single applications, until the money is committed: each
  trip applied for before the sign-up deadline, endorsed by the union, approved by the
  federation (the reservation), attended after departure (a few no-shows; a few withdrawn or
  rejected before), settled with the base's invoice (payment) and often reviewed. Only the steps
  dated up to T happen, so the current year ends in every state of the pipeline; trips of a
  closed year settled after 31 December are paid on 15 January. Who may go follows the policy's
  rules (``selectors.Eligibility``: one trip a year, no repeat out of the province in three
  years, no overlap, age groups, membership in good standing).
- ``seed`` (``scenes.py``), after the money story: the state of T's sign-up season on upcoming batches kept out
  of the story (``scene_batches``): full and nearly full batches held by group blocks, a waiting
  list, a lottery drawn after its deadline, joint groups with open seats on the board, a trip
  entrusted to the agency, and a few members of union1 (``personas``) in each state, so the
  README can name who to log in as.

History rows carry the simulated moments too (application, status changes, the worker's
notifications, settlements, reviews, group trips: ``cast.Chronicle``), so timelines read as they
happened; the audit log keeps the time the demo actually wrote them. What the demo's people
say (reasons, reviews) is in ``texts.py``.

Every batch's ``seats_held`` is what the services made it: ``bases.demo`` creates batches
empty, and nothing here writes the counter.

Idempotent like the rest of the demo: a federation's year is drawn once (when it has
applications, or its year is closed, nothing is drawn), and a scene is played only on a batch
nobody has touched; random streams are seeded by the federation, the year's place in the story
and the scene, never by the date.
"""

from __future__ import annotations

from applications.demo.cast import personas, scene_batches
from applications.demo.scenes import Scenes, seed
from applications.demo.story import Spending

__all__ = ["Scenes", "Spending", "personas", "scene_batches", "seed"]
