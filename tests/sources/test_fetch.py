"""Polling feeds served by a local HTTP server: conditional GET, limits, redirects, failures."""
import gzip
import socket
import time
from datetime import timedelta

import pytest
from django.utils import timezone

from sources.fetch import FetchError, RefusedAddress, address_is_allowed, fetch_feed
from sources.models import Feed, Report
from sources.polling import poll_feed_now
from tests.sources.feeds import rss_of


def make_feed(url, **fields):
    fields.setdefault("poll_interval", timedelta(minutes=30))
    return Feed.objects.create(url=url, **fields)


def test_a_feed_is_stored_then_a_304_ends_the_next_poll_without_parsing(db, feed_server):
    def conditional(handler):
        if handler.headers.get("If-None-Match") == '"v1"':
            handler._send(304, b"", {"ETag": '"v1"'})
        else:
            handler._send(200, rss_of(3), {"ETag": '"v1"'})

    feed_server.routes["/feed.xml"] = conditional
    feed = make_feed(feed_server.url("/feed.xml"))

    first = poll_feed_now(feed.pk)
    assert (first.outcome, first.created) == ("stored", 3)
    feed.refresh_from_db()
    assert (feed.etag, feed.last_status, feed.last_error, feed.title) == ('"v1"', 200, "", "Test feed")

    second = poll_feed_now(feed.pk)
    assert second.outcome == "not-modified"
    feed.refresh_from_db()
    assert feed.last_status == 304 and feed.etag == '"v1"'
    assert feed_server.requests_for("/feed.xml")[1]["If-None-Match"] == '"v1"'
    assert Report.objects.filter(feed=feed).count() == 3
    assert feed.next_poll_at >= feed.last_polled_at + timedelta(minutes=30)


def test_last_modified_is_sent_back_as_if_modified_since(db, feed_server):
    stamp = "Wed, 21 Oct 2015 07:28:00 GMT"

    def conditional(handler):
        if handler.headers.get("If-Modified-Since") == stamp:
            handler._send(304, b"", {})
        else:
            handler._send(200, rss_of(1), {"Last-Modified": stamp})

    feed_server.routes["/lm.xml"] = conditional
    feed = make_feed(feed_server.url("/lm.xml"))
    assert poll_feed_now(feed.pk).outcome == "stored"
    feed.refresh_from_db()
    assert feed.last_modified == stamp
    assert poll_feed_now(feed.pk).outcome == "not-modified"


def test_a_redirect_chain_within_the_limit_is_followed(db, feed_server, settings):
    settings.FEED_MAX_REDIRECTS = 3
    feed_server.serve("/a", status=301, headers={"Location": "/b"})
    feed_server.serve("/b", status=302, headers={"Location": feed_server.url("/c")})
    feed_server.serve("/c", status=307, headers={"Location": "/final.xml"})
    feed_server.serve("/final.xml", rss_of(2))
    fetched = fetch_feed(feed_server.url("/a"))
    assert fetched.status == 200 and fetched.url == feed_server.url("/final.xml")


def test_a_feed_that_moved_permanently_is_polled_at_its_new_address(db, feed_server, settings):
    settings.FEED_MAX_REDIRECTS = 3
    feed_server.serve("/old.xml", status=301, headers={"Location": "/between"})
    feed_server.serve("/between", status=308, headers={"Location": "/new.xml"})
    feed_server.serve("/new.xml", rss_of(2))
    feed = make_feed(feed_server.url("/old.xml"))
    result = poll_feed_now(feed.pk)
    assert (result.outcome, result.created) == ("stored", 2)
    feed.refresh_from_db()
    assert feed.url == feed_server.url("/new.xml")
    assert f"moved permanently from {feed_server.url('/old.xml')}" in feed.last_warning
    assert f"moved permanently from {feed_server.url('/old.xml')}" in result.warning
    poll_feed_now(feed.pk)
    assert [path for path, _ in feed_server.requests] == ["/old.xml", "/between", "/new.xml", "/new.xml"]


def test_a_temporary_redirect_on_the_way_keeps_the_address(db, feed_server):
    feed_server.serve("/old.xml", status=301, headers={"Location": "/for-now"})
    feed_server.serve("/for-now", status=302, headers={"Location": "/new.xml"})
    feed_server.serve("/new.xml", rss_of(1))
    feed = make_feed(feed_server.url("/old.xml"))
    assert poll_feed_now(feed.pk).outcome == "stored"
    feed.refresh_from_db()
    assert feed.url == feed_server.url("/old.xml") and "moved" not in feed.last_warning


def test_a_move_onto_another_feeds_address_keeps_both_and_says_so(db, feed_server):
    feed_server.serve("/old.xml", status=301, headers={"Location": "/new.xml"})
    feed_server.serve("/new.xml", rss_of(1))
    other = make_feed(feed_server.url("/new.xml"))
    feed = make_feed(feed_server.url("/old.xml"))
    result = poll_feed_now(feed.pk)
    assert result.outcome == "stored"
    feed.refresh_from_db()
    assert feed.url == feed_server.url("/old.xml")
    assert "which another feed already polls" in feed.last_warning
    assert Feed.objects.get(pk=other.pk).url == feed_server.url("/new.xml")


def test_a_permanent_move_answered_304_also_updates_the_address(db, feed_server):
    feed_server.serve("/old.xml", status=308, headers={"Location": "/new.xml"})
    feed_server.routes["/new.xml"] = lambda handler: handler._send(304, b"", {"ETag": '"e"'})
    feed = make_feed(feed_server.url("/old.xml"), etag='"e"')
    assert poll_feed_now(feed.pk).outcome == "not-modified"
    feed.refresh_from_db()
    assert feed.url == feed_server.url("/new.xml")


def test_a_redirect_chain_beyond_the_limit_fails_with_a_clear_error(db, feed_server, settings):
    settings.FEED_MAX_REDIRECTS = 2
    for n in range(5):
        feed_server.serve(f"/r{n}", status=302, headers={"Location": f"/r{n + 1}"})
    feed = make_feed(feed_server.url("/r0"))
    result = poll_feed_now(feed.pk)
    assert result.outcome == "failed" and "too many redirects" in result.error
    assert len(feed_server.requests) == 3


@pytest.mark.parametrize("target", [
    "http://10.0.0.7/feed.xml",
    "http://169.254.169.254/latest/meta-data/",
    "http://[fd00:ec2::254]/latest/",
    "http://192.168.1.1:8080/",
    "file:///etc/passwd",
])
def test_a_redirect_to_a_private_address_or_another_scheme_is_refused(db, feed_server, target):
    feed_server.serve("/go", status=302, headers={"Location": target})
    started = time.monotonic()
    with pytest.raises(RefusedAddress, match="refused"):
        fetch_feed(feed_server.url("/go"))
    assert time.monotonic() - started < 4  # refused before any connection attempt (5 s timeout)


def test_loopback_is_refused_unless_the_setting_allows_it(db, feed_server, settings):
    url = feed_server.serve("/feed.xml", rss_of(1))
    settings.FEED_ALLOW_LOOPBACK = False
    with pytest.raises(RefusedAddress):
        fetch_feed(url)
    assert feed_server.requests == []
    assert not address_is_allowed("::ffff:127.0.0.1")
    assert not address_is_allowed("100.100.100.200")  # shared address space (a cloud metadata service)
    assert address_is_allowed("93.184.216.34")


def test_a_name_is_resolved_once_and_the_checked_address_is_the_one_connected_to(db, feed_server, monkeypatch):
    # DNS rebinding: the first answer is fine, every later one points inside. Only one lookup
    # happens per hop, and the connection goes to the address that was checked.
    real_getaddrinfo = socket.getaddrinfo
    answers = iter(["127.0.0.1"] + ["10.9.9.9"] * 5)
    calls = []

    def rebinding(host, port, *args, **kwargs):
        if host == "feeds.rebind.example":
            calls.append(host)
            return real_getaddrinfo(next(answers), port, *args, **kwargs)
        return real_getaddrinfo(host, port, *args, **kwargs)

    monkeypatch.setattr(socket, "getaddrinfo", rebinding)
    feed_server.serve("/feed.xml", rss_of(1))
    fetched = fetch_feed(f"http://feeds.rebind.example:{feed_server.port}/feed.xml")
    assert fetched.status == 200 and len(calls) == 1
    assert feed_server.requests_for("/feed.xml")[0]["Host"] == f"feeds.rebind.example:{feed_server.port}"


def test_a_name_with_any_private_answer_is_refused(db, monkeypatch):
    monkeypatch.setattr(socket, "getaddrinfo", lambda host, port, *a, **k: [
        (socket.AF_INET, socket.SOCK_STREAM, 6, "", ("93.184.216.34", port)),
        (socket.AF_INET, socket.SOCK_STREAM, 6, "", ("10.0.0.1", port)),
    ])
    with pytest.raises(RefusedAddress, match="10.0.0.1"):
        fetch_feed("https://mixed.example/feed.xml")


def test_a_slow_server_times_out_and_the_failure_is_recorded(db, feed_server, settings):
    settings.FEED_READ_TIMEOUT = 0.3
    feed_server.serve("/slow.xml", rss_of(1), delay=6)
    feed = make_feed(feed_server.url("/slow.xml"))
    started = time.monotonic()
    result = poll_feed_now(feed.pk)
    assert time.monotonic() - started < 4  # the server answers after 6 s
    assert result.outcome == "failed" and "timed out" in result.error
    feed.refresh_from_db()
    assert feed.consecutive_failures == 1 and "timed out" in feed.last_error


def test_a_server_dripping_bytes_is_cut_off_by_the_overall_deadline(db, feed_server, settings):
    settings.FEED_READ_TIMEOUT = 1
    settings.FEED_TOTAL_TIMEOUT = 0.5

    def drip(handler):
        handler.send_response(200)
        handler.send_header("Content-Length", "100000")
        handler.end_headers()
        try:
            for _ in range(40):
                handler.wfile.write(b" " * 10)
                handler.wfile.flush()
                time.sleep(0.1)
        except (BrokenPipeError, ConnectionResetError):
            pass

    feed_server.routes["/drip.xml"] = drip
    started = time.monotonic()
    with pytest.raises(FetchError, match="timed out"):
        fetch_feed(feed_server.url("/drip.xml"))
    assert time.monotonic() - started < 3  # the drip lasts 4 s


def test_an_oversized_body_is_refused(db, feed_server, settings):
    settings.FEED_MAX_BYTES = 10_000
    feed_server.serve("/big.xml", rss_of(200))  # about 50 KB, with Content-Length
    with pytest.raises(FetchError, match="too large"):
        fetch_feed(feed_server.url("/big.xml"))

    def no_length(handler):  # no Content-Length: the cap applies while reading
        handler.send_response(200)
        handler.send_header("Connection", "close")
        handler.end_headers()
        handler.wfile.write(rss_of(200))

    feed_server.routes["/big-unannounced.xml"] = no_length
    with pytest.raises(FetchError, match="too large"):
        fetch_feed(feed_server.url("/big-unannounced.xml"))


def test_a_gzip_bomb_is_cut_off_at_the_decompressed_cap(db, feed_server, settings):
    settings.FEED_MAX_BYTES = 1024 * 1024
    bomb = gzip.compress(b"<rss>" + b" " * (100 * 1024 * 1024), compresslevel=9)  # 100 MB from ~100 KB
    assert len(bomb) < settings.FEED_MAX_BYTES
    feed_server.serve("/bomb.xml", bomb, headers={"Content-Encoding": "gzip"})
    with pytest.raises(FetchError, match="after decompression"):
        fetch_feed(feed_server.url("/bomb.xml"))


def test_a_gzipped_feed_within_the_cap_is_decoded(db, feed_server):
    feed_server.serve("/gz.xml", gzip.compress(rss_of(2)), headers={"Content-Encoding": "gzip"})
    assert fetch_feed(feed_server.url("/gz.xml")).body == rss_of(2)


def test_a_404_and_a_500_back_off_with_growing_intervals(db, feed_server):
    feed_server.serve("/gone.xml", "no", status=404)
    feed_server.serve("/broken.xml", "oops", status=500)
    feed = make_feed(feed_server.url("/gone.xml"))

    result = poll_feed_now(feed.pk)
    feed.refresh_from_db()
    assert (result.outcome, feed.last_status, feed.consecutive_failures) == ("failed", 404, 1)
    assert "HTTP 404" in feed.last_error
    first_delay = feed.next_poll_at - feed.last_polled_at
    assert first_delay == timedelta(minutes=30)

    Feed.objects.filter(pk=feed.pk).update(url=feed_server.url("/broken.xml"))
    poll_feed_now(feed.pk)
    feed.refresh_from_db()
    assert (feed.last_status, feed.consecutive_failures) == (500, 2)
    assert feed.next_poll_at - feed.last_polled_at == timedelta(minutes=60)
    assert feed.health == "erroring"


def test_a_feed_that_keeps_failing_is_marked_failing_and_polled_daily(db, feed_server):
    feed_server.serve("/down.xml", "down", status=503)
    feed = make_feed(feed_server.url("/down.xml"), consecutive_failures=10)
    poll_feed_now(feed.pk)
    feed.refresh_from_db()
    assert feed.health == "failing" and feed.is_failing
    assert feed.next_poll_at - feed.last_polled_at == timedelta(days=1)


def test_recovery_clears_the_error_and_the_backoff(db, feed_server):
    feed_server.serve("/ok.xml", rss_of(1))
    feed = make_feed(feed_server.url("/ok.xml"), consecutive_failures=7, last_error="HTTP 500")
    poll_feed_now(feed.pk)
    feed.refresh_from_db()
    assert (feed.health, feed.consecutive_failures, feed.last_error) == ("ok", 0, "")


def test_a_429_with_retry_after_pushes_the_next_poll_back(db, feed_server):
    feed_server.serve("/busy.xml", "slow down", status=429, headers={"Retry-After": "7200"})
    feed = make_feed(feed_server.url("/busy.xml"))
    poll_feed_now(feed.pk)
    feed.refresh_from_db()
    assert feed.last_status == 429
    assert feed.next_poll_at - feed.last_polled_at == timedelta(hours=2)


def test_cache_control_max_age_pushes_the_next_poll_back(db, feed_server):
    feed_server.serve("/cached.xml", rss_of(1), headers={"Cache-Control": "public, max-age=10800"})
    feed = make_feed(feed_server.url("/cached.xml"))
    poll_feed_now(feed.pk)
    feed.refresh_from_db()
    assert feed.next_poll_at - feed.last_polled_at == timedelta(hours=3)


def test_an_html_page_served_as_a_feed_is_a_clear_error(db, feed_server):
    feed_server.serve("/page", b"<!DOCTYPE html><html><head><title>Home</title></head><body><p>Hi</p></body></html>",
                      headers={"Content-Type": "text/html"})
    feed = make_feed(feed_server.url("/page"))
    result = poll_feed_now(feed.pk)
    feed.refresh_from_db()
    assert result.outcome == "failed"
    assert feed.last_error == "not a feed: the document is an HTML page"
    assert feed.last_status == 200 and not feed.reports.exists()


def test_an_unreachable_server_is_a_recorded_failure_not_an_exception(db, settings):
    settings.FEED_ALLOW_LOOPBACK = True
    with socket.socket() as sock:  # a port nobody listens on
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    feed = make_feed(f"http://127.0.0.1:{port}/feed.xml")
    result = poll_feed_now(feed.pk)
    assert result.outcome == "failed" and "cannot fetch" in result.error
    assert Feed.objects.get(pk=feed.pk).next_poll_at > timezone.now()


@pytest.fixture
def https_feed_server(feed_server, tmp_path):
    """The feed server behind TLS, with a certificate for feeds.tls.example from our own CA."""
    import ssl
    import subprocess

    key, cert = tmp_path / "key.pem", tmp_path / "cert.pem"
    subprocess.run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1", "-subj",
                    "/CN=feeds.tls.example", "-addext", "subjectAltName=DNS:feeds.tls.example",
                    "-keyout", str(key), "-out", str(cert)], check=True, capture_output=True)
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(cert, key)
    feed_server.httpd.socket = context.wrap_socket(feed_server.httpd.socket, server_side=True)
    feed_server.cert = str(cert)
    return feed_server


def resolve_to_loopback(monkeypatch, name):
    real_getaddrinfo = socket.getaddrinfo
    monkeypatch.setattr(socket, "getaddrinfo", lambda host, port, *a, **k: real_getaddrinfo(
        "127.0.0.1" if host == name else host, port, *a, **k))


def test_https_connects_to_the_checked_address_and_verifies_the_certificate_for_the_name(
        db, https_feed_server, settings, monkeypatch):
    resolve_to_loopback(monkeypatch, "feeds.tls.example")
    https_feed_server.serve("/feed.xml", rss_of(2))
    url = f"https://feeds.tls.example:{https_feed_server.port}/feed.xml"
    with pytest.raises(FetchError, match="(?i)certificate"):
        fetch_feed(url)  # our test CA is not trusted by default
    settings.FEED_CA_CERTS = https_feed_server.cert
    assert fetch_feed(url).body == rss_of(2)
    resolve_to_loopback(monkeypatch, "other.tls.example")
    with pytest.raises(FetchError, match="(?i)hostname|certificate"):
        fetch_feed(f"https://other.tls.example:{https_feed_server.port}/feed.xml")  # wrong name: refused


def test_a_connection_that_lands_on_a_refused_address_is_dropped_before_sending(db, feed_server, settings, monkeypatch):
    # Whatever the resolver said, the socket's own peer address is checked before a byte is sent.
    import sources.fetch

    url = feed_server.serve("/feed.xml", rss_of(1))
    settings.FEED_ALLOW_LOOPBACK = False
    monkeypatch.setattr(sources.fetch, "resolve_checked_address", lambda host, port: "127.0.0.1")
    with pytest.raises(RefusedAddress, match="connected to a non-public address"):
        fetch_feed(url)
    assert feed_server.requests == []


def test_a_malformed_feed_is_stored_as_far_as_it_goes_and_the_problem_shown_on_the_feed(db, feed_server):
    body = rss_of(3).replace(b"</channel></rss>", b"<item><title>broken & unescaped</title></item>")
    feed = make_feed(feed_server.serve("/bad.xml", body))
    result = poll_feed_now(feed.pk)
    feed.refresh_from_db()
    assert result.outcome == "stored" and feed.reports.count() >= 3
    assert feed.last_error == "" and "not well-formed" in feed.last_warning


@pytest.mark.parametrize(
    "address",
    [
        "::7f00:1",  # IPv4-compatible 127.0.0.1
        "::a00:1",  # IPv4-compatible 10.0.0.1
        "::ffff:0:7f00:1",  # IPv4-translated (SIIT) 127.0.0.1
        "::ffff:0:a9fe:a9fe",  # IPv4-translated 169.254.169.254, the metadata service
        "64:ff9b::7f00:1",  # NAT64 127.0.0.1
        "64:ff9b::a00:1",  # NAT64 10.0.0.1
        "64:ff9b:1::a00:1",  # local-use NAT64 10.0.0.1
        "2002:7f00:1::",  # 6to4 127.0.0.1
        "2002:c0a8:101::1",  # 6to4 192.168.1.1
    ],
)
def test_ipv6_translation_prefixes_are_refused_by_the_ipv4_address_they_embed(settings, address):
    settings.FEED_ALLOW_LOOPBACK = False
    assert not address_is_allowed(address)


@pytest.mark.parametrize("address", ["64:ff9b::5db8:d822", "2002:5db8:d822::1", "2606:4700::1111"])
def test_ipv6_addresses_leading_to_a_public_address_are_allowed(settings, address):
    settings.FEED_ALLOW_LOOPBACK = False
    assert address_is_allowed(address)
