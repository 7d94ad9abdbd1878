from django.apps import AppConfig
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _


class PublishConfig(AppConfig):
    name = "publish"
    verbose_name = _("公开发布")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        from . import signals

        signals.connect()

        from .roles import ensure_search_permissions

        post_migrate.connect(ensure_search_permissions, sender=self, dispatch_uid="publish_search_permissions")
