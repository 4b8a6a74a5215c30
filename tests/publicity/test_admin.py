"""The back office lists and opens articles; status and who/when are read-only there."""

from __future__ import annotations

import pytest

from tests.publicity.factories import ArticleFactory

pytestmark = pytest.mark.django_db


def test_the_admin_lists_and_opens_articles(client, tree):
    article = ArticleFactory(org=tree.county_a, title="后台文章")
    client.force_login(tree.user("admin"))
    listing = client.get("/admin/publicity/article/")
    assert listing.status_code == 200 and "后台文章" in listing.content.decode()
    change = client.get(f"/admin/publicity/article/{article.pk}/change/")
    assert change.status_code == 200
    form = change.context["adminform"].form
    assert "status" not in form.fields and "published_by" not in form.fields
    assert client.get("/admin/publicity/article/add/").status_code == 200
