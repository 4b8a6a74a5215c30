"""Browser journeys: Playwright drives Debian's Chromium, headless, through the demo as users see it.

The demo runs as a real server process (``manage.py runserver``) on a database of its own, seeded
once per session with ``seed_demo`` — an SQLite file, or ``<name>_browser`` next to the suite's
PostgreSQL database when ``DATABASE_URL`` points at one — so the journeys use the same pages,
JavaScript and static files a user gets. What a journey needs to know about the demo (which
members may still travel, say) it asks the server's own code through ``demo_query``.

Screenshots land in ``test-artifacts/browser/`` (or ``$BROWSER_ARTIFACTS``). The journeys skip,
saying why, only where Chromium or Playwright is missing; ``.ci/run`` installs Chromium.
"""

from __future__ import annotations

import json
import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
ARTIFACTS = Path(os.environ.get("BROWSER_ARTIFACTS", ROOT / "test-artifacts" / "browser"))
CHROMIUM = os.environ.get("CHROMIUM", shutil.which("chromium") or "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1366, "height": 900}
PASSWORD = "demo1234"


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _database_url(tmp: Path) -> str:
    """The demo server's own database: beside the suite's PostgreSQL one, else an SQLite file."""
    suite = os.environ.get("DATABASE_URL", "")
    if not suite.startswith(("postgres://", "postgresql://")):
        return f"sqlite:///{tmp / 'demo.sqlite3'}"
    import psycopg

    base, _, name = suite.rpartition("/")
    name = f"{name.split('?')[0]}_browser"
    with psycopg.connect(f"{base}/postgres", autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{name}"')
    return f"{base}/{name}"


class DemoServer:
    def __init__(self, url: str, env: dict[str, str]):
        self.url = url
        self.env = env

    def manage(self, *args: str, timeout: int = 600) -> str:
        done = subprocess.run(
            [sys.executable, "manage.py", *args],
            cwd=ROOT,
            env=self.env,
            capture_output=True,
            text=True,
            timeout=timeout,
        )
        if done.returncode:
            raise AssertionError(f"manage.py {' '.join(args)} failed:\n{done.stderr[-3000:]}")
        return done.stdout

    def query(self, code: str):
        """Run ``code`` in the server's Django (manage.py shell); it prints one JSON value."""
        out = self.manage("shell", "--no-imports", "-c", code)
        return json.loads(out.strip().splitlines()[-1])


@pytest.fixture(scope="session")
def chromium() -> str:
    if not Path(CHROMIUM).exists():
        pytest.skip(
            f"Chromium is not installed at {CHROMIUM}: the browser journeys need Debian's "
            "chromium (apt-get install chromium fonts-wqy-microhei), which .ci/run installs"
        )
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:  # pragma: no cover - a test extra
        pytest.skip("Playwright is not installed (pip install -e '.[test]')")
    return CHROMIUM


@pytest.fixture(scope="session")
def demo_server(chromium, tmp_path_factory):
    """A seeded demo behind a real server process, for the whole session."""
    tmp = tmp_path_factory.mktemp("browser-demo")
    env = {
        **{k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "FAKE_"))},
        "DATABASE_URL": _database_url(tmp),
        "MEDIA_ROOT": str(tmp / "media"),
        "PRIVATE_MEDIA_ROOT": str(tmp / "private"),
        "PYTHONUNBUFFERED": "1",
    }
    env.pop("CELERY_BROKER_URL", None)  # tasks run in the server process, eagerly
    server = DemoServer("", env)
    server.manage("migrate", "-v", "0")
    server.manage("seed_demo")
    port = _free_port()
    log = (tmp / "server.log").open("w")
    process = subprocess.Popen(
        [sys.executable, "manage.py", "runserver", f"127.0.0.1:{port}", "--noreload"],
        cwd=ROOT,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    server.url = f"http://127.0.0.1:{port}"
    try:
        for _ in range(120):
            try:
                urllib.request.urlopen(f"{server.url}/healthz", timeout=2)  # noqa: S310
                break
            except OSError:
                if process.poll() is not None:
                    raise AssertionError((tmp / "server.log").read_text()[-3000:]) from None
                time.sleep(0.5)
        else:
            raise AssertionError("the demo server did not answer /healthz")
        yield server
    finally:
        process.terminate()
        process.wait(timeout=20)
        log.close()


@pytest.fixture(scope="module")
def browser(chromium):
    """One Chromium per module; closed (with Playwright's event loop) before other tests run."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        instance = p.chromium.launch(executable_path=chromium, args=CHROMIUM_ARGS)
        yield instance
        instance.close()


class Visitor:
    """One user's browser tab, with screenshots named after the journey's steps."""

    def __init__(self, browser, server: DemoServer, journey: str, viewport: dict):
        self.server = server
        self.journey = journey
        self.context = browser.new_context(viewport=viewport, locale="zh-CN")
        self.context.set_default_timeout(60_000)  # a loaded CI machine is slow
        self.page = self.context.new_page()
        self.shots: list[Path] = []

    def go(self, path: str):
        self.page.goto(self.server.url + path)
        return self.page

    def log_in(self, username: str) -> None:
        self.go("/login/")
        self.page.fill("input[name=username]", username)
        self.page.fill("input[name=password]", PASSWORD)
        self.page.locator("form button[type=submit]").first.click()
        self.page.wait_for_load_state()
        assert "/login/" not in self.page.url, f"{username} could not log in"

    def shot(self, step: str) -> Path:
        ARTIFACTS.mkdir(parents=True, exist_ok=True)
        path = ARTIFACTS / f"{self.journey}-{len(self.shots) + 1:02d}-{step}.png"
        self.page.screenshot(path=path, full_page=True)
        self.shots.append(path)
        return path

    def close(self) -> None:
        self.context.close()


@pytest.fixture
def visitor(browser, demo_server, request):
    opened: list[Visitor] = []

    def open_tab(journey: str, viewport: dict = DESKTOP) -> Visitor:
        tab = Visitor(browser, demo_server, journey, viewport)
        opened.append(tab)
        return tab

    yield open_tab
    for tab in opened:
        tab.close()
