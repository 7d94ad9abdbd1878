from django.conf import settings
from django.core.management.base import BaseCommand

from imports.jobs import expire_uploads


class Command(BaseCommand):
    help = "删除超过保留期限（IMPORTS_UPLOAD_RETENTION_HOURS）仍未导入的上传文件；导入记录保留。可由 cron 每小时运行。"

    def handle(self, *args, **options):
        count = expire_uploads()
        hours = settings.IMPORTS_UPLOAD_RETENTION_HOURS
        self.stdout.write(f"已删除 {count} 个过期的上传文件（保留期限 {hours:g} 小时）")
