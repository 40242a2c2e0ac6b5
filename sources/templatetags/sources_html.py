"""Template filters for showing feed content: {% load sources_html %}.

    {{ report.content|sanitize:report.url }}  safe HTML, relative links made absolute against
                                              the report's link (see sources.sanitize)
    {{ report.title|plaintext }}      text only
    <a href="{{ report.url|safe_link }}">  the link, or "" when it is not http/https
"""
from django import template
from django.utils.safestring import mark_safe

from sources.sanitize import html_to_text, safe_link as _safe_link, sanitize_html

register = template.Library()


@register.filter
def sanitize(value, base_url=""):
    return mark_safe(sanitize_html(str(value or ""), base_url=str(base_url or "")))


@register.filter
def plaintext(value):
    # html_to_text escapes what is left (it is nh3 output), so it is safe as markup too.
    return mark_safe(html_to_text(str(value or "")))


@register.filter
def safe_link(value):
    return _safe_link(str(value or ""))
