"""The plain data an import works on and answers with: its rows, its options, its result."""

import hashlib
from dataclasses import dataclass, field

from catalog.models import Department, ServiceItem

from .reader import RowError, Workbook

CODE_KEYS = {"implementation_code", "basic_code", "department_code", "item_code"}
REQUIRED_ITEM_COLUMNS = ("implementation_code", "name", "item_type")
CHUNK = 5000
# Cleaned values remembered per column (spreadsheets repeat their values); a column of unique texts stops here.
MEMO_LIMIT = 200_000


@dataclass
class ItemRow:
    row: int
    code: str
    values: dict  # model field → value, only for the columns the file has
    department_name: str = ""
    department_code: str = ""
    legal_bases: list | None = None  # None: the file has no 设定依据 column
    department: Department | None = None
    existing: ServiceItem | None = None
    item_id: int | None = None  # once written

    @property
    def department_label(self):
        return self.department_name or self.department_code


@dataclass
class ImportResult:
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    refused: int = 0
    errors: list[RowError] = field(default_factory=list)
    warnings: list[RowError] = field(default_factory=list)
    written: bool = False
    rows_total: int = 0
    changes: list[dict] = field(default_factory=list)
    error_rows: dict[str, dict[int, list[str]]] = field(default_factory=dict)
    workbook: Workbook | None = None

    def as_json(self):
        return {
            "created": self.created,
            "updated": self.updated,
            "unchanged": self.unchanged,
            "errors": [e.as_dict() for e in self.errors],
        }


@dataclass
class Options:
    department: str = ""  # credit code (or name) of the department every row belongs to
    create_departments: bool = False
    publish: bool = False
    dry_run: bool = False
    mapping: dict | None = None


def file_hash(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()
