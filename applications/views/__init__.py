"""The applications app's pages, one module per audience (re-exported here)."""

from applications.views import shared, staff  # noqa: F401
