"""The publicity part of ``seed_demo``: policy explanations, news, featured routes linking demo
itineraries, and promotion events (one next month), from ``publicity.demo_data``.

Every date is relative to the demo's today (``SeedReport.today``, the day of the first run), and
each article is found by its natural key (publishing organization, kind, title) before it is
made, so a second run, on any later day, creates and changes nothing. Articles are written and
published through ``publicity.services`` by the publishing federation's demo staff account.
"""

from __future__ import annotations

from datetime import datetime, time, timedelta

from django.conf import settings
from django.db import transaction
from django.utils import timezone, translation

from accounts.demo import SeedReport
from accounts.models import Organization, Role, User
from bases.models import Itinerary, Theme
from funds.models import SubsidyPolicy
from publicity import selectors, services
from publicity.demo_data import ARTICLES
from publicity.models import Article
from recuperation.money import format_yuan


def policy_text(policy: SubsidyPolicy | None) -> str:
    """The year's standard as a Markdown table, worked out by the calculator."""
    if policy is None:
        return "本年度补助标准即将发布。"
    summary = selectors.policy_summary(policy)
    lines = [
        "| 职工类别 | 日补助 | 省内5日疗休养补助 | 省外7日疗休养补助 |",
        "| --- | --- | --- | --- |",
    ]
    for row in summary.rows:
        trips = " | ".join(format_yuan(q.subsidy) for _days, _in, q in row.trips)
        lines.append(f"| {row.label} | {format_yuan(row.daily_rate)} | {trips} |")
    lines += [
        "",
        f"省内疗休养最多补助{policy.max_days_in_province}天，省外最多{policy.max_days_out_of_province}天；"
        f"每人每天费用上限{format_yuan(policy.cost_ceiling_per_day)}，"
        f"每人每年补助封顶{format_yuan(policy.yearly_cap_per_person)}。",
    ]
    if policy.unit_share_percent:
        lines.append(f"补助后剩余费用由职工所在单位承担{policy.unit_share_percent}%。")
    return "\n".join(lines)


def _at(day, hour: int = 9) -> datetime:
    return datetime.combine(day, time(hour, 30), tzinfo=timezone.get_current_timezone())


def _itineraries(row: dict) -> list[Itinerary]:
    found = []
    for base_name, title in row.get("itineraries", []):
        itinerary = Itinerary.objects.filter(base__name=base_name, title=title).first()
        if itinerary is not None:
            found.append(itinerary)
    if not found and row["kind"] == "route":
        # The bases demo changed: any public itinerary of the route's theme will do.
        theme = row.get("theme") or Theme.GREEN
        found = list(selectors.itineraries_of_theme(theme)[:3])
    return found


def _writer(org: Organization) -> User | None:
    return (
        User.objects.filter(role=Role.FEDERATION_STAFF, org=org, is_active=True)
        .order_by("pk")
        .first()
    )


@transaction.atomic
def seed(report: SeedReport) -> SeedReport:
    today = report.today
    with translation.override(settings.LANGUAGE_CODE):
        policy = selectors.policy_in_force(today.year)
        texts = {"year": today.year, "policy": policy_text(policy)}
        orgs = {
            o.code: o for o in Organization.objects.filter(code__in={r["org"] for r in ARTICLES})
        }
        for row in ARTICLES:
            org = orgs.get(row["org"])
            writer = _writer(org) if org else None
            if org is None or writer is None:
                continue
            title = row["title"].format(**texts)
            if Article.objects.filter(org=org, kind=row["kind"], title=title).exists():
                report.add("articles", False)
                continue
            event_in = row.get("event_in_days")
            article = services.article_create(
                by=writer,
                org=org,
                kind=row["kind"],
                title=title,
                summary=row["summary"],
                body=row["body"].format(**texts),
                theme=row.get("theme", ""),
                itineraries=_itineraries(row),
                event_date=today + timedelta(days=event_in) if event_in is not None else None,
                event_place=row.get("event_place", ""),
                contact=row.get("contact", ""),
            )
            if row["days_ago"] is not None:
                services.article_publish(
                    article=article, by=writer, at=_at(today - timedelta(days=row["days_ago"]))
                )
            report.add("articles", True)
    return report
