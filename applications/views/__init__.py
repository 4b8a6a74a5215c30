"""Pages of the applications app, by audience: ``worker`` (apply, my applications, one
application), ``organizer`` (the union's applications and members, group trips, the board,
settlement), ``staff`` (approval queue, settlements, lotteries, rosters, entrusted trips) and
``shared`` (public batch and lottery pages, invoices, notifications)."""

from applications.views import organizer, shared, staff, worker

__all__ = ["organizer", "shared", "staff", "worker"]
