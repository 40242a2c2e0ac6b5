"""Canonical URLs for reports: the same article reached through different links is one URL."""
import re
from urllib.parse import parse_qsl, quote, urlencode, urljoin, urlsplit, urlunsplit

# Query parameters that only say how a reader arrived, never which page they got.
TRACKING_PARAMETERS = frozenset({
    "fbclid", "gclid", "gclsrc", "dclid", "gbraid", "wbraid", "msclkid", "yclid", "twclid", "ttclid",
    "igshid", "mc_cid", "mc_eid", "mkt_tok", "_hsenc", "_hsmi", "hsctatracking", "oly_anon_id",
    "oly_enc_id", "vero_id", "wickedid", "rb_clickid", "s_cid", "cmpid", "ncid", "ref_src", "ref_url",
    "__twitter_impression", "_ga", "_gl", "spm", "sr_share", "at_medium", "at_campaign",
})
TRACKING_PREFIXES = ("utm_", "pk_", "mtm_", "ga_")
MAX_URL_LENGTH = 2000
_UNSAFE = re.compile(r"[\x00-\x20\x7f<>\"'`\\]")


def is_tracking_parameter(name):
    name = name.lower()
    return name in TRACKING_PARAMETERS or name.startswith(TRACKING_PREFIXES)


def canonical_url(url, base=None):
    """Return the canonical form of an http(s) link, or "" when it is not a usable web link.

    Resolves it against `base`, lower-cases scheme and host, drops the default port, the
    fragment, user info and tracking parameters (utm_* and the like), keeping the other
    parameters in their order. Anything not http/https (javascript:, data:, mailto:, file:)
    gives "" so that it is never used as a link.
    """
    if not url or not isinstance(url, str):
        return ""
    url = url.strip()
    if base:
        try:
            url = urljoin(base, url)
        except ValueError:
            return ""
    try:
        parts = urlsplit(url)
        scheme = parts.scheme.lower()
        host = (parts.hostname or "").rstrip(".")
        port = parts.port
    except ValueError:
        return ""
    if scheme not in ("http", "https") or not host:
        return ""
    if ":" in host:  # IPv6 literal
        host = f"[{host}]"
    netloc = host if port is None or (scheme, port) in (("http", 80), ("https", 443)) else f"{host}:{port}"
    query = [(k, v) for k, v in parse_qsl(parts.query, keep_blank_values=True) if not is_tracking_parameter(k)]
    path = quote(parts.path or "/", safe="/%:@!$&()*+,;=~-._")
    result = urlunsplit((scheme, netloc, path, urlencode(query, doseq=True) if query else "", ""))
    if len(result) > MAX_URL_LENGTH or _UNSAFE.search(result):
        return ""
    return result
