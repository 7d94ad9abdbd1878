"""登录锁定: the logins django-axes has locked (too many wrong passwords), and unlocking them early.

System administrators (who manage users: auth.change_user) see the locked user names and addresses and unlock
one; the lock otherwise ends by itself after AXES_COOLOFF_TIME.
"""

from axes.models import AccessAttempt
from axes.utils import reset
from django.conf import settings
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404, redirect
from django.urls import path, reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.generic import TemplateView
from wagtail import hooks
from wagtail.admin.menu import MenuItem
from wagtail.admin.views.generic import WagtailAdminTemplateMixin

PERMISSION = "auth.change_user"


def locked_attempts():
    """The attempts that lock a login now: at the failure limit and within the cool-off time."""
    since = timezone.now() - settings.AXES_COOLOFF_TIME
    return AccessAttempt.objects.filter(
        failures_since_start__gte=settings.AXES_FAILURE_LIMIT, attempt_time__gte=since
    ).order_by("-attempt_time")


class LockoutsView(WagtailAdminTemplateMixin, TemplateView):
    template_name = "catalog/lockouts.html"
    page_title = gettext_lazy("登录锁定")
    header_icon = "lock"

    def dispatch(self, request, *args, **kwargs):
        if not request.user.has_perm(PERMISSION):
            raise PermissionDenied
        return super().dispatch(request, *args, **kwargs)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["attempts"] = locked_attempts()[:500]
        context["failure_limit"] = settings.AXES_FAILURE_LIMIT
        context["cooloff_minutes"] = int(settings.AXES_COOLOFF_TIME.total_seconds() // 60)
        return context

    def post(self, request, *args, **kwargs):
        attempt = get_object_or_404(AccessAttempt, pk=request.POST.get("attempt") or 0)
        reset(ip=attempt.ip_address, username=attempt.username)
        messages.success(request, _("已解除“%(user)s”（%(ip)s）的登录锁定") % {"user": attempt.username,
                                                                           "ip": attempt.ip_address})
        return redirect("tongban_lockouts")


class LockoutsMenuItem(MenuItem):
    def is_shown(self, request):
        return request.user.has_perm(PERMISSION)


@hooks.register("register_admin_urls")
def register_lockout_urls():
    return [path("lockouts/", LockoutsView.as_view(), name="tongban_lockouts")]


@hooks.register("register_settings_menu_item")
def register_lockouts_menu_item():
    return LockoutsMenuItem(gettext_lazy("登录锁定"), reverse("tongban_lockouts"), icon_name="lock", order=900)
