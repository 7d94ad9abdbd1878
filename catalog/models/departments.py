from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from ..codes import DepartmentLevel
from ..validators import judge_credit_code, validate_division_code


class Department(models.Model):
    """An implementing department (实施部门). Department administrators are its members."""

    name = models.CharField(_("部门名称"), max_length=100)
    short_name = models.CharField(_("部门简称"), max_length=50, blank=True)
    # Stored as given: real lists carry 9-character organisation codes and malformed codes too.
    credit_code = models.CharField(
        _("统一社会信用代码"), max_length=32, help_text=_("18位统一社会信用代码；按原样保存")
    )  # unique: Meta
    division_code = models.CharField(
        _("行政区划代码"), max_length=12, validators=[validate_division_code], help_text=_("GB/T 2260，6位或12位")
    )
    level = models.CharField(_("层级"), max_length=1, choices=DepartmentLevel.choices, default=DepartmentLevel.COUNTY)
    parent = models.ForeignKey(
        "self", verbose_name=_("上级部门"), null=True, blank=True, on_delete=models.PROTECT, related_name="children"
    )
    consultation_phone = models.CharField(_("咨询电话"), max_length=100, blank=True)
    members = models.ManyToManyField(
        settings.AUTH_USER_MODEL, verbose_name=_("部门管理员"), related_name="departments", blank=True
    )

    class Meta:
        verbose_name = _("部门")
        verbose_name_plural = _("部门")
        ordering = ["division_code", "name"]
        constraints = [models.UniqueConstraint(fields=["credit_code"], name="department_credit_code_unique")]

    def __str__(self):
        return self.short_name or self.name

    @property
    def credit_code_verdict(self):
        return judge_credit_code(self.credit_code)


def scoped_department_ids(user) -> set[int] | None:
    """The departments a user may work on: their own and every department below them.

    None means no restriction (system administrators and editors, who hold catalog.access_all_departments).
    Cached on the user object for the request. One query per level of the hierarchy (at most five).
    """
    if not user.is_authenticated or not user.is_active:
        return set()
    if user.is_superuser or user.has_perm("catalog.access_all_departments"):
        return None
    cached = getattr(user, "_tongban_department_ids", None)
    if cached is not None:
        return cached
    ids = set(user.departments.values_list("id", flat=True))
    frontier = set(ids)
    while frontier:
        frontier = set(Department.objects.filter(parent_id__in=frontier).values_list("id", flat=True)) - ids
        ids |= frontier
    user._tongban_department_ids = ids
    return ids


def scoped_departments(user):
    """Departments as a queryset, limited to the user's scope (for choice lists and filters)."""
    scope = scoped_department_ids(user)
    departments = Department.objects.all()
    return departments if scope is None else departments.filter(pk__in=scope)
