"""The public search of the guide: the site's and the open-data API's one search, whichever engine ranks.

Use these; the modules of the package are its own:

    search(query, filters, page, page_size, record) → SearchResult of Hit (ranked, faceted, paged)
    Filters, MAX_QUERY_LENGTH, PAGE_SIZE             what a query may ask
    suggest(prefix), did_you_mean(query), popular_departments()
    highlight(value, terms), all_facets()
    index_item(item_id), remove_item(item_id), rebuild(), changed()
    backend()                                        the backend chosen from the settings (backends/)

The layout follows Wagtail's search backends: fields.py is the one definition of the indexed fields, weights,
filters and facets; documents.py builds a document from an item; backends/ holds one class per engine (SQLite
FTS5, PostgreSQL, Elasticsearch); ranking.py scores for the database backends; cache.py keys cached data by
the publication generation; suggest.py reads the titles; schema.py is the full-text index's DDL for the
migrations; indexing.py writes the documents of a bulk write (the import, through publish.service).
"""

from catalog.models import ServiceItem

from ..models import ZeroResultQuery
from .backends import backend
from .cache import changed
from .documents import indexable
from .fields import MAX_QUERY_LENGTH, PAGE_SIZE, Filters
from .results import Hit, SearchResult, highlight
from .suggest import did_you_mean, popular_departments, suggest

__all__ = [
    "MAX_QUERY_LENGTH", "PAGE_SIZE", "Filters", "Hit", "SearchResult", "all_facets", "backend", "changed",
    "did_you_mean", "highlight", "index_item", "popular_departments", "rebuild", "remove_item", "search", "suggest",
]


def search(query: str = "", filters: Filters | None = None, page: int = 1, page_size: int = PAGE_SIZE,
           record=True) -> SearchResult:
    """The citizen's words (at most MAX_QUERY_LENGTH; "" browses) and filters → ranked, faceted, paged hits.
    A search that finds nothing is counted for the editors (ZeroResultQuery) unless record is false."""
    query = (query or "").strip()[:MAX_QUERY_LENGTH]
    result = backend().search(query, filters or Filters(), page, page_size)
    if record and query and result.total == 0:
        ZeroResultQuery.record(query)
    return result


def all_facets() -> dict:
    """Facets of every published item (home page), cached per publication generation."""
    return backend().documents.all_facets()


def index_item(item_id: int) -> bool:
    """Bring one item's index entry in line with its published state. True when it is now searchable."""
    items = list(indexable(ServiceItem.objects.filter(pk=item_id)))
    if not items:
        remove_item(item_id)
        return False
    backend().index_items(items)
    return True


def remove_item(item_id: int):
    backend().remove_item(item_id)


def rebuild(batch_size=500, progress=None) -> int:
    """Rebuild the index from every published item; progress(done, total) is called per batch."""
    return backend().rebuild(batch_size=batch_size, progress=progress)
