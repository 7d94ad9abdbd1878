"""The bulk writer is safe by construction: while its thread has statements pending, a statement the caller
issues on the same connection waits for them, so it can neither read stale rows nor delete rows not yet written."""

import threading
import time

import pytest
from django.db import connection, transaction

from bulk import BackgroundWriter, PendingStatementsError
from catalog.models import Department

pytestmark = pytest.mark.django_db(transaction=True)


def _slow_insert(name, started):
    started.set()
    time.sleep(0.3)  # the caller has long issued its query by now, were it not made to wait
    with connection.cursor() as cursor:
        cursor.execute(
            "INSERT INTO catalog_department (name, short_name, credit_code, division_code, level, "
            "consultation_phone) VALUES (%s, %s, %s, %s, %s, %s)", [name, name, f"C{name}", "511602", "4", ""])


@pytest.mark.parametrize("query", ["orm_count", "raw_cursor", "delete"])
def test_a_callers_statement_cannot_run_ahead_of_pending_ones(query):
    started = threading.Event()
    with transaction.atomic():
        writer = BackgroundWriter()
        try:
            writer.call(_slow_insert, "写入中的部门", started)
            assert started.wait(5)
            assert writer.pending  # the insert is still running in the writer's thread
            if query == "orm_count":
                seen = Department.objects.filter(name="写入中的部门").count()
            elif query == "raw_cursor":
                with connection.cursor() as cursor:
                    cursor.execute("SELECT COUNT(*) FROM catalog_department WHERE name = %s", ["写入中的部门"])
                    (seen,) = cursor.fetchone()
            else:
                seen, _ = Department.objects.filter(name="写入中的部门").delete()
        finally:
            writer.close()
    assert seen == 1
    assert Department.objects.filter(name="写入中的部门").count() == (0 if query == "delete" else 1)


def test_the_wrapper_goes_with_the_writer():
    writer = BackgroundWriter()
    assert writer._after_pending in connection.execute_wrappers
    writer.close()
    assert writer._after_pending not in connection.execute_wrappers


def test_strict_mode_raises_where_the_caller_would_have_waited():
    started = threading.Event()
    with transaction.atomic():
        writer = BackgroundWriter(strict=True)
        try:
            writer.call(_slow_insert, "严格模式的部门", started)
            assert started.wait(5)
            with pytest.raises(PendingStatementsError, match="pending"):
                Department.objects.count()
            writer.wait()
            assert Department.objects.filter(name="严格模式的部门").count() == 1  # once waited for, it may run
        finally:
            writer.close()
