"""Build and run the production stack of docker-compose.yml without Docker, and check it.

Started by ``ops/prodstack``, which makes a fresh virtualenv with the dependencies the image
installs (``ops/requirements.py``) and runs this with it. It reads docker-compose.yml and the
Dockerfile and runs what they say, so that the two cannot drift apart
(tests/test_docker_compose.py checks that this stays true):

- "build": the source tree copied as ``COPY . .`` would (minus .dockerignore), the Dockerfile's
  ``ENV`` (its paths mapped into a work folder), ``collectstatic`` as the Dockerfile runs it;
- "up": the compose ``x-app`` environment, interpolated like compose does from generated values
  (a random secret key, an allowed host), except that the services' host names ``db`` and
  ``redis`` become a fresh PostgreSQL database, owned by a fresh role that is not a superuser,
  and a Redis database, all on this machine; web, worker and beat started with their compose
  commands *before* the one-shot migrate, so that they must wait for it.

Then it checks, printing each check: the three wait for migrations; migrate succeeds; /healthz
answers 200 with database and broker ok; a static file is served from whitenoise's manifest
with DEBUG off; a public upload is served, a path outside it is not; a task round-trips
through the worker; beat runs; SIGTERM stops gunicorn within seconds (it is exec'ed: the
signal reaches it, not a shell), then the worker and beat. It cleans up whatever happens: the
processes, the database and role, the Redis databases, the work folder. Any failed check
stops it with a message and exit status 1.
"""

from __future__ import annotations

import argparse
import contextlib
import fnmatch
import json
import os
import re
import secrets
import shlex
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import yaml

ROOT = Path(__file__).resolve().parent.parent
COMPOSE_FILE = ROOT / "docker-compose.yml"
DOCKERFILE = ROOT / "Dockerfile"
SERVERS = ("web", "worker", "beat")  # long-running compose services that run the image
ONE_SHOT = "migrate"
# The image's folders and where they are in the work folder.
IMAGE_DIRS = {"/app": "app", "/var/lib/portal": "data"}
# The build step of the Dockerfile this runs (tests/test_docker_compose.py finds it there).
COLLECTSTATIC = "python manage.py collectstatic --noinput"
MARK = "ops/prodstack scratch database"  # so that a leftover of a killed run can be dropped
STOP_WITHIN = 15.0  # seconds gunicorn may take to stop after SIGTERM (no request is running)


class Failed(Exception):
    pass


def say(message: str) -> None:
    print(f"prodstack: {message}", flush=True)


# --- reading the compose file and the Dockerfile --------------------------------------------


def compose() -> dict:
    return yaml.safe_load(COMPOSE_FILE.read_text())


def service_command(services: dict, name: str) -> str:
    """A service's command as the shell line the container runs ("$$" is compose for "$")."""
    command = services[name]["command"]
    if isinstance(command, list):
        assert command[:2] == ["sh", "-c"], f"{name}: expected sh -c ..."
        command = command[2]
    return command.replace("$$", "$")


_VARIABLE = re.compile(r"\$\{(\w+)(?::([?-])([^}]*))?\}")


def interpolate(value: str, values: dict[str, str]) -> str:
    """Compose's ``${NAME}``, ``${NAME:-default}`` and ``${NAME:?error}``."""

    def one(match: re.Match) -> str:
        name, kind, rest = match.groups()
        if values.get(name):
            return values[name]
        if kind == "?":
            raise Failed(f"compose needs {name}: {rest}")
        return rest if kind == "-" else ""

    return _VARIABLE.sub(one, str(value))


def dockerfile_env() -> dict[str, str]:
    """The Dockerfile's ``ENV KEY=VALUE ...`` instructions (continuation lines joined)."""
    text = re.sub(r"\\\n", " ", DOCKERFILE.read_text())
    env: dict[str, str] = {}
    for line in text.splitlines():
        if line.startswith("ENV "):
            for pair in shlex.split(line[4:]):
                key, _sep, value = pair.partition("=")
                env[key] = value
    return env


def dockerignore() -> list[str]:
    lines = (ROOT / ".dockerignore").read_text().splitlines()
    return [line.strip() for line in lines if line.strip() and not line.startswith("#")]


def ignored(relative: str, patterns: list[str]) -> bool:
    for pattern in patterns:
        bare = pattern.removeprefix("**/")
        if fnmatch.fnmatch(relative, pattern) or (
            pattern.startswith("**/") and fnmatch.fnmatch(Path(relative).name, bare)
        ):
            return True
    return False


# --- the stack --------------------------------------------------------------------------------


@dataclass
class Stack:
    work: Path
    database: str
    redis_url: str
    port: int
    pg: dict[str, str]
    processes: dict[str, subprocess.Popen] = field(default_factory=dict)
    created_database: bool = False
    checks: int = 0

    @property
    def app_dir(self) -> Path:
        return self.work / "app"

    @property
    def data_dir(self) -> Path:
        return self.work / "data"

    @property
    def role(self) -> str:
        return f"{self.database}_app"

    def ok(self, message: str) -> None:
        self.checks += 1
        say(f"ok   {message}")

    # -- build

    def build(self) -> None:
        patterns = dockerignore()
        for folder, dirs, files in os.walk(ROOT):
            here = Path(folder).relative_to(ROOT)
            dirs[:] = sorted(d for d in dirs if not ignored((here / d).as_posix(), patterns))
            for name in files:
                relative = (here / name).as_posix()
                if not ignored(relative, patterns):
                    target = self.app_dir / relative
                    target.parent.mkdir(parents=True, exist_ok=True)
                    shutil.copy2(ROOT / relative, target)
        for folder in ("media", "private", "beat"):
            (self.data_dir / folder).mkdir(parents=True, exist_ok=True)
        say(f"build: source copied to {self.app_dir} as COPY . . would (.dockerignore applied)")
        build_env = self.image_env() | {
            "DJANGO_ENV": "production",
            "DJANGO_SECRET_KEY": "build-only-collectstatic-key-not-used-at-runtime-0123456789",
            "DJANGO_ALLOWED_HOSTS": "build",
        }
        self.run(COLLECTSTATIC, env=build_env, what="collectstatic")
        for needed in ("staticfiles/staticfiles.json", "locale/zh_Hans/LC_MESSAGES/django.mo"):
            if not (self.app_dir / needed).is_file():
                raise Failed(f"the built tree has no {needed}")
        if not (self.app_dir / "templates").is_dir():
            raise Failed("the built tree has no templates")
        self.ok("build: static files collected with a manifest; templates and translations present")

    def map_path(self, value: str) -> str:
        for inside, outside in IMAGE_DIRS.items():
            if value == inside or value.startswith(inside + "/"):
                return str(self.work / outside) + value[len(inside) :]
        return value

    def image_env(self) -> dict[str, str]:
        venv_bin = str(Path(sys.executable).parent)
        base = {
            "PATH": f"{venv_bin}:/usr/local/bin:/usr/bin:/bin",
            "HOME": str(self.work),
            "LANG": "C.UTF-8",
        }
        return base | {key: self.map_path(value) for key, value in dockerfile_env().items()}

    # -- services

    def up_env(self) -> dict[str, str]:
        generated = {
            "DJANGO_SECRET_KEY": secrets.token_urlsafe(50),
            "DJANGO_ALLOWED_HOSTS": "portal.example.org",
            "POSTGRES_PASSWORD": secrets.token_hex(16),
            "PORTAL_DB_PASSWORD": secrets.token_hex(16),
        }
        app = compose()["x-app"]["environment"]
        env = {key: interpolate(value, generated) for key, value in app.items()}
        database = urlsplit(env["DATABASE_URL"])
        password = database.password or ""
        env["DATABASE_URL"] = urlunsplit(
            database._replace(
                netloc=f"{self.role}:{password}@{self.pg['host']}:{self.pg['port']}",
                path=f"/{self.database}",
            )
        )
        env["CELERY_BROKER_URL"] = self.redis_url
        # compose publishes the container's port 8000; here gunicorn binds the chosen port.
        env["GUNICORN_BIND"] = f"127.0.0.1:{self.port}"
        say(
            "up: compose environment "
            + ", ".join(sorted(app))
            + f"; db → {self.pg['host']}:{self.pg['port']}/{self.database} as {self.role}"
            + f" (not a superuser), redis → {self.redis_url}"
        )
        return self.image_env() | env

    def run(self, command: str, *, env: dict[str, str], what: str, timeout: float = 300) -> str:
        result = subprocess.run(
            ["sh", "-c", command],
            cwd=self.app_dir,
            env=env,
            capture_output=True,
            text=True,
            timeout=timeout,
        )
        if result.returncode != 0:
            raise Failed(f"{what} failed ({result.returncode}):\n{result.stdout}\n{result.stderr}")
        return result.stdout

    def start(self, name: str, command: str, env: dict[str, str]) -> None:
        log = (self.work / f"{name}.log").open("w")
        self.processes[name] = subprocess.Popen(
            ["sh", "-c", command],
            cwd=self.app_dir,
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        say(f"up: {name} started (pid {self.processes[name].pid}): sh -c {command!r}")

    def log(self, name: str) -> str:
        path = self.work / f"{name}.log"
        return path.read_text(errors="replace") if path.exists() else ""

    def alive(self, name: str) -> bool:
        return self.processes[name].poll() is None

    def wait_for_log(self, name: str, pattern: str, timeout: float) -> None:
        deadline = time.monotonic() + timeout
        while not re.search(pattern, self.log(name)):
            if not self.alive(name):
                raise Failed(f"{name} exited:\n{self.log(name)[-3000:]}")
            if time.monotonic() > deadline:
                raise Failed(f"{name} never logged {pattern!r}:\n{self.log(name)[-3000:]}")
            time.sleep(0.2)

    def port_open(self) -> bool:
        with socket.socket() as probe:
            probe.settimeout(0.5)
            return probe.connect_ex(("127.0.0.1", self.port)) == 0

    def get(self, path: str, headers: dict[str, str] | None = None):
        request = urllib.request.Request(
            f"http://127.0.0.1:{self.port}{path}", headers=headers or {}
        )
        try:
            with urllib.request.urlopen(request, timeout=10) as response:  # noqa: S310 - our own server
                return response.status, dict(response.headers), response.read()
        except urllib.error.HTTPError as error:
            return error.code, dict(error.headers), error.read()

    # -- databases

    def psql(self, sql: str, database: str = "postgres") -> None:
        subprocess.run(
            [
                "psql",
                "-h",
                self.pg["host"],
                "-p",
                self.pg["port"],
                "-U",
                self.pg["user"],
                "-d",
                database,
                "-v",
                "ON_ERROR_STOP=1",
                "-q",
                "-c",
                sql,
            ],
            check=True,
            capture_output=True,
            text=True,
        )

    def query(self, sql: str) -> str:
        return subprocess.run(
            ["psql", "-h", self.pg["host"], "-p", self.pg["port"], "-U", self.pg["user"],
             "-d", "postgres", "-At", "-c", sql],
            check=True, capture_output=True, text=True,
        ).stdout.strip()  # fmt: skip

    def create_database(self) -> None:
        import redis

        broker = redis.Redis.from_url(self.redis_url)
        cache_db = int(urlsplit(self.redis_url).path.strip("/") or 0) + 1
        cache = redis.Redis.from_url(
            urlunsplit(urlsplit(self.redis_url)._replace(path=f"/{cache_db}"))
        )
        if broker.dbsize() or cache.dbsize():
            raise Failed(
                f"Redis databases {self.redis_url} and {cache_db} must be empty (they are flushed"
                " at the end): choose others with --redis"
            )
        sql = f"SELECT shobj_description(oid, 'pg_database') FROM pg_database WHERE datname = '{self.database}'"  # noqa: S608, E501 - a name main() checked
        left = self.query(sql)
        if left and left != MARK:
            raise Failed(f"database {self.database} exists and is not ours: choose --database")
        if left:  # left behind by a run that was killed before its clean-up
            self.psql(f'DROP DATABASE "{self.database}" WITH (FORCE)')
            self.psql(f'DROP ROLE IF EXISTS "{self.role}"')
            say(f"up: dropped {self.database}, left behind by an earlier run")
        try:
            self.psql(f'CREATE ROLE "{self.role}" LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE')
            self.created_database = True
            self.psql(f'CREATE DATABASE "{self.database}" OWNER "{self.role}"')
            self.psql(f"COMMENT ON DATABASE \"{self.database}\" IS '{MARK}'")
        except subprocess.CalledProcessError as error:
            raise Failed(f"could not create {self.database}: {error.stderr}") from None
        say(f"up: database {self.database} created, owned by role {self.role}")

    def cleanup(self) -> None:
        for name, process in self.processes.items():
            if process.poll() is None:
                with contextlib.suppress(ProcessLookupError):
                    os.killpg(process.pid, signal.SIGKILL)
                process.wait(10)
                say(f"cleanup: {name} killed")
        if self.created_database:
            try:
                self.psql(f'DROP DATABASE IF EXISTS "{self.database}" WITH (FORCE)')
                self.psql(f'DROP ROLE IF EXISTS "{self.role}"')
                say(f"cleanup: database {self.database} and role {self.role} dropped")
            except subprocess.CalledProcessError as error:
                say(f"cleanup: could not drop {self.database}: {error.stderr}")
            import redis

            url = urlsplit(self.redis_url)
            for db in (int(url.path.strip("/") or 0), int(url.path.strip("/") or 0) + 1):
                redis.Redis.from_url(urlunsplit(url._replace(path=f"/{db}"))).flushdb()
            say(f"cleanup: Redis databases {url.path.strip('/')} and the cache's next one flushed")

    # -- the checks

    def check(self) -> None:
        services = compose()["services"]
        env = self.up_env()
        for name in SERVERS:
            self.start(name, service_command(services, name), env)
        for name in SERVERS:
            self.wait_for_log(name, r"Waiting for migrations", timeout=60)
        time.sleep(2)
        still = [name for name in SERVERS if self.alive(name)]
        if still != list(SERVERS) or self.port_open():
            raise Failed(f"only {still} are waiting, or gunicorn started before migrate")
        self.ok("web, worker and beat wait for migrations (no server started on an empty database)")

        started = time.monotonic()
        self.run(service_command(services, ONE_SHOT), env=env, what=ONE_SHOT, timeout=600)
        self.ok(
            f"migrate (one-shot service) applied the migrations in {time.monotonic() - started:.1f} s"
        )

        deadline = time.monotonic() + 90
        while True:
            try:
                status, _headers, body = self.get("/healthz")
                if status == 200:
                    break
            except OSError:
                pass
            if not self.alive("web") or time.monotonic() > deadline:
                raise Failed(f"/healthz never answered 200:\n{self.log('web')[-3000:]}")
            time.sleep(0.5)
        health = json.loads(body)
        if health.get("database") != "ok" or health.get("broker") != "ok":
            raise Failed(f"/healthz: {health}")
        self.ok(f"GET /healthz → 200 {health}")

        self.check_static()
        self.check_media(env)

        self.wait_for_log("worker", r"ready\.", timeout=60)
        stamp = (
            self.run(
                "python manage.py shell -c "
                + shlex.quote(
                    "from portal.tasks import heartbeat; print(heartbeat.delay().get(timeout=30))"
                ),
                env=env,
                what="a task through the worker",
            )
            .strip()
            .splitlines()[-1]
        )
        _status, _headers, body = self.get("/healthz")
        if json.loads(body).get("last_task_run") != stamp:
            raise Failed(f"the worker's heartbeat {stamp} is not what /healthz shows: {body!r}")
        self.ok(
            f"a Celery task round-tripped through the worker (heartbeat {stamp}, seen by /healthz)"
        )

        self.wait_for_log("beat", r"beat: Starting", timeout=30)
        schedule = env["CELERY_BEAT_SCHEDULE_FILENAME"]
        if not list(Path(schedule).parent.glob(Path(schedule).name + "*")):
            raise Failed(f"beat wrote no schedule file at {schedule}")
        self.ok(f"beat is running, its schedule kept in {schedule}")

        started = time.monotonic()
        os.kill(self.processes["web"].pid, signal.SIGTERM)  # the pid sh -c had: gunicorn now
        try:
            code = self.processes["web"].wait(STOP_WITHIN)
        except subprocess.TimeoutExpired:
            raise Failed(f"gunicorn did not stop within {STOP_WITHIN:g} s of SIGTERM") from None
        took = time.monotonic() - started
        if self.port_open():
            raise Failed("gunicorn's port is still open after it stopped")
        if "Handling signal: term" not in self.log("web"):
            raise Failed(f"gunicorn did not get the SIGTERM itself:\n{self.log('web')[-2000:]}")
        self.ok(f"SIGTERM to web's pid reached gunicorn: stopped in {took:.1f} s (exit {code})")

        for name in ("worker", "beat"):
            started = time.monotonic()
            os.kill(self.processes[name].pid, signal.SIGTERM)
            try:
                code = self.processes[name].wait(30)
            except subprocess.TimeoutExpired:
                raise Failed(f"{name} did not stop within 30 s of SIGTERM") from None
            self.ok(f"SIGTERM stopped {name} in {time.monotonic() - started:.1f} s (exit {code})")

    def check_static(self) -> None:
        manifest = json.loads((self.app_dir / "staticfiles/staticfiles.json").read_text())
        hashed = manifest["paths"]["css/portal.css"]
        status, headers, body = self.get(f"/static/{hashed}")
        if status != 200 or body != (self.app_dir / "static/css/portal.css").read_bytes():
            raise Failed(f"/static/{hashed} → {status}")
        if "immutable" not in headers.get("Cache-Control", ""):
            raise Failed(f"/static/{hashed}: Cache-Control {headers.get('Cache-Control')!r}")
        _status, _headers, page = self.get("/")
        if f"/static/{hashed}".encode() not in page:
            raise Failed("the home page does not link the manifest's name of css/portal.css")
        self.ok(
            f"GET /static/{hashed} → 200 from whitenoise's manifest, DEBUG off"
            f" (Cache-Control: {headers['Cache-Control']}); the home page links it"
        )

    def check_media(self, env: dict[str, str]) -> None:
        # A PNG of 1 × 1 pixel, saved through the app's own storage as an upload would be.
        png = bytes.fromhex(
            "89504e470d0a1a0a0000000d4948445200000001000000010806000000"
            "1f15c4890000000d49444154789c6360f8cfc0000003010100c9fe92ef0000000049454e44ae426082"
        )
        code = (
            "import sys; from django.core.files.base import ContentFile; "
            "from django.core.files.storage import default_storage; "
            f"print(default_storage.save('bases/prodstack/probe.png', ContentFile({png!r})))"
        )
        name = (
            self.run(
                f"python manage.py shell -c {shlex.quote(code)}", env=env, what="saving an upload"
            )
            .strip()
            .splitlines()[-1]
        )
        if not (self.data_dir / "media" / name).is_file():
            raise Failed(f"the upload is not in MEDIA_ROOT ({self.data_dir / 'media'})")
        status, headers, body = self.get(f"/media/{name}")
        if status != 200 or body != png or headers.get("Content-Type") != "image/png":
            raise Failed(f"/media/{name} → {status} {headers.get('Content-Type')}")
        (self.data_dir / "private" / "secret.png").write_bytes(png)  # as an invoice photo would be
        refused = [
            self.get(path)[0]
            for path in ("/media/../private/secret.png", "/media/%2e%2e/private/secret.png")
        ]
        if any(code != 404 for code in refused):
            raise Failed(f"a path outside MEDIA_ROOT answered {refused}")
        self.ok(
            f"GET /media/{name} → 200 image/png, the uploaded bytes"
            f" (Cache-Control: {headers.get('Cache-Control')}); paths out of MEDIA_ROOT → 404"
        )


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--work", type=Path, required=True, help="an empty folder to work in")
    parser.add_argument(
        "--database", default=os.environ.get("PRODSTACK_DB", "recuperation_prodstack")
    )
    parser.add_argument(
        "--redis", default=os.environ.get("PRODSTACK_REDIS", "redis://127.0.0.1:6379/6")
    )
    parser.add_argument("--port", type=int, default=int(os.environ.get("PRODSTACK_PORT", "8014")))
    args = parser.parse_args()
    if not re.fullmatch(r"[a-z_][a-z0-9_]{0,40}", args.database):
        parser.error("--database: lower-case letters, digits and _ only")
    pg = {
        "host": os.environ.get("PGHOST", "127.0.0.1"),
        "port": os.environ.get("PGPORT", "5432"),
        "user": os.environ.get("PGUSER", "postgres"),
    }
    stack = Stack(args.work, args.database, args.redis, args.port, pg)
    started = time.monotonic()
    try:
        stack.build()
        stack.create_database()
        stack.check()
    except (Failed, subprocess.SubprocessError, OSError) as error:
        say(f"FAILED: {error}")
        for name in stack.processes:
            say(f"--- last lines of {name}'s log ---\n{stack.log(name)[-2000:]}")
        stack.cleanup()
        print(f"prodstack: {stack.checks} passed, 1 failed", flush=True)
        return 1
    except BaseException:
        stack.cleanup()
        raise
    stack.cleanup()
    say(f"every check passed in {time.monotonic() - started:.0f} s")
    # The closing line in the form CI's log reader counts (N passed, N failed).
    print(f"prodstack: {stack.checks} passed, 0 failed", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
