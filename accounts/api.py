"""API: token login, organizations, the caller's own account."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _
from django_filters import rest_framework as filters
from drf_spectacular.utils import extend_schema
from rest_framework import exceptions, permissions, serializers, viewsets
from rest_framework.authtoken.views import ObtainAuthToken
from rest_framework.response import Response
from rest_framework.throttling import ScopedRateThrottle
from rest_framework.views import APIView

from accounts.models import Organization, OrgKind, User


class TokenResponseSerializer(serializers.Serializer):
    token = serializers.CharField()


class TokenView(ObtainAuthToken):
    """Exchange ``username`` and ``password`` for an API token (throttled, lockout after 5 fails)."""

    throttle_classes = [ScopedRateThrottle]
    throttle_scope = "login"

    @extend_schema(responses=TokenResponseSerializer)
    def post(self, request, *args, **kwargs):
        try:
            return super().post(request, *args, **kwargs)
        except exceptions.ValidationError:
            # django-axes refuses a locked-out pair inside authenticate(); say so plainly.
            if getattr(request, "axes_locked_out", False):
                raise exceptions.Throttled(
                    detail=_("Too many failed log-in attempts. Please try again later.")
                ) from None
            raise


class OrganizationSerializer(serializers.ModelSerializer):
    parent = serializers.SlugRelatedField(slug_field="code", read_only=True, allow_null=True)

    class Meta:
        model = Organization
        fields = ["code", "name", "kind", "parent", "depth"]


class OrganizationFilter(filters.FilterSet):
    kind = filters.ChoiceFilter(choices=OrgKind.choices)
    parent = filters.CharFilter(field_name="parent__code")
    within = filters.CharFilter(method="filter_within", label="within (org code: its subtree)")

    class Meta:
        model = Organization
        fields = ["kind", "parent", "within"]

    def filter_within(self, queryset, name, value):
        root = Organization.objects.filter(code=value).only("path").first()
        return queryset.filter(path__startswith=root.path) if root else queryset.none()


class OrganizationViewSet(viewsets.ReadOnlyModelViewSet):
    """The public directory of the union tree, base operators and agencies (no personal data)."""

    queryset = Organization.objects.filter(is_active=True).select_related("parent")
    serializer_class = OrganizationSerializer
    permission_classes = [permissions.AllowAny]
    filterset_class = OrganizationFilter
    lookup_field = "code"
    ordering_fields = ["code", "name", "path"]
    ordering = ["path"]


class MeSerializer(serializers.ModelSerializer):
    org = OrganizationSerializer(read_only=True)
    worker = serializers.SerializerMethodField()

    class Meta:
        model = User
        fields = ["id", "username", "full_name", "role", "org", "is_superuser", "worker"]

    def get_worker(self, user: User) -> dict | None:
        worker = getattr(user, "worker", None)
        if worker is None:
            return None
        return {
            "id": worker.pk,
            "real_name": worker.real_name,
            "category": worker.category,
            "union": worker.union.code,
            "age": worker.age,
            "in_good_standing": worker.in_good_standing,
            "id_number": worker.masked_id_number,
            "phone": worker.masked_phone,
        }


class MeView(APIView):
    permission_classes = [permissions.IsAuthenticated]

    @extend_schema(responses=MeSerializer)
    def get(self, request):
        return Response(MeSerializer(request.user).data)
