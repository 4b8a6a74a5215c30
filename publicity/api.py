"""``GET /api/v1/articles/`` and ``/api/v1/articles/{id}/``: published articles, read only.

Public like the pages: anyone may read what is published, no one writes here (staff write on
the management pages). Filtered by ``kind``; paginated like every list.
"""

from __future__ import annotations

from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from django_filters import rest_framework as filters
from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import permissions, serializers, viewsets

from publicity import selectors
from publicity.models import Article, ArticleImage, Kind


class ArticleFilter(filters.FilterSet):
    kind = filters.ChoiceFilter(label=_("Kind"), choices=Kind.choices)

    class Meta:
        model = Article
        fields = ["kind"]


class ImageSerializer(serializers.ModelSerializer):
    url = serializers.SerializerMethodField()

    class Meta:
        model = ArticleImage
        fields = ["url", "caption"]

    def get_url(self, image: ArticleImage) -> str:
        return image.image.url


class ArticleSerializer(serializers.ModelSerializer):
    org = serializers.SlugRelatedField(
        slug_field="code", read_only=True, help_text=_("Code of the publishing federation.")
    )
    org_name = serializers.CharField(source="org.name", read_only=True)
    itineraries = serializers.PrimaryKeyRelatedField(
        many=True, read_only=True, help_text=_("Ids of the itineraries a featured route links to.")
    )
    images = ImageSerializer(many=True, read_only=True)
    page = serializers.SerializerMethodField(help_text=_("The article's page on this site."))
    event_date = serializers.DateField(read_only=True, allow_null=True)
    # Plain strings: empty when not set (a choice or URL format would refuse the empty value).
    theme = serializers.CharField(
        read_only=True, help_text=_("A featured route's theme (red, green, blue), or empty.")
    )
    signup_url = serializers.CharField(
        read_only=True, help_text=_("An event's sign-up web address, or empty.")
    )

    class Meta:
        model = Article
        fields = [
            "id",
            "kind",
            "title",
            "summary",
            "org",
            "org_name",
            "published_at",
            "theme",
            "itineraries",
            "event_date",
            "event_place",
            "signup_url",
            "contact",
            "images",
            "page",
        ]
        read_only_fields = fields

    def get_page(self, article: Article) -> str:
        return reverse("publicity:detail", args=[article.pk])


class ArticleDetailSerializer(ArticleSerializer):
    body_html = serializers.CharField(
        read_only=True, help_text=_("The text as sanitized HTML, safe to show as it is.")
    )

    class Meta(ArticleSerializer.Meta):
        fields = [*ArticleSerializer.Meta.fields, "body", "body_html"]
        read_only_fields = fields


@extend_schema_view(
    list=extend_schema(description="Published articles, newest first; `kind` filters one kind."),
    retrieve=extend_schema(description="One published article with its Markdown text and HTML."),
)
class ArticleViewSet(viewsets.ReadOnlyModelViewSet):
    permission_classes = [permissions.AllowAny]
    filterset_class = ArticleFilter
    filter_backends = [filters.DjangoFilterBackend]

    def get_queryset(self):
        return selectors.published_articles()

    def get_serializer_class(self):
        return ArticleDetailSerializer if self.action == "retrieve" else ArticleSerializer
