"""Pages by audience: ``public`` (articles, the policy page, the fund-use disclosure) and
``manage`` (federation staff and auditors)."""
