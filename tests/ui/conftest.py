import os
import shutil

import pytest

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"


@pytest.fixture
def browser_page(live_server, settings):
    """A Playwright page in Debian's Chromium against the live test server."""
    if not os.path.exists(CHROMIUM):
        if os.environ.get("ENTEZAM_TEST_POSTGRES") == "required" or os.environ.get("CI"):
            pytest.fail("Chromium is required for the browser tests (apt-get install chromium)")
        pytest.skip("Debian's chromium is not installed here")
    from playwright.sync_api import sync_playwright

    # Playwright's sync API runs an event loop in this thread; the ORM calls the test makes
    # around it are still plain synchronous calls.
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    settings.SESSION_COOKIE_SECURE = False
    settings.CSRF_COOKIE_SECURE = False
    with sync_playwright() as p:
        browser = p.chromium.launch(
            executable_path=CHROMIUM,
            args=[
                "--no-sandbox",
                "--disable-gpu",
                "--disable-quic",
                "--no-first-run",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
            ],
        )
        context = browser.new_context(locale="fa-IR", viewport={"width": 1366, "height": 900})
        page = context.new_page()
        page.set_default_timeout(15000)
        errors: list[str] = []
        page.on("pageerror", lambda exc: errors.append(str(exc)))
        page.base_url = live_server.url
        page.js_errors = errors
        yield page
        context.close()
        browser.close()


def choose(page, name: str, text: str) -> None:
    """Pick `text` in the searchable select (Tom Select) of field `name`: type, then click
    the option the scoped lookup answered."""
    page.click(f"#id_{name}-ts-control")
    page.keyboard.type(text)
    # Each keystroke asks the server (throttled to 250 ms): let the last answer arrive, so
    # the option clicked is from it and no later answer opens the list again over the form.
    page.wait_for_timeout(800)
    page.locator(".ts-dropdown .option", has_text=text).first.click()
    page.wait_for_timeout(300)
    page.keyboard.press("Escape")
