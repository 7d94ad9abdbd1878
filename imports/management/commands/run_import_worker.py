import time

from django.core.management.base import BaseCommand
from django.db import close_old_connections

from imports.jobs import fail_stale_jobs, next_queued, run_job
from imports.service import import_process


class Command(BaseCommand):
    requires_system_checks = []  # it only runs imports: no URL configuration to load for that
    help = ("逐个运行排队中的导入，并把处理进程已中断的导入标记为出错。可由进程管理器常驻运行（设置 "
            "IMPORTS_START_PROCESS=false 时由它处理全部导入），或由 cron 定时以 --once 运行。")

    def add_arguments(self, parser):
        parser.add_argument("--once", action="store_true", help="处理完当前排队的导入后退出")
        parser.add_argument("--poll", type=float, default=5.0, help="没有排队的导入时，每隔多少秒查看一次（默认 5）")

    def handle(self, *args, once=False, poll=5.0, **options):
        with import_process():  # this process runs imports only: their collector may pause
            while True:
                failed = fail_stale_jobs()
                if failed:
                    self.stdout.write(f"已将 {failed} 个处理进程已中断的导入标记为出错")
                ran = self.run_queued()
                if once:
                    self.stdout.write(f"已运行 {ran} 个排队中的导入")
                    return
                time.sleep(poll)
                close_old_connections()  # a long-lived process: let a connection past its age or broken go

    def run_queued(self) -> int:
        tried = set()
        while (job := next_queued()) is not None and job.pk not in tried:
            tried.add(job.pk)
            try:
                run_job(job, dry_run=not job.confirmed)  # a job another process has just taken is left to it
            except Exception:  # recorded on the job and logged by run_job; the next one still runs
                pass
        return len(tried)
