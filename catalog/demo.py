"""Demo data: the real 1,135-item list of 广安区 (data/catalog), mapped to the model, plus demo users.

Codes are stored as the source gives them (Sichuan format); the type codes are mapped to the national table.
A handful of items get illustrative guide content (demo_guides.py).
"""

import csv
from collections import Counter, defaultdict

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.db import transaction

from . import roles
from .codes import SICHUAN_ITEM_TYPES, DepartmentLevel, SubItemRole
from .demo_guides import ILLUSTRATIVE_GUIDES
from .models import FAQ, AccountabilityCase, Department, Fee, LegalBasis, Material, ResponsibilityStage, ServiceItem
from .revisions import save_revisions_in_bulk

DIVISION_CODE = "511602"  # 四川省广安市广安区
NO_MAIN_ITEM = "未分类"

DEMO_USERS = [
    # username, password, group, departments (short names), superuser
    ("admin", "admin-tongban-2026", roles.SYSTEM_ADMIN, [], True),
    ("editor", "editor-tongban-2026", roles.EDITOR, [], False),
    ("gaj", "gaj-tongban-2026", roles.DEPARTMENT_ADMIN, ["区公安分局"], False),
    ("spj", "spj-tongban-2026", roles.DEPARTMENT_ADMIN, ["区行政审批局"], False),
]


def read_source_rows():
    with open(settings.DATA_DIR / "catalog" / "guangan_items.csv", encoding="utf-8") as handle:
        return list(csv.DictReader(handle))


def load_departments(rows) -> dict[str, Department]:
    """One department per short name. Its credit code is the one most of its rows carry, kept as given."""
    codes = defaultdict(Counter)
    for row in rows:
        codes[row["department"]][row["deptCode"]] += 1
    departments = {}
    for name, counter in codes.items():
        department, _created = Department.objects.get_or_create(
            short_name=name,
            defaults={
                "name": name,
                "credit_code": counter.most_common(1)[0][0],
                "division_code": DIVISION_CODE,
                "level": DepartmentLevel.COUNTY,
            },
        )
        departments[name] = department
    return departments


def load_items(rows, departments, user=None) -> list[ServiceItem]:
    main_names = {row["main_item"] for row in rows if row["main_item"] != NO_MAIN_ITEM}
    items = []
    for row in rows:
        main_item = row["main_item"] if row["main_item"] != NO_MAIN_ITEM else ""
        item = ServiceItem(
            name=row["name"],
            implementation_code=row["itemCode"],
            basic_code=row["itemCode"].split("-" + row["areaCode"])[0],
            item_type=SICHUAN_ITEM_TYPES[row["taskType"]],
            department=departments[row["department"]],
            exercise_level=DepartmentLevel.COUNTY,
            main_item_name=main_item,
            role=SubItemRole.SUB
            if main_item
            else (SubItemRole.MAIN if row["name"] in main_names else SubItemRole.NONE),
            source_url=row["link"],
            address="广安市广安区政务服务中心",
        )
        guide = ILLUSTRATIVE_GUIDES.get(row["name"])
        if guide:
            _apply_guide(item, guide)
        item.refresh_quality()
        items.append(item)
    ServiceItem.objects.bulk_create(items, batch_size=500)
    _link_sub_items(items)
    for item in items:
        if item.name in ILLUSTRATIVE_GUIDES:
            for child in _guide_children(item):
                child.save()
            item.refresh_quality()
            ServiceItem.objects.filter(pk=item.pk).update(
                completeness_score=item.completeness_score, completeness_flags=item.completeness_flags
            )
    save_revisions_in_bulk(items, user=user, publish=True)
    return items


def _apply_guide(item, guide):
    children = {
        "materials": Material,
        "fees": Fee,
        "faqs": FAQ,
        "legal_bases": LegalBasis,
        "responsibility_stages": ResponsibilityStage,
        "accountability_cases": AccountabilityCase,
    }
    for field, value in guide.items():
        if field in children:
            getattr(item, field).set([children[field](sort_order=i, **row) for i, row in enumerate(value)])
        else:
            setattr(item, field, value)


def _guide_children(item):
    for relation in ("materials", "fees", "faqs", "legal_bases", "responsibility_stages", "accountability_cases"):
        for child in getattr(item, relation).all():
            child.item = item
            yield child


def _link_sub_items(items):
    """Point a sub-item at its main item when the main item is itself an entry of the same department."""
    by_name = {(item.department_id, item.name): item for item in items}
    linked = []
    for item in items:
        parent = by_name.get((item.department_id, item.main_item_name)) if item.main_item_name else None
        if parent is not None and parent is not item:
            item.parent = parent
            linked.append(item)
    ServiceItem.objects.bulk_update(linked, ["parent"], batch_size=500)


def create_demo_users(departments):
    User = get_user_model()
    for username, password, group_name, department_names, superuser in DEMO_USERS:
        user, created = User.objects.get_or_create(username=username, defaults={"is_staff": superuser})
        if created:
            user.set_password(password)
            user.is_superuser = superuser
            user.save()
        user.groups.add(Group.objects.get(name=group_name))
        for name in department_names:
            departments[name].members.add(user)


@transaction.atomic
def load_demo():
    rows = read_source_rows()
    departments = load_departments(rows)
    create_demo_users(departments)
    items = load_items(rows, departments)
    return len(departments), len(items)

