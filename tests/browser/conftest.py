"""Browser journeys: Debian's Chromium driven by Playwright against pytest-django's live server.

The whole folder is skipped when /usr/bin/chromium is absent (`make test` on a machine without it);
`.ci/run` installs it (scripts/install-system-packages.sh). Playwright's own browser download does not
work here, so Chromium is launched from its Debian path. Each journey saves numbered screenshots under
`test-output/browser/<test name>/`.
"""

import re
import shutil
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser, BrowserContext, Page, expect, sync_playwright

from tests.i18n.english import english_in, page_text

from .helpers import PHONE

CHROMIUM = Path("/usr/bin/chromium")
OUTPUT = Path(__file__).resolve().parents[2] / "test-output" / "browser"

HERE = Path(__file__).resolve().parent

expect.set_options(timeout=10_000)


def pytest_collection_modifyitems(config, items):
    """Without Chromium, every journey of this folder is skipped, and nothing else."""
    if CHROMIUM.exists():
        return
    skip = pytest.mark.skip(reason=f"browser journeys need Chromium at {CHROMIUM} (apt-get install chromium)")
    for item in items:
        if item.path.is_relative_to(HERE):
            item.add_marker(skip)


@pytest.fixture(scope="package")
def browser() -> Iterator[Browser]:
    """One Chromium for the journeys of this folder, stopped after the last of them.

    Playwright's sync API keeps an event loop running in the main thread while it is started, and Django
    refuses ORM calls from a thread with a running loop: the journeys, and the flush after each of them,
    use the database synchronously. Neither the loop nor DJANGO_ALLOW_ASYNC_UNSAFE may outlive this
    folder (`check --deploy` in a later test refuses the variable).
    """
    with pytest.MonkeyPatch.context() as patch, sync_playwright() as playwright:
        patch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
        chromium = playwright.chromium.launch(executable_path=str(CHROMIUM))
        yield chromium
        chromium.close()


@pytest.fixture
def new_context(browser, live_server) -> Iterator[Callable[..., BrowserContext]]:
    """Open a fresh browser context (cookies, storage) on the live server, phone-sized unless told."""
    contexts: list[BrowserContext] = []

    def open_context(viewport: dict | None = None) -> BrowserContext:
        context = browser.new_context(
            base_url=live_server.url,
            viewport=viewport or PHONE,
            locale="vi-VN",
            timezone_id="Asia/Ho_Chi_Minh",
            accept_downloads=True,
        )
        context.set_default_timeout(15_000)
        contexts.append(context)
        return context

    yield open_context
    for context in contexts:
        context.close()


@pytest.fixture
def output_dir(request) -> Path:
    """The test's own screenshot folder, emptied first."""
    folder = OUTPUT / re.sub(r"[^\w.-]+", "_", request.node.name)
    shutil.rmtree(folder, ignore_errors=True)
    folder.mkdir(parents=True)
    return folder


def english_left(page: Page, step: str) -> None:
    """Every screen a journey shows in Vietnamese is Vietnamese: no English UI string of Django, allauth
    or the portal (tests/i18n/english.py) is on it, including what scripts put there."""
    if not (page.get_attribute("html", "lang") or "vi").startswith("vi"):
        return
    english = english_in(page_text(page.content()))
    assert english == [], f"English on the screen “{step}” ({page.url}): {english}"


@pytest.fixture
def shot(output_dir) -> Callable[[Page, str], Path]:
    """`shot(page, "step")` saves `NN-step.png` (full page) in the test's folder."""
    count = 0

    def take(page: Page, step: str) -> Path:
        nonlocal count
        count += 1
        path = output_dir / f"{count:02d}-{step}.png"
        page.screenshot(path=str(path), full_page=True)
        english_left(page, step)
        return path

    return take
