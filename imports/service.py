"""Import a catalogue spreadsheet: read, validate every row, then write all of it or none of it.

Importer.plan() reads and validates the file and works out what would change (the preview); Importer.run() plans,
then writes that plan in one transaction with one revision per changed item (catalog.writer, bulk) and, when
publishing, the items' search documents (publish.service.BulkIndex). import_file() is both in one call. Both take
and return plain data (ImportResult); views, the commands and the Celery task (imports.jobs, imports.tasks) stay
thin.
"""

import gc
import hashlib
import threading
import time
from collections import defaultdict
from collections.abc import Callable
from contextlib import contextmanager
from dataclasses import dataclass, field

from django.db import transaction
from django.utils.translation import gettext as _
from wagtail.models import Revision

from bulk import BackgroundWriter, IdPool, KeyCheck, present, reserve_ids, tune_for_bulk_write, upkeep_after_commit
from catalog.models import Department, LegalBasis, ServiceItem, scoped_department_ids
from catalog.revisions import serializable_data
from catalog.validators import SICHUAN_CODE
from catalog.writer import ItemContent, ItemWriter, child_relations, jsonb_ordered
from publish.service import BulkIndex, bulk_committed

from . import values
from .form_sheet import FormPlan
from .reader import FileRefused, RowError, SheetData, Workbook, read_workbook
from .situations import (
    MaterialRules,
    compile_questions,
    rules_left_without_questions,
    stored_material_rules,
    stored_questions,
)
from .spec import (
    BOOL,
    CHILD_SHEETS,
    CHOICE,
    FORM_SHEET,
    INT,
    ITEM_SHEET,
    KEY,
    LEGAL,
    LIMIT,
    MATERIALS_SHEET,
    MULTI,
    OPTIONS,
    RULE,
    SITUATIONS_SHEET,
    TEXT,
    Column,
    Sheet,
)

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


class Importer:
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

    # --- errors ---------------------------------------------------------------------------------------------
    def error(self, sheet, row, column, value, message):
        self.result.errors.append(RowError(sheet, row, column, values.cell_text(value)[:200], str(message)))
        if row is not None:
            self.result.error_rows.setdefault(sheet, {}).setdefault(row, []).append(
                f"{column}：{message}" if column else str(message)
            )

    # --- reading and validating -------------------------------------------------------------------------------
    def plan(self) -> ImportResult:
        started = time.perf_counter()
        self.progress(0, 0, "read")
        self.rows_validated = self.rows_expected = 0
        try:
            workbook = read_workbook(self.data, self.filename, self.options.mapping, on_sheet=self._sheet_read)
        except FileRefused as exc:
            self.result = ImportResult()  # the file as a whole is refused: that is the one error
            self.error("", None, "", self.filename, str(exc))
            return self.result
        self.timings["read"] = time.perf_counter() - started  # with the item sheet validated meanwhile
        started = time.perf_counter()
        self.result.workbook = workbook
        self.result.warnings.extend(workbook.warnings)
        for err in workbook.errors:
            self.error(err.sheet, err.row, err.column, err.value, err.message)
        if ITEM_SHEET.name not in workbook.sheets and not any(s.name in workbook.sheets
                                                               for s in (*CHILD_SHEETS, FORM_SHEET)):
            if not workbook.errors:
                self.error("", None, "", self.filename,
                           _("找不到事项表：没有一个工作表的表头包含“实施编码”和“事项名称”"))
            return self.result
        self.result.rows_total = sum(sheet.row_count for sheet in workbook.sheets.values())
        self._resolve_existing()
        for spec in CHILD_SHEETS:
            if spec.name in workbook.sheets:
                self._resolve_unknown_children(workbook.sheets[spec.name])
        self._compile_rules()
        self.forms = FormPlan(self).compile()  # the 表单字段 sheet's rows, one form per item
        self._diff()
        self.memo = {}
        self.timings["validate"] = time.perf_counter() - started
        return self.result

    def _sheet_read(self, sheet: SheetData):
        """Each sheet as soon as its header is found: its rows are validated as they are read (and not kept), while
        the reader loads the next sheet (the materials, four times the rows) in its background thread."""
        self.rows_expected += sheet.expected_rows
        self.progress(self.rows_validated, self.rows_expected, "validate")
        if sheet.spec is ITEM_SHEET:
            if self.options.publish and not self.options.dry_run:
                # Its analysing process starts now, while the rest of the file is read and checked, so that it is
                # ready for the first batch written: started then, it held the writing up for a second and a half.
                self.public_index = BulkIndex(sheet.expected_rows)
            self._read_items(sheet)
            if self.public_index is not None:  # its process is idle while the materials are read
                self.public_index.segment_ahead([row.values["name"] for row in self.items.values()
                                                 if row.values.get("name")])
        else:
            self._read_children(sheet)
        # The sheet's height counted its blank rows too: the total now counts the rows there were.
        expected = max(self.rows_validated, self.rows_expected - sheet.expected_rows + sheet.row_count)
        if expected != self.rows_expected:
            self.rows_expected = expected
            self.progress(self.rows_validated, expected, "validate")

    def _check_columns(self, sheet: SheetData, required) -> bool:
        missing = [sheet.spec.column(k).header for k in required if k not in sheet.columns.values()]
        if missing:
            self.error(sheet.source_name, sheet.header_row, "、".join(missing), "",
                       _("缺少必填列：%(cols)s") % {"cols": "、".join(missing)})
            return False
        return True

    def _clean(self, column: Column, raw, memo: dict) -> tuple:
        """(value, error message or None, raw) for one cell, remembered in memo: spreadsheets repeat their values,
        so each distinct cell of a column is cleaned once. The callers look in memo first (inline: it is the
        import's innermost loop) and call this for what is not there."""
        value, error = clean_cell(column, raw)
        if type(value) is str and len(value) <= 64:
            value = self.strings.setdefault(value, value)  # one object per distinct short text (memory)
        found = (value, error, raw)
        if len(memo) < MEMO_LIMIT:
            memo[raw] = found
        return found

    def _cell_error(self, sheet: SheetData, number: int, column: Column, found: tuple):
        self.error(sheet.source_name, number, sheet.headers.get(column.key, column.header), found[2], found[1])

    def _validating(self, rows):
        """The sheet's rows, one by one, with the validation progress reported."""
        for row in rows:
            yield row
            self.rows_validated += 1
            if self.rows_validated % 20000 == 0:
                self.progress(self.rows_validated, max(self.rows_expected, self.rows_validated), "validate")

    def _cleaning(self, sheet: SheetData, spec: Sheet):
        """For each of the sheet's columns, in the spec's order (a row's errors are listed in it): (column, position
        in a row, memo of its cells). A memo belongs to one sheet's column: two sheets' columns of one name may
        clean differently (an item's name allows 200 characters, a material's 300)."""
        at = {key: index for index, key in enumerate(sheet.keys)}
        return [(column, at[column.key], self.memo.setdefault((spec.name, column.key), {}))
                for column in spec.columns if column.key in at]

    def header(self, key):
        sheet = getattr(self, "item_sheet", None)
        column = ITEM_SHEET.column(key)
        return sheet.headers.get(key, column.header) if sheet else column.header

    @property
    def item_sheet_name(self):
        sheet = getattr(self, "item_sheet", None)
        return sheet.source_name if sheet else ITEM_SHEET.name

    def _read_items(self, sheet: SheetData):
        self.item_sheet = sheet
        if not self._check_columns(sheet, REQUIRED_ITEM_COLUMNS):
            return
        has_department = bool({"department", "department_code"} & set(sheet.columns.values()))
        if not has_department and not self.options.department:
            self.error(sheet.source_name, sheet.header_row, "实施主体", "",
                       _("缺少“实施主体”列：请加上该列，或导入时指定部门"))
            return
        first_row = {}
        present = set(sheet.columns.values())
        cleaning = self._cleaning(sheet, ITEM_SHEET)
        for number, cells in self._validating(sheet.rows):
            ok = True
            row = ItemRow(number, "", {})
            for column, at, memo in cleaning:
                raw = cells[at]
                found = memo.get(raw)
                if found is None or type(raw) is not type(found[2]):  # 1 == 1.0 == True: same key, not same cell
                    found = self._clean(column, raw, memo)
                if found[1] is not None:
                    self._cell_error(sheet, number, column, found)
                    ok = False
                    continue
                value = found[0]
                if column.key == "department":
                    row.department_name = value
                elif column.key == "department_code":
                    row.department_code = value
                elif column.kind == LEGAL:
                    row.legal_bases = value
                elif column.kind == LIMIT:
                    number_value, unit = value
                    row.values[column.key] = number_value
                    if unit and f"{column.key}_unit" not in present:
                        row.values[f"{column.key}_unit"] = unit
                elif value is None or (value == "" and column.kind == CHOICE and not _blank_ok(column)):
                    row.values[column.key] = ServiceItem._meta.get_field(column.key).get_default()
                else:
                    row.values[column.key] = value
            code = row.values.get("implementation_code") or ""
            if code in first_row:
                self.error(sheet.source_name, number, self.header("implementation_code"), code,
                           _("实施编码在本文件中重复（第%(row)d行已有）") % {"row": first_row[code]})
                ok = False
            elif code:
                first_row[code] = number
            if not ok:
                self.result.refused += 1
                continue
            row.code = code
            self.items[code] = row
        self._resolve_departments(sheet)

    def _resolve_departments(self, sheet: SheetData):
        by_code, by_name = {}, {}
        for department in Department.objects.all():
            by_code[department.credit_code] = department
            by_name.setdefault(department.name, department)
            if department.short_name:
                by_name.setdefault(department.short_name, department)
        forced = None
        if self.options.department:
            forced = by_code.get(self.options.department) or by_name.get(self.options.department)
            if forced is None:
                self.error("", None, "", self.options.department,
                           _("指定的部门“%(d)s”不存在") % {"d": self.options.department})
                return
        refused = []
        for code, row in self.items.items():
            found = by_code.get(row.department_code) if row.department_code else None
            found = found or (by_name.get(row.department_name) if row.department_name else None)
            if forced is not None:
                if found is not None and found != forced:
                    self.error(sheet.source_name, row.row, self.header("department"), row.department_label,
                               _("与指定的部门“%(d)s”不一致") % {"d": forced})
                    refused.append(code)
                    continue
                found = forced
            if found is None and (row.department_name or row.department_code):
                if self.options.create_departments and self.scope is None:
                    found = self._new_department(row, by_code, by_name)
                    if found is None:
                        refused.append(code)
                        continue
                else:
                    hint = _("（可使用“新建部门”选项）") if self.scope is None else ""
                    self.error(sheet.source_name, row.row, self.header("department"), row.department_label,
                               _("系统中没有这个部门%(hint)s") % {"hint": hint})
                    refused.append(code)
                    continue
            if found is None:
                self.error(sheet.source_name, row.row, self.header("department"), "", _("必填，不能为空"))
                refused.append(code)
                continue
            if self.scope is not None and found.pk is not None and found.pk not in self.scope:
                self.error(sheet.source_name, row.row, self.header("department"), row.department_name or str(found),
                           _("无权导入部门“%(d)s”的事项：只能导入本部门及下级部门的事项") % {"d": found})
                refused.append(code)
                continue
            row.department = found
        for code in refused:
            del self.items[code]
            self.result.refused += 1

    def _new_department(self, row, by_code, by_name):
        if not row.department_code:
            self.error(self.item_sheet_name, row.row, self.header("department_code"), "",
                       _("新建部门“%(d)s”需要填写实施主体编码（统一社会信用代码）") % {"d": row.department_name})
            return None
        if len(row.department_code) > 32:
            self.error(self.item_sheet_name, row.row, self.header("department_code"), row.department_code,
                       _("超过最大长度32字"))
            return None
        name = row.department_name or row.department_code
        match = SICHUAN_CODE.match(row.values.get("implementation_code", ""))
        department = Department(name=name[:100], short_name=name[:50], credit_code=row.department_code,
                                division_code=match["area"][:6] if match else "")
        self.new_departments[row.department_code] = department
        by_code[row.department_code] = department
        by_name.setdefault(name, department)
        return department

    def _resolve_existing(self):
        # The stored ones first (mostly none of them, in a first import: then no item is loaded).
        codes = present(ServiceItem, "implementation_code", list(self.items))
        existing = {}
        for start in range(0, len(codes), CHUNK):
            for item in ServiceItem.objects.filter(implementation_code__in=codes[start : start + CHUNK]).select_related(
                "department"
            ):
                existing[item.implementation_code] = item
        refused = []
        for code, row in self.items.items():
            item = existing.get(code)
            if item is None:
                continue
            if self.scope is not None and item.department_id not in self.scope:
                self.error(self.item_sheet_name, row.row, self.header("implementation_code"), code,
                           _("该实施编码不能使用，请核对"))  # never whether another department has it
                refused.append(code)
            elif row.department is not None and row.department.pk != item.department_id:
                self.error(self.item_sheet_name, row.row, self.header("implementation_code"), code,
                           _("该实施编码已属于部门“%(d)s”的事项“%(n)s”，不能归到“%(new)s”")
                           % {"d": item.department, "n": item.name, "new": row.department})
                refused.append(code)
            else:
                row.existing = item
        for code in refused:
            del self.items[code]
            self.result.refused += 1
        self._outside_items = {}

    def _read_children(self, sheet: SheetData):
        spec: Sheet = sheet.spec
        if not self._check_columns(sheet, [c.key for c in spec.columns if c.required]):
            return
        cleaning = self._cleaning(sheet, spec)
        fields_of = {f.name: f for f in spec.model._meta.get_fields()}  # (the item's code is no field of a child)
        defaults = {c.key: fields_of[c.key].get_default() if c.key in fields_of else None for c, _at, _m in cleaning}
        by_code = self.children[spec.relation]
        for number, cells in self._validating(sheet.rows):
            ok, fields = True, {}
            for column, at, memo in cleaning:
                raw = cells[at]
                found = memo.get(raw)
                if found is None or type(raw) is not type(found[2]):
                    found = self._clean(column, raw, memo)
                if found[1] is not None:
                    self._cell_error(sheet, number, column, found)
                    ok = False
                elif ok:
                    fields[column.key] = defaults[column.key] if found[0] is None else found[0]
            if ok:
                by_code.setdefault(fields.pop("item_code"), []).append((number, fields))

    def _resolve_unknown_children(self, sheet: SheetData):
        """Children of items that are not in the item sheet: the item must exist and be in scope."""
        spec: Sheet = sheet.spec
        unknown_codes = set(self.children[spec.relation]) - set(self.items)
        if unknown_codes:
            found = {
                i.implementation_code: i for i in ServiceItem.objects.filter(implementation_code__in=unknown_codes)
            }
            for code in unknown_codes:
                item = found.get(code)
                rows = self.children[spec.relation].pop(code)
                if item is None or (self.scope is not None and item.department_id not in self.scope):
                    # Said the same whether the code is unknown or another department's: nothing is confirmed.
                    message = _("找不到实施编码为此值的事项（须在“事项”表或系统中存在）") if self.scope is None else _(
                        "该实施编码不能使用：须是“事项”表中的事项，或本部门已有的事项")
                    for number, _fields in rows:
                        self.error(sheet.source_name, number, "实施编码", code, message)
                    continue
                if code not in self.items:
                    self.items[code] = ItemRow(rows[0][0], code, {}, department=item.department, existing=item)
                self.children[spec.relation][code] = rows

    def _compile_rules(self):
        """The rules written in the readable syntax, once every sheet is read (the 情形 sheet may come after the
        materials): questions' 提问条件, then the 适用情形 of the materials of items that have questions."""
        sheets = self.result.workbook.sheets
        file_questions = {}
        if SITUATIONS_SHEET.name in sheets:
            sheet = sheets[SITUATIONS_SHEET.name]
            file_questions = {code: [fields for _n, fields in rows]
                              for code, rows in self.children[SITUATIONS_SHEET.relation].items()}
            for rows in self.children[SITUATIONS_SHEET.relation].values():
                self._rule_errors(sheet, SITUATIONS_SHEET, compile_questions(rows))
            if MATERIALS_SHEET.name not in sheets:
                self._check_kept_rules(sheet, file_questions)
        sheet = sheets.get(MATERIALS_SHEET.name)
        if sheet is None or "situations" not in sheet.keys:
            return  # (the cost of an import without 适用情形: none)
        materials = self.children[MATERIALS_SHEET.relation]
        questions = file_questions
        if SITUATIONS_SHEET.name not in sheets:  # the items keep their questions: those of the ones named here
            named = {code: self.items[code].existing for code, rows in materials.items()
                     if self.items[code].existing is not None and any(f.get("situations") for _n, f in rows)}
            if not named:
                return
            self.states = self._current_states([row.existing for row in self.items.values() if row.existing])
            stored = stored_questions({item.pk: self.states[item.pk] for item in named.values()})
            questions = {code: stored.get(item.pk) for code, item in named.items()}
        rules = MaterialRules()
        for code, rows in materials.items():
            if questions.get(code):
                self._rule_errors(sheet, MATERIALS_SHEET, rules.compile(questions[code], rows))

    def _check_kept_rules(self, sheet: SheetData, file_questions: dict):
        """New questions and no materials sheet: the items keep their materials, whose rules must not name a question
        that the file takes away."""
        existing = [row.existing for row in self.items.values() if row.existing is not None]
        if not existing:
            return
        self.states = self._current_states(existing)
        kept = stored_material_rules({item.pk: self.states[item.pk] for item in existing})
        for code, row in self.items.items():
            if row.existing is None or not kept.get(row.existing.pk):
                continue
            first = self.children[SITUATIONS_SHEET.relation].get(code)
            for material, key in rules_left_without_questions(file_questions.get(code, []), kept[row.existing.pk]):
                self.error(sheet.source_name, first[0][0] if first else None,
                           sheet.headers.get("key", "问题标识") if first else "", code,
                           _("事项%(code)s的申请材料“%(material)s”的适用情形用到了情形问题“%(key)s”，本文件的“情形”表中"
                             "该事项没有这个问题：请保留这个问题，或在“申请材料”表中一并修改")
                           % {"code": code, "material": material, "key": key})

    def _rule_errors(self, sheet: SheetData, spec: Sheet, errors):
        for error in errors:
            self.error(sheet.source_name, error.row, sheet.headers.get(error.column, spec.column(error.column).header),
                       error.value, error.message)

    # --- working out what changes -----------------------------------------------------------------------------
    def _current_states(self, items: list[ServiceItem]) -> dict[int, ServiceItem]:
        """The content each existing item has now: its draft when one is pending, else its row."""
        drafts = [i for i in items if i.live and i.has_unpublished_changes and i.latest_revision_id]
        states = {i.pk: i for i in items}
        if drafts:
            revisions = Revision.objects.in_bulk([i.latest_revision_id for i in drafts])
            for item in drafts:
                revision = revisions.get(item.latest_revision_id)
                if revision is not None:
                    state = revision.as_object()
                    # (its _state says "from the database" as a row's does: only this mark tells a draft from a row)
                    state._from_revision = True
                    states[item.pk] = state
        return states

    def _diff(self):
        existing = [row.existing for row in self.items.values() if row.existing is not None]
        if self.states is None:  # (looked up already when the materials' rules needed the items' questions)
            self.states = self._current_states(existing)
        relations = [spec.relation for spec in CHILD_SHEETS if spec.name in self.result.workbook.sheets]
        compare_legal = any(row.legal_bases is not None for row in self.items.values())
        children_now = self._children_now(existing, relations + (["legal_bases"] if compare_legal else []))
        self.changed: list[ItemRow] = []
        for code, row in self.items.items():
            if row.existing is None:
                self.result.created += 1
                self.changed.append(row)
                continue
            state = self.states[row.existing.pk]
            different = code in self.forms.changed or any(
                getattr(state, key) != value for key, value in row.values.items())
            for relation in relations:
                if different:
                    break
                new = [_child_tuple(relation, fields) for _n, fields in self.children[relation].get(code, [])]
                different = new != children_now[relation].get(row.existing.pk, [])
            if not different and row.legal_bases is not None:
                different = row.legal_bases != children_now["legal_bases"].get(row.existing.pk, [])
            if different:
                self.result.updated += 1
                self.changed.append(row)
            else:
                self.result.unchanged += 1

    def _children_now(self, items, relations):
        result = {relation: defaultdict(list) for relation in relations}
        drafts = {pk: state for pk, state in self.states.items() if state is not None and not _is_row(state)}
        ids = [i.pk for i in items if i.pk not in drafts]
        for relation in relations:
            model = ServiceItem._meta.get_field(relation).related_model
            keys = _child_keys(relation)
            for start in range(0, len(ids), CHUNK):
                for row in model.objects.filter(item_id__in=ids[start : start + CHUNK]).order_by(
                    "item_id", "sort_order", "pk"
                ).values_list("item_id", *keys):
                    result[relation][row[0]].append(tuple(row[1:]))
            for pk, state in drafts.items():
                result[relation][pk] = [tuple(getattr(c, k) for k in keys) for c in getattr(state, relation).all()]
        return result

    # --- writing ------------------------------------------------------------------------------------------------
    def run(self) -> ImportResult:
        with collector_paused():
            try:
                return self._run()
            finally:
                if self.public_index is not None:
                    self.public_index.close()

    def _run(self) -> ImportResult:
        self.plan()
        if self.result.errors or self.options.dry_run:
            return self.result
        started = time.perf_counter()
        self.items = {}  # the changed rows are in self.changed; each batch is freed once written
        with upkeep_after_commit(), transaction.atomic():
            self._write()
        self.timings["write"] = time.perf_counter() - started
        # The cleaned rows are written: free them.
        self.items, self.children, self.states, self.changed, self.strings = {}, defaultdict(dict), {}, [], {}
        self.result.written = True
        return self.result

    def _write(self):
        if self.new_departments:
            Department.objects.bulk_create(list(self.new_departments.values()))
        total = len(self.changed)
        self.progress(0, total, "write")
        # Every key up front: a sub-item can then name its main item wherever that one is in the file, and the
        # loop below never has to stop the background writer to reserve more.
        new = [row for row in self.changed if row.existing is None]
        for row, pk in zip(new, reserve_ids(ServiceItem, len(new)), strict=True):
            row.item_id = pk
        tune_for_bulk_write()
        keys = KeyCheck.from_settings()
        self.statements = BackgroundWriter(keys=keys)
        try:
            ids = IdPool(self.statements)
            ids.reserve(Revision, total)
            for model, count in self._child_rows_coming().items():
                ids.reserve(model, count)
            writer = ItemWriter(user=self.user, publish=self.options.publish, statements=self.statements, ids=ids)
            template = writer.template()
            child_templates = writer.child_templates()
            self.codes = {row.item_id: row.code for row in new}
            self._main_items = self._main_item_ids()
            indexed = []
            index = None
            if self.options.publish:
                if self.public_index is None:  # (no item sheet: started here, not while reading)
                    self.public_index = BulkIndex(total)
                index = self.public_index
                index.begin(ids, total, self.codes)
            # In batches: two batches of content dictionaries at most are in memory at a time (see below).
            unindexed = None  # the batch whose documents are stored after the next batch's rows
            for start in range(0, total, CHUNK):
                rows = self.changed[start : start + CHUNK]
                self.changed[start : start + CHUNK] = [None] * len(rows)
                batch = self._write_batch(writer, index, rows, template, child_templates)
                if index is not None:
                    indexed += [row.item_id for row in rows]
                    # One batch behind: the analysing process works on this batch while this thread builds the
                    # next one, instead of this thread waiting for it (and the database for this thread).
                    if unindexed is not None:
                        self._store_documents(index, *unindexed)
                    unindexed = batch
                self.progress(min(start + CHUNK, total), total, "write")
            if unindexed is not None:
                self._store_documents(index, *unindexed)
            lap = self._lap()
            self.statements.close()
            lap = lap("write: waiting for the writer thread")
            if keys is not None:
                keys.check()
                lap = lap("write: foreign keys, once per table")
            if index is not None:
                index.finish()
                lap("write: term frequencies")
        finally:
            self.statements.close(quietly=True)  # (done above, unless an error is on its way out)
        if indexed:
            transaction.on_commit(lambda: self._after_publish(indexed))

    def _child_rows_coming(self) -> dict[type, int]:
        """Child model → rows this import inserts (about: items kept as drafts write no child rows)."""
        coming = {}
        for relation, model in child_relations().items():
            by_code = self.children[relation]
            if by_code:  # (a relation with no sheet in the file has no rows coming)
                coming[model] = sum(len(by_code.get(row.code, ())) for row in self.changed)
        coming[LegalBasis] = sum(len(row.legal_bases or ()) for row in self.changed)
        return coming

    def _main_item_ids(self) -> dict[tuple[int, str], int]:
        """(department id, item name) → item id, for the departments of the rows that name a main item: the file's
        new items and the items already stored. A sub-item is linked to the main item of that name in its own
        department, as the demo list's sub-items are."""
        named = {row.department.pk for row in self.changed if row.values.get("main_item_name")}
        found = {}
        for pk, department_id, name in ServiceItem.objects.filter(department_id__in=named).values_list(
                "pk", "department_id", "name"):
            found.setdefault((department_id, name), pk)
        for row in self.changed:
            if row.department.pk in named and row.values.get("name"):
                found[(row.department.pk, row.values["name"])] = row.item_id or row.existing.pk
        return found

    def _write_batch(self, writer, index, rows, template, child_templates):
        lap = self._lap()
        contents = self._contents(rows, template, child_templates)
        lap = lap("write: content")
        # The public index's text analysis runs in a second process while this one writes the rows.
        analysed = index.analyse(contents, [row.department for row in rows]) if index is not None else None
        writer.write(contents)
        lap = lap("write: items, children, revisions")
        for row, content in zip(rows, contents, strict=True):
            row.item_id = content.pk
            # What undo needs: the item, the revision the import wrote, and the revisions it had before.
            if row.existing is None:
                self.result.changes.append({"created": True, "code": row.code, "item": content.pk,
                                            "revision": content.revision_id})
            else:
                self.result.changes.append({"created": False, "item": row.existing.pk,
                                            "revision": content.revision_id,
                                            "latest": row.existing.latest_revision_id,
                                            "live": row.existing.live_revision_id})
        return rows, contents, analysed

    def _store_documents(self, index, rows, contents, analysed):
        lap = self._lap()
        index.store(contents, [row.department for row in rows], analysed, self.statements)
        lap("write: public search index")

    def _after_publish(self, ids):
        bulk_committed(ids)

    def _lap(self, started=None):
        """A stopwatch for the benchmark: lap(name) adds the time since the previous lap to timings[name]."""
        started = time.perf_counter() if started is None else started

        def lap(next_name):
            now = time.perf_counter()
            self.timings[next_name] = self.timings.get(next_name, 0.0) + now - started
            return self._lap(now)

        return lap

    def _contents(self, rows: list[ItemRow], template: dict, child_templates: dict) -> list[ItemContent]:
        """Each changed item's new content, as the revision will hold it: the file's values over the item's current
        content (or the defaults), its child sheets' rows in place of its children."""
        publish = self.options.publish
        present = [spec.relation for spec in CHILD_SHEETS if spec.name in self.result.workbook.sheets]
        present += [FORM_SHEET.relation] if FORM_SHEET.name in self.result.workbook.sheets else []
        current = self._current_contents([row for row in rows if row.existing is not None])
        contents = []
        for row in rows:
            if row.existing is None:
                data = {**template, **row.values, "department": row.department.pk}
                data.update({relation: [] for relation in child_templates})
            else:
                data = current[row.existing.pk]
                data.update(row.values)
                data["updated_at"] = template["updated_at"]
            replace = []
            for relation in present:
                fresh = child_templates[relation]
                # Popped: the file's rows are freed as their items are written.
                rows = self.children[relation].pop(row.code, None)
                if rows is None and relation == FORM_SHEET.relation:
                    continue  # an item without 表单字段 rows keeps its form
                data[relation] = [{**fresh, **fields} for _n, fields in rows or []]
                replace.append(relation)
            if row.legal_bases is not None:
                fresh = child_templates["legal_bases"]
                data["legal_bases"] = [{**fresh, "law": law, "article": article, "text": text}
                                       for law, article, text in row.legal_bases]
                replace.append("legal_bases")
            main = data["main_item_name"]
            if main and not data["parent"] and main != data["name"]:  # named after itself: its own main item
                parent = self._main_items.get((row.department.pk, main))
                if parent != (row.item_id or data["pk"]):
                    data["parent"] = parent
            as_draft = row.existing is not None and not publish and row.existing.live
            contents.append(ItemContent(data, existing=row.existing, replace=tuple(replace), as_draft=as_draft,
                                        pk=row.item_id))
        return contents

    def _current_contents(self, rows: list[ItemRow]) -> dict[int, dict]:
        """The revision content of each existing item as it is now: its pending draft, or its row and children."""
        contents, from_rows = {}, []
        for row in rows:
            state = self.states[row.existing.pk]
            if _is_row(state):
                from_rows.append(row.existing.pk)
            else:
                contents[row.existing.pk] = jsonb_ordered(serializable_data(state))
        relations = list(child_relations())
        for item in ServiceItem.objects.filter(pk__in=from_rows).prefetch_related(*relations):
            contents[item.pk] = jsonb_ordered(serializable_data(item))
        return contents


_collector = {"imports": 0, "was_enabled": False, "import_process": 0}
_collector_lock = threading.Lock()


@contextmanager
def import_process():
    """Within it, this process runs imports and serves no requests: the import commands (run_import_job,
    run_import_worker, import_catalog) and the Celery task in a worker. Only there does an import pause the
    collector (collector_paused); a web process never enters it, so its requests always have their collector."""
    with _collector_lock:
        _collector["import_process"] += 1
    try:
        yield
    finally:
        with _collector_lock:
            _collector["import_process"] -= 1


@contextmanager
def collector_paused():
    """Python's cyclic garbage collector paused while an import runs in a process of its own (import_process).

    An import holds millions of small objects (cells, cleaned rows, contents) and makes no reference cycles to
    speak of, but every full collection scanned them all again: 100,000 items took 19.3 s with the collector
    running, 15.3 s without. Reference counting frees everything as usual meanwhile; the collector resumes (and
    catches up on any cycles) when the last import ends. The collector is the whole process's: anywhere else (an
    import inside a web process, a test) it keeps running."""
    with _collector_lock:
        pausing = _collector["import_process"] > 0
        if pausing:
            if _collector["imports"] == 0:
                _collector["was_enabled"] = gc.isenabled()
                gc.disable()
            _collector["imports"] += 1
    try:
        yield
    finally:
        if pausing:
            with _collector_lock:
                _collector["imports"] -= 1
                if _collector["imports"] == 0 and _collector["was_enabled"]:
                    gc.enable()


def clean_cell(column: Column, raw):
    """A cell's value for the model, and the error message when it cannot be one (None when it is fine)."""
    kind = column.kind
    error = None
    if kind == TEXT:
        value = values.compact(raw) if column.key in CODE_KEYS else values.text(raw)
        if column.max_length and len(value) > column.max_length:
            error = _("超过最大长度%(max)d字（实际%(n)d字）") % {"max": column.max_length, "n": len(value)}
        if column.key in ("online_url", "source_url") and value and not value.lower().startswith(
            ("http://", "https://")
        ):
            error = _("网址应以 http:// 或 https:// 开头")
    elif kind == CHOICE:
        value, error = values.parse_choice(raw, column.choices)
    elif kind == MULTI:
        value, error = values.parse_multi(raw, column.choices)
    elif kind == INT:
        value, error = values.parse_int(raw)
        if value is not None and value > 32767:
            error = _("数值过大")
    elif kind == LIMIT:
        value, error = values.parse_limit(raw)
    elif kind == BOOL:
        value, error = values.parse_bool(raw)
    elif kind == LEGAL:
        value, error = values.parse_legal_bases(raw)
    elif kind == KEY:
        value, error = values.parse_key(raw)
    elif kind == OPTIONS:
        value, error = values.parse_options(raw)
    elif kind == RULE:  # compiled once the item's questions are known (Importer._compile_rules)
        value = values.text(raw)
    else:  # pragma: no cover - every kind is handled above
        raise ValueError(kind)
    if error is None and column.required and value in ("", None, []):
        error = _("必填，不能为空")
    return value, error


def _is_row(state) -> bool:
    return not getattr(state, "_from_revision", False)


def _blank_ok(column: Column) -> bool:
    return ServiceItem._meta.get_field(column.key).blank


def _child_keys(relation):
    if relation == "legal_bases":
        return ("law", "article", "text")
    spec = next(s for s in CHILD_SHEETS if s.relation == relation)
    return tuple(c.key for c in spec.columns if c.key != "item_code") + spec.derived


def _child_tuple(relation, fields):
    model = ServiceItem._meta.get_field(relation).related_model
    return tuple(fields[k] if k in fields else model._meta.get_field(k).get_default() for k in _child_keys(relation))


def import_file(data: bytes, filename: str, user=None, progress=None, **options) -> ImportResult:
    return Importer(data, filename, user=user, options=Options(**options), progress=progress).run()
