"""A reader's journey through the site in a real Chromium, with axe-core on every page.

Chromium and chromedriver come from Debian's packages (`apt-get install chromium
chromium-driver`), axe-core from the npm registry (`npm ci` in .ci/browser). The tests are
skipped when either is missing, unless REQUIRE_BROWSER_TESTS=1 (as .ci/run sets), which turns a
missing piece into a failure. Screenshots go to artifacts/screenshots/.
"""
import datetime
import http.server
import os
import shutil
import tempfile
import threading
from pathlib import Path

import pytest
from django.contrib.contenttypes.models import ContentType
from django.core.cache import cache
from django.core.management import call_command

ROOT = Path(__file__).resolve().parents[2]
AXE = ROOT / ".ci" / "browser" / "node_modules" / "axe-core" / "axe.min.js"
CHROMIUM = os.environ.get("CHROMIUM_BINARY", "/usr/bin/chromium")
CHROMEDRIVER = os.environ.get("CHROMEDRIVER_BINARY", "/usr/bin/chromedriver")
SCREENSHOTS = ROOT / "artifacts" / "screenshots"
CHROMIUM_FLAGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
    "--disable-dev-shm-usage", "--window-size=1280,900",
]

# pytest-django's live server binds here (an ephemeral port on the loopback address only).
os.environ.setdefault("DJANGO_LIVE_TEST_SERVER_ADDRESS", "127.0.0.1:0")



def browser_marks(*paths):
    """The marks of a browser test module that needs `paths` and selenium: skipped when any is
    missing, unless REQUIRE_BROWSER_TESTS=1, which makes a missing piece an error."""
    missing = [str(p) for p in paths if not Path(p).exists()]
    try:
        import selenium  # noqa: F401
    except ImportError:
        missing.append("the selenium package")
    if missing and os.environ.get("REQUIRE_BROWSER_TESTS") == "1":
        raise RuntimeError(f"browser tests required but missing: {', '.join(missing)}")
    return [pytest.mark.browser,
            pytest.mark.skipif(bool(missing), reason=f"needs {', '.join(missing)} (.ci/run installs them)")]


pytestmark = browser_marks(CHROMIUM, CHROMEDRIVER, AXE)

ARTICLE = b"""<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Original article</title></head>
<body><main><h1>Border cameras: the original report</h1><p>Served by the test.</p></main></body></html>"""


@pytest.fixture
def article_server():
    """A local web page standing in for a news outlet (127.0.0.1, ephemeral port)."""

    class Handler(http.server.BaseHTTPRequestHandler):
        def do_GET(self):
            self.send_response(200)
            self.send_header("Content-Type", "text/html; charset=utf-8")
            self.end_headers()
            self.wfile.write(ARTICLE)

        def log_message(self, *args):
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}/story"
    server.shutdown()


@pytest.fixture
def site(transactional_db, live_server, article_server):
    """The seed timeline, plus a source with a real address cited for the outbound-photo event."""
    from timeline.models import Citation, Event, Source

    cache.clear()
    call_command("loaddata", "seed_timeline", verbosity=0)
    source = Source.objects.create(
        state="published", url=article_server, outlet="Local Test Outlet",
        headline="Border cameras: the original report", published=datetime.date(2025, 5, 9),
    )
    event = Event.objects.get(slug="cbp-outbound-vehicle-photo-plan-disclosed")
    Citation.objects.create(source=source, content_type=ContentType.objects.get_for_model(Event), object_id=event.pk)
    return live_server.url


@pytest.fixture
def browser():
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    profile = tempfile.mkdtemp(prefix="chromium-profile-")
    options = webdriver.ChromeOptions()
    options.binary_location = CHROMIUM
    for flag in CHROMIUM_FLAGS + [f"--user-data-dir={profile}"]:
        options.add_argument(flag)
    options.set_capability("goog:loggingPrefs", {"browser": "ALL"})
    driver = webdriver.Chrome(service=Service(executable_path=CHROMEDRIVER), options=options)
    driver.set_page_load_timeout(30)
    driver.implicitly_wait(5)  # find_element waits for a page that is still loading
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    yield driver
    driver.quit()
    shutil.rmtree(profile, ignore_errors=True)


def check_accessibility(driver, page_name):
    """Run axe-core on the current page; fail on serious or critical violations."""
    driver.execute_script(AXE.read_text())
    violations = driver.execute_async_script(
        "const done = arguments[arguments.length - 1];"
        "axe.run(document, {resultTypes: ['violations']}).then(r => done(r.violations), e => done([{id: 'axe-error', impact: 'critical', help: String(e), nodes: []}]));"
    )
    serious = [v for v in violations if v.get("impact") in ("serious", "critical")]
    report = "; ".join(
        f"{v['id']} ({v['impact']}): {v['help']} at {[n.get('target') for n in v['nodes'][:3]]}" for v in serious
    )
    assert not serious, f"{page_name}: {report}"


def wait_for_url(driver, fragment):
    from selenium.webdriver.support.ui import WebDriverWait

    WebDriverWait(driver, 10).until(lambda d: fragment in d.current_url)


def console_problems(driver):
    """Errors the page logged: CSP refusals, failed loads, script errors."""
    return [entry["message"] for entry in driver.get_log("browser") if entry["level"] == "SEVERE"]


def shoot(driver, name):
    driver.save_screenshot(str(SCREENSHOTS / f"{name}.png"))


def test_a_reader_filters_the_timeline_opens_an_event_follows_a_source_and_searches(site, browser):
    from selenium.webdriver.common.by import By
    from selenium.webdriver.common.keys import Keys
    from selenium.webdriver.support.ui import Select

    browser.get(site + "/")
    assert browser.find_element(By.TAG_NAME, "h1").text == "Surveillance Timeline"
    assert browser.execute_script(
        "return getComputedStyle(document.querySelector('header.site')).backgroundColor"
    ) == "rgb(27, 27, 27)", "the stylesheet did not load"
    assert console_problems(browser) == []
    # The first Tab reaches the skip link, which leads to the main content.
    browser.find_element(By.TAG_NAME, "body").send_keys(Keys.TAB)
    assert browser.switch_to.active_element.text == "Skip to content"
    shoot(browser, "1-home")
    check_accessibility(browser, "home")

    browser.find_element(By.LINK_TEXT, "Timeline").click()
    Select(browser.find_element(By.ID, "id_program")).select_by_visible_text("Inbound vehicle face matching")
    browser.find_element(By.CSS_SELECTOR, "form.filters button[type=submit]").click()
    wait_for_url(browser, "program=inbound-vehicle-face-matching")
    assert "2 events match" in browser.find_element(By.CSS_SELECTOR, "p.count").text
    assert browser.find_element(By.CSS_SELECTOR, ".chart svg").is_displayed()
    shoot(browser, "2-timeline-filtered")
    check_accessibility(browser, "timeline")

    browser.find_element(By.PARTIAL_LINK_TEXT, "Anzalduas test captures").click()
    wait_for_url(browser, "/events/anzalduas-vehicle-face-test-results/")
    assert "Where sources disagree" in browser.page_source
    shoot(browser, "3-event")
    check_accessibility(browser, "event")

    browser.get(site + "/events/cbp-outbound-vehicle-photo-plan-disclosed/")
    browser.find_element(By.LINK_TEXT, "Border cameras: the original report").click()
    wait_for_url(browser, "/story")
    assert browser.find_element(By.TAG_NAME, "h1").text == "Border cameras: the original report"
    browser.back()
    wait_for_url(browser, "/events/cbp-outbound-vehicle-photo-plan-disclosed/")
    browser.find_element(By.CSS_SELECTOR, "ol.coverage a[href^='/sources/']").click()
    wait_for_url(browser, "/sources/")
    shoot(browser, "4-source")
    check_accessibility(browser, "source")

    browser.find_element(By.LINK_TEXT, "Search").click()
    box = browser.find_element(By.ID, "id_q")
    box.send_keys("palantir", Keys.ENTER)
    wait_for_url(browser, "q=palantir")
    assert browser.find_element(By.LINK_TEXT, "ICE announces $30 million Palantir contract to build ImmigrationOS")
    shoot(browser, "5-search")
    check_accessibility(browser, "search")

    browser.get(site + "/programs/immigrationos/")
    shoot(browser, "6-program")
    check_accessibility(browser, "program")
    browser.get(site + "/about/")
    check_accessibility(browser, "about")
    # Nothing was refused by the Content-Security-Policy and nothing failed to load.
    assert console_problems(browser) == []


def test_pages_fit_a_phone_screen_without_sideways_scrolling(site, browser):
    browser.set_window_size(390, 844)
    for name, path in [("home", "/"), ("timeline", "/timeline/"), ("program", "/programs/inbound-vehicle-face-matching/")]:
        browser.get(site + path)
        overflow = browser.execute_script("return document.documentElement.scrollWidth - window.innerWidth")
        assert overflow <= 0, f"{name} scrolls sideways by {overflow}px on a phone"
        shoot(browser, f"phone-{name}")


def test_a_journalist_cites_a_version_reads_what_changed_and_sees_recent_changes(site, browser):
    from selenium.webdriver.common.by import By

    from timeline.models import Program

    program = Program.objects.get(slug="immigrationos")
    program.summary = program.summary + " Edited in the browser test."
    program._change_reason = "Summary extended"
    program.save()  # version 2
    cache.clear()

    browser.get(site + "/programs/immigrationos/")
    cite = browser.find_element(By.CSS_SELECTOR, "section.cite").text
    assert "/programs/immigrationos/versions/2/" in cite
    shoot(browser, "7-immigrationos")
    browser.get(site + "/events/cbp-outbound-vehicle-photo-plan-disclosed/")
    shoot(browser, "8-outbound-photo-event")

    browser.get(site + "/programs/immigrationos/versions/1/")
    banner = browser.find_element(By.CSS_SELECTOR, ".banner").text
    assert "version 1" in banner and "The current version is version 2" in banner
    assert "Edited in the browser test." in browser.find_element(By.CSS_SELECTOR, "table.diff ins").text
    shoot(browser, "9-version")
    check_accessibility(browser, "version")

    browser.find_element(By.LINK_TEXT, "Changes").click()
    wait_for_url(browser, "/changes/")
    assert "Changed Summary" in browser.find_element(By.CSS_SELECTOR, "table.changes").text
    shoot(browser, "10-changes")
    check_accessibility(browser, "changes")
    assert console_problems(browser) == []
