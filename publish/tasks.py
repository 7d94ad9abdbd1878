from celery import shared_task

from . import search, state


@shared_task
def reindex_item(item_id: int) -> bool:
    """Publish/unpublish of an item: its index entry follows its published state; caches are invalidated."""
    searchable = search.index_item(item_id)
    state.bump()
    return searchable


@shared_task(name="publish.index_committed")
def index_committed(ids: list[int]) -> int:
    """Items a bulk write published, to a search server of its own (after the write committed)."""
    search.backend().index_committed(ids)
    return len(ids)
