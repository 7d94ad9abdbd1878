"""The admin's 申请 section (applications.admin_views) and the policy that scopes it (applications.staff)."""

from wagtail import hooks
from wagtail.permissions import register_permission_policy

from . import views
from .admin_views import SubmissionViewSet
from .models import Submission
from .staff import submission_policy

# Wagtail's own machinery (permission checks of generic views, menus) asks the department-scoped policy too.
register_permission_policy(Submission, submission_policy)


@hooks.register("register_admin_viewset")
def register_submissions():
    return SubmissionViewSet()


# The 在线表单 tab's live preview (formbuilder.views.preview) drawn as the public wizard draws the form.
hooks.register("render_form_preview", views.form_preview)
