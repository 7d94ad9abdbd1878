from django.db import models
from django.utils.translation import gettext_lazy as _

from ..codes import DepartmentLevel, ItemType, SubItemRole
from ..validators import check_basic_code


class CatalogEntry(models.Model):
    """An entry of the basic catalogue (基本目录), shared by every department that implements it."""

    basic_code = models.CharField(_("基本编码"), max_length=64, help_text=_("国家标准为12位数字"))  # unique: Meta
    name = models.CharField(_("事项名称"), max_length=200)
    item_type = models.CharField(_("事项类型"), max_length=2, choices=ItemType.choices)
    legal_basis = models.TextField(_("设定依据"), blank=True)
    level = models.CharField(_("行使层级"), max_length=1, choices=DepartmentLevel.choices, blank=True)
    role = models.CharField(_("主项/子项"), max_length=4, choices=SubItemRole.choices, default=SubItemRole.NONE)
    parent = models.ForeignKey(
        "self", verbose_name=_("所属主项"), null=True, blank=True, on_delete=models.PROTECT, related_name="sub_entries"
    )

    class Meta:
        verbose_name = _("基本目录事项")
        verbose_name_plural = _("基本目录")
        ordering = ["basic_code"]
        # A constraint rather than unique=True: codes are looked up whole, and on PostgreSQL unique=True adds a
        # second, LIKE (varchar_pattern_ops) index that no query uses and every insert pays for.
        constraints = [models.UniqueConstraint(fields=["basic_code"], name="catalog_entry_basic_code_unique")]

    def __str__(self):
        return f"{self.name}（{self.basic_code}）"

    @property
    def code_error(self):
        return check_basic_code(self.basic_code, self.item_type)

    @property
    def code_verdict(self):
        """For the listing: '已校验', or why the code could not be confirmed (stored as given either way)."""
        return self.code_error or _("已校验")
