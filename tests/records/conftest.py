import pytest

from tests.records.recorded_api import RecordedAPI


@pytest.fixture
def recorded_api(settings):
    """The local USAspending and Federal Register stand-in, with the settings pointing at it."""
    with RecordedAPI() as api:
        settings.USASPENDING_API_URL = api.url
        settings.FEDERAL_REGISTER_API_URL = api.url
        settings.FEED_ALLOW_LOOPBACK = True
        settings.RECORDS_RETRY_BACKOFF = 0.01
        settings.FEED_READ_TIMEOUT = 1.0
        yield api
