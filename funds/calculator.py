"""The subsidy calculator: a pure function of a policy and a trip (DESIGN §3).

subsidy = min(trip days, policy max days) × daily rate for the worker's category,
          capped at the itinerary's union price,
          at what is left of the policy's yearly cap per person,
          and at the cost ceiling per person per day × subsidised days.
net cost to the worker = union price − subsidy − the unit's share (if the policy splits the rest).
A family member pays the full union price and is never subsidised.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from django.utils.translation import gettext as _

from funds.models import SubsidyPolicy
from recuperation.money import format_yuan


@dataclass(frozen=True)
class Quote:
    price: int
    subsidy: int
    unit_share: int
    net_cost: int
    subsidised_days: int
    lines: list[str] = field(default_factory=list)


def quote(
    *,
    policy: SubsidyPolicy | None,
    category: str,
    days: int,
    in_province: bool,
    union_price: int,
    used_this_year: int = 0,
    family_member: bool = False,
) -> Quote:
    """Subsidy and net cost in fen, with a line-by-line explanation for the worker."""
    lines = [_("Union price: %(price)s") % {"price": format_yuan(union_price)}]
    if family_member or policy is None:
        reason = (
            _("Family members pay the full price; they are not subsidised.")
            if family_member
            else _("No subsidy policy is published for this year yet.")
        )
        return Quote(union_price, 0, 0, union_price, 0, [*lines, reason])

    max_days = policy.max_days(in_province=in_province)
    subsidised_days = min(days, max_days)
    rate = policy.daily_rate(category)
    subsidy = subsidised_days * rate
    lines.append(
        _("%(days)s subsidised days × %(rate)s a day = %(amount)s")
        % {"days": subsidised_days, "rate": format_yuan(rate), "amount": format_yuan(subsidy)}
    )
    if days > max_days:
        lines.append(
            _("The policy subsidises at most %(max)s days for this kind of trip.")
            % {"max": max_days}
        )
    caps = [
        (union_price, _("capped at the union price")),
        (
            max(policy.yearly_cap_per_person - used_this_year, 0),
            _("capped at what is left of the yearly cap of %(cap)s per person")
            % {"cap": format_yuan(policy.yearly_cap_per_person)},
        ),
        (
            policy.cost_ceiling_per_day * subsidised_days,
            _("capped at the cost ceiling of %(ceiling)s per day")
            % {"ceiling": format_yuan(policy.cost_ceiling_per_day)},
        ),
    ]
    for cap, why in caps:
        if subsidy > cap:
            subsidy = cap
            lines.append(f"{why}: {format_yuan(cap)}")
    lines.append(_("Subsidy: %(amount)s") % {"amount": format_yuan(subsidy)})
    rest = union_price - subsidy
    unit_share = rest * policy.unit_share_percent // 100
    if unit_share:
        lines.append(
            _("Your unit pays %(percent)s%% of the rest: %(amount)s")
            % {"percent": policy.unit_share_percent, "amount": format_yuan(unit_share)}
        )
    net_cost = rest - unit_share
    lines.append(_("You pay: %(amount)s") % {"amount": format_yuan(net_cost)})
    return Quote(union_price, subsidy, unit_share, net_cost, subsidised_days, lines)
