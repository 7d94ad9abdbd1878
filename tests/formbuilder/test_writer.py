"""The spreadsheet import writes every child relation of an item with plain SQL (catalog.writer): a form
definition's row, from its revision content, must read back as the same form."""

import json

from catalog import writer
from catalog.revisions import serializable_data
from formbuilder.models import FormDefinition
from tests.formbuilder.samples import agent_form


def _row():
    definition = FormDefinition(steps=agent_form()["steps"], checks=agent_form()["checks"])
    content = {**serializable_data(definition), "pk": 1, "item": 1, "sort_order": 0}
    columns, row_of = writer._row_getter(FormDefinition)
    return definition, dict(zip(columns, row_of(content), strict=True))


def test_the_row_the_writer_writes_reads_back_as_the_same_form():
    definition, row = _row()
    field = FormDefinition._meta.get_field("steps")
    # What the database gives back (JSON text parsed), through the field as Django reads a row.
    stored = field.to_python(json.loads(row["steps"]))
    assert stored.get_prep_value() == definition.steps.get_prep_value()


def test_the_stream_column_holds_the_list_of_blocks():
    _definition, row = _row()
    assert isinstance(json.loads(row["steps"]), list)
