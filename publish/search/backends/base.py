"""What the site asks of a search backend (one class per engine: sqlite.py, postgres.py, elastic.py).

Every backend reads the one definition of fields, weights, filters and facets (..fields). The database's
SearchDocument rows are kept whichever backend ranks: suggestions, "did you mean", the hits' details and the
import's bulk write read or write them (`documents`, a DatabaseBackend).
"""


class SearchBackend:
    name = ""
    # Whether documents also go to a server of their own, after the database's transaction has committed
    # (index_committed): an import's bulk write then sends its items there from a task.
    separate_server = False

    @property
    def documents(self):
        """The DatabaseBackend that keeps the SearchDocument rows."""
        raise NotImplementedError

    def search(self, query: str, filters, page: int, page_size: int):
        """A SearchResult for a cleaned query ("" browses) and fields.Filters. Records nothing."""
        raise NotImplementedError

    def index_items(self, items) -> int:
        """(Re)index the given items (from documents.indexable() or unpublished): published ones are written,
        others removed. Returns the documents written."""
        raise NotImplementedError

    def remove_item(self, item_id: int):
        raise NotImplementedError

    def rebuild(self, batch_size=500, progress=None) -> int:
        """Rebuild from every published item; progress(done, total) per batch. Returns the documents written."""
        raise NotImplementedError

    def index_committed(self, ids: list[int]):
        """Items whose documents a bulk write stored in the database (see separate_server)."""

    def check(self) -> dict:
        """The index against the published items: {"documents": …, "published": …, …}."""
        raise NotImplementedError
