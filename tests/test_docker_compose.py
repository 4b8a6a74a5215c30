"""The compose stack is production-like: no built-in secrets, no demo accounts unless asked for.

There is no Docker engine in CI, so this reads the file the way compose would and checks what it
would start; PyYAML comes with drf-spectacular.
"""

from __future__ import annotations

import re
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parent.parent
COMPOSE = yaml.safe_load((ROOT / "docker-compose.yml").read_text())
APP_ENV = COMPOSE["x-app"]["environment"]
REQUIRED = re.compile(r"\$\{(\w+):\?[^}]+\}")


def test_secrets_and_hosts_come_from_the_environment_and_are_required():
    required = {name for value in APP_ENV.values() for name in REQUIRED.findall(str(value))}
    assert {"DJANGO_SECRET_KEY", "POSTGRES_PASSWORD", "DJANGO_ALLOWED_HOSTS"} <= required
    assert REQUIRED.fullmatch(APP_ENV["DJANGO_SECRET_KEY"])
    db_password = COMPOSE["services"]["db"]["environment"]["POSTGRES_PASSWORD"]
    assert REQUIRED.fullmatch(db_password)
    assert "${POSTGRES_PASSWORD" in APP_ENV["DATABASE_URL"]


def test_every_required_variable_is_explained_in_env_example_and_env_is_never_committed():
    example = (ROOT / ".env.example").read_text()
    text = (ROOT / "docker-compose.yml").read_text()
    for name in set(REQUIRED.findall(text)):
        assert re.search(rf"^{name}=", example, re.MULTILINE), name
    assert ".env" in (ROOT / ".gitignore").read_text().split()
    assert ".env" in (ROOT / ".dockerignore").read_text().split()  # COPY . . would bake it in


def _web_script() -> str:
    command = COMPOSE["services"]["web"]["command"]
    return command if isinstance(command, str) else " ".join(command)


def test_demo_accounts_only_when_seed_demo_is_set():
    script = _web_script()
    seed_lines = [line for line in script.splitlines() if "seed_demo" in line]
    assert seed_lines, "the opt-in is gone: update this test and the README together"
    assert all("$$SEED_DEMO" in line for line in seed_lines)
    assert APP_ENV["SEED_DEMO"] == "${SEED_DEMO:-0}"


def test_gunicorn_is_execed_so_signals_reach_it():
    assert re.search(r"^\s*exec gunicorn ", _web_script(), re.MULTILINE)
