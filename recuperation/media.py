"""Public uploads (base photos under ``MEDIA_ROOT``) served by the app itself.

WhiteNoise serves only the static files collected at build time; uploads arrive while the site
runs. With a web server in front, let it serve ``/media/`` from the same folder (the request
then never reaches Django, docs/OPERATIONS.md); without one, as in the compose stack, this view
does, with ``DEBUG`` off. Private uploads (invoices, rosters) live in ``PRIVATE_MEDIA_ROOT`` and
are served only by views that check who asks: nothing here can reach them.
"""

from __future__ import annotations

import posixpath

from django.conf import settings
from django.core.exceptions import SuspiciousFileOperation
from django.http import Http404, HttpRequest, HttpResponse
from django.views.decorators.http import require_safe
from django.views.static import serve

# What may be uploaded to public storage (bases.validators.validate_photo): pictures, and only
# kinds a browser never runs as a page (no SVG, no HTML), named by their extension.
PUBLIC_TYPES = {
    ".jpg": "image/jpeg",
    ".jpeg": "image/jpeg",
    ".png": "image/png",
    ".webp": "image/webp",
    ".gif": "image/gif",
}
# A photo keeps its name for life (storage never overwrites a name), but a deleted photo's name
# may come back: browsers keep a copy an hour, then revalidate with If-Modified-Since.
CACHE_SECONDS = 3600


@require_safe
def public_media(request: HttpRequest, path: str) -> HttpResponse:
    content_type = PUBLIC_TYPES.get(posixpath.splitext(path)[1].lower())
    if content_type is None or "\\" in path:
        raise Http404
    try:
        # Django's static view: a path outside MEDIA_ROOT is refused, directories are not
        # listed, Last-Modified and If-Modified-Since (304) are handled, the file is streamed.
        response = serve(request, path, document_root=settings.MEDIA_ROOT)
    except SuspiciousFileOperation:
        raise Http404 from None
    if response.status_code == 200:
        response["Content-Type"] = content_type
    response["Cache-Control"] = f"public, max-age={CACHE_SECONDS}"
    return response
