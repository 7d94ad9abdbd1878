"""The starting synonyms (also written by migrations 0002/0003). Tests that flush the database re-seed from here."""

import importlib

from .models import Synonym


def seed_synonyms() -> int:
    created = 0
    for module in ("0002_seed_synonyms", "0003_more_synonyms"):
        for term, expansions, two_way in importlib.import_module(f"publish.migrations.{module}").SEED:
            _obj, new = Synonym.objects.get_or_create(term=term, defaults={"expansions": expansions,
                                                                           "two_way": two_way})
            created += new
    return created
