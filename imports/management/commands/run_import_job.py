import sys

from django.core.management.base import BaseCommand

from imports.jobs import run_job
from imports.models import ImportJob
from imports.service import import_process


class Command(BaseCommand):
    requires_system_checks = []  # started for each import: no URL configuration to load before it (1.3 s)
    help = ("运行一个排队中的导入（预览或确认后的导入）。没有消息队列时，上传和确认由网站为每个导入启动一个这样的进程；"
            "已被其他进程接手的导入不会重复运行。")

    def add_arguments(self, parser):
        parser.add_argument("job", type=int, help="导入记录的编号")

    def handle(self, *args, job, **options):
        found = ImportJob.objects.filter(pk=job).first()
        if found is None:
            self.stderr.write(f"没有编号为 {job} 的导入记录")
            sys.exit(1)
        with import_process():  # this process is the import's own: its collector may pause
            try:
                run_job(found, dry_run=not found.confirmed)
            except Exception:  # recorded on the job and logged by run_job
                sys.exit(1)
