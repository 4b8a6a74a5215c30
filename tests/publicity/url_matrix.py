"""This app's rows of the URL × method × role matrix in tests/test_permissions.py (format:
tests/matrix.py). The articles belong to county A: its staff, the city's and the superuser write
them; county B's staff may write articles, but not county A's (a draft of county A is a 404 to
them, a published one a 403, and naming county A on a new article a field error); the auditor
reads everything of the city, read only; everyone else reads published articles only."""

from __future__ import annotations

from publicity.models import Article, Kind, Status
from tests.matrix import LOGIN, STAFF, SUPERVISORS, Write, only, roles
from tests.publicity.factories import ArticleFactory

WRITERS = STAFF | {"county_b_staff"}  # federation staff (and the superuser) write articles
# County A's draft: seen by its writers and the auditor, unknown to everyone else.
DRAFT_READERS = STAFF | {"auditor"}


def _draft(tree, **fields) -> Article:
    return ArticleFactory(org=tree.county_a, status=Status.DRAFT, title="甲县草稿", **fields)


def _published(tree) -> Article:
    return ArticleFactory(org=tree.county_a, title="甲县新闻")


def _form(tree, **changes) -> dict:
    return {
        "kind": Kind.NEWS,
        "org": tree.county_a.pk,
        "title": "矩阵新文章",
        "summary": "摘要",
        "body": "正文",
        **changes,
    }


def detail_draft(tree) -> str:
    return f"/publicity/{_draft(tree).pk}/"


def detail_published(tree) -> str:
    return f"/publicity/{_published(tree).pk}/"


def new_page(tree) -> Write:
    return Write(
        path="/publicity/manage/new/",
        data=_form(tree),
        done=lambda: Article.objects.filter(title="矩阵新文章").exists(),
    )


def edit_get(tree) -> str:
    return f"/publicity/manage/{_draft(tree).pk}/edit/"


def edit_published_get(tree) -> str:
    return f"/publicity/manage/{_published(tree).pk}/edit/"


def edit_page(tree) -> Write:
    article = _draft(tree)
    return Write(
        path=f"/publicity/manage/{article.pk}/edit/",
        data=_form(tree, title="矩阵改名"),
        done=lambda: Article.objects.filter(pk=article.pk, title="矩阵改名").exists(),
    )


def publish(tree) -> Write:
    article = _draft(tree)
    return Write(
        path=f"/publicity/manage/{article.pk}/publish/",
        done=lambda: Article.objects.filter(pk=article.pk, status=Status.PUBLISHED).exists(),
    )


def withdraw(tree) -> Write:
    article = _published(tree)
    return Write(
        path=f"/publicity/manage/{article.pk}/withdraw/",
        done=lambda: Article.objects.filter(pk=article.pk, status=Status.WITHDRAWN).exists(),
    )


def api_detail_published(tree) -> str:
    return f"/api/v1/articles/{_published(tree).pk}/"


def api_detail_draft(tree) -> str:
    return f"/api/v1/articles/{_draft(tree).pk}/"


EDIT = roles((STAFF, 200), ({"county_b_staff"}, 404), default=403)

MATRIX: dict[tuple[str, ...], tuple] = {
    ("publicity:list", "get"): ("/publicity/", 200, 200),
    ("publicity:list", "get", "kind"): ("/publicity/?kind=route", 200, 200),
    ("publicity:list", "get", "unknown kind"): ("/publicity/?kind=nope", 404, 404),
    ("publicity:detail", "get"): (detail_published, 200, 200),
    ("publicity:detail", "get", "draft"): (detail_draft, 404, only(DRAFT_READERS, denied=404)),
    ("publicity:policy", "get"): ("/policy/", 200, 200),
    ("publicity:disclosure", "get"): ("/disclosure/", 200, 200),
    ("publicity:disclosure", "get", "xlsx"): ("/disclosure/?export=xlsx", 200, 200),
    ("publicity:disclosure", "get", "junk year"): ("/disclosure/?year=abc", 404, 404),
    ("publicity:manage", "get"): ("/publicity/manage/", LOGIN, only(SUPERVISORS)),
    ("publicity:new", "get"): ("/publicity/manage/new/", LOGIN, only(WRITERS)),
    ("publicity:new", "post"): (
        new_page,
        LOGIN,
        roles((STAFF, 302), ({"county_b_staff"}, 200), default=403),
    ),
    ("publicity:edit", "get"): (edit_get, LOGIN, EDIT),
    ("publicity:edit", "get", "published"): (
        edit_published_get,
        LOGIN,
        roles((STAFF, 200), default=403),
    ),
    ("publicity:edit", "post"): (
        edit_page,
        LOGIN,
        roles((STAFF, 302), ({"county_b_staff"}, 404), default=403),
    ),
    ("publicity:publish", "post"): (
        publish,
        LOGIN,
        roles((STAFF, 302), ({"county_b_staff"}, 404), default=403),
    ),
    ("publicity:withdraw", "post"): (
        withdraw,
        LOGIN,
        roles((STAFF, 302), default=403),
    ),
    ("article-list", "get"): ("/api/v1/articles/", 200, 200),
    ("article-list", "get", "kind"): ("/api/v1/articles/?kind=event", 200, 200),
    ("article-detail", "get"): (api_detail_published, 200, 200),
    ("article-detail", "get", "draft"): (api_detail_draft, 404, 404),
}
