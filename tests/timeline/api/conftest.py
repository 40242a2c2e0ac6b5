import json
from pathlib import Path

import pytest
from django.core.cache import cache
from rest_framework.test import APIClient

EXPECTED = Path(__file__).parent / "expected"
TIMESTAMP_KEYS = {"created_at", "modified_at"}


@pytest.fixture(autouse=True)
def _fresh_throttle_counts():
    """Throttle counters live in the cache; each test starts with none."""
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def api():
    return APIClient()


@pytest.fixture
def curator_api(curator):
    from rest_framework.authtoken.models import Token

    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {Token.objects.create(user=curator).key}")
    return client


def body(response):
    """Return a response's JSON (streamed or not)."""
    content = b"".join(response.streaming_content) if response.streaming else response.content
    return json.loads(content)


def without_timestamps(data):
    """Replace record timestamps (set when the seed loads) with a marker, recursively."""
    if isinstance(data, dict):
        return {k: "<timestamp>" if k in TIMESTAMP_KEYS else without_timestamps(v) for k, v in data.items()}
    if isinstance(data, list):
        return [without_timestamps(v) for v in data]
    return data


def expected(name):
    """Load a reviewed expected response body from tests/timeline/api/expected/<name>.json."""
    return json.loads((EXPECTED / f"{name}.json").read_text())
