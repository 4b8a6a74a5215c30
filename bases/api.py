"""API: ``/api/v1/bases/``, ``/api/v1/itineraries/``, ``/api/v1/batches/`` (DESIGN §5).

Reads are public (the catalogue); writes need a login and go through ``bases.services`` after the
permission functions of ``bases.permissions``: every write fetches its object with that module's
getter for the action (``get_object``), the same the pages use, and passes every organization it
sets through ``check_base_orgs``. Another operator's base, itinerary or batch is a 404 for writes;
a visible one the user may not change (an auditor's) is a 403.

Extension point for the layer above (net cost per worker): subclass ``ItineraryViewSet``, override
``annotate_for_user(queryset)`` to annotate ``net_cost`` for a logged-in worker, add ``"net_cost"``
to ``ordering_fields`` and return a serializer subclass with a ``net_cost`` field from
``get_serializer_class``; then register the subclass for ``itineraries`` instead of this one.
"""

from __future__ import annotations

from django.core.exceptions import NON_FIELD_ERRORS
from django.core.exceptions import ValidationError as DjangoValidationError
from django.core.paginator import Page
from django.core.paginator import Paginator as DjangoPaginator
from django.db.models import Count, QuerySet, Window
from django.utils import timezone
from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _
from django_filters.rest_framework import DjangoFilterBackend
from drf_spectacular.utils import extend_schema
from rest_framework import exceptions, mixins, permissions, serializers, viewsets
from rest_framework.decorators import action
from rest_framework.filters import OrderingFilter
from rest_framework.response import Response

from accounts.models import Organization, OrgKind
from bases import cache as page_cache
from bases import selectors, services
from bases.filters import BaseFilter, BatchFilter, ItineraryFilter
from bases.models import Addon, Base, BaseStatus, Batch, Itinerary, Product, Theme
from bases.permissions import (
    can_apply_for_base,
    can_decide_base,
    check_base_orgs,
    get_base_for_decide,
    get_base_for_edit,
    get_batch_for_edit,
    get_itinerary_for_edit,
)
from bases.validators import CAPACITY_TOO_HIGH
from recuperation.api import Pagination
from recuperation.money import YuanField, yuan_str

# --- Plumbing ------------------------------------------------------------------------------------


class CataloguePagination(Pagination):
    """The project's page shape, in one query: the total rides along as ``COUNT(*) OVER ()``.

    A plain page-number page costs a separate COUNT; here the page and its total come back
    together, so a catalogue page is one query whatever its size. Querysets must not use
    DISTINCT (the window would count duplicates); the catalogue filters use EXISTS instead.
    """

    max_page = 10**6

    def paginate_queryset(self, queryset, request, view=None):
        self.request = request
        page_size = self.get_page_size(request)
        if not page_size:
            return None
        raw = request.query_params.get(self.page_query_param) or "1"
        try:
            number = int(raw)
            if number < 1:
                raise ValueError
        except ValueError:
            raise exceptions.NotFound(
                self.invalid_page_message.format(page_number=raw, message=_("Invalid page."))
            ) from None
        if number > self.max_page:
            # Far past any page: the OFFSET would not even fit the database's integers.
            raise exceptions.NotFound(
                self.invalid_page_message.format(
                    page_number=raw, message=_("That page contains no results")
                )
            )
        offset = (number - 1) * page_size
        count_in_window = getattr(view, "count_in_window", lambda request: True)(request)
        if count_in_window:
            rows = list(
                queryset.annotate(total_rows=Window(Count("pk")))[offset : offset + page_size]
            )
            total = (_total_of(rows[0])) if rows else 0
        else:
            # A long list: the window would join and count every row before cutting the page;
            # the page walks its index instead, and the count is a second, narrower query
            # (none when the page is the last one).
            rows = list(queryset[offset : offset + page_size])
            if rows and len(rows) == page_size:
                total = self._count(queryset, request, view)
            else:
                total = offset + len(rows)
        if not rows and number != 1:
            raise exceptions.NotFound(
                self.invalid_page_message.format(
                    page_number=raw, message=_("That page contains no results")
                )
            )
        if not rows:
            total = 0
        self.restore(request, rows, number=number, total=total)
        return rows

    def restore(self, request, rows: list, *, number: int, total: int) -> None:
        """Set the page as ``paginate_queryset`` would (a page kept in the cache: its rows,
        number and total), for ``get_paginated_response``."""
        self.request = request
        paginator = DjangoPaginator([], self.get_page_size(request))
        paginator.count = total  # cached_property: set, not computed
        self.page = Page(rows, number, paginator)

    def _count(self, queryset, request, view) -> int:
        """The long list's total, cached under the catalogue's versions (``bases.cache``) and
        the query without its page number: every page of it shares one count."""
        depends_on = getattr(view, "depends_on", lambda request: (page_cache.CATALOGUE,))
        params = request.query_params.copy()
        params.pop(self.page_query_param, None)
        key = page_cache.count_key(
            type(view).__name__, params.urlencode(), depends_on=depends_on(request)
        )
        if (total := page_cache.get(key)) is None:
            total = queryset.order_by().count()
            page_cache.put(key, total)
        return total


def _total_of(row) -> int:
    return row["total_rows"] if isinstance(row, dict) else row.total_rows


class CatalogueFilterBackend(DjangoFilterBackend):
    """django-filter, without building its form when the request names none of its filters
    (most catalogue requests): an empty filter set leaves the queryset as it is anyway."""

    def filter_queryset(self, request, queryset, view):
        filterset_class = self.get_filterset_class(view, queryset)
        if filterset_class is not None and not any(
            name in request.query_params for name in filterset_class.base_filters
        ):
            return queryset
        return super().filter_queryset(request, queryset, view)


class CachedAnonymousList:
    """A public list answers anonymous visitors from ``bases.cache`` when it can.

    Only anonymous requests and only 200 answers are cached; a logged-in user always gets a
    fresh page (a layer above may price it for them). ``cache_depends_on`` names the versions
    a page depends on (see ``bases.cache``).
    """

    cache_depends_on: tuple[str, ...] = (page_cache.CATALOGUE,)

    def depends_on(self, request) -> tuple[str, ...]:
        return self.cache_depends_on

    # Parameters a cached page may carry besides the filters; any other makes the request
    # build its page without storing it (unknown parameters must not fill the cache).
    CACHE_PARAMS = frozenset({"ordering", "page", "page_size", "format"})

    def cacheable(self, request) -> bool:
        return not request.user.is_authenticated and self.only_known_params(request)

    def only_known_params(self, request) -> bool:
        known = self.CACHE_PARAMS | set(self.filterset_class.base_filters)
        return all(name in known for name in request.query_params)

    def list(self, request, *args, **kwargs):
        if not self.cacheable(request):
            return self.build_list(request, *args, **kwargs)
        key = page_cache.page_key(type(self).__name__, request, depends_on=self.depends_on(request))
        if (data := page_cache.get(key)) is not None:
            return Response(data)
        response = self.build_list(request, *args, **kwargs)
        if response.status_code == 200:
            page_cache.put(key, response.data)
        return response

    def build_list(self, request, *args, **kwargs):
        return super().list(request, *args, **kwargs)


class StableOrderingFilter(OrderingFilter):
    """``ordering=price`` and friends, with the id as a last key so pages never overlap.

    An ordering the list does not offer is a 400 naming the ones it does (DESIGN §5), not a
    silent fall-back to the default order.
    """

    def remove_invalid_fields(self, queryset, fields, view, request):
        terms = [term for term in fields if term]
        valid = super().remove_invalid_fields(queryset, terms, view, request)
        unknown = [term for term in terms if term not in valid]
        if unknown:
            offered = [name for name, _label in self.get_valid_fields(queryset, view)]
            raise exceptions.ValidationError(
                {
                    self.ordering_param: [
                        _("Unknown ordering “%(term)s”: use one of %(offered)s.")
                        % {"term": unknown[0][:50], "offered": ", ".join(offered)}
                    ]
                }
            )
        return valid

    def get_template_context(self, request, queryset, view):
        try:
            return super().get_template_context(request, queryset, view)
        except exceptions.ValidationError:  # the browsable API's form, under that 400
            options = [
                (prefix + key, f"{label} {prefix}".strip())
                for key, label in self.get_valid_fields(queryset, view, {"request": request})
                for prefix in ("", "-")
            ]
            return {
                "request": request,
                "current": None,
                "param": self.ordering_param,
                "options": options,
            }

    def get_ordering(self, request, queryset, view):
        ordering = list(super().get_ordering(request, queryset, view) or [])
        if not any(key.lstrip("-") in ("pk", "id") for key in ordering):
            ordering.append("pk")
        return ordering


API_FIELD = {
    "union_price_fen": "union_price",
    "standard_price_fen": "standard_price",
    NON_FIELD_ERRORS: "non_field_errors",
}


def run(service, **kwargs):
    """Call a service; its ``ValidationError`` becomes a 400 keyed by the API's field names."""
    try:
        return service(**kwargs)
    except DjangoValidationError as error:
        if hasattr(error, "error_dict"):
            raise serializers.ValidationError(
                {API_FIELD.get(k, k): v for k, v in error.message_dict.items()}
            ) from None
        raise serializers.ValidationError({"non_field_errors": error.messages}) from None


class CodeListField(serializers.ListField):
    """A list of choice codes, e.g. ``["green", "blue"]``."""

    def __init__(self, *, choices, **kwargs):
        kwargs.setdefault("allow_empty", False)
        super().__init__(child=serializers.ChoiceField(choices=choices), **kwargs)

    def to_representation(self, data) -> list[str]:
        return list(data)

    def to_internal_value(self, data) -> list[str]:
        return list(dict.fromkeys(super().to_internal_value(data)))


# --- Bases ---------------------------------------------------------------------------------------


class BaseSerializer(serializers.ModelSerializer):
    county = serializers.SlugRelatedField(
        slug_field="code", queryset=Organization.objects.filter(kind=OrgKind.COUNTY)
    )
    county_name = serializers.CharField(source="county.name", read_only=True)
    operator = serializers.SlugRelatedField(
        slug_field="code",
        queryset=Organization.objects.filter(kind=OrgKind.BASE_OPERATOR),
        required=False,
        help_text=_("Base operator's organization code; an operator applying gives its own."),
    )
    themes = CodeListField(choices=Theme.choices)
    products = CodeListField(choices=Product.choices)
    service_score = serializers.DecimalField(
        max_digits=4, decimal_places=1, read_only=True, allow_null=True
    )
    # Plain strings in the schema: enum components named "status" would collide across apps.
    status = serializers.CharField(
        read_only=True,
        help_text=format_lazy(_("Lifecycle status: {}."), ", ".join(BaseStatus.values)),
    )

    class Meta:
        model = Base
        fields = [
            "id",
            "name",
            "county",
            "county_name",
            "operator",
            "themes",
            "products",
            "stars",
            "status",
            "service_score",
            "address",
            "summary",
            "description",
            "contact_name",
            "contact_phone",
        ]
        read_only_fields = ["stars", "service_score"]
        # The (county, name) uniqueness is checked by the service, with the county in scope.
        validators: list = []


class TransitionSerializer(serializers.Serializer):
    to = serializers.ChoiceField(choices=BaseStatus.choices)
    reason = serializers.CharField(required=False, allow_blank=True, default="")
    notice_ends_on = serializers.DateField(required=False, allow_null=True, default=None)


@extend_schema(tags=["bases"])
class BaseViewSet(
    CachedAnonymousList,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    mixins.UpdateModelMixin,
    viewsets.GenericViewSet,
):
    """Bases. The list is the public catalogue (active and watch-listed bases); staff and
    operators also read and change the bases in their scope, whatever their status."""

    serializer_class = BaseSerializer
    filterset_class = BaseFilter
    pagination_class = CataloguePagination
    permission_classes = [permissions.IsAuthenticatedOrReadOnly]  # reads are public
    filter_backends = [CatalogueFilterBackend, StableOrderingFilter]
    ordering_fields = ["stars", "name", "id"]
    ordering = ["-stars", "name"]
    http_method_names = ["get", "post", "patch", "head", "options"]

    def get_queryset(self) -> QuerySet[Base]:
        user = self.request.user
        if self.action == "list":
            return selectors.bases_for_catalogue(user=user)
        if self.action == "retrieve":
            return selectors.bases_visible_to(user)
        return selectors.bases_managed_by(user)

    def get_object(self) -> Base:
        """Writes fetch the base with the permission getter of their action (404 out of scope,
        403 not allowed); reads look it up in the queryset of ``get_queryset``."""
        getter = {
            "update": get_base_for_edit,
            "partial_update": get_base_for_edit,
            "transition": get_base_for_decide,
        }.get(self.action)
        if getter is None:
            return super().get_object()
        return getter(self.request.user, self.kwargs["pk"])

    def perform_create(self, serializer) -> None:
        user = self.request.user
        if not can_apply_for_base(user):
            raise exceptions.PermissionDenied(_("Only base operators and staff apply for bases."))
        data = dict(serializer.validated_data)
        if user.is_base_operator:
            data["operator"] = user.org
        elif "operator" not in data:
            raise serializers.ValidationError({"operator": [_("This field is required.")]})
        run(check_base_orgs, user=user, county=data["county"], operator=data["operator"])
        serializer.instance = run(services.base_apply, by=user, **data)

    def perform_update(self, serializer) -> None:
        base = serializer.instance  # from get_base_for_edit: in scope and editable
        user = self.request.user
        staff = can_decide_base(user, base)
        data = dict(serializer.validated_data)
        allowed = services.PROFILE_FIELDS_STAFF if staff else services.PROFILE_FIELDS_OPERATOR
        refused = sorted(set(data) - set(allowed))
        if refused:
            raise serializers.ValidationError(
                {name: [_("Only federation staff change this.")] for name in refused}
            )
        run(
            check_base_orgs,
            user=user,
            base=base,
            county=data.get("county"),
            operator=data.get("operator"),
        )
        serializer.instance = run(services.base_update, base=base, by=user, staff=staff, **data)

    @extend_schema(request=TransitionSerializer, responses=BaseSerializer)
    @action(detail=True, methods=["post"])
    def transition(self, request, pk=None):
        """Move the base in its lifecycle (staff): ``to``, ``reason``, ``notice_ends_on``."""
        base = self.get_object()  # get_base_for_decide
        params = TransitionSerializer(data=request.data)
        params.is_valid(raise_exception=True)
        base = run(services.base_transition, base=base, by=request.user, **params.validated_data)
        base = selectors.bases_managed_by(request.user).get(pk=base.pk)
        return Response(BaseSerializer(base, context=self.get_serializer_context()).data)


# --- Itineraries -----------------------------------------------------------------------------------


class ItinerarySerializer(serializers.ModelSerializer):
    base = serializers.PrimaryKeyRelatedField(queryset=Base.objects.none())
    base_name = serializers.CharField(source="base.name", read_only=True)
    county = serializers.CharField(source="base.county.code", read_only=True)
    themes = serializers.ListField(
        source="base.themes", child=serializers.CharField(), read_only=True
    )
    products = serializers.ListField(
        source="base.products", child=serializers.CharField(), read_only=True
    )
    stars = serializers.IntegerField(source="base.stars", read_only=True)
    union_price = YuanField(source="union_price_fen", positive=True)
    standard_price = YuanField(source="standard_price_fen", positive=True)
    addons = CodeListField(choices=Addon.choices, allow_empty=True, required=False)
    programme = serializers.ListField(
        child=serializers.CharField(max_length=500), required=False, max_length=15
    )

    class Meta:
        model = Itinerary
        fields = [
            "id",
            "title",
            "base",
            "base_name",
            "county",
            "days",
            "in_province",
            "summary",
            "union_price",
            "standard_price",
            "themes",
            "products",
            "stars",
            "includes_health_lecture",
            "includes_checkup",
            "min_age",
            "max_age",
            "addons",
            "programme",
            "active",
        ]
        validators: list = []  # uniqueness and price rules are checked by the service

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        request = self.context.get("request")
        if request is not None and request.method not in permissions.SAFE_METHODS:
            # Only bases the caller manages can be named; another's is "does not exist".
            self.fields["base"].queryset = selectors.bases_managed_by(request.user)
        if self.instance is not None and not isinstance(self.instance, list | QuerySet):
            self.fields["base"].read_only = True


CATALOGUE_VALUES = (
    "id",
    "title",
    "base_id",
    "base__name",
    "base__county__code",
    "days",
    "in_province",
    "summary",
    "union_price_fen",
    "standard_price_fen",
    "base__themes",
    "base__products",
    "base__stars",
    "includes_health_lecture",
    "includes_checkup",
    "min_age",
    "max_age",
    "addons",
    "programme",
    "active",
)


def catalogue_rows(rows: list[dict]) -> list[dict]:
    """``ItinerarySerializer``'s representation of ``CATALOGUE_VALUES`` rows (a test holds the
    two equal)."""
    return [
        {
            "id": r["id"],
            "title": r["title"],
            "base": r["base_id"],
            "base_name": r["base__name"],
            "county": r["base__county__code"],
            "days": r["days"],
            "in_province": r["in_province"],
            "summary": r["summary"],
            "union_price": yuan_str(r["union_price_fen"]),
            "standard_price": yuan_str(r["standard_price_fen"]),
            "themes": [str(code) for code in r["base__themes"]],
            "products": [str(code) for code in r["base__products"]],
            "stars": r["base__stars"],
            "includes_health_lecture": r["includes_health_lecture"],
            "includes_checkup": r["includes_checkup"],
            "min_age": r["min_age"],
            "max_age": r["max_age"],
            "addons": list(r["addons"]),
            "programme": [str(day) for day in r["programme"]],
            "active": r["active"],
        }
        for r in rows
    ]


@extend_schema(tags=["itineraries"])
class ItineraryViewSet(
    CachedAnonymousList,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    mixins.UpdateModelMixin,
    viewsets.GenericViewSet,
):
    """Itineraries: the catalogue list (filters, ``ordering=price``) and operators' writes.

    Subclass hook: ``annotate_for_user`` (see the module docstring).
    """

    serializer_class = ItinerarySerializer
    filterset_class = ItineraryFilter
    pagination_class = CataloguePagination
    permission_classes = [permissions.IsAuthenticatedOrReadOnly]  # reads are public
    filter_backends = [CatalogueFilterBackend, StableOrderingFilter]
    ordering_fields = ["price", "days", "stars", "id"]
    ordering = ["-stars", "price"]
    http_method_names = ["get", "post", "patch", "head", "options"]

    def build_list(self, request, *args, **kwargs):
        """The unpriced list (anyone the layer above does not price) from ``.values()``: the
        same rows and fields as ``ItinerarySerializer``, without loading full Base and
        Organization rows or running a serializer per row."""
        if self.get_serializer_class() is not ItinerarySerializer:
            return super().build_list(request, *args, **kwargs)
        queryset = self.filter_queryset(self.get_queryset())
        page = self.paginate_queryset(queryset.values(*CATALOGUE_VALUES))
        return self.get_paginated_response(catalogue_rows(page))

    def depends_on(self, request) -> tuple[str, ...]:
        if "available" in request.query_params:  # open batches with a seat left
            return (page_cache.CATALOGUE, page_cache.SEATS)
        return (page_cache.CATALOGUE,)

    def get_queryset(self) -> QuerySet[Itinerary]:
        user = self.request.user
        if self.action == "list":
            qs = selectors.itineraries_for_catalogue(user=user)
        elif self.action == "retrieve":
            qs = selectors.itineraries_visible_to(user)
        else:
            qs = selectors.itineraries_managed_by(user)
        return self.annotate_for_user(qs)

    def annotate_for_user(self, queryset: QuerySet[Itinerary]) -> QuerySet[Itinerary]:
        """Hook for a layer above: add per-user annotations (e.g. ``net_cost``). Default: none."""
        return queryset

    def get_object(self) -> Itinerary:
        if self.action in ("update", "partial_update"):
            return get_itinerary_for_edit(self.request.user, self.kwargs["pk"])
        return super().get_object()

    def perform_create(self, serializer) -> None:
        data = dict(serializer.validated_data)
        # The serializer offers only bases in scope; the getter also refuses a read-only one.
        base = get_base_for_edit(self.request.user, data.pop("base").pk)
        itinerary = run(services.itinerary_create, base=base, by=self.request.user, **data)
        serializer.instance = self.get_queryset().get(pk=itinerary.pk)

    def perform_update(self, serializer) -> None:
        itinerary = serializer.instance  # from get_itinerary_for_edit
        data = dict(serializer.validated_data)
        data.pop("base", None)
        run(services.itinerary_update, itinerary=itinerary, by=self.request.user, **data)
        serializer.instance = self.get_queryset().get(pk=itinerary.pk)


# --- Batches -----------------------------------------------------------------------------------------


class BatchSerializer(serializers.ModelSerializer):
    itinerary = serializers.PrimaryKeyRelatedField(queryset=Itinerary.objects.none())
    seats_left = serializers.IntegerField(read_only=True)
    status = serializers.CharField(read_only=True, help_text=_("open or closed"))
    accepting_signups = serializers.SerializerMethodField()
    end_date = serializers.DateField(required=False)
    signup_deadline = serializers.DateField(required=False)

    class Meta:
        model = Batch
        fields = [
            "id",
            "itinerary",
            "start_date",
            "end_date",
            "signup_deadline",
            "capacity",
            "seats_held",
            "seats_left",
            "status",
            "accepting_signups",
        ]
        read_only_fields = ["seats_held"]
        # The model's own message for too many seats (DRF would word it its own way).
        extra_kwargs = {"capacity": {"error_messages": {"max_value": CAPACITY_TOO_HIGH}}}
        validators: list = []

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.today = timezone.localdate()
        request = self.context.get("request")
        if request is not None and request.method not in permissions.SAFE_METHODS:
            self.fields["itinerary"].queryset = Itinerary.objects.filter(
                pk__in=selectors.itineraries_managed_by(request.user).values("pk")
            ).select_related("base")
        if self.instance is not None and not isinstance(self.instance, list | QuerySet):
            self.fields["itinerary"].read_only = True

    def get_accepting_signups(self, batch: Batch) -> bool:
        return batch.accepting_signups(self.today)


class CloseSerializer(serializers.Serializer):
    reason = serializers.CharField(required=False, allow_blank=True, default="")


@extend_schema(tags=["batches"])
class BatchViewSet(
    CachedAnonymousList,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    mixins.UpdateModelMixin,
    viewsets.GenericViewSet,
):
    """Batches (departures) with ``seats_left``; ``?itinerary=<id>`` lists one itinerary's."""

    serializer_class = BatchSerializer
    filterset_class = BatchFilter
    cache_depends_on = (page_cache.CATALOGUE, page_cache.SEATS)
    pagination_class = CataloguePagination
    permission_classes = [permissions.IsAuthenticatedOrReadOnly]  # reads are public
    filter_backends = [CatalogueFilterBackend, StableOrderingFilter]
    ordering_fields = ["start_date", "id"]
    ordering = ["start_date"]
    http_method_names = ["get", "post", "patch", "head", "options"]

    def count_in_window(self, request) -> bool:
        """One query (the total as a window) for one itinerary's batches; the whole list of
        every batch is long, so its pages count apart (``CataloguePagination``)."""
        return "itinerary" in request.query_params

    def get_queryset(self) -> QuerySet[Batch]:
        user = self.request.user
        if self.action == "list":
            return selectors.batches_for_catalogue(user=user)
        if self.action == "retrieve":
            return selectors.batches_visible_to(user)
        return selectors.batches_managed_by(user)

    def get_object(self) -> Batch:
        if self.action in ("update", "partial_update", "close", "reopen"):
            return get_batch_for_edit(self.request.user, self.kwargs["pk"])
        return super().get_object()

    def perform_create(self, serializer) -> None:
        data = dict(serializer.validated_data)
        # The serializer offers only itineraries in scope; the getter also refuses a read-only one.
        itinerary = get_itinerary_for_edit(self.request.user, data.pop("itinerary").pk)
        batch = run(services.batch_create, itinerary=itinerary, by=self.request.user, **data)
        serializer.instance = selectors.with_seats_left(Batch.objects.filter(pk=batch.pk)).get()

    def perform_update(self, serializer) -> None:
        batch = serializer.instance  # from get_batch_for_edit
        data = dict(serializer.validated_data)
        data.pop("itinerary", None)
        run(services.batch_update, batch=batch, by=self.request.user, **data)
        serializer.instance = selectors.with_seats_left(Batch.objects.filter(pk=batch.pk)).get()

    @extend_schema(request=CloseSerializer, responses=BatchSerializer)
    @action(detail=True, methods=["post"])
    def close(self, request, pk=None):
        """Stop sign-ups for this batch."""
        batch = self.get_object()  # get_batch_for_edit
        params = CloseSerializer(data=request.data)
        params.is_valid(raise_exception=True)
        run(services.batch_close, batch=batch, by=request.user, **params.validated_data)
        return self._fresh(batch)

    @extend_schema(request=None, responses=BatchSerializer)
    @action(detail=True, methods=["post"])
    def reopen(self, request, pk=None):
        """Take sign-ups again (the base must be in the catalogue and the batch not ended)."""
        batch = self.get_object()  # get_batch_for_edit
        run(services.batch_reopen, batch=batch, by=request.user)
        return self._fresh(batch)

    def _fresh(self, batch: Batch) -> Response:
        batch = selectors.with_seats_left(Batch.objects.filter(pk=batch.pk)).get()
        return Response(BatchSerializer(batch, context=self.get_serializer_context()).data)
