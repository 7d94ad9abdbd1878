"""Search data cached per publication generation (publish.state): results, facets, synonyms, term statistics.

Every index change and synonym edit bumps the generation (changed()), so cached data is never looked up again
after it; entries then expire on their own.
"""

import uuid

from django.core.cache import cache

from .. import state

CACHE_SECONDS = 600
_EPOCH = "publish:search:epoch"


def prefix() -> str:
    """Keys of cached search data: the publication generation, and an epoch that a cache clear renews (the
    generation restarts with a new database)."""
    epoch = cache.get(_EPOCH)
    if epoch is None:
        epoch = uuid.uuid4().hex[:12]
        cache.add(_EPOCH, epoch, None)
        epoch = cache.get(_EPOCH, epoch)
    return f"publish:search:{epoch}:{state.generation()}"


def changed():
    """The index changed: bump the publication generation (every process) and renew this cache's epoch (a test
    database restarts the generation, so it alone could meet results cached before)."""
    state.bump()
    cache.set(_EPOCH, uuid.uuid4().hex[:12], None)


def cached(key_prefix: str, name: str, compute):
    key = f"{key_prefix}:{name}"
    value = cache.get(key)
    if value is None:
        value = compute()
        cache.set(key, value, CACHE_SECONDS)
    return value
