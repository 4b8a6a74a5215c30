"""Pages of the applications app, by audience: ``worker`` (apply, my applications, one
application), ``organizer`` (the union's applications and members, group trips, the board,
settlement); staff, operator, agency and notification pages live in their own modules."""

from applications.views import organizer, worker

__all__ = ["organizer", "worker"]
