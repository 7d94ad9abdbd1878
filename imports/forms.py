"""The admin form of a saved header mapping: one line per column, "the file's header = our column"."""

import re

from django import forms
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from wagtail.admin.forms import WagtailAdminModelForm

from catalog.models import scoped_department_ids, scoped_departments

from .reader import header_lookup, normalise_header
from .spec import ITEM_SHEET

SEPARATOR = re.compile(r"\s*(?:=|＝|->|→|：|:)\s*")


def mapping_lines(columns: dict[str, str]) -> str:
    headers = {column.key: column.header for column in ITEM_SHEET.columns}
    return "\n".join(f"{source} = {headers.get(key, key)}" for source, key in columns.items())


def parse_mapping(text: str) -> dict[str, str]:
    """{file header: column key} from the lines; a ValidationError names every line that cannot be read."""
    ours = header_lookup(ITEM_SHEET)  # our headers and their aliases, normalised → key
    ours.update({column.key.lower(): column.key for column in ITEM_SHEET.columns})
    columns, errors, seen = {}, [], set()
    for number, line in enumerate(text.splitlines(), start=1):
        line = line.strip()
        if not line:
            continue
        # At the last separator: a file's header may hold one itself (依据:法律), ours never do.
        separators = list(SEPARATOR.finditer(line))
        source = line[: separators[-1].start()].strip() if separators else ""
        target = line[separators[-1].end() :].strip() if separators else ""
        if not source or not target:
            errors.append(_("第%(n)d行：应写成“文件中的列名 = 系统列名”") % {"n": number})
            continue
        key = ours.get(normalise_header(target)) or ours.get(target.lower())
        if key is None:
            errors.append(_("第%(n)d行：系统中没有“%(col)s”这一列（见导入模板“事项”表的表头）")
                          % {"n": number, "col": target})
        elif normalise_header(source) in seen:  # the reader compares headers so normalised
            errors.append(_("第%(n)d行：列名“%(col)s”重复") % {"n": number, "col": source})
        else:
            seen.add(normalise_header(source))
            columns[source] = key
    if errors:
        raise forms.ValidationError(errors)
    if not columns:
        raise forms.ValidationError(_("至少填写一行对应关系"))
    return columns


class HeaderMappingForm(WagtailAdminModelForm):
    columns = forms.CharField(
        label=gettext_lazy("列对应关系"),
        widget=forms.Textarea(attrs={"rows": 10, "placeholder": "职权名称（新） = 事项名称\n行使层级 = 行使层级"}),
        help_text=gettext_lazy("每行一列：文件中的列名 = 系统列名（导入模板“事项”表的表头）。"
                               "用于表头与模板不同、又反复报送的来源；上传时选择。"),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk and isinstance(self.instance.columns, dict):
            self.initial["columns"] = mapping_lines(self.instance.columns)
        user = getattr(self, "for_user", None)
        if "department" in self.fields and user is not None:
            # A department administrator's mapping belongs to one of their departments; only a system
            # administrator (who works everywhere) may leave it blank, to share it with every department.
            field = self.fields["department"]
            field.queryset = scoped_departments(user)
            if scoped_department_ids(user) is not None:
                field.empty_label = None
                field.help_text = gettext_lazy("本部门及下级部门的管理员可以使用和修改")

    def clean_department(self):
        department = self.cleaned_data.get("department")
        user = getattr(self, "for_user", None)
        if department is None and user is not None and scoped_department_ids(user) is not None:
            # Not shared: a department administrator's mapping is their department's (the first, if not chosen).
            department = user.departments.order_by("pk").first()
            if department is None:
                raise forms.ValidationError(_("请选择所属部门"))
        return department

    def clean_columns(self):
        return parse_mapping(self.cleaned_data["columns"])

    def save(self, commit=True):
        user = getattr(self, "for_user", None)
        if user is not None:
            if self.instance.pk is None:
                self.instance.created_by = user
            self.instance.updated_by = user
        return super().save(commit)
