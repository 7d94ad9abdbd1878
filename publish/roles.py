"""Search administration for the roles defined in catalog/roles.py: synonyms and the zero-result report.

Added (never removed) after every migrate, like catalog's roles, so both apps can grant to the same groups.
"""

from django.apps import apps
from django.contrib.auth.management import create_permissions
from django.contrib.auth.models import Group, Permission

THEMES = ["add_theme", "change_theme", "delete_theme", "view_theme"]
GRANTS = {
    "系统管理员": ["add_synonym", "change_synonym", "delete_synonym", "view_synonym", "view_zeroresultquery", *THEMES],
    "审核发布员": ["add_synonym", "change_synonym", "view_synonym", "view_zeroresultquery", *THEMES],
}


def ensure_search_permissions(app_config=None, **kwargs):
    # auth's own post_migrate handler (which creates permissions) runs after ours: publish precedes auth.
    create_permissions(app_config or apps.get_app_config("publish"), verbosity=0)
    for group_name, codenames in GRANTS.items():
        group, _created = Group.objects.get_or_create(name=group_name)
        group.permissions.add(*Permission.objects.filter(content_type__app_label="publish", codename__in=codenames))
