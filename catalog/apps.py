from django.apps import AppConfig
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _


def _ensure_roles(sender, **kwargs):
    from django.apps import apps

    # post_migrate is sent once per app; act on the last one, when every app's permissions exist.
    if sender.label != [c for c in apps.get_app_configs() if c.models_module][-1].label:
        return
    from .roles import ensure_roles

    ensure_roles()


class CatalogConfig(AppConfig):
    name = "catalog"
    verbose_name = _("事项目录")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        post_migrate.connect(_ensure_roles, dispatch_uid="tongban_ensure_roles")
