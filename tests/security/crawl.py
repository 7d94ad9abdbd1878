"""Every admin URL that Wagtail and our apps register, as concrete URLs to request (tests/security)."""

import json
import re

from django.urls import URLPattern, URLResolver, get_resolver

PARAMETER = re.compile(r"<(?:(?P<converter>\w+):)?(?P<name>\w+)>|\(\?P<(?P<re_name>\w+)>(?P<regex>[^)]*)\)")
SKIPPED_NAMES = {
    "wagtailadmin_logout", "logout",  # would end the session the crawl runs in
    "wagtailadmin_error_test",  # Wagtail's deliberate 500 (/admin/failwhale/)
}


def admin_patterns():
    """(route text, url name) of every pattern under /admin/."""

    def walk(patterns, prefix=""):
        for pattern in patterns:
            if isinstance(pattern, URLResolver):
                yield from walk(pattern.url_patterns, prefix + str(pattern.pattern))
            elif isinstance(pattern, URLPattern):
                yield prefix + str(pattern.pattern), pattern.name

    return [(route, name) for route, name in walk(get_resolver().url_patterns) if route.startswith("admin/")]


def parameters(route):
    return [m.group("name") or m.group("re_name") for m in PARAMETER.finditer(route)]


def fill(route, values: dict):
    """The route with each parameter replaced by values[name] (a regex route loses its anchors)."""

    def replace(match):
        name = match.group("name") or match.group("re_name")
        return str(values[name])

    path = PARAMETER.sub(replace, route)
    path = path.replace("^", "").replace("$", "").replace("\\.", ".")
    return "/" + path


def body_text(response) -> str:
    if getattr(response, "streaming", False):
        raw = b"".join(response.streaming_content)
    else:
        raw = response.content
    text = raw.decode("utf-8", errors="replace")
    if response.get("Content-Type", "").startswith("application/json"):
        try:
            text += json.dumps(json.loads(raw), ensure_ascii=False)
        except ValueError:
            pass
    return text
