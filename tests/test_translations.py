"""The project's own Chinese for Wagtail messages (locale/zh_Hans): each entry of the .po is what Django now says,
so the committed .mo is the .po compiled, and it wins over Wagtail's catalogue."""

import re
from pathlib import Path

from django.utils import translation

PO = Path(__file__).resolve().parents[1] / "locale" / "zh_Hans" / "LC_MESSAGES" / "django.po"


def entries():
    text = PO.read_text(encoding="utf-8")
    for msgid, msgstr in re.findall(r'^msgid "(.+)"\nmsgstr "(.+)"$', text, re.M):
        yield msgid.replace('\\"', '"'), msgstr.replace('\\"', '"')


def test_every_entry_is_what_django_says():
    found = list(entries())
    assert len(found) >= 15
    with translation.override("zh-hans"):
        for msgid, msgstr in found:
            assert translation.gettext(msgid) == msgstr, msgid
