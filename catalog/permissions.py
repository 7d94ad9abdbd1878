"""Department scoping: the one permission policy for service items.

Model permissions (add/change/delete/publish/lock/unlock/view) say what a role may do; the department says where.
A user holding catalog.access_all_departments (system administrators, editors) works everywhere; anyone else only
on items of their departments and the departments below them (models.scoped_department_ids). Every admin view, bulk
action, chooser, report and export asks this policy (here: wagtail_hooks.py, admin_views.py, admin_reports.py,
forms.py; the apps above catalog import service_item_policy), so the rule lives here and nowhere else.
Tested method by method in tests/catalog/test_policy.py, through the admin in tests/catalog/test_permission_matrix.py.
"""

from django.contrib.auth import get_user_model
from django.db.models import Q
from wagtail.permission_policies import ModelPermissionPolicy

from .models import Department, ServiceItem, scoped_department_ids


def department_ancestor_ids(department_id) -> set[int]:
    """The department and every department above it (whose members work on its items); stops on a cycle."""
    ids, current = set(), department_id
    while current is not None and current not in ids:
        ids.add(current)
        current = Department.objects.filter(pk=current).values_list("parent_id", flat=True).first()
    return ids


class DepartmentScopedPolicy(ModelPermissionPolicy):
    department_field = "department"

    def can_access_instance(self, user, instance) -> bool:
        """May the user see this object at all? If not, views answer 404 and lists leave it out."""
        scope = scoped_department_ids(user)
        return scope is None or getattr(instance, f"{self.department_field}_id") in scope

    def scope_queryset(self, user, queryset):
        """The queryset limited to the user's departments; the permission to act is asked separately."""
        scope = scoped_department_ids(user)
        if scope is None:
            return queryset
        return queryset.filter(**{f"{self.department_field}_id__in": scope})

    def user_has_permission_for_instance(self, user, action, instance):
        return self.user_has_permission(user, action) and self.can_access_instance(user, instance)

    def user_has_any_permission_for_instance(self, user, actions, instance):
        return self.user_has_any_permission(user, actions) and self.can_access_instance(user, instance)

    def instances_user_has_any_permission_for(self, user, actions):
        if not self.user_has_any_permission(user, actions):
            return self.model._default_manager.none()
        return self.scope_queryset(user, self.model._default_manager.all())

    def users_with_any_permission_for_instance(self, actions, instance):
        """Active users with one of the permissions who may work on the item: superusers, holders of
        access_all_departments, members of its department or of a department above it."""
        department_id = getattr(instance, f"{self.department_field}_id")
        everywhere = self._get_users_with_any_permission_codenames_filter(["access_all_departments"])
        local = Q(departments__in=department_ancestor_ids(department_id))
        users = self.users_with_any_permission(actions)
        return (
            get_user_model()
            .objects.filter(pk__in=users.values("pk"))
            .filter(everywhere | local | Q(is_superuser=True))
            .distinct()
        )


service_item_policy = DepartmentScopedPolicy(ServiceItem)
