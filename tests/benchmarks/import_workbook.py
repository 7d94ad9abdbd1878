"""The benchmark workbook and the child process that imports it (run by test_import_benchmark.py).

    python tests/benchmarks/import_workbook.py generate FILE N     write N items with 4 materials each
    python tests/benchmarks/import_workbook.py import FILE         migrate a fresh DATABASE_URL, import, print JSON
"""

import json
import os
import resource
import sys
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
TYPES = ["行政许可", "公共服务", "其他行政权力", "行政确认", "行政给付"]
DEPARTMENTS = [("区经信局", "11511301008778183N"), ("区公安分局", "115113016823646795"),
               ("区行政审批局", "11511301MB051073XA")]


def generate(path, n):
    from openpyxl import Workbook

    wb = Workbook(write_only=True)
    items = wb.create_sheet("事项")
    items.append(["实施编码", "事项名称", "事项类型", "实施主体", "实施主体编码", "服务对象", "办件类型",
                  "承诺办结时限", "受理条件", "办理地点", "咨询方式", "到办事现场次数", "设定依据"])
    materials = wb.create_sheet("申请材料")
    materials.append(["实施编码", "材料名称", "材料类型", "材料形式", "纸质份数", "来源渠道", "必要性", "受理标准"])
    for i in range(n):
        name, credit = DEPARTMENTS[i % len(DEPARTMENTS)]
        code = f"511A{i:010d}-511602000000-000-{credit}-1-00"
        items.append([code, f"第{i}号事项：企业投资项目备案（技术改造）", TYPES[i % len(TYPES)], name, credit,
                      "自然人、企业法人", "承诺件", 5 + i % 15, "申请人符合《某条例》第三条规定的条件，材料齐全",
                      "广安市广安区政务服务中心二楼", "0826-2345678", 1,
                      "《中华人民共和国行政许可法》第十二条：下列事项可以设定行政许可"])
        for m in range(4):
            materials.append([code, f"申请材料{m}（原件及复印件）", "证件证书证明", "纸质", 1, "申请人自备",
                              "必要", "内容完整、签字盖章"])
    wb.save(path)


def run_import(path):
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.test")
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    from bulk import UPKEEP_THREAD
    from imports.service import Importer, Options, import_process

    data = Path(path).read_bytes()
    started = time.perf_counter()
    importer = Importer(data, Path(path).name, options=Options(create_departments=True, publish=True))
    with import_process():  # as run_import_job and the worker run it: the import's own process
        result = importer.run()
    total = time.perf_counter() - started
    peak_rss_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    # Once the import has committed, a thread of its own copies SQLite's log into the database file, or merges
    # PostgreSQL's GIN pending list into the index (bulk.upkeep_after_commit): timed here on its own, it
    # is not part of the import's time.
    started = time.perf_counter()
    for thread in threading.enumerate():
        if thread.name == UPKEEP_THREAD:
            thread.join()
    checkpoint = time.perf_counter() - started
    from wagtail.models import Revision

    from catalog.models import Material, ServiceItem
    from publish.models import SearchDocument

    print(json.dumps({
        "errors": [e.as_dict() for e in result.errors[:5]],
        "created": result.created,
        "rows": result.rows_total,
        "timings": importer.timings,
        "total": total,
        "upkeep_after_commit": checkpoint,
        "items": ServiceItem.objects.count(),
        "materials": Material.objects.count(),
        "revisions": Revision.objects.count(),
        "search_documents": SearchDocument.objects.count(),
        "peak_rss_mb": peak_rss_mb,
        "peak_rss_mb_with_upkeep": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
    }))


if __name__ == "__main__":
    if sys.argv[1] == "generate":
        generate(sys.argv[2], int(sys.argv[3]))
    else:
        run_import(sys.argv[2])
