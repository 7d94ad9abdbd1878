"""Who may use and edit saved header mappings (表头对应关系).

A mapping belongs to a department: the administrators of that department (or of a department above it) use and
edit it. A mapping without a department is shared: a system administrator made it, every department may use it,
only users who work everywhere (system administrators) edit or delete it. Others' mappings do not exist for a
department administrator (404), as with items.
"""

from django.db.models import Q
from wagtail.permission_policies import ModelPermissionPolicy

from catalog.models import scoped_department_ids

from .models import HeaderMapping

READ_ACTIONS = {"view", "choose"}


class HeaderMappingPolicy(ModelPermissionPolicy):
    def visible(self, user, queryset=None):
        """The mappings the user may see and use at upload: their departments' and the shared ones."""
        queryset = HeaderMapping.objects.all() if queryset is None else queryset
        scope = scoped_department_ids(user)
        if scope is None:
            return queryset
        return queryset.filter(Q(department__isnull=True) | Q(department_id__in=scope))

    def can_see(self, user, mapping) -> bool:
        scope = scoped_department_ids(user)
        return scope is None or mapping.department_id is None or mapping.department_id in scope

    def can_edit(self, user, mapping) -> bool:
        scope = scoped_department_ids(user)
        return scope is None or (mapping.department_id is not None and mapping.department_id in scope)

    def user_has_permission_for_instance(self, user, action, instance):
        if not self.user_has_permission(user, action):
            return False
        return self.can_see(user, instance) if action in READ_ACTIONS else self.can_edit(user, instance)

    def user_has_any_permission_for_instance(self, user, actions, instance):
        return any(self.user_has_permission_for_instance(user, action, instance) for action in actions)

    def instances_user_has_any_permission_for(self, user, actions):
        if not self.user_has_any_permission(user, actions):
            return HeaderMapping.objects.none()
        if set(actions) <= READ_ACTIONS:
            return self.visible(user)
        scope = scoped_department_ids(user)
        if scope is None:
            return HeaderMapping.objects.all()
        return HeaderMapping.objects.filter(department_id__in=scope)


header_mapping_policy = HeaderMappingPolicy(HeaderMapping)
