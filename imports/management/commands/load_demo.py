from django.core.management.base import BaseCommand
from django.db import transaction

from catalog.demo import load_demo
from catalog.models import ServiceItem
from formbuilder.demo import add_demo_forms
from publish.service import rebuild_search
from rules.demo import add_demo_rules
from rules.demo_flows import add_demo_flows


class Command(BaseCommand):
    help = "载入演示数据：广安区1,135项实施清单、34个部门和演示账号（仅当数据库中还没有事项时）。"

    def add_arguments(self, parser):
        parser.add_argument("--if-empty", action="store_true", help="数据库已有事项时什么也不做（make run 使用）")

    def handle(self, *args, if_empty=False, **options):
        if ServiceItem.objects.exists():
            if if_empty:
                self.stdout.write("数据库已有事项，保留现有数据，不载入演示数据。")
                return
            self.stderr.write("数据库已有事项：演示数据只能载入空数据库。")
            raise SystemExit(1)
        # The demo is composed here, in the top layer: the catalog, then the rule sets and flows of the
        # illustrative items (rules/), then the public search index (publish/; a bulk load sends no signals).
        with transaction.atomic():
            departments, items = load_demo()
            add_demo_rules()
            add_demo_flows()
            add_demo_forms()
            rebuild_search()
        self.stdout.write(self.style.SUCCESS(f"已载入 {departments} 个部门、{items} 个事项和演示账号。"))
