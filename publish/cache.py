"""Whole-page cache for anonymous GETs of public pages, keyed by the publication generation (state.py).

A publish or unpublish bumps the generation, so every cached page is stale at once: no per-page bookkeeping.
"""

import hashlib
from functools import wraps

from django.conf import settings
from django.core.cache import cache

from . import state


def cached_page(view):
    @wraps(view)
    def wrapper(request, *args, **kwargs):
        seconds = getattr(settings, "PUBLIC_PAGE_CACHE_SECONDS", 300)
        if request.method != "GET" or not seconds or request.user.is_authenticated:
            return view(request, *args, **kwargs)
        digest = hashlib.sha1(request.get_full_path().encode()).hexdigest()
        key = f"publish:page:{state.generation()}:{digest}"
        response = cache.get(key)
        if response is None:
            response = view(request, *args, **kwargs)
            if response.status_code == 200 and not getattr(response, "streaming", False):
                if hasattr(response, "render"):
                    response.render()
                cache.set(key, response, seconds)
        return response

    return wrapper
