"""The applications API under ``/api/v1/`` (DESIGN §5), one module per resource."""

from applications.api.applications import ApplicationViewSet
from applications.api.groups import GroupTripViewSet, RosterImportViewSet
from applications.api.lotteries import BatchLotteryDrawView, BatchLotteryView, LotteryViewSet
from applications.api.notifications import NotificationViewSet
from applications.api.settlements import SettlementViewSet

__all__ = [
    "ApplicationViewSet",
    "BatchLotteryDrawView",
    "BatchLotteryView",
    "GroupTripViewSet",
    "LotteryViewSet",
    "NotificationViewSet",
    "RosterImportViewSet",
    "SettlementViewSet",
]
