"""The three roles as Django groups, and the moderation workflow for items. Idempotent: run after every migrate."""

from django.contrib.auth.models import Group, Permission
from django.contrib.contenttypes.models import ContentType
from django.db import transaction

SYSTEM_ADMIN = "系统管理员"
EDITOR = "审核发布员"
DEPARTMENT_ADMIN = "部门管理员"
WORKFLOW_NAME = "事项发布审核"

ITEM = "catalog.serviceitem"
# The applications submitted to a department's items (applications.staff, scoped like the items). Not the editors':
# they review guides and do not handle applicants' personal data.
SUBMISSION_VIEW = "applications.submission:view"
ROLE_PERMISSIONS = {
    DEPARTMENT_ADMIN: [
        "wagtailadmin.access_admin",
        f"{ITEM}:add",
        f"{ITEM}:change",
        f"{ITEM}:view",
        f"{ITEM}:lock",
        "catalog.catalogentry:view",
        *(f"imports.headermapping:{action}" for action in ("add", "change", "view")),
        SUBMISSION_VIEW,
    ],
    EDITOR: [
        "wagtailadmin.access_admin",
        f"{ITEM}:change",
        f"{ITEM}:view",
        f"{ITEM}:publish",
        f"{ITEM}:lock",
        f"{ITEM}:unlock",
        "catalog.serviceitem.access_all_departments",
        "catalog.catalogentry:view",
        "catalog.department:view",
    ],
    SYSTEM_ADMIN: [
        "wagtailadmin.access_admin",
        *(f"{ITEM}:{action}" for action in ("add", "change", "delete", "view", "publish", "lock", "unlock")),
        "catalog.serviceitem.access_all_departments",
        *(f"catalog.catalogentry:{action}" for action in ("add", "change", "delete", "view")),
        *(f"catalog.department:{action}" for action in ("add", "change", "delete", "view")),
        *(f"auth.user:{action}" for action in ("add", "change", "delete", "view")),
        *(f"auth.group:{action}" for action in ("add", "change", "delete", "view")),
        *(f"imports.headermapping:{action}" for action in ("add", "change", "delete", "view")),
        *(f"rules.calendarday:{action}" for action in ("add", "change", "delete", "view")),
        SUBMISSION_VIEW,
    ],
}


def _permission(spec):
    """'app.model:action' for a model permission, 'app.model.codename' for a custom one, 'app.codename' else."""
    if ":" in spec:
        model_path, action = spec.split(":")
        app_label, model = model_path.split(".")
        return Permission.objects.get(content_type__app_label=app_label, codename=f"{action}_{model}")
    parts = spec.split(".")
    if len(parts) == 3:
        app_label, model, codename = parts
        return Permission.objects.get(content_type__app_label=app_label, content_type__model=model, codename=codename)
    app_label, codename = parts
    return Permission.objects.get(content_type__app_label=app_label, codename=codename)


@transaction.atomic
def ensure_roles():
    from wagtail.models import (
        Collection,
        GroupApprovalTask,
        GroupCollectionPermission,
        Workflow,
        WorkflowContentType,
        WorkflowTask,
    )

    from .models import ServiceItem

    groups = {}
    for name, specs in ROLE_PERMISSIONS.items():
        group, _created = Group.objects.get_or_create(name=name)
        group.permissions.add(*[_permission(spec) for spec in specs])
        groups[name] = group

    # Blank forms, samples and result samples are Wagtail documents: let the roles upload and choose them.
    root = Collection.get_first_root_node()
    if root is not None:
        for name in (DEPARTMENT_ADMIN, EDITOR, SYSTEM_ADMIN):
            for codename in ("add_document", "choose_document"):
                GroupCollectionPermission.objects.get_or_create(
                    group=groups[name],
                    collection=root,
                    permission=Permission.objects.get(content_type__app_label="wagtaildocs", codename=codename),
                )

    workflow, _created = Workflow.objects.get_or_create(name=WORKFLOW_NAME)
    if not WorkflowTask.objects.filter(workflow=workflow).exists():
        task = GroupApprovalTask.objects.filter(name="审核发布员审核").first()
        task = task or GroupApprovalTask.objects.create(name="审核发布员审核")
        task.groups.set([groups[EDITOR]])
        WorkflowTask.objects.create(workflow=workflow, task=task, sort_order=0)
    WorkflowContentType.objects.get_or_create(
        content_type=ContentType.objects.get_for_model(ServiceItem), defaults={"workflow": workflow}
    )
    return groups
