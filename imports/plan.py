"""Planning an import: each sheet read and validated as it streams in, departments and existing items resolved,
rules compiled, and what would change worked out (the preview). A mixin of imports.service.Importer."""

import time
from collections import defaultdict

from django.utils.translation import gettext as _
from wagtail.models import Revision

from bulk import present
from catalog.models import Department, ServiceItem
from catalog.validators import SICHUAN_CODE
from publish.service import BulkIndex

from . import values
from .cells import blank_ok, child_keys, child_tuple, clean_cell, is_row
from .form_sheet import FormPlan
from .reader import FileRefused, RowError, SheetData, read_workbook
from .records import CHUNK, MEMO_LIMIT, REQUIRED_ITEM_COLUMNS, ImportResult, ItemRow
from .situations import (
    MaterialRules,
    compile_questions,
    rules_left_without_questions,
    stored_material_rules,
    stored_questions,
)
from .spec import (
    CHILD_SHEETS,
    CHOICE,
    FORM_SHEET,
    ITEM_SHEET,
    LEGAL,
    LIMIT,
    MATERIALS_SHEET,
    SITUATIONS_SHEET,
    Column,
    Sheet,
)


class Planning:
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
                elif value is None or (value == "" and column.kind == CHOICE and not blank_ok(column)):
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
                new = [child_tuple(relation, fields) for _n, fields in self.children[relation].get(code, [])]
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
        drafts = {pk: state for pk, state in self.states.items() if state is not None and not is_row(state)}
        ids = [i.pk for i in items if i.pk not in drafts]
        for relation in relations:
            model = ServiceItem._meta.get_field(relation).related_model
            keys = child_keys(relation)
            for start in range(0, len(ids), CHUNK):
                for row in model.objects.filter(item_id__in=ids[start : start + CHUNK]).order_by(
                    "item_id", "sort_order", "pk"
                ).values_list("item_id", *keys):
                    result[relation][row[0]].append(tuple(row[1:]))
            for pk, state in drafts.items():
                result[relation][pk] = [tuple(getattr(c, k) for k in keys) for c in getattr(state, relation).all()]
        return result

    # --- writing ------------------------------------------------------------------------------------------------
