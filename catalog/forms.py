from django import forms
from django.utils.translation import gettext_lazy as _
from wagtail.admin.forms import WagtailAdminModelForm

from .codes import ServiceObject
from .extensions import run_item_checks
from .models import scoped_departments
from .permissions import service_item_policy


class ServiceItemForm(WagtailAdminModelForm):
    """Admin form for an item. Choice lists only offer what the user may see: their departments and items."""

    service_objects = forms.MultipleChoiceField(
        label=_("服务对象"), choices=ServiceObject.choices, required=False, widget=forms.CheckboxSelectMultiple
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        user = self.for_user
        if self.instance and self.instance.service_objects and not self.is_bound:
            self.initial["service_objects"] = self.instance.service_objects.split(",")
        if user is None:
            return
        if "department" in self.fields:
            self.fields["department"].queryset = scoped_departments(user)
        if "parent" in self.fields:
            parents = service_item_policy.instances_user_has_any_permission_for(user, ["change", "view"])
            if self.instance.pk:
                parents = parents.exclude(pk=self.instance.pk)
            self.fields["parent"].queryset = parents.only("id", "name").order_by("name")

    def clean_service_objects(self):
        return ",".join(self.cleaned_data["service_objects"])

    def clean(self):
        cleaned = super().clean()
        # The rules of the apps above catalog (situations, material rules, flow): see catalog.extensions.
        run_item_checks(self)
        return cleaned
