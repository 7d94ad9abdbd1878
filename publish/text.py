"""Chinese text → search terms. The same function runs at index time and at query time (DESIGN decision 3)."""

import gc
import multiprocessing
import os
import re
import unicodedata
from collections import Counter
from concurrent.futures import BrokenExecutor, ProcessPoolExecutor
from functools import cache, lru_cache
from itertools import chain

import jieba
from pypinyin import lazy_pinyin

jieba.setLogLevel(60)

# Words that carry no meaning in a citizen's question ("身份证丢了怎么办"). Dropped from queries only.
QUERY_STOPWORDS = frozenset(
    "了 的 吗 呢 啊 吧 我 我要 我想 想 要 怎么 怎么办 怎样 如何 哪里 哪儿 在哪 在哪里 去 需要 什么 请问 "
    "可以 能 能否 咋 咋办 办 该 应该 一下 是 有 和 与 及 或".split()
)
_PUNCT = re.compile(r"^[\W_]+$")
_LATIN = re.compile(r"[a-z0-9]+")


def normalise(text: str) -> str:
    # Full-width brackets and digits as half-width, so （ and ( and ６ and 6 are one term.
    return unicodedata.normalize("NFKC", text or "").lower()


@lru_cache(maxsize=4096)
def _cut(text: str) -> tuple[str, ...]:
    return tuple(jieba.cut_for_search(text))


def terms(text: str) -> list[str]:
    """jieba search-mode terms of text, in order, without punctuation and blanks; duplicates kept."""
    return [token for token in (t.strip() for t in _cut(normalise(text))) if _is_term(token)]


def query_terms(text: str) -> list[str]:
    """Terms of a query, without stop words (unless nothing else is left), each once."""
    all_terms = list(dict.fromkeys(terms(text)))
    kept = [t for t in all_terms if t not in QUERY_STOPWORDS]
    return kept or all_terms


# --- indexing many documents -------------------------------------------------------------------------------
# Indexing segments every title and body. Titles are mostly unique, but their words are not; bodies repeat whole
# parts (department names, material names, templated conditions). So jieba's default cut runs once per text and
# the rest is cached per word — search-mode sub-words and pinyin — and per body part. The search-mode expansion
# below is jieba's own cut_for_search (2- and 3-grams in the dictionary, then the word), so the terms are the same.
_words: dict[str, tuple[tuple[str, ...], str, str]] = {}
_blocks: dict[str, tuple[str, ...]] = {}
_parts: dict[str, tuple[str, ...]] = {}
_CACHE_MAX = 200_000  # entries per cache: a long-running process indexes unboundedly many distinct texts
_BLOCK = jieba.re_han_default  # the blocks jieba.cut segments one by one (it splits on this pattern too)


def _remember(cache: dict, key: str, value):
    if len(cache) >= _CACHE_MAX:
        cache.clear()
    cache[key] = value
    return value


def _word(word: str) -> tuple[tuple[str, ...], str, str]:
    """(search terms, pinyin, initials) of one word of jieba's default cut."""
    found = _words.get(word)
    if found is None:
        freq = jieba.dt.FREQ
        grams = []
        if len(word) > 2:
            grams += [word[i : i + 2] for i in range(len(word) - 1) if freq.get(word[i : i + 2])]
        if len(word) > 3:
            grams += [word[i : i + 3] for i in range(len(word) - 2) if freq.get(word[i : i + 3])]
        kept = tuple(t for t in (token.strip() for token in (*grams, word)) if _is_term(t))
        syllables = lazy_pinyin(word, errors=_keep)
        full = "".join(s.lstrip("\x00") for s in syllables).replace(" ", "")
        first = "".join(s[1:] if s.startswith("\x00") else s[:1] for s in syllables).replace(" ", "")
        found = _remember(_words, word, (kept, full, first))
    return found


def _keep(segment):
    return ["\x00" + segment]  # not Chinese: kept whole, marked


def _is_term(token: str) -> bool:
    return bool(token) and not _PUNCT.match(token) and len(token) <= 64


def _words_of(text: str) -> list[tuple[tuple[str, ...], str, str]]:
    """_word() of each word of jieba.cut(normalise(text)), cut per run of Chinese, letters and digits (jieba cuts
    each such block on its own, so the result is the same) and cached per block: titles share most blocks."""
    words = []
    for block in _BLOCK.split(normalise(text)):
        if block:
            found = _blocks.get(block)
            if found is None:
                found = _remember(_blocks, block, tuple(jieba.cut(block)))
            words += map(_word, found)
    return words


def analyse_title(text: str) -> tuple[list[str], str, str]:
    """terms(text), pinyin(text) and initials(text) from one jieba cut (a title is indexed all three ways)."""
    words = _words_of(text)
    return [t for kept, _p, _i in words for t in kept], "".join(w[1] for w in words), "".join(w[2] for w in words)


def part_terms(text: str) -> tuple[str, ...]:
    """terms(text), cached: for the repeated parts of documents' bodies."""
    found = _parts.get(text)
    if found is None:
        found = _remember(_parts, text, tuple(t for kept, _p, _i in _words_of(text) for t in kept))
    return found


def analyse_document(title: str, main_item_name: str, body: list[str]) -> tuple[str, str, str, str, str]:
    """A search document's text fields: title terms, title pinyin, title initials, main item terms, body terms
    (terms each once, space-joined)."""
    title_terms, full, first = analyse_title(title)
    body_terms = []
    for part in body:
        body_terms += part_terms(part)
    main_terms = " ".join(dict.fromkeys(part_terms(main_item_name))) if main_item_name else ""
    return (" ".join(dict.fromkeys(title_terms)), full[:1000], first[:200], main_terms,
            " ".join(dict.fromkeys(body_terms)))


def analyse_documents(documents: list[tuple[str, str, list[str]]]) -> list[tuple[str, str, str, str, str]]:
    return [analyse_document(*document) for document in documents]


def analyse_and_count(documents: list[tuple[str, str, list[str]]], vectors=False):
    """analyse_documents(), how many of the documents contain each term (in any field): the change the batch
    brings to the term frequencies, and (with vectors) each document's tsvector_binary(); all done in the process
    that has the terms at hand. Returns (analysed, counts, vectors or None)."""
    analysed = analyse_documents(documents)
    counts = Counter()
    for title_terms, _pinyin, _initials, main_terms, body_terms in analysed:
        counts.update(document_terms(title_terms, main_terms, body_terms))
    if not vectors:
        return analysed, counts, None
    return analysed, counts, [tsvector_binary(a[0], a[3], a[4]) for a in analysed]


def tsvector_text(title_terms: str, main_terms: str, body_terms: str) -> str:
    """PostgreSQL's tsvector of a document, as text: each term a lexeme as it is, numbered in order through the
    title (weight A), main item (B) and body (C).

    Built here rather than by to_tsvector() in the database, which parsed the terms again (docs/benchmarks.md).
    Queries are tsqueries of the same terms, so a term matches as it is (the server's parser had cut 50% to 50 on
    both sides). publish_search_vector() in the database builds the same
    (publish.search.schema; a test compares the two)."""
    position, parts = 0, []
    for terms, weight in ((title_terms, "A"), (main_terms, "B"), (body_terms, "C")):
        if not terms:
            continue
        words = terms.split(" ")
        escape = "'" in terms or "\\" in terms
        parts += [f"'{_lexeme(w) if escape else w}':{n if n < _LAST_POSITION else _LAST_POSITION}{weight}"
                  for n, w in enumerate(words, position + 1)
                  if w and (len(w) < _LEXEME_BYTES // 4 or len(w.encode()) < _LEXEME_BYTES)]
        position += len(words)
    return " ".join(parts)


def tsvector_binary(title_terms: str, main_terms: str, body_terms: str) -> bytes:
    """tsvector_text() in PostgreSQL's binary form (what tsvectorrecv reads: the count of lexemes, then each
    lexeme's UTF-8 bytes, a NUL, its count of positions and the positions, weight in the top two bits), sorted as
    the server sorts them, so the server neither parses nor sorts. Written by the import's binary COPY.

    The binary form must already be what the text form becomes: one entry per lexeme, positions unique and
    rising. The terms of each field are unique, so a lexeme has one position unless a term is in two fields."""
    fields = [(terms.encode().split(b" "), weight) for terms, weight in
              ((title_terms, _A), (main_terms, _B), (body_terms, _C)) if terms]
    words = list(chain.from_iterable(w for w, _weight in fields))
    if b"" in words or len(set(words)) != len(words):
        return _tsvector_binary_merged(fields)
    entries, position = [], 0
    for words, weight in fields:
        ends = _one_position(weight)
        if position + len(words) < _LAST_POSITION:
            entries += [w + ends[n] for n, w in enumerate(words, position + 1) if len(w) < _LEXEME_BYTES]
        else:
            entries += [w + ends[min(n, _LAST_POSITION)] for n, w in enumerate(words, position + 1)
                        if len(w) < _LEXEME_BYTES]
        position += len(words)
    entries.sort()  # by lexeme: each is followed by its NUL, so a shorter lexeme sorts before a longer one
    return len(entries).to_bytes(4, "big") + b"".join(entries)


def _tsvector_binary_merged(fields) -> bytes:
    """tsvector_binary() of terms that repeat: the positions of a lexeme merged as the server merges them when it
    reads the text form (each position once, the first field's weight, at most 256, none after the last)."""
    positions: dict[bytes, list[int]] = {}
    position = 0
    for words, weight in fields:
        for n, w in enumerate(words, position + 1):
            if w and len(w) < _LEXEME_BYTES:
                n = min(n, _LAST_POSITION)
                found = positions.setdefault(w, [])
                if not found or (len(found) < _MAX_POSITIONS and found[-1] & _POSITION_BITS < n):
                    found.append(weight << 14 | n)
        position += len(words)
    entries = [w + b"\x00" + len(found).to_bytes(2, "big") + b"".join(p.to_bytes(2, "big") for p in found)
               for w, found in sorted(positions.items())]
    return len(entries).to_bytes(4, "big") + b"".join(entries)


_A, _B, _C = 3, 2, 1  # the weights' numbers in a position
_POSITION_BITS = (1 << 14) - 1
_MAX_POSITIONS = 256  # a lexeme's positions in a tsvector at most


@cache
def _one_position(weight: int) -> list[bytes]:
    """Position n → what follows a lexeme with that one position in the binary form: its NUL, a position count of
    1, the position. Made on first use (in the analysing process), not when a web process imports this module."""
    return [b"\x00\x00\x01" + (weight << 14 | n).to_bytes(2, "big") for n in range(_LAST_POSITION + 1)]


def _lexeme(word: str) -> str:
    return word.replace("\\", "\\\\").replace("'", "''")


_LEXEME_BYTES = 2048  # PostgreSQL's longest lexeme is 2,047 bytes (to_tsvector leaves longer words out)
_LAST_POSITION = 16383  # positions past this count as this one, as in to_tsvector


def document_terms(title_terms: str, main_terms: str, body_terms: str) -> set[str]:
    """The terms a document contains, in any field (what the term frequencies count)."""
    return set(f"{title_terms} {main_terms} {body_terms}".split())


def _segment(titles: list[str]):
    for title in titles:
        _words_of(title)  # (cached per block and per word)


def _warm_up():
    """The analysing process's start: jieba's dictionary loaded, and the cyclic garbage collector off (the word
    caches hold hundreds of thousands of entries that each full collection would scan again; the process ends
    with the import)."""
    jieba.initialize()
    gc.disable()
    return True


class Analyser:
    """analyse_documents() for large batches in a second process, so that segmenting runs on the machine's other
    core while the caller writes to the database; in this process when there is no core to spare or no process
    can be started (a daemonic worker, say). This module imports no Django: the second process starts quickly.

        analyser = Analyser(expected=len(items)); get = analyser.submit(batch); …; get(); analyser.close()
    """

    MIN_DOCUMENTS = 5000  # below this, starting a process (and loading jieba's dictionary there) does not pay

    def __init__(self, expected: int):
        self.pool = None
        self.ahead = []  # segment_ahead()'s chunks
        if expected >= self.MIN_DOCUMENTS and (os.cpu_count() or 1) > 1:
            try:
                self.pool = ProcessPoolExecutor(1, mp_context=multiprocessing.get_context("spawn"))
                self.pool.submit(_warm_up)
            except Exception:  # no second process here: analyse in this one
                self.pool = None

    def segment_ahead(self, titles: list[str], give_way: bool, chunk=5000):
        """Segment titles now, while the caller is busy elsewhere (an import reading the rest of its file): their
        words are then cached when their documents come. Only with a second process (the work would be the same).
        give_way: the first submit() drops the chunks not yet started, so that documents never wait behind them."""
        if self.pool is not None:
            try:
                ahead = [self.pool.submit(_segment, titles[start : start + chunk])
                         for start in range(0, len(titles), chunk)]
                self.ahead = ahead if give_way else []
            except Exception:
                self.pool = None

    def submit(self, documents, vectors=False):
        """Start analysing; returns a function that waits for and returns analyse_and_count()'s result."""
        for future in self.ahead:
            future.cancel()  # (no effect on a chunk already started)
        self.ahead = []
        if self.pool is not None:
            try:
                future = self.pool.submit(analyse_and_count, documents, vectors)
            except Exception:
                self.pool = None
            else:
                def get():
                    try:
                        return future.result()
                    except BrokenExecutor:
                        return analyse_and_count(documents, vectors)

                return get
        result = analyse_and_count(documents, vectors)
        return lambda: result

    def close(self):
        """Ends the process (may be called again)."""
        if self.pool is not None:
            self.pool.shutdown(wait=False, cancel_futures=True)
            self.pool = None


def pinyin(text: str) -> str:
    """Pinyin word by word, as the index stores titles' pinyin (so a query and a title read the same way)."""
    return "".join(w[1] for w in _words_of(text))


def initials(text: str) -> str:
    return "".join(w[2] for w in _words_of(text))


def looks_like_pinyin(text: str) -> bool:
    return bool(text) and _LATIN.fullmatch(text.replace(" ", "").lower()) is not None
