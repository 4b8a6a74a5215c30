# The portal's production image: one copy of the code, run from /app (no install of the project
# itself), dependencies in a cached layer of their own, static files collected at build time.
# docker-compose.yml runs it as web (gunicorn), worker and beat; ops/prodstack builds and runs the
# same steps without Docker, and tests/test_docker_compose.py keeps the two in step.
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    PYTHONPATH=/app \
    MEDIA_ROOT=/var/lib/portal/media \
    PRIVATE_MEDIA_ROOT=/var/lib/portal/private \
    CELERY_BEAT_SCHEDULE_FILENAME=/var/lib/portal/beat/celerybeat-schedule
WORKDIR /app

# 1. Dependencies only, pinned in pyproject.toml: rebuilt only when that file changes.
COPY pyproject.toml ./
COPY ops/requirements.py ops/
RUN python ops/requirements.py pyproject.toml > /tmp/requirements.txt \
 && pip install -r /tmp/requirements.txt \
 && rm /tmp/requirements.txt

# 2. The code, templates, static files and translations (.dockerignore keeps out the rest),
#    owned by root: the application cannot change its own code.
COPY . .
RUN DJANGO_ENV=production \
    DJANGO_SECRET_KEY=build-only-collectstatic-key-not-used-at-runtime-0123456789 \
    DJANGO_ALLOWED_HOSTS=build \
    python manage.py collectstatic --noinput \
 && test -f staticfiles/staticfiles.json \
 && test -f locale/zh_Hans/LC_MESSAGES/django.mo \
 && test -d templates \
 && useradd --system --uid 1000 --home-dir /app --shell /usr/sbin/nologin portal \
 && mkdir -p /var/lib/portal/media /var/lib/portal/private /var/lib/portal/beat \
 && chown -R portal /var/lib/portal

# 3. Run as the unprivileged user; uploads and beat's schedule live in volumes.
USER portal
VOLUME ["/var/lib/portal/media", "/var/lib/portal/private", "/var/lib/portal/beat"]
EXPOSE 8000
CMD ["gunicorn", "--config", "ops/gunicorn.conf.py", "recuperation.wsgi"]
