"""Import a catalogue spreadsheet: read, validate every row, then write all of it or none of it.

Importer.plan() reads and validates the file and works out what would change (the preview); Importer.run() plans,
then writes that plan in one transaction with one revision per changed item (catalog.writer, bulk) and, when
publishing, the items' search documents (publish.service.BulkIndex). import_file() is both in one call. Both take
and return plain data (ImportResult); views, the commands and the Celery task (imports.jobs, imports.tasks) stay
thin.

The stages live in their own modules: imports.reader (the file), imports.plan (validate, resolve, diff),
imports.commit (write), imports.cells (a cell as the model takes it), imports.process (where an import runs).
This module is the public API: use Importer, Options, ImportResult, import_file, import_process.
"""

from collections import defaultdict
from collections.abc import Callable

from catalog.models import Department, scoped_department_ids

from .cells import clean_cell
from .commit import Committing
from .plan import Planning
from .process import collector_paused, import_process
from .records import ImportResult, ItemRow, Options, file_hash

__all__ = ["ImportResult", "Importer", "ItemRow", "Options", "clean_cell", "collector_paused", "file_hash",
           "import_file", "import_process"]


class Importer(Planning, Committing):
    """One file's import: plan() for the preview, run() to plan and write."""

    def __init__(self, data: bytes, filename: str, user=None, options: Options | None = None,
                 progress: Callable[[int, int], None] | None = None):
        self.data, self.filename, self.user = data, filename, user
        self.options = options or Options()
        # progress(done, total, stage): stage is "read", "validate" (rows) or "write" (items)
        self.progress = progress or (lambda done, total, stage: None)
        self.result = ImportResult()
        self.scope = scoped_department_ids(user) if user is not None else None
        self.items: dict[str, ItemRow] = {}
        self.children: dict[str, dict[str, list]] = defaultdict(dict)  # relation → code → [objects]
        self.new_departments: dict[str, Department] = {}
        self.strings: dict[str, str] = {}
        self.memo: dict[tuple[str, str], dict] = {}  # (sheet, column key) → raw cell → (value, error, raw)
        self.timings: dict[str, float] = {}  # seconds per phase: read, validate, write (for the benchmark)
        self.public_index = None  # the public search documents (publish.service.BulkIndex), when publishing
        self.states = None  # item id → its current content (row or draft), once looked up


def import_file(data: bytes, filename: str, user=None, progress=None, **options) -> ImportResult:
    return Importer(data, filename, user=user, options=Options(**options), progress=progress).run()
