"""Inputs that once made the API answer 500 (found by bench/abuse.py's Schemathesis run)."""
import pytest


@pytest.fixture(autouse=True)
def _unthrottled(monkeypatch):
    """The project's throttle rates and no request counted yet, whatever earlier tests left."""
    from django.core.cache import cache
    from rest_framework.settings import api_settings
    from rest_framework.throttling import SimpleRateThrottle

    monkeypatch.setattr(SimpleRateThrottle, "THROTTLE_RATES", api_settings.DEFAULT_THROTTLE_RATES)
    cache.clear()


@pytest.mark.parametrize("since", [
    "0025-03-10T18:24:48+22:25",   # an offset PostgreSQL refuses (beyond ±15:59)
    "3259-08-18T15:24:58.7+20:11",
    "0001-01-01T00:00:00+23:59",   # before year 1 in UTC
    "9999-12-31T23:59:59-23:59",   # after year 9999 in UTC
])
@pytest.mark.parametrize("fmt", ["json", "csv"])
def test_modified_since_with_any_valid_iso_offset_is_not_a_server_error(client, seed, since, fmt):
    response = client.get("/api/v1/sources/", {"modified_since": since, "format": fmt})
    assert response.status_code == 200
    if response.streaming:
        b"".join(response.streaming_content)


@pytest.mark.parametrize("parameter", ["date_from", "date_to", "overlap"])
def test_a_percent_sign_in_a_bad_value_is_a_400_naming_the_parameter(client, seed, parameter):
    response = client.get("/api/v1/statements/", {parameter: "²%H`v %s %(x)s"})
    assert response.status_code == 400
    assert parameter in response.json()
    assert "%H`v %s %(x)s" in response.json()[parameter][0]
