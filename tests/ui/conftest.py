"""Browser tests: Playwright driving Debian's Chromium against the whole system.

They run in a pytest of their own, without eventlet's monkey patching: Playwright's sync API
runs an asyncio loop in a greenlet, which eventlet's patched sockets, selectors and threads
break. `make test` runs `pytest tests/ui` after `nameko test tests --ignore=tests/ui`; if
`nameko test` collects them anyway, they are skipped with that reason.

The stack (tests/fixtures/stack.py, subprocesses and HTTP only) serves the demo pages as
`make run` does (DEMO=1), and the demo marketplace is seeded the way `make run` seeds it, so
the tests drive exactly the pages the README tells people to open. The browser reaches
nothing but loopback: the demo's own pictures are the gateway's (dev/static/pictures); a
picture a test gives from elsewhere (a vendor's logo) is answered here with a placeholder, and
any other request is refused.

Screenshots go to tests/artifacts/ (git-ignored).
"""

import re
from pathlib import Path
from urllib.parse import urlsplit

import pytest

from dev import seed
from dev.procfile import ROOT
from tests.fixtures.stack import JWT_SECRET

CHROMIUM = Path("/usr/bin/chromium")
ARTIFACTS = ROOT / "tests" / "artifacts"
HERE = Path(__file__).resolve().parent
LOCAL_HOSTS = {"127.0.0.1", "localhost", "::1"}
PLACEHOLDER = (
    b'<svg xmlns="http://www.w3.org/2000/svg" width="300" height="300">'
    b'<rect width="300" height="300" fill="#d9c7a3"/>'
    b'<circle cx="150" cy="120" r="60" fill="#b08d4f"/>'
    b'<rect x="140" y="170" width="20" height="80" fill="#7a5c2e"/></svg>'
)


def pytest_collection_modifyitems(config, items):
    from eventlet import patcher

    if patcher.is_monkey_patched("socket"):
        reason = "tests/ui runs in a pytest of its own, without eventlet (make test: pytest tests/ui)"
    elif not CHROMIUM.exists():
        reason = "Debian's chromium is not installed (apt-get install chromium; make test installs it)"
    else:
        return
    for item in items:
        if HERE in Path(str(item.fspath)).resolve().parents:
            item.add_marker(pytest.mark.skip(reason=reason))


@pytest.fixture(scope="session")
def demo(stack):
    """The demo marketplace, loaded as `make run` loads it; its people's tokens."""
    return seed.seed(stack.url, JWT_SECRET)


@pytest.fixture(scope="session")
def browser():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(
            executable_path=str(CHROMIUM),
            args=[
                "--no-sandbox",
                "--disable-gpu",
                "--disable-background-networking",
                "--disable-component-update",
                "--no-first-run",
            ],
        )
        yield chromium
        chromium.close()


def answer_locally(route):
    """Anything but loopback never leaves the browser: a test's outside pictures get a placeholder."""
    if route.request.resource_type == "image":
        route.fulfill(status=200, content_type="image/svg+xml", body=PLACEHOLDER)
    else:
        route.abort()


def is_elsewhere(url: str) -> bool:
    parts = urlsplit(url)
    return parts.scheme in ("http", "https", "ws", "wss") and parts.hostname not in LOCAL_HOSTS


@pytest.fixture
def open_page(browser, stack, demo):
    """open_page(path, width) → a page of the stack in a browser context of its own (its own
    storage, like another person's browser). Fails the test on any uncaught script error and
    on any error the page logs to its console (a failed request included).
    With clock=True the page's timers run on Playwright's clock (page.clock.run_for).
    `expected` lists patterns of the console errors a test provokes on purpose (Chromium logs
    every 4xx answer, such as the 422 whose details a form shows beside its fields)."""
    contexts, errors = [], []

    def open_(path, width=1280, height=900, clock=False, expected=()):
        context = browser.new_context(viewport={"width": width, "height": height})
        context.route(is_elsewhere, answer_locally)
        contexts.append(context)
        page = context.new_page()
        page.on("pageerror", lambda error: errors.append(f"{path} @ {width}px: {error}"))

        def console(message):
            text = f"{message.text} ({message.location.get('url', '')})"
            if message.type == "error" and not any(re.search(pattern, text) for pattern in expected):
                errors.append(f"{path} @ {width}px: console: {text}")

        page.on("console", console)
        if clock:
            page.clock.install()
        page.goto(stack.url + path)
        return page

    yield open_
    for context in contexts:
        context.close()
    assert not errors, "errors in the page:\n" + "\n".join(errors)


def screenshot(page, name: str) -> Path:
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    width = page.viewport_size["width"]
    path = ARTIFACTS / f"{name}-{width}.png"
    page.screenshot(path=str(path), full_page=True)
    return path
