"""What the public search indexes and finds by, defined once for every backend and for the ranking: the text
fields and their weights, the filters and the facets.

Names are SearchDocument's fields; the Elasticsearch documents use the same names.
"""

from dataclasses import dataclass

MAX_QUERY_LENGTH = 100
PAGE_SIZE = 10


@dataclass(frozen=True)
class TextField:
    name: str  # the field's jieba search-mode terms, each once, space-joined
    weight: float


# Title ≫ main item ≫ body. The order is the full-text indexes' too: the FTS5 table's columns (bm25's weights are
# given in this order) and the tsvector's weights A, B, C (publish.text numbers the fields in this order).
TEXT_FIELDS = (TextField("title_terms", 10.0), TextField("main_terms", 4.0), TextField("body_terms", 1.0))
WEIGHTS = tuple(field.weight for field in TEXT_FIELDS)
TERM_FIELDS = tuple(field.name for field in TEXT_FIELDS)


@dataclass(frozen=True)
class Condition:
    """A document's field equals the value, or (at_most) is at most the value; a document without a value for the
    field does not meet it."""

    field: str
    value: object
    at_most: bool = False


AUDIENCE_FIELDS = {"person": "for_person", "legal": "for_legal"}


@dataclass
class Filters:
    department: int | None = None
    item_type: str | None = None
    audience: str | None = None  # "person" | "legal"
    online: bool | None = None
    max_visits: int | None = None

    def conditions(self) -> list[Condition]:
        """The filters as conditions on the documents' fields: what every backend applies, and nothing else."""
        conditions = []
        if self.department:
            conditions.append(Condition("department", self.department))
        if self.item_type:
            conditions.append(Condition("item_type", self.item_type))
        if self.audience in AUDIENCE_FIELDS:
            conditions.append(Condition(AUDIENCE_FIELDS[self.audience], True))
        if self.online is not None:
            conditions.append(Condition("handled_online", bool(self.online)))
        if self.max_visits is not None:
            conditions.append(Condition("visits", self.max_visits, at_most=True))
        return conditions


# Facets: the matching documents counted per value of each group field, and those that meet each condition. They
# count whatever the filters, so that the page can offer every other choice with its count.
FACET_GROUPS = ("department", "item_type")
FACET_COUNTS = {
    "person": Condition("for_person", True),
    "legal": Condition("for_legal", True),
    "online": Condition("handled_online", True),
    "one_visit": Condition("visits", 1, at_most=True),
}
