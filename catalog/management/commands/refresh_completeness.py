from django.core.management.base import BaseCommand

from catalog.tasks import refresh_quality


class Command(BaseCommand):
    help = "重新计算全部事项的编码校验结果和办事指南要素完整度（完整度规则调整后使用）。"

    def handle(self, *args, **options):
        count = refresh_quality()
        self.stdout.write(self.style.SUCCESS(f"已重新计算 {count} 个事项。"))
