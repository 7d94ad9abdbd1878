"""The search documents of items written in bulk (the import), in the writer's own transaction.

The items' texts are analysed in a second process (publish.text.Analyser) while the caller writes their rows,
and each batch's documents are stored one batch behind, through the caller's BackgroundWriter:

    index = BulkIndex(expected)              # the analysing process starts
    index.segment_ahead(titles)              # optional, while the caller is busy reading
    index.begin(ids, total, codes)
    for each batch: analysed = index.analyse(contents, departments); …; index.store(contents, departments,
                    analysed, statements)
    index.finish(); … commit …; publish.service.bulk_committed(ids); index.close()
"""

from collections import Counter

from catalog.models import ServiceItem

from .. import text
from ..models import SearchDocument
from .backends import backend
from .documents import content_body_parts, document_values


class BulkIndex:
    def __init__(self, expected: int):
        """expected: about how many documents (the analysing process is started only for many)."""
        self.store_to = backend().documents
        self.analyser = text.Analyser(expected)
        self.codes: dict[int, str] = {}
        self.ids = None
        self.frequencies = Counter()  # the term frequencies' changes, applied once at the end (finish)

    def segment_ahead(self, titles: list[str]):
        """Segment titles now, while the caller is busy elsewhere: their words are cached when their documents come.
        Where the database works in this process (SQLite), the caller sets the pace of the write and must never
        wait for titles segmented ahead; with a database server, each title segmented ahead is work taken off the
        write."""
        self.analyser.segment_ahead(titles, give_way=self.store_to.in_process)

    def begin(self, ids, total: int, codes: dict[int, str]):
        """Before the first batch. ids: the caller's IdPool (the documents' ids are reserved with the others');
        codes: the implementation codes of the items the caller creates, by id (a sub-item's parent may be one)."""
        ids.reserve(SearchDocument, total)
        self.ids, self.codes = ids, codes

    def analyse(self, contents, departments):
        """Start analysing a batch: each item's revision content (catalog.writer.ItemContent) and its department.
        Returns what store() takes."""
        documents = [(data["name"], data["main_item_name"], content_body_parts(data, department))
                     for data, department in zip((content.data for content in contents), departments, strict=True)]
        return self.analyser.submit(documents, vectors=self.store_to.vector_written)

    def store(self, contents, departments, analysed, statements):
        """Write a batch's documents (its rows already handed to statements) and note their term counts."""
        parents = {c.data["parent"] for c in contents if c.data.get("parent")} - self.codes.keys()
        stored = dict(ServiceItem.objects.filter(pk__in=parents).values_list("pk", "implementation_code"))
        texts, term_counts, vectors = analysed()

        def parent_code(parent):
            return (self.codes.get(parent) or stored.get(parent, "")) if parent else ""

        documents = [
            document_values(content.data, department, parent_code(content.data["parent"]), analysed_texts)
            for content, department, analysed_texts in zip(contents, departments, texts, strict=True)
        ]
        replaced = [c.pk for c in contents if c.existing is not None]  # new items have no documents to replace
        self.store_to.store_documents(replaced, documents, self.frequencies, statements=statements, ids=self.ids,
                                      term_counts=term_counts, vectors=vectors)

    def finish(self):
        """Once every batch is written (and the writer is done): the term frequencies."""
        self.store_to.apply_frequencies(self.frequencies)

    def close(self):
        """Ends the analysing process (may be called again)."""
        self.analyser.close()
