# The departments, items and users of the permission matrix, for the admin tests of the rules tabs.
from tests.catalog.conftest import world  # noqa: F401
