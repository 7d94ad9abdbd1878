"""Bulk SQL: many rows in few statements, on SQLite and PostgreSQL, for the apps that write thousands of rows at
once (catalog.writer for items, publish for the search documents).

Below every app: it knows tables and columns, not items. Use these:

- reserve_ids(model, n), write_rows(table, columns, rows), update_rows(table, columns, rows),
  present(model, field, values) (which of many values are stored);
- Statements (run at once) and BackgroundWriter (run in a second thread, safe by construction: the caller's own
  statements wait for the pending ones), IdPool (ids reserved up front);
- KeyCheck.from_settings() (PostgreSQL, BULK_KEY_CHECK: foreign keys checked once per table, not per row);
- tune_for_bulk_write(), upkeep_after_commit(), UPKEEP_THREAD.

Which database it is is asked in one place, bulk.dialects (`dialect()`, also for what differs elsewhere).
"""

from .dialects import BinaryFormDumper, JsonTextBinaryDumper, binary_copy_types, dialect
from .keys import KeyCheck
from .rows import present, reserve_ids, update_rows, write_rows
from .upkeep import UPKEEP_THREAD, tune_for_bulk_write, upkeep_after_commit
from .writer import BackgroundWriter, IdPool, PendingStatementsError, Statements

__all__ = [
    "UPKEEP_THREAD", "dialect", "BackgroundWriter", "BinaryFormDumper", "IdPool", "JsonTextBinaryDumper", "KeyCheck",
    "PendingStatementsError", "Statements", "binary_copy_types", "present", "reserve_ids", "tune_for_bulk_write",
    "update_rows", "upkeep_after_commit", "write_rows",
]
