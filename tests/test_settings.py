"""Settings come from the environment: defaults are the embedded demo, bad values stop start-up."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.exceptions import ImproperlyConfigured

from recuperation import env

ROOT = Path(__file__).resolve().parent.parent
PROD = {
    "DJANGO_ENV": "production",
    "DJANGO_SECRET_KEY": "k" * 20 + "-production-secret-for-tests-" + "x" * 20,
    "DJANGO_ALLOWED_HOSTS": "portal.example.org",
}
PROBE = (
    "import json, django; django.setup(); from django.conf import settings as s; "
    "print(json.dumps({'engine': s.DATABASES['default']['ENGINE'], "
    "'name': str(s.DATABASES['default']['NAME']), 'eager': s.CELERY_TASK_ALWAYS_EAGER, "
    "'broker': s.CELERY_BROKER_URL, 'cache': s.CACHES['default']['BACKEND'], "
    "'cache_location': s.CACHES['default'].get('LOCATION'), "
    "'debug': s.DEBUG, 'lang': s.LANGUAGE_CODE, 'tz': s.TIME_ZONE, "
    "'proxies': s.TRUSTED_PROXY_COUNT, 'num_proxies': s.REST_FRAMEWORK['NUM_PROXIES'], "
    "'ip_limit': s.AXES_IP_FAILURE_LIMIT}))"
)


def run_python(code: str, **env_vars: str) -> subprocess.CompletedProcess:
    clean = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("DJANGO_", "DATABASE_URL", "CELERY_", "CACHE_URL"))
    }
    clean["DJANGO_SETTINGS_MODULE"] = "recuperation.settings"
    clean.update(env_vars)
    return subprocess.run(
        [sys.executable, "-c", code],
        cwd=ROOT,
        env=clean,
        capture_output=True,
        text=True,
        timeout=60,
    )


def probe(**env_vars: str) -> dict:
    result = run_python(PROBE, **env_vars)
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout.strip().splitlines()[-1])


def test_defaults_are_the_embedded_demo():
    found = probe()
    assert found["engine"] == "django.db.backends.sqlite3"
    assert found["eager"] is True
    assert found["broker"] == "memory://"
    assert found["cache"].endswith("LocMemCache")
    assert found["debug"] is True
    assert (found["lang"], found["tz"]) == ("zh-hans", "Asia/Shanghai")


def test_no_proxy_is_trusted_unless_configured_and_both_throttles_share_the_count():
    found = probe()
    assert (found["proxies"], found["num_proxies"]) == (0, 0)  # DRF's None would trust any XFF
    assert found["ip_limit"] == 30
    found = probe(TRUSTED_PROXY_COUNT="2", AXES_IP_FAILURE_LIMIT="50")
    assert (found["proxies"], found["num_proxies"], found["ip_limit"]) == (2, 2, 50)


def test_database_url_switches_to_postgresql_and_broker_url_to_redis():
    found = probe(
        DATABASE_URL="postgres://postgres@127.0.0.1:5432/recuperation",
        CELERY_BROKER_URL="redis://127.0.0.1:6379/0",
    )
    assert found["engine"] == "django.db.backends.postgresql"
    assert found["name"] == "recuperation"
    assert found["eager"] is False
    assert found["broker"] == "redis://127.0.0.1:6379/0"
    assert found["cache"].endswith("RedisCache")
    assert found["cache_location"] == "redis://127.0.0.1:6379/1"  # never the broker's database


@pytest.mark.parametrize(
    ("variable", "value"),
    [
        ("DATABASE_URL", "mysql://root@localhost/x"),
        ("CELERY_BROKER_URL", "not a url"),
        ("DJANGO_DEBUG", "maybe"),
        ("DJANGO_ENV", "staging"),
        ("AXES_FAILURE_LIMIT", "five"),
        ("TRUSTED_PROXY_COUNT", "-1"),
        ("TRUSTED_PROXY_COUNT", "nginx"),
        ("AXES_IP_FAILURE_LIMIT", "0"),
    ],
)
def test_a_bad_value_stops_start_up_naming_the_variable(variable, value):
    result = run_python(PROBE, **{variable: value})
    assert result.returncode != 0
    assert "ImproperlyConfigured" in result.stderr
    assert variable in result.stderr


def test_production_insists_on_a_secret_key_and_hosts():
    result = run_python(PROBE, DJANGO_ENV="production")
    assert result.returncode != 0 and "DJANGO_SECRET_KEY" in result.stderr
    result = run_python(PROBE, DJANGO_ENV="production", DJANGO_SECRET_KEY=PROD["DJANGO_SECRET_KEY"])
    assert result.returncode != 0 and "DJANGO_ALLOWED_HOSTS" in result.stderr
    assert probe(**PROD)["debug"] is False


def test_check_deploy_is_clean_in_production():
    result = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=ROOT,
        env={**os.environ, **PROD},
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


def test_typed_readers(monkeypatch):
    monkeypatch.setenv("X_BOOL", "Yes")
    monkeypatch.setenv("X_INT", "7")
    monkeypatch.setenv("X_LIST", "a, b,,c")
    assert env.env_bool("X_BOOL") is True
    assert env.env_int("X_INT", 1) == 7
    assert env.env_list("X_LIST") == ["a", "b", "c"]
    assert env.env_int("X_MISSING", 3) == 3
    with pytest.raises(ImproperlyConfigured, match="X_INT must be at least 10"):
        env.env_int("X_INT", 1, minimum=10)
    monkeypatch.setenv("X_URL", "ftp://x")
    with pytest.raises(ImproperlyConfigured, match="X_URL"):
        env.env_url("X_URL", ("redis",))
