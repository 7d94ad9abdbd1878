from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ApplicationsConfig(AppConfig):
    name = "applications"
    verbose_name = _("网上申请")
    default_auto_field = "django.db.models.BigAutoField"
