"""Committing an import: the plan written in one transaction (catalog.writer through bulk's background writer),
and the search documents of published items (publish.service). A mixin of imports.service.Importer."""

import time
from collections import defaultdict

from django.db import transaction
from wagtail.models import Revision

from bulk import BackgroundWriter, IdPool, KeyCheck, reserve_ids, tune_for_bulk_write, upkeep_after_commit
from catalog.models import Department, LegalBasis, ServiceItem
from catalog.revisions import serializable_data
from catalog.writer import ItemContent, ItemWriter, child_relations, jsonb_ordered
from publish.service import BulkIndex, bulk_committed

from .cells import is_row
from .process import collector_paused
from .records import CHUNK, ImportResult, ItemRow
from .spec import (
    CHILD_SHEETS,
    FORM_SHEET,
)


class Committing:
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
            if is_row(state):
                from_rows.append(row.existing.pk)
            else:
                contents[row.existing.pk] = jsonb_ordered(serializable_data(state))
        relations = list(child_relations())
        for item in ServiceItem.objects.filter(pk__in=from_rows).prefetch_related(*relations):
            contents[item.pk] = jsonb_ordered(serializable_data(item))
        return contents
