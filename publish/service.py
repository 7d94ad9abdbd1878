"""What the other apps use of publish. Use these; everything else in publish is its own.

    BulkIndex          the search documents of items written in bulk, in the writer's transaction (the import)
    bulk_committed     after such a write has committed
    send_committed     (what bulk_committed's tasks do) committed items sent to a search server of its own
    rebuild_search     the search index rebuilt from every published item (the demo, operators)
"""

from . import search, tasks
from .search.indexing import BulkIndex

__all__ = ["BulkIndex", "bulk_committed", "rebuild_search", "send_committed"]

# Items per task for a search server: a worker holds one batch of items with their children in memory.
TASK_BATCH = 5000


def bulk_committed(ids: list[int]):
    """A bulk write that published these items (their documents stored by BulkIndex) has committed: cached
    results and pages are renewed, and a search server of its own gets the items from tasks."""
    search.changed()
    if search.backend().separate_server:
        for start in range(0, len(ids), TASK_BATCH):
            tasks.index_committed.delay(ids[start : start + TASK_BATCH])


def send_committed(ids: list[int]):
    """Items whose documents a committed bulk write stored, to a search server of its own (nothing without one)."""
    search.backend().index_committed(ids)


def rebuild_search(batch_size=500, progress=None) -> int:
    return search.rebuild(batch_size=batch_size, progress=progress)
