import json
import sys
from pathlib import Path

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from imports.jobs import record_job
from imports.models import HeaderMapping
from imports.service import import_file, import_process


class Command(BaseCommand):
    help = "从电子表格（.xlsx/.xls/.csv）导入实施清单事项。全部通过才写入，否则一行也不写。"

    def add_arguments(self, parser):
        parser.add_argument("file")
        parser.add_argument("--dry-run", action="store_true", help="只检查并统计，不写入")
        parser.add_argument("--department", default="", help="所有行归属的部门（统一社会信用代码或名称）")
        parser.add_argument("--create-departments", action="store_true", help="新建文件中出现而系统中没有的部门")
        parser.add_argument("--publish", action="store_true", help="直接发布（否则保存为草稿）")
        parser.add_argument("--json", action="store_true", help="输出一个 JSON 对象")
        parser.add_argument("--user", default="", help="以该用户身份导入（按其部门范围检查）")
        parser.add_argument("--mapping", default="", help="使用已保存的表头对应关系（名称）")

    def handle(self, *args, **options):
        path = Path(options["file"])
        try:
            data = path.read_bytes()
        except OSError as exc:
            raise CommandError(_("无法读取文件：%(e)s") % {"e": exc}) from exc
        user = None
        if options["user"]:
            user = get_user_model().objects.filter(username=options["user"]).first()
            if user is None:
                raise CommandError(_("用户不存在：%(u)s") % {"u": options["user"]})
        mapping = None
        if options["mapping"]:
            saved = HeaderMapping.objects.filter(name=options["mapping"]).first()
            if saved is None:
                raise CommandError(_("没有名为“%(n)s”的表头对应关系") % {"n": options["mapping"]})
            mapping = saved.columns
        with import_process():  # this process is the import's own: its collector may pause
            result = import_file(
                data, path.name, user=user, dry_run=options["dry_run"], department=options["department"],
                create_departments=options["create_departments"], publish=options["publish"], mapping=mapping,
            )
        if result.written:
            record_job(result, path.name, data, user, publish=options["publish"])
        if options["json"]:
            self.stdout.write(json.dumps(result.as_json(), ensure_ascii=False))
            for warning in result.warnings:
                self.stderr.write(json.dumps(warning.as_dict(), ensure_ascii=False))
        else:
            for warning in result.warnings:
                self.stderr.write(f"提示 {warning.sheet} 第{warning.row or '-'}行 {warning.column}：{warning.message}")
            for error in result.errors:
                self.stderr.write(
                    f"错误 {error.sheet} 第{error.row or '-'}行 {error.column}（{error.value}）：{error.message}"
                )
            verdict = "已写入" if result.written else ("检查通过（未写入）" if not result.errors else "已拒绝，未写入")
            self.stdout.write(
                f"{verdict}：新增 {result.created}，更新 {result.updated}，未变化 {result.unchanged}，"
                f"拒绝 {result.refused} 行，错误 {len(result.errors)} 个"
            )
        if result.errors:
            sys.exit(1)
