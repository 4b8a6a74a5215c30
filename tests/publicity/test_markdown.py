"""An article's Markdown text reaches pages and the API only as sanitized HTML."""

from __future__ import annotations

import re

import pytest

from publicity.markdown import render
from tests.dates import THIS_YEAR
from tests.publicity.factories import ArticleFactory

pytestmark = pytest.mark.django_db

ATTACKS = [
    "<script>alert(1)</script>",
    "<SCRIPT SRC=//evil.example/x.js></SCRIPT>",
    '<img src="x" onerror="alert(1)">',
    '<a href="javascript:alert(1)">click</a>',
    '<a href="JaVaScRiPt:alert(1)">click</a>',
    '<a href="&#106;avascript:alert(1)">click</a>',
    '<a href=" javascript:alert(1)">click</a>',
    "[click](javascript:alert(1))",
    "[click](  javascript:alert(1)  )",
    '<a href="data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==">x</a>',
    '<a href="vbscript:msgbox(1)">x</a>',
    '<div onmouseover="alert(1)">hover</div>',
    '<p style="background:url(javascript:alert(1))">x</p>',
    "<style>body{display:none}</style>",
    '<iframe src="https://evil.example/"></iframe>',
    '<svg onload="alert(1)"><circle r="5"/></svg>',
    '<form action="https://evil.example/"><input name="x"></form>',
    '<object data="x.swf"></object><embed src="x.swf">',
    '<meta http-equiv="refresh" content="0;url=https://evil.example/">',
    '<base href="https://evil.example/">',
    '<a href="https://ok.example/" onclick="alert(1)">ok</a>',
    "<!-- <script>alert(1)</script> -->",
    "<math><mtext><table><mglyph><style><img src=x onerror=alert(1)>",
]


def assert_safe(html: str) -> None:
    lower = html.lower()
    assert "<script" not in lower
    assert "javascript:" not in lower
    assert "vbscript:" not in lower
    assert "data:" not in lower
    for tag in (
        "<iframe",
        "<style",
        "<svg",
        "<form",
        "<input",
        "<object",
        "<embed",
        "<meta",
        "<base",
        "<math",
    ):
        assert tag not in lower, tag
    assert not re.search(r"\son\w+\s*=", lower), html
    assert "style=" not in lower


@pytest.mark.parametrize("attack", ATTACKS)
def test_no_script_event_handler_or_javascript_url_survives(attack):
    assert_safe(str(render(attack)))
    assert_safe(str(render(f"Some **text** and then {attack} and more.")))


def test_markdown_keeps_its_formatting_and_safe_links():
    html = str(
        render(
            "## 补助标准\n\n**加粗** 和 *斜体*\n\n- 一\n- 二\n\n"
            "[线路](/bases/?theme=red) [官网](https://union.example/) [邮件](mailto:a@b.example)\n\n"
            "| 类别 | 补助 |\n| --- | --- |\n| 劳模 | ¥600 |\n\n> 引用"
        )
    )
    assert "<h2>补助标准</h2>" in html
    assert "<strong>加粗</strong>" in html and "<em>斜体</em>" in html
    assert "<li>一</li>" in html
    assert 'href="/bases/?theme=red"' in html
    assert 'href="https://union.example/"' in html
    assert 'href="mailto:a@b.example"' in html
    assert 'rel="noopener noreferrer nofollow"' in html
    assert "<table>" in html and "<td>劳模</td>" in html
    assert "<blockquote>" in html


def test_images_only_from_this_sites_article_uploads():
    html = str(
        render(
            f"![ours](/media/publicity/{THIS_YEAR}/01/a.png) ![theirs](https://evil.example/x.png) "
            "![sneaky](/media/publicity//evil.example/x.png) ![other](/media/bases/x.png)"
        )
    )
    assert f'src="/media/publicity/{THIS_YEAR}/01/a.png"' in html
    assert "evil.example" not in html
    assert "/media/bases/" not in html


def test_pages_and_api_show_the_sanitized_html(client):
    article = ArticleFactory(
        body='正文 <script>alert("x")</script> <a href="javascript:alert(1)" onclick="x()">链接</a>'
    )
    page = client.get(f"/publicity/{article.pk}/").content.decode()
    body = page[page.index('class="article-body"') :]
    body = body[: body.index("</div>")]
    assert_safe(body)
    assert "链接" in body
    data = client.get(f"/api/v1/articles/{article.pk}/").json()
    assert_safe(data["body_html"])
    assert data["body"] == article.body  # the Markdown as written, for editors of other sites
