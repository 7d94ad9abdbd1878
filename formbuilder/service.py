"""formbuilder's public API: use these, not the modules behind them.

- ``published_form(item)``: the compiled form of a published item (None when it has none), compiled once per
  published version and process.
- ``compile_form(source, strict=True)`` and ``definition_source(definition, questions, materials)``: compile a
  definition given as plain data (the admin's check and preview compile what is being edited).
- ``validate_submission(form, data, applicant=None)``: a ``Result`` with ``valid``, ``errors`` (``FormError``:
  path, label, message) and the cleaned ``data``.
- ``form_of(item)``: the item's FormDefinition row (or the one in its in-memory revision), or None.
"""

import logging
from collections import OrderedDict

from rules.vocabulary import item_values

from .compile import CompiledForm, FormDefinitionError, Problem, compile_form, definition_source
from .validate import FormError, Result, validate_submission

__all__ = ["CompiledForm", "FormDefinitionError", "FormError", "Problem", "Result", "compile_form",
           "definition_source", "form_of", "published_form", "validate_submission"]

logger = logging.getLogger(__name__)

_cache: OrderedDict = OrderedDict()
_CACHE_SIZE = 1024


def form_of(item):
    """The item's form definition: its only FormDefinition, or None."""
    return next(iter(item.form_definitions.all()), None)


def published_form(item) -> CompiledForm | None:
    """The compiled form of a published item's live rows, once per published version (like rules.situations)."""
    key = (item.pk, item.live_revision_id, item.last_published_at)
    if key in _cache:
        _cache.move_to_end(key)
        return _cache[key]
    definition = form_of(item)
    compiled = None
    if definition is not None:
        source = definition_source(definition, item.situation_questions.all(), item.materials.all(),
                                   item_values(item))
        source["title"] = source["title"] or item.name
        compiled = compile_form(source, strict=False)
        if compiled.problems:
            logger.warning("published form of item %s has problems: %s", item.pk,
                           "; ".join(p.message for p in compiled.problems))
    _cache[key] = compiled
    if len(_cache) > _CACHE_SIZE:
        _cache.popitem(last=False)
    return compiled

