"""The public flowchart of an item: GET /guide/<implementation code>/flow.svg, from the published flow steps.

The item's row holds its published content (DraftStateMixin), so its flow_steps rows are the published flow."""

from django.http import Http404, HttpResponse
from django.views.decorators.http import require_GET

from catalog.models import Department
from rules.flow import step_dict
from rules.flowchart import flow_svg

from . import queries
from .cache import cached_page

CACHE_CONTROL = "public, max-age=60"


@require_GET
@cached_page
def flow_chart(request, code):
    item = queries.published_items().select_related("department").filter(implementation_code=code).first()
    steps = [step_dict(step) for step in item.flow_steps.all()] if item is not None else []
    if not steps:
        raise Http404("没有这个已发布事项的办理流程")
    department_ids = {step["actor_department"] for step in steps if step["actor_department"]}
    departments = dict(Department.objects.filter(pk__in=department_ids).values_list("pk", "name"))
    response = HttpResponse(flow_svg(steps, departments, item.department.name), content_type="image/svg+xml")
    response["Cache-Control"] = CACHE_CONTROL
    # Opened on its own, the drawing may load nothing and run nothing.
    response["Content-Security-Policy"] = "default-src 'none'; style-src 'unsafe-inline'"
    return response
