"""The compose stack and its image are production-like, and ops/prodstack runs the same thing.

There is no Docker engine in CI, so this reads docker-compose.yml and the Dockerfile the way
compose and docker build would and checks what they would start; ops/prodstack (run by .ci/run)
starts that same stack without Docker, taking its commands and environment from these files:
the checks below keep the script, the compose file and the image in step. PyYAML comes with
drf-spectacular.
"""

from __future__ import annotations

import importlib.util
import re
import sys
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parent.parent
COMPOSE = yaml.safe_load((ROOT / "docker-compose.yml").read_text())
SERVICES = COMPOSE["services"]
APP_ENV = COMPOSE["x-app"]["environment"]
REQUIRED = re.compile(r"\$\{(\w+):\?[^}]+\}")
DOCKERFILE = (ROOT / "Dockerfile").read_text()
INSTRUCTIONS = [
    line for line in re.sub(r"\\\n", " ", DOCKERFILE).splitlines() if line and line[0] != "#"
]


def _prodstack():
    spec = importlib.util.spec_from_file_location("prodstack", ROOT / "ops/prodstack.py")
    module = importlib.util.module_from_spec(spec)
    sys.modules["prodstack"] = module  # its dataclasses look themselves up there
    spec.loader.exec_module(module)
    return module


PRODSTACK = _prodstack()
IMAGE_SERVICES = {name for name, service in SERVICES.items() if "build" in service}


def _script(name: str) -> str:
    command = SERVICES[name]["command"]
    return command if isinstance(command, str) else " ".join(command)


# --- secrets ---------------------------------------------------------------------------------


def test_secrets_and_hosts_come_from_the_environment_and_are_required():
    required = {name for value in APP_ENV.values() for name in REQUIRED.findall(str(value))}
    assert {"DJANGO_SECRET_KEY", "PORTAL_DB_PASSWORD", "DJANGO_ALLOWED_HOSTS"} <= required
    assert REQUIRED.fullmatch(APP_ENV["DJANGO_SECRET_KEY"])
    db_env = SERVICES["db"]["environment"]
    assert REQUIRED.fullmatch(db_env["POSTGRES_PASSWORD"])
    assert REQUIRED.fullmatch(db_env["PORTAL_DB_PASSWORD"])
    assert APP_ENV["DATABASE_URL"].startswith("postgres://portal:${PORTAL_DB_PASSWORD")


def test_the_application_connects_as_a_role_that_is_not_a_superuser():
    """The ledger's triggers can be switched off by a superuser only (docs/funds.md)."""
    assert "POSTGRES_USER" not in SERVICES["db"]["environment"]  # the superuser stays postgres
    mounts = SERVICES["db"]["volumes"]
    assert "./ops/postgres-init:/docker-entrypoint-initdb.d:ro" in mounts
    init = (ROOT / "ops/postgres-init/10-app-role.sh").read_text()
    assert "CREATE ROLE portal LOGIN NOSUPERUSER" in init
    assert "CREATE DATABASE recuperation OWNER portal" in init
    prodstack = (ROOT / "ops/prodstack.py").read_text()
    assert "LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE" in prodstack


def test_every_required_variable_is_explained_in_env_example_and_env_is_never_committed():
    example = (ROOT / ".env.example").read_text()
    text = (ROOT / "docker-compose.yml").read_text()
    for name in set(REQUIRED.findall(text)):
        assert re.search(rf"^{name}=", example, re.MULTILINE), name
    assert ".env" in (ROOT / ".gitignore").read_text().split()
    assert ".env" in (ROOT / ".dockerignore").read_text().split()  # COPY . . would bake it in


# --- start-up order and signals --------------------------------------------------------------


def test_demo_accounts_only_when_seed_demo_is_set_and_only_by_the_one_shot_migrate():
    seed_lines = [line for line in _script("migrate").splitlines() if "seed_demo" in line]
    assert seed_lines, "the opt-in is gone: update this test and the README together"
    assert all("$$SEED_DEMO" in line for line in seed_lines)
    assert APP_ENV["SEED_DEMO"] == "${SEED_DEMO:-0}"
    assert not any("seed_demo" in _script(name) for name in PRODSTACK.SERVERS)


def test_migrate_runs_once_and_everything_else_waits_for_it():
    migrate = SERVICES["migrate"]
    assert "python manage.py migrate --noinput" in _script("migrate")
    assert migrate["restart"] == "no"
    assert "migrate" not in migrate["depends_on"]
    for name in PRODSTACK.SERVERS:
        service = SERVICES[name]
        assert service["depends_on"]["migrate"] == {"condition": "service_completed_successfully"}
        assert service["depends_on"]["db"] == {"condition": "service_healthy"}
        # and each checks for itself, as ops/prodstack proves by starting them first
        assert _script(name).startswith("sh -c python manage.py wait_for_migrations && exec ")


@pytest.mark.parametrize(
    ("name", "server"),
    [
        ("web", "gunicorn --config ops/gunicorn.conf.py recuperation.wsgi"),
        ("worker", "celery -A recuperation worker"),
        ("beat", "celery -A recuperation beat"),
    ],
)
def test_each_server_is_execed_so_that_signals_reach_it(name, server):
    assert f"&& exec {server}" in _script(name)


def test_the_image_default_command_is_the_web_server_of_the_compose_file():
    cmd = next(line for line in INSTRUCTIONS if line.startswith("CMD "))
    assert " ".join(yaml.safe_load(cmd[4:])) in _script("web")


def test_every_long_running_service_has_a_healthcheck():
    for name in (*PRODSTACK.SERVERS, "db", "redis"):
        assert SERVICES[name]["healthcheck"]["test"], name
    assert "/healthz" in str(SERVICES["web"]["healthcheck"]["test"])
    assert "inspect ping" in str(SERVICES["worker"]["healthcheck"]["test"])
    # pg_isready over TCP: the image's first-start initialisation listens on the socket only
    assert "-h 127.0.0.1" in SERVICES["db"]["healthcheck"]["test"][1]


# --- the image -------------------------------------------------------------------------------


def test_the_image_installs_dependencies_in_a_cached_layer_and_the_code_once():
    copy_all = INSTRUCTIONS.index("COPY . .")
    before, after = INSTRUCTIONS[:copy_all], INSTRUCTIONS[copy_all:]
    deps = next(line for line in before if "pip install" in line)
    assert "python ops/requirements.py pyproject.toml" in deps
    assert "pip install -r" in deps
    assert [line for line in before if line.startswith("COPY ")] == [
        "COPY pyproject.toml ./",
        "COPY ops/requirements.py ops/",
    ]
    # no second copy of the project in site-packages: it runs from /app
    assert not any("pip install" in line for line in after)
    env = PRODSTACK.dockerfile_env()
    assert env["PYTHONPATH"] == "/app"
    assert next(line for line in INSTRUCTIONS if line.startswith("WORKDIR ")) == "WORKDIR /app"


def test_the_image_collects_static_files_at_build_as_prodstack_does_and_runs_unprivileged():
    build = next(line for line in INSTRUCTIONS if "collectstatic" in line)
    assert PRODSTACK.COLLECTSTATIC in build
    for needed in ("staticfiles/staticfiles.json", "locale/zh_Hans/LC_MESSAGES/django.mo"):
        assert f"test -f {needed}" in build
    assert "DJANGO_ENV=production" in build
    users = [line for line in INSTRUCTIONS if line.startswith("USER ")]
    assert users == ["USER portal"]
    for kept in ("templates", "static", "locale"):
        assert kept not in (ROOT / ".dockerignore").read_text().split()


def test_uploads_and_beats_schedule_live_in_volumes_of_the_services_that_write_them():
    env = PRODSTACK.dockerfile_env()
    media, private = env["MEDIA_ROOT"], env["PRIVATE_MEDIA_ROOT"]
    beat_dir = str(Path(env["CELERY_BEAT_SCHEDULE_FILENAME"]).parent)
    for name in ("migrate", "web", "worker"):
        mounts = {m.split(":")[1] for m in SERVICES[name]["volumes"]}
        assert {media, private} <= mounts, name
    assert {m.split(":")[1] for m in SERVICES["beat"]["volumes"]} == {beat_dir}
    volume_line = next(line for line in INSTRUCTIONS if line.startswith("VOLUME "))
    assert set(yaml.safe_load(volume_line[7:])) == {media, private, beat_dir}
    assert set(COMPOSE["volumes"]) >= {"media", "private", "beat", "pgdata", "redisdata"}


# --- ops/prodstack runs the same stack ---------------------------------------------------------


def test_prodstack_starts_every_service_of_the_image_with_its_compose_command():
    assert {*PRODSTACK.SERVERS, PRODSTACK.ONE_SHOT} == IMAGE_SERVICES
    for name in IMAGE_SERVICES:
        command = PRODSTACK.service_command(SERVICES, name)
        assert "$$" not in command
        assert command == SERVICES[name]["command"][2].replace("$$", "$")


def test_prodstack_uses_the_compose_environment_and_the_images_env(tmp_path):
    stack = PRODSTACK.Stack(
        tmp_path, "recuperation_probe", "redis://127.0.0.1:6379/6", 8014, {
            "host": "127.0.0.1", "port": "5432", "user": "postgres"
        }
    )  # fmt: skip
    env = stack.up_env()
    assert set(APP_ENV) <= set(env)
    assert set(PRODSTACK.dockerfile_env()) <= set(env)
    assert env["DJANGO_ENV"] == "production"
    assert len(env["DJANGO_SECRET_KEY"]) >= 50
    assert env["DJANGO_ALLOWED_HOSTS"].endswith(",127.0.0.1")
    assert env["DATABASE_URL"].startswith("postgres://recuperation_probe_app:")
    assert env["DATABASE_URL"].endswith("@127.0.0.1:5432/recuperation_probe")
    assert env["CELERY_BROKER_URL"] == "redis://127.0.0.1:6379/6"
    assert env["MEDIA_ROOT"] == str(tmp_path / "data/media")
    assert env["PYTHONPATH"] == str(tmp_path / "app")
    for name in ("DJANGO_SECURE_SSL_REDIRECT", "TRUSTED_PROXY_COUNT", "SEED_DEMO"):
        assert env[name] == PRODSTACK.interpolate(APP_ENV[name], {}), name


def test_prodstack_copies_what_copy_would_and_nothing_dockerignore_keeps_out():
    patterns = PRODSTACK.dockerignore()
    assert PRODSTACK.ignored(".env", patterns)
    assert PRODSTACK.ignored(".venv", patterns)
    assert PRODSTACK.ignored("funds/__pycache__", patterns)
    assert PRODSTACK.ignored("db.sqlite3", patterns)
    for kept in ("templates", "static", "locale", "manage.py", "ops"):
        assert not PRODSTACK.ignored(kept, patterns)


def test_ci_runs_prodstack_after_the_postgres_pass():
    lines = [line.strip() for line in (ROOT / ".ci/run").read_text().splitlines()]
    pg_pass = max(i for i, line in enumerate(lines) if ".venv/bin/pytest" in line)
    assert 'export DATABASE_URL="postgres://' in "\n".join(lines[:pg_pass])
    assert "ops/prodstack" in lines[pg_pass + 1 :]
