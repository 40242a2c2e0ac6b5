"""Template helpers for the public pages."""
import nh3
from django import template
from django.utils.safestring import mark_safe

from timeline.values import format_usd

register = template.Library()

# Text from feeds may carry markup; only these harmless tags survive, links get rel=nofollow.
FEED_TAGS = {"a", "b", "strong", "i", "em", "p", "br", "ul", "ol", "li", "blockquote", "q", "cite", "code"}
FEED_ATTRIBUTES = {"a": {"href", "title"}}


def sanitize_feed_html(text):
    """Return feed HTML with scripts, event handlers, styles and non-web links removed."""
    try:  # the feeds app's sanitiser, when present, is the single rule for feed text
        from sources.sanitize import sanitize_html
    except ImportError:
        return nh3.clean(
            text or "", tags=FEED_TAGS, attributes=FEED_ATTRIBUTES, url_schemes={"http", "https"},
            link_rel="nofollow noopener noreferrer", strip_comments=True,
        )
    return sanitize_html(text or "")


@register.filter
def feed_html(text):
    """Render text that came from a feed, sanitised."""
    return mark_safe(sanitize_feed_html(text))


register.filter("usd", format_usd)


@register.simple_tag(takes_context=True)
def with_query(context, **changes):
    """Return the current query string with some parameters replaced (for pagination links)."""
    query = context["request"].GET.copy()
    for key, value in changes.items():
        if value in (None, ""):
            query.pop(key, None)
        else:
            query[key] = value
    encoded = query.urlencode()
    return f"?{encoded}" if encoded else "?"


@register.simple_tag
def data_license():
    """The licence the data is published under (settings.DATA_LICENSE)."""
    from django.conf import settings

    return settings.DATA_LICENSE


@register.filter
def web_url(value):
    """Return the address if it is an http(s) URL, else '' (so javascript: links never render)."""
    text = str(value or "").strip()
    return text if text.lower().startswith(("http://", "https://")) else ""
