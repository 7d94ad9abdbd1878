from django.apps import AppConfig
from django.core import checks
from django.utils.translation import gettext_lazy as _


class ApplicationsConfig(AppConfig):
    name = "applications"
    verbose_name = _("网上申请")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        checks.register(libmagic_check)


def libmagic_check(app_configs, **kwargs):
    from .uploads import libmagic

    if libmagic() is None:
        return [checks.Warning("libmagic 未安装：申请人上传的材料无法检查文件类型，将一律拒收",
                               hint="Debian/Ubuntu: apt-get install libmagic1; macOS: brew install libmagic",
                               id="applications.W001")]
    return []
