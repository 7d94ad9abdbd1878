"""Around a large write transaction: settings for it, and the upkeep the database would do in its middle left
to a thread of its own right after the commit."""

import logging
import threading
from contextlib import contextmanager

from django.db import connection, transaction

from .dialects import dialect

logger = logging.getLogger(__name__)
UPKEEP_THREAD = "db-upkeep-after-commit"


def tune_for_bulk_write():
    """Settings for the rest of the caller's transaction, for writing many rows (PostgreSQL: lz4 for large
    values, GIN pending lists left to grow; see bulk.dialects)."""
    with connection.cursor() as cursor:
        dialect().tune(cursor)


@contextmanager
def upkeep_after_commit():
    """SQLite's checkpoint of its log and PostgreSQL's merge of GIN pending lists, left from inside the block to a
    thread of its own, on its own connection, right after the commit. The data is committed and visible before
    it runs."""
    db = dialect()
    if not db.defers_upkeep():
        yield
        return
    with connection.cursor() as cursor:
        db.before_write(cursor)
    try:
        yield
    finally:
        with connection.cursor() as cursor:
            db.after_write(cursor)
    # After the outermost commit (at once when the write's own transaction was the outermost one).
    transaction.on_commit(lambda: threading.Thread(target=_upkeep, args=(db,), name=UPKEEP_THREAD).start())


def _upkeep(db):
    try:
        with connection.cursor() as cursor:  # this thread's own connection
            db.upkeep(cursor)
    except Exception:  # the data is committed: the database does this upkeep itself later (autovacuum, next write)
        logger.warning("upkeep after a bulk write failed", exc_info=True)
    finally:
        connection.close()
