"""Where a bulk write's statements go: at once (Statements) or in a second thread beside the caller
(BackgroundWriter), and the ids handed out to them (IdPool)."""

import threading
from concurrent.futures import ThreadPoolExecutor

from django.db import DEFAULT_DB_ALIAS, connections

from .dialects import dialect
from .keys import KeyCheck
from .rows import reserve_ids, write_rows


class Statements:
    """Where a writer's statements go: here they run at once, in the caller's thread.

    keys: a KeyCheck for the inserts' foreign keys (the caller runs its check() once every insert is done)."""

    def __init__(self, keys: KeyCheck | None = None):
        self.keys = keys

    def insert(self, table: str, columns: list[str], rows):
        write_rows(table, columns, rows, self.keys)

    def call(self, function, *args):
        function(*args)

    def wait(self):
        pass

    def close(self, quietly=False):
        pass


class PendingStatementsError(RuntimeError):
    """A statement ran on the connection while the writer still had statements pending (strict mode)."""


class BackgroundWriter(Statements):
    """Runs the caller's inserts in a second thread, in order, on the caller's connection and in its transaction.

    SQLite and psycopg let go of the GIL while the database works on a statement, so the database writes one batch
    while the caller builds the next: the two cores of a small server both work. That needs statements that are
    one step each: executemany() takes the GIL back after every row, waits each time for the busy caller to give
    it up (the interpreter's switch interval), and became hundreds of times slower. So SQLite gets multi-row
    INSERTs, prepared by the caller; PostgreSQL gets COPY, which psycopg sends in large chunks.

    insert() and call() queue. The caller's own statements on the connection (ORM queries, updates, deletes) must
    not run ahead of the pending ones: an execute wrapper on the connection waits for them first, whatever issues
    the statement, so no caller has to remember to (safe by construction). strict=True raises
    PendingStatementsError instead, for tests that want to see where the caller would have waited.
    """

    def __init__(self, max_pending=12, keys: KeyCheck | None = None, strict=False):
        super().__init__(keys)
        self.db = connections[DEFAULT_DB_ALIAS]
        self.dialect = dialect(self.db)
        self.db.inc_thread_sharing()
        self.strict = strict
        self.writer_thread = None
        self._waiting = False
        self.pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="bulk-writer",
                                       initializer=self._use_callers_connection)
        self.pending = []
        # About one batch of statements: a caller that runs ahead waits rather than piling up rows in memory.
        self.max_pending = max_pending
        self.db.execute_wrappers.append(self._after_pending)

    def _use_callers_connection(self):
        connections[DEFAULT_DB_ALIAS] = self.db
        self.writer_thread = threading.get_ident()

    def _after_pending(self, execute, sql, params, many, context):
        """Django's execute wrapper: a statement from any thread but the writer's waits for the pending ones."""
        if self.pending and not self._waiting and threading.get_ident() != self.writer_thread:
            if self.strict and not all(future.done() for future in self.pending):
                raise PendingStatementsError(f"ran ahead of {len(self.pending)} pending statements: {sql[:80]}")
            self.wait()
        return execute(sql, params, many, context)

    def insert(self, table: str, columns: list[str], rows):
        if rows:
            self.dialect.queue_rows(self, table, columns, rows)

    def call(self, function, *args):
        if self.keys is None:
            self.submit(function, *args)
        else:  # anything but a COPY runs with the row triggers
            self.submit(self._with_triggers, function, *args)

    def _with_triggers(self, function, *args):
        self.keys.triggers_back()
        function(*args)

    def submit(self, function, *args):
        """Queue function(*args) to run in the writer's thread, after the statements queued before it."""
        # Statements that ran leave the list; failed ones stay for wait() to raise.
        self.pending = [future for future in self.pending if not future.done() or future.exception() is not None]
        if len(self.pending) >= self.max_pending:
            if self.pending[0].exception() is not None:  # waits for the oldest statement to finish
                self.wait()  # it failed: raise its error (not what the statements after it then hit)
            self.pending.pop(0)
        self.pending.append(self.pool.submit(function, *args))

    def wait(self):
        """Until every pending statement has run; raises the first error (the transaction is then rolled back).

        On PostgreSQL every statement after a failed one fails too ("current transaction is aborted"): the first
        error is the one that says what went wrong."""
        pending, self.pending = self.pending, []
        errors = [error for error in (future.exception() for future in pending) if error is not None]
        if errors:
            raise errors[0]
        if self.keys is not None:
            self._waiting = True  # its own statement must not wait again
            try:
                self.keys.triggers_back()  # the caller's own statements run with their triggers
            finally:
                self._waiting = False

    def close(self, quietly=False):
        """wait(), then end the thread; may be called again. quietly: while another error is on its way out, the
        statements still queued are dropped and their errors ignored."""
        pool, self.pool = self.pool, None
        if pool is None:
            return
        try:
            if quietly:
                pool.shutdown(wait=True, cancel_futures=True)
                self.pending = []
            else:
                self.wait()
        finally:
            pool.shutdown()
            self.db.execute_wrappers.remove(self._after_pending)
            self.db.dec_thread_sharing()


class IdPool:
    """Primary keys reserved in one go before a bulk write, handed out in order (more are reserved if they run out)."""

    def __init__(self, statements: Statements | None = None):
        self.statements = statements or Statements()
        self.free: dict[type, list[int]] = {}

    def reserve(self, model, count: int):
        self.free[model] = reserve_ids(model, count)[::-1]

    def take(self, model, count: int) -> list[int]:
        free = self.free.setdefault(model, [])
        taken = [free.pop() for _ in range(min(count, len(free)))]
        if len(taken) < count:
            taken += reserve_ids(model, count - len(taken))
        return taken
