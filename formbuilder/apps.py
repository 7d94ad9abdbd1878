from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class FormbuilderConfig(AppConfig):
    name = "formbuilder"
    verbose_name = _("表单设计")
    default_auto_field = "django.db.models.BigAutoField"
