FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1 PIP_NO_CACHE_DIR=1
WORKDIR /app

COPY pyproject.toml README.md ./
COPY . .
RUN pip install . \
 && DJANGO_ENV=production DJANGO_SECRET_KEY=build-only-collectstatic-key-not-used-at-runtime-0123456789 \
    DJANGO_ALLOWED_HOSTS=build python manage.py collectstatic --noinput \
 && useradd --system --uid 1000 portal && mkdir -p /app/media && chown portal /app/media

USER portal
EXPOSE 8000
CMD ["gunicorn", "recuperation.wsgi", "--bind", "0.0.0.0:8000", "--workers", "4", "--access-logfile", "-"]
