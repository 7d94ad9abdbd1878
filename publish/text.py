"""Chinese text → search terms. The same function runs at index time and at query time (DESIGN decision 3)."""

import re
import unicodedata
from functools import lru_cache

import jieba
from pypinyin import Style, lazy_pinyin

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
    out = []
    for token in _cut(normalise(text)):
        token = token.strip()
        if not token or _PUNCT.match(token) or len(token) > 64:
            continue
        out.append(token)
    return out


def query_terms(text: str) -> list[str]:
    """Terms of a query, without stop words (unless nothing else is left), each once."""
    all_terms = list(dict.fromkeys(terms(text)))
    kept = [t for t in all_terms if t not in QUERY_STOPWORDS]
    return kept or all_terms


def pinyin(text: str) -> str:
    return "".join(lazy_pinyin(normalise(text))).replace(" ", "")


def initials(text: str) -> str:
    return "".join(lazy_pinyin(normalise(text), style=Style.FIRST_LETTER)).replace(" ", "")


def _keep(segment):
    return ["\x00" + segment]  # not Chinese: kept whole, marked


def pinyin_and_initials(text: str) -> tuple[str, str]:
    """pinyin(text) and initials(text) from one conversion (indexing converts every title)."""
    syllables = lazy_pinyin(normalise(text), errors=_keep)
    full = "".join(s.lstrip("\x00") for s in syllables).replace(" ", "")
    first = "".join(s[1:] if s.startswith("\x00") else s[:1] for s in syllables).replace(" ", "")
    return full, first


def looks_like_pinyin(text: str) -> bool:
    return bool(text) and _LATIN.fullmatch(text.replace(" ", "").lower()) is not None
