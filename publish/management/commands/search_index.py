from django.core.management.base import BaseCommand, CommandError

from publish import search


class Command(BaseCommand):
    help = "Elasticsearch 索引：create（新建并指向别名）、rebuild（零停机重建）、check（核对文档数）。"

    def add_arguments(self, parser):
        parser.add_argument("action", choices=["create", "rebuild", "check"])

    def handle(self, *args, action, **options):
        backend = search.backend()
        if not backend.separate_server:
            raise CommandError("未设置 ELASTICSEARCH_URL；数据库索引请用 rebuild_search_index")
        if action in ("create", "rebuild"):
            name = backend.rebuild_index(progress=lambda done, total: self.stdout.write(f"  {done}/{total}"))
            self.stdout.write(self.style.SUCCESS(f"别名 {backend.index} → {name}"))
        else:
            report = backend.check()
            self.stdout.write(str(report))
            if report["documents"] != report["published"]:
                raise CommandError("索引文档数与已发布事项数不一致，请执行 rebuild")
