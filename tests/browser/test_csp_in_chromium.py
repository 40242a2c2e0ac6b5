"""The strict Content-Security-Policy breaks nothing: the API docs (Swagger UI, Redoc) and the
admin render in a real Chromium with no CSP violation in its console."""
import pytest
from django.core.cache import cache

from tests.browser.test_site_in_chromium import CHROMEDRIVER, CHROMIUM, CHROMIUM_FLAGS, browser_marks

pytestmark = browser_marks(CHROMIUM, CHROMEDRIVER)


@pytest.fixture
def chromium():
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    options = webdriver.ChromeOptions()
    options.binary_location = CHROMIUM
    for flag in CHROMIUM_FLAGS:
        options.add_argument(flag)
    options.set_capability("goog:loggingPrefs", {"browser": "ALL"})
    driver = webdriver.Chrome(service=Service(executable_path=CHROMEDRIVER), options=options)
    yield driver
    driver.quit()


def _wait_for(driver, css, seconds=20):
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support import expected_conditions
    from selenium.webdriver.support.ui import WebDriverWait

    try:
        return WebDriverWait(driver, seconds).until(expected_conditions.presence_of_element_located((By.CSS_SELECTOR, css)))
    except Exception:
        raise AssertionError(f"{css} never appeared on {driver.current_url}; console: {driver.get_log('browser')}") from None


def _csp_violations(driver):
    # Redoc's "powered by" logo from its CDN is blocked on purpose (nothing loads from a CDN).
    return [entry["message"] for entry in driver.get_log("browser")
            if "Content Security Policy" in entry["message"] and "cdn.redoc.ly" not in entry["message"]]


def test_the_api_docs_and_the_admin_work_under_the_policy(transactional_db, live_server, chromium, admin_user,
                                                         monkeypatch):
    from rest_framework.settings import api_settings
    from rest_framework.throttling import SimpleRateThrottle

    # The project's rates, whatever an earlier test in this process left on the class.
    monkeypatch.setattr(SimpleRateThrottle, "THROTTLE_RATES", api_settings.DEFAULT_THROTTLE_RATES)
    cache.clear()
    chromium.get(f"{live_server.url}/api/v1/docs/")
    _wait_for(chromium, ".swagger-ui .info .title")
    _wait_for(chromium, ".opblock")  # the operations, read from the schema
    violations = _csp_violations(chromium)
    assert not violations, "\n".join(violations)

    chromium.get(f"{live_server.url}/api/v1/redoc/")
    _wait_for(chromium, ".api-content")
    menu = _wait_for(chromium, ".menu-content")
    # Redoc's injected styles applied (not blocked): the menu is laid out as a side column.
    assert menu.value_of_css_property("display") != "inline"
    violations = _csp_violations(chromium)
    assert not violations, "\n".join(violations)

    chromium.get(f"{live_server.url}/admin/login/")
    chromium.find_element("name", "username").send_keys("admin")
    chromium.find_element("name", "password").send_keys("password")
    chromium.find_element("css selector", "input[type=submit]").click()
    # The login POST answers with a redirect to the admin index; navigating before it arrives
    # would race it (and lose to it on a slower database). The login page has no #user-tools.
    _wait_for(chromium, "#user-tools")
    chromium.get(f"{live_server.url}/admin/timeline/event/add/")
    _wait_for(chromium, "#event_form")
    _wait_for(chromium, ".select2")  # autocomplete widgets initialised by the admin's scripts
    violations = _csp_violations(chromium)
    assert not violations, "\n".join(violations)
