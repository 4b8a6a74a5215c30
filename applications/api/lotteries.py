"""Seat lotteries: staff announce and draw (``/api/v1/batches/{id}/lottery/``); anyone reads the
published seed, candidates and result (``/api/v1/lotteries/``) and can re-run the draw."""

from __future__ import annotations

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from drf_spectacular.utils import extend_schema
from rest_framework import exceptions, permissions, serializers, status, viewsets
from rest_framework.response import Response
from rest_framework.views import APIView

from applications import permissions as perms
from applications import services
from applications.api.common import path_id, validated
from applications.filters import LotteryFilter
from applications.models import Lottery
from bases import selectors as bases_selectors

RULE = gettext_lazy(
    "Candidates are served by priority rank (0 first); within a rank, by the SHA-256 hex digest "
    'of "<seed>:<application id>", smallest first. The first `seats` of `result` won a seat.'
)


class LotterySerializer(serializers.ModelSerializer):
    """A lottery as published: anyone can recompute ``result`` from ``seed`` and ``candidates``."""

    itinerary_title = serializers.CharField(source="batch.itinerary.title", read_only=True)
    start_date = serializers.DateField(source="batch.start_date", read_only=True)
    drawn = serializers.BooleanField(source="is_drawn", read_only=True)
    # A string: the seed is a 63-bit number, more than a JavaScript number holds exactly.
    seed = serializers.CharField(read_only=True, allow_null=True)
    candidates = serializers.ListField(
        child=serializers.ListField(child=serializers.IntegerField()),
        read_only=True,
        help_text=gettext_lazy("[[application id, priority rank], …] in id order."),
    )
    result = serializers.ListField(
        child=serializers.IntegerField(),
        read_only=True,
        help_text=gettext_lazy("Application ids in drawn order."),
    )
    rule = serializers.SerializerMethodField()

    class Meta:
        model = Lottery
        fields = [
            "id",
            "batch",
            "itinerary_title",
            "start_date",
            "announced_at",
            "drawn",
            "drawn_at",
            "seed",
            "seats",
            "candidates",
            "result",
            "rule",
        ]
        read_only_fields = fields

    def get_rule(self, lottery: Lottery) -> str:
        return str(RULE)


class DrawSerializer(serializers.Serializer):
    seed = serializers.IntegerField(
        required=False,
        allow_null=True,
        default=None,
        min_value=0,
        max_value=2**63 - 1,
        help_text=gettext_lazy("Optional: a seed chosen in public; otherwise a random one."),
    )


def published_lotteries(user):
    """Lotteries of batches the caller can see (the public catalogue, or their scope)."""
    return Lottery.objects.filter(
        batch__in=bases_selectors.batches_visible_to(user)
    ).select_related("batch__itinerary")


def _answer(lottery_id: int, code: int = status.HTTP_200_OK) -> Response:
    lottery = Lottery.objects.select_related("batch__itinerary").get(pk=lottery_id)
    return Response(LotterySerializer(lottery).data, status=code)


@extend_schema(tags=["lotteries"])
class BatchLotteryView(APIView):
    """The seat lottery of one batch: read it (public) or announce it (staff over the base's
    county): from then on sign-ups join a pool that is drawn after the deadline."""

    permission_classes = [permissions.IsAuthenticatedOrReadOnly]

    @extend_schema(responses={200: LotterySerializer})
    def get(self, request, pk):
        lottery = published_lotteries(request.user).filter(batch_id=path_id(pk)).first()
        if lottery is None:
            raise exceptions.NotFound()
        return _answer(lottery.pk)

    @extend_schema(request=None, responses={201: LotterySerializer})
    def post(self, request, pk):
        batch = perms.get_batch_for(request.user, pk, action="lottery")
        lottery = services.lottery_announce(batch=batch, by=request.user)
        return _answer(lottery.pk, status.HTTP_201_CREATED)


@extend_schema(tags=["lotteries"])
class BatchLotteryDrawView(APIView):
    """Draw the announced lottery after the sign-up deadline (staff over the base's county)."""

    permission_classes = [permissions.IsAuthenticated]

    @extend_schema(request=DrawSerializer, responses={200: LotterySerializer})
    def post(self, request, pk):
        batch = perms.get_batch_for(request.user, pk, action="lottery")
        seed = validated(DrawSerializer, request)["seed"]
        lottery = Lottery.objects.filter(batch=batch).first()
        if lottery is None:
            raise serializers.ValidationError(
                {"detail": [_("No lottery was announced for this batch.")]}
            )
        services.lottery_draw(lottery=lottery, by=request.user, seed=seed)
        return _answer(lottery.pk)


@extend_schema(tags=["lotteries"])
class LotteryViewSet(viewsets.ReadOnlyModelViewSet):
    """Published seat lotteries (public): seed, candidates and result of each draw."""

    serializer_class = LotterySerializer
    permission_classes = [permissions.AllowAny]
    filterset_class = LotteryFilter
    ordering_fields = ["announced_at", "id"]
    ordering = ["-announced_at", "-id"]

    def get_queryset(self):
        return published_lotteries(self.request.user)

    def get_object(self):
        lottery = self.get_queryset().filter(pk=path_id(self.kwargs["pk"])).first()
        if lottery is None:
            raise exceptions.NotFound()
        return lottery
