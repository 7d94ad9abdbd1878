"""Which search backend serves the site, chosen once from the settings, here and nowhere else.

The database's own full-text index is the embedded default (SQLite FTS5, or PostgreSQL's tsvector, as
DATABASES names the engine); with ELASTICSEARCH_URL set, Elasticsearch ranks instead, over the same documents.
The backends are named by dotted path, as Django's caches and Wagtail's search backends are, so that the
migrations can ask engine() without loading them.
"""

from functools import cache

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.core.signals import setting_changed
from django.db import DEFAULT_DB_ALIAS, connections
from django.utils.module_loading import import_string

DATABASE_BACKENDS = {
    "sqlite": "publish.search.backends.sqlite.SQLiteBackend",
    "postgresql": "publish.search.backends.postgres.PostgresBackend",
}
ELASTICSEARCH_BACKEND = "publish.search.backends.elastic.ElasticsearchBackend"


def engine(connection=None) -> str | None:
    """The database backend's name for a connection ("sqlite", "postgresql"), None for an engine without one."""
    connection = connection or connections[DEFAULT_DB_ALIAS]
    return connection.vendor if connection.vendor in DATABASE_BACKENDS else None


@cache
def backend():
    """The search backend: one instance per process (and per settings, which tests change)."""
    name = engine()
    if name is None:
        raise ImproperlyConfigured("The public search needs SQLite or PostgreSQL as the default database")
    documents = import_string(DATABASE_BACKENDS[name])()
    if settings.ELASTICSEARCH_URL:
        return import_string(ELASTICSEARCH_BACKEND)(settings.ELASTICSEARCH_URL, settings.ELASTICSEARCH_INDEX,
                                                    documents)
    return documents


def _settings_changed(setting, **kwargs):
    if setting in ("DATABASES", "ELASTICSEARCH_URL", "ELASTICSEARCH_INDEX"):
        backend.cache_clear()


setting_changed.connect(_settings_changed, dispatch_uid="publish-search-backend")
