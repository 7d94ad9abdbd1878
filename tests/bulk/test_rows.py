"""bulk's row helpers on the database the suite runs on (SQLite, and PostgreSQL in CI)."""

import pytest

from bulk import present
from catalog.models import Department

pytestmark = pytest.mark.django_db


def test_present_names_exactly_the_stored_values_of_many():
    Department.objects.bulk_create(
        [Department(name=f"部门{n}", credit_code=f"CODE{n:05d}", division_code="511602") for n in range(3)])
    asked = [f"CODE{n:05d}" for n in range(40000)]  # more than one SQLite statement's parameters
    assert sorted(present(Department, "credit_code", asked)) == ["CODE00000", "CODE00001", "CODE00002"]
    assert present(Department, "credit_code", ["NONE"]) == []
    assert present(Department, "credit_code", []) == []
