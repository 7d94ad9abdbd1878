"""Write site/static/rules/divisions.json: the codes the browser's valid_division_code and valid_id_number need.

The browser must reach the same verdict as catalog.validators, so both lists come from what the server checks
against: `divisions` is catalog.validators.division_codes() (data/regions), `birth_places` is python-stdnum's
table of resident ID birth places (GB/T 2260 since 1980) with the years in which each code was assigned.
Run it again when data/regions or python-stdnum changes, and commit the file.
"""

import json
from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand
from stdnum import numdb

from catalog.validators import division_codes

OUTPUT = Path(settings.BASE_DIR) / "site" / "static" / "rules" / "divisions.json"


def birth_places() -> list[str]:
    """Each birth-place code as "110101" (valid in any year) or "110103:-2010" / "120110:-1991,1992-" (valid
    in those years only), as python-stdnum's ric.get_birth_place judges a code against the year of birth."""
    counties: dict[str, str] = {}
    for _length, province, _high, _props, children in numdb.get("cn/loc").prefixes:
        for _child_length, county, _child_high, props, _grandchildren in children:
            if "county" in props:
                counties[province + county] = props["county"]
    entries = []
    for code, names in sorted(counties.items()):
        spans = []
        for name in names.split(","):
            if not name.startswith("["):
                spans = None  # a name without years: the code is valid whatever the year
                break
            spans.append(name[1:].split("]")[0])
        entries.append(code if spans is None else f"{code}:{','.join(spans)}")
    return entries


def division_data() -> dict:
    return {
        "source": "data/regions (GB/T 2260) and python-stdnum cn/loc; python manage.py write_division_codes",
        # Space-separated strings rather than arrays: a third smaller, and split once in the browser.
        "divisions": " ".join(sorted(division_codes())),
        "birth_places": " ".join(birth_places()),
    }


class Command(BaseCommand):
    help = "写出浏览器端规则校验所用的行政区划代码（site/static/rules/divisions.json）"

    def handle(self, *args, **options):
        text = json.dumps(division_data(), ensure_ascii=False, separators=(",", ":"))
        OUTPUT.parent.mkdir(parents=True, exist_ok=True)
        OUTPUT.write_text(text + "\n", encoding="utf-8")
        self.stdout.write(f"{OUTPUT}: {len(text.encode()) // 1024} KB")
