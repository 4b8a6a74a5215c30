"""An article's Markdown text → sanitized HTML (Python-Markdown, then nh3).

Markdown lets raw HTML through, so the sanitizer has the last word: an allow-list of tags and
attributes, links only to http(s), mail and phone (or relative ones on this site), no script,
style, event handler or ``javascript:`` URL, and images only from this site's uploaded article
images (a page never loads anything from elsewhere).
"""

from __future__ import annotations

import markdown as md
import nh3
from django.conf import settings
from django.utils.safestring import SafeString, mark_safe

TAGS = {
    "p", "br", "hr", "h1", "h2", "h3", "h4", "h5", "h6", "strong", "em", "b", "i", "del",
    "blockquote", "ul", "ol", "li", "code", "pre", "a", "img", "table", "thead", "tbody",
    "tr", "th", "td",
}  # fmt: skip
ATTRIBUTES = {"a": {"href", "title"}, "img": {"src", "alt", "title"}}
URL_SCHEMES = {"http", "https", "mailto", "tel"}
EXTENSIONS = ["tables", "sane_lists", "nl2br"]


def _own_images_only(tag: str, attribute: str, value: str) -> str | None:
    if tag == "img" and attribute == "src":
        own = f"{settings.MEDIA_URL}publicity/"
        return value if value.startswith(own) and "//" not in value else None
    return value


def sanitize(html: str) -> str:
    return nh3.clean(
        html,
        tags=TAGS,
        attributes=ATTRIBUTES,
        url_schemes=URL_SCHEMES,
        attribute_filter=_own_images_only,
        link_rel="noopener noreferrer nofollow",
        strip_comments=True,
    )


def render(text: str) -> SafeString:
    """Safe to put on a page as it is: every tag and attribute passed the allow-list."""
    html = md.markdown(text or "", extensions=EXTENSIONS, output_format="html")
    return mark_safe(sanitize(html))  # noqa: S308 - sanitized by nh3 just above
