"""Fetch a feed over HTTP politely and safely. No database.

- Conditional GET: the stored ETag and Last-Modified go out as If-None-Match and
  If-Modified-Since; a 304 comes back without a body.
- Connect and read timeouts, plus an overall deadline (a server dripping one byte at a time
  under the read timeout still ends).
- A cap on the body after decompression, so a gzip bomb is cut off at the cap; gzip and deflate
  are decoded here, chunk by chunk, with zlib's max_length, never all at once.
- Redirects are followed here, hop by hop, up to a limit; urllib3's own redirects and retries
  are off.
- http and https only, and no requests to our own network: each hop's host is resolved once,
  every address it resolves to is checked (loopback, private, link-local, cloud metadata,
  multicast, reserved ranges are refused), and the connection is made to that checked address,
  with the Host header and TLS SNI/certificate check still naming the host. A DNS answer that
  changes between check and connect (DNS rebinding) therefore cannot redirect us; the peer
  address of the socket actually connected is checked once more before a byte is sent (and
  before any TLS handshake). No proxies are used. FEED_ALLOW_LOOPBACK (off by default) lets
  tests serve feeds from 127.0.0.1.
"""
import email.utils
import ipaddress
import re
import socket
import time
import zlib
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone as dt_timezone
from urllib.parse import urljoin, urlsplit

import urllib3
import urllib3.connection
from django.conf import settings

REDIRECT_STATUSES = frozenset({301, 302, 303, 307, 308})
PERMANENT_REDIRECT_STATUSES = frozenset({301, 308})
CHUNK = 64 * 1024
ACCEPT = ("application/rss+xml, application/atom+xml, application/feed+json, application/json;q=0.9, "
          "application/xml;q=0.9, text/xml;q=0.9, */*;q=0.1")
_MAX_AGE = re.compile(r"(?:^|[,\s])max-age\s*=\s*\"?(\d+)", re.IGNORECASE)
# Server-requested delays beyond this are ignored in favour of the cap.
MAX_SERVER_DELAY = timedelta(days=7)


class FetchError(Exception):
    """The feed could not be fetched; the message says why (it becomes the feed's last error)."""

    def __init__(self, message, *, status=None, retry_after=None):
        super().__init__(message)
        self.status = status
        self.retry_after = retry_after


class RefusedAddress(FetchError):
    """The URL points at something we never connect to (a scheme, or an address on our network)."""


@dataclass
class FetchedFeed:
    status: int  # 200 or 304
    url: str  # after redirects
    body: bytes
    etag: str | None
    last_modified: str | None
    content_type: str
    max_age: timedelta | None  # from Cache-Control
    retry_after: timedelta | None
    # The final URL when every redirect on the way was permanent (301, 308), else None: the
    # feed has moved, and polling should ask the new address from now on.
    moved_to: str | None = None


# IPv6 prefixes that carry an IPv4 address in their last 32 bits and reach it through a
# translator or tunnel: IPv4-compatible (::/96, deprecated), IPv4-translated (::ffff:0:0:0/96,
# SIIT) and NAT64's well-known prefix (64:ff9b::/96). IPv4-mapped (::ffff:0:0/96) and 6to4
# (2002::/16) are read by ipaddress itself. Python calls these "global", so `::7f00:1` or
# `64:ff9b::a00:1` would otherwise pass for public addresses.
_EMBEDDING_IPV4_IN_LOW_BITS = [
    ipaddress.ip_network("::/96"),
    ipaddress.ip_network("::ffff:0:0:0/96"),
    ipaddress.ip_network("64:ff9b::/96"),
]
# Local-use NAT64 (RFC 8215) leads to the site's own translator, whatever it embeds.
_LOCAL_NAT64 = ipaddress.ip_network("64:ff9b:1::/48")


def embedded_ipv4(ip):
    """Return the IPv4 address an IPv6 address reaches through translation or 6to4, else None."""
    if ip.version != 6:
        return None
    if ip.ipv4_mapped is not None:
        return ip.ipv4_mapped
    if ip.sixtofour is not None:
        return ip.sixtofour
    if ip in ipaddress.ip_network("::/127"):  # the unspecified address and ::1 are not IPv4
        return None
    if any(ip in network for network in _EMBEDDING_IPV4_IN_LOW_BITS):
        return ipaddress.IPv4Address(int(ip) & 0xFFFFFFFF)
    return None


def address_is_allowed(address):
    """Whether we may connect to this IP address: public unicast only (loopback when allowed).

    An IPv6 address that embeds an IPv4 one (mapped, translated, NAT64, 6to4) is judged by the
    IPv4 address it leads to, so `::ffff:0:7f00:1` is loopback and `2002:a00:1::` is private.
    """
    try:
        ip = ipaddress.ip_address(address.split("%", 1)[0])
    except ValueError:
        return False
    if ip in _LOCAL_NAT64:
        return False
    ip = embedded_ipv4(ip) or ip
    if ip.is_loopback:
        return bool(settings.FEED_ALLOW_LOOPBACK)
    # is_global is False for private, link-local (169.254.169.254, the cloud metadata service),
    # shared (100.64/10), unique-local (fd00::/8, incl. fd00:ec2::254), documentation, reserved.
    return ip.is_global and not ip.is_multicast


def resolve_checked_address(host, port):
    """Resolve `host` once and return an address to connect to; refuse if any answer is private.

    Every answer is checked, not just the one used, so that a name with one public and one
    internal address is refused whichever the resolver puts first.
    """
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except (socket.gaierror, UnicodeError, OSError) as exc:
        raise FetchError(f"cannot resolve {host}: {exc}") from None
    addresses = list(dict.fromkeys(info[4][0] for info in infos))
    if not addresses:
        raise FetchError(f"cannot resolve {host}: no addresses")
    refused = [a for a in addresses if not address_is_allowed(a)]
    if refused:
        raise RefusedAddress(f"refused: {host} resolves to a non-public address ({', '.join(refused)})")
    return addresses[0]


def _checked_target(url):
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError as exc:
        raise FetchError(f"invalid URL {url!r}: {exc}") from None
    scheme = parts.scheme.lower()
    if scheme not in ("http", "https"):
        raise RefusedAddress(f"refused: only http and https URLs are fetched, not {scheme or 'no scheme'}:")
    if not parts.hostname:
        raise FetchError(f"invalid URL {url!r}: no host")
    if parts.username or parts.password:
        raise RefusedAddress("refused: URLs with credentials are not fetched")
    port = port or (443 if scheme == "https" else 80)
    target = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
    return scheme, parts.hostname, port, target


def _parse_delay(value, now):
    """Seconds or an HTTP date (Retry-After) as a timedelta; None when absent or unreadable."""
    if not value:
        return None
    value = value.strip()
    if value.isdigit():
        return min(timedelta(seconds=int(value)), MAX_SERVER_DELAY)
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError, IndexError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=dt_timezone.utc)
    return min(max(when - now, timedelta(0)), MAX_SERVER_DELAY)


def _max_age(cache_control):
    match = _MAX_AGE.search(cache_control or "")
    if not match or "no-cache" in cache_control.lower():
        return None
    return min(timedelta(seconds=int(match.group(1))), MAX_SERVER_DELAY)


def _check_peer(sock):
    """Refuse a socket connected to a non-public address (a last check after the resolver's)."""
    try:
        peer = sock.getpeername()[0]
    except OSError as exc:
        sock.close()
        raise FetchError(f"cannot fetch: {exc}") from None
    if not address_is_allowed(peer):
        sock.close()
        raise RefusedAddress(f"refused: connected to a non-public address ({peer})")
    return sock


class _CheckedHTTPConnection(urllib3.connection.HTTPConnection):
    def _new_conn(self):
        return _check_peer(super()._new_conn())


class _CheckedHTTPSConnection(urllib3.connection.HTTPSConnection):
    def _new_conn(self):  # before the TLS handshake: not a byte goes to a refused address
        return _check_peer(super()._new_conn())


class _CheckedHTTPConnectionPool(urllib3.HTTPConnectionPool):
    ConnectionCls = _CheckedHTTPConnection


class _CheckedHTTPSConnectionPool(urllib3.HTTPSConnectionPool):
    ConnectionCls = _CheckedHTTPSConnection


def _open(scheme, host, address, port, target, headers, timeout):
    """Send one GET to `address` (already checked) naming `host`; return the unread response."""
    pool_host = f"[{address}]" if ":" in address else address
    default_port = 443 if scheme == "https" else 80
    host_header = f"[{host}]" if ":" in host else host
    headers = dict(headers, Host=host_header if port == default_port else f"{host_header}:{port}")
    if scheme == "https":
        pool = _CheckedHTTPSConnectionPool(
            pool_host, port, timeout=timeout, retries=False, cert_reqs="CERT_REQUIRED",
            ca_certs=getattr(settings, "FEED_CA_CERTS", None), server_hostname=host, assert_hostname=host)
    else:
        pool = _CheckedHTTPConnectionPool(pool_host, port, timeout=timeout, retries=False)
    try:
        response = pool.urlopen("GET", target, headers=headers, retries=False, redirect=False,
                                preload_content=False, decode_content=False, assert_same_host=False)
    except BaseException:
        pool.close()
        raise
    return pool, response


def _decoder(content_encoding):
    encoding = (content_encoding or "").strip().lower()
    if encoding in ("", "identity"):
        return None
    if encoding in ("gzip", "x-gzip"):
        return zlib.decompressobj(16 + zlib.MAX_WBITS)
    if encoding == "deflate":
        return "deflate"  # zlib-wrapped or raw: decided on the first bytes
    raise FetchError(f"unsupported Content-Encoding {content_encoding!r}")


def _read_body(response, limit, deadline):
    """Read the body, decompressing it, and stop with FetchError once it exceeds `limit` bytes."""
    declared = response.headers.get("Content-Length")
    if declared and declared.strip().isdigit() and int(declared) > limit:
        raise FetchError(f"body too large: Content-Length {declared} exceeds the {limit}-byte limit")
    decoder = _decoder(response.headers.get("Content-Encoding"))
    out = bytearray()
    raw_total = 0

    def take(data):
        if len(out) + len(data) > limit:
            raise FetchError(f"body too large: more than {limit} bytes" + (" after decompression" if decoder else ""))
        out.extend(data)

    def decompress(chunk):
        nonlocal decoder
        if decoder == "deflate":
            decoder = zlib.decompressobj(zlib.MAX_WBITS if chunk[:1] == b"\x78" else -zlib.MAX_WBITS)
        # max_length keeps each step's output bounded: a bomb never expands past the limit.
        data = decoder.decompress(chunk, limit - len(out) + 1)
        take(data)
        while decoder.unconsumed_tail:
            data = decoder.decompress(decoder.unconsumed_tail, limit - len(out) + 1)
            if not data:
                break
            take(data)

    try:
        while True:
            if time.monotonic() > deadline:
                raise FetchError("timed out: the whole response took too long")
            # read1: whatever has arrived (up to CHUNK), so the deadline is checked between arrivals.
            chunk = response.read1(CHUNK, decode_content=False)
            if not chunk:
                break
            raw_total += len(chunk)
            if raw_total > limit:
                raise FetchError(f"body too large: more than {limit} bytes")
            if decoder is None:
                take(chunk)
            else:
                decompress(chunk)
        if decoder not in (None, "deflate"):
            take(decoder.flush())
    except zlib.error as exc:
        raise FetchError(f"corrupt compressed body: {exc}") from None
    return bytes(out)


def fetch_feed(url, *, etag="", last_modified=""):
    """GET a feed with the safeguards above. Return a FetchedFeed (200 or 304) or raise FetchError.

    FetchError carries the HTTP status (when there was one) and the server's Retry-After.
    """
    timeout = urllib3.Timeout(connect=settings.FEED_CONNECT_TIMEOUT, read=settings.FEED_READ_TIMEOUT)
    deadline = time.monotonic() + getattr(settings, "FEED_TOTAL_TIMEOUT", 60.0)
    limit = settings.FEED_MAX_BYTES
    headers = {"User-Agent": settings.FEED_USER_AGENT, "Accept": ACCEPT, "Accept-Encoding": "gzip, deflate"}
    if etag:
        headers["If-None-Match"] = etag
    if last_modified:
        headers["If-Modified-Since"] = last_modified

    requested, permanent = url, True
    for _hop in range(settings.FEED_MAX_REDIRECTS + 1):
        scheme, host, port, target = _checked_target(url)
        address = resolve_checked_address(host, port)
        try:
            pool, response = _open(scheme, host, address, port, target, headers, timeout)
        except urllib3.exceptions.HTTPError as exc:
            raise FetchError(f"cannot fetch {url}: {_describe(exc)}") from None
        except OSError as exc:
            raise FetchError(f"cannot fetch {url}: {exc}") from None
        try:
            now = datetime.now(dt_timezone.utc)
            status = response.status
            if status in REDIRECT_STATUSES:
                location = response.headers.get("Location")
                if not location:
                    raise FetchError(f"HTTP {status} redirect without a Location", status=status)
                url = urljoin(url, location.strip())
                permanent = permanent and status in PERMANENT_REDIRECT_STATUSES
                continue
            moved_to = url if permanent and url != requested else None
            retry_after = _parse_delay(response.headers.get("Retry-After"), now)
            max_age = _max_age(response.headers.get("Cache-Control"))
            if status == 304:
                return FetchedFeed(304, url, b"", response.headers.get("ETag"),
                                   response.headers.get("Last-Modified"), "", max_age, retry_after, moved_to)
            if not 200 <= status < 300 or status == 204:
                raise FetchError(f"HTTP {status} {response.reason or ''}".strip(), status=status,
                                 retry_after=retry_after)
            body = _read_body(response, limit, deadline)
            return FetchedFeed(status, url, body, response.headers.get("ETag"), response.headers.get("Last-Modified"),
                               response.headers.get("Content-Type", ""), max_age, retry_after, moved_to)
        except urllib3.exceptions.HTTPError as exc:
            raise FetchError(f"cannot fetch {url}: {_describe(exc)}") from None
        except OSError as exc:
            raise FetchError(f"cannot fetch {url}: {exc}") from None
        finally:
            response.close()
            pool.close()
    raise FetchError(f"too many redirects (more than {settings.FEED_MAX_REDIRECTS})")


def _describe(exc):
    if isinstance(exc, (urllib3.exceptions.ConnectTimeoutError, urllib3.exceptions.ReadTimeoutError)):
        return f"timed out ({exc})"
    if isinstance(exc, urllib3.exceptions.ProtocolError) and "timed out" in str(exc):
        return f"timed out ({exc})"
    return str(exc)
