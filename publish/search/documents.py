"""What a search document holds, built from an item: its texts analysed into jieba terms (publish.text), pinyin
for suggestions, and the values it is filtered and faceted by (fields.py).

A document is built the same way from a stored item (document_values_of) and from the content an import writes
(content_body_parts and document_values: an item's fields by name, from a model's __dict__ or a revision's
content), so both give the same document.
"""

from operator import itemgetter

from catalog.codes import ItemType
from catalog.models import ServiceItem

from .. import text
from .fields import TERM_FIELDS

# SearchDocument's columns as document_values() gives them (id and indexed_at are added when written).
DOCUMENT_FIELDS = ("item_id", "code", "title", "main_item_name", "parent_code", "department_id", "item_type",
                   "for_person", "for_legal", "handled_online", "visits", "summary", "pinyin", "initials",
                   *TERM_FIELDS)
terms_of = itemgetter(*(DOCUMENT_FIELDS.index(name) for name in TERM_FIELDS))  # a document's term fields
document_terms = text.document_terms

# The TermFrequency row of the empty term (never a jieba term) counts the documents: idf needs it with the terms'.
DOCUMENTS = ""


def indexable(queryset=None):
    """The published items of the queryset, with what their documents are built from."""
    queryset = ServiceItem.objects.all() if queryset is None else queryset
    return (
        queryset.filter(live=True)
        .select_related("department", "parent")
        .prefetch_related("materials", "faqs", "legal_bases")
    )


_item_type_labels: dict[str, str] = {}


def item_type_label(code: str) -> str:
    """get_item_type_display() without its translation and hashing of the choices on every call (rebuild speed)."""
    if not _item_type_labels:
        _item_type_labels.update({value: str(label) for value, label in ItemType.choices})
    return _item_type_labels.get(code, code or "")


def audience(service_objects: str) -> tuple[bool, bool]:
    """(for persons, for legal persons) from the item's service object codes (1 is 自然人)."""
    codes = {c.strip() for c in (service_objects or "").split(",") if c.strip()}
    return "1" in codes, bool(codes - {"1"})


def body_parts(item, department, material_names, faqs, laws) -> list[str]:
    """The texts a document's body is made of, each on its own (they are segmented and cached one by one)."""
    parts = [
        department.name,
        department.short_name,
        item["acceptance_conditions"],
        item["handling_flow"],
        item["result_name"],
        item["special_procedures"],
        item_type_label(item["item_type"]),
        *material_names,
        *(f"{question} {answer}" for question, answer in faqs),
        *laws,
    ]
    return [p for p in parts if p]


def item_body_parts(item: ServiceItem) -> list[str]:
    """body_parts() of a stored item (its children prefetched: indexable())."""
    return body_parts(item.__dict__, item.department, [m.name for m in item.materials.all()],
                      [(q.question, q.answer) for q in item.faqs.all()], [b.law for b in item.legal_bases.all()])


def content_body_parts(data: dict, department) -> list[str]:
    """body_parts() of an item's revision content (children as lists of dictionaries)."""
    return body_parts(data, department, [m["name"] for m in data["materials"]],
                      [(q["question"], q["answer"]) for q in data["faqs"]], [b["law"] for b in data["legal_bases"]])


def item_body(item: ServiceItem) -> str:
    return "\n".join(item_body_parts(item))


def document_values(item, department, parent_code: str, analysed: tuple) -> tuple:
    """One document's values in DOCUMENT_FIELDS order, from the item's fields by name and
    text.analyse_document() of its texts."""
    for_person, for_legal = audience(item["service_objects"])
    summary = (item["acceptance_conditions"] or item["handling_flow"] or "").replace("\n", " ")[:200]
    title_terms, pinyin, initials, main_terms, body_terms = analysed
    return (
        item["id"] if "id" in item else item["pk"], item["implementation_code"], item["name"],
        item["main_item_name"], parent_code, department.pk, item["item_type"], for_person, for_legal,
        item["handled_online"], item["visits"], summary, pinyin, initials, title_terms, main_terms, body_terms,
    )


def document_values_of(item: ServiceItem) -> tuple:
    """document_values() of a stored item (from indexable())."""
    parent_code = item.parent.implementation_code if item.parent_id and item.parent else ""
    return document_values(item.__dict__, item.department, parent_code,
                           text.analyse_document(item.name, item.main_item_name, item_body_parts(item)))
