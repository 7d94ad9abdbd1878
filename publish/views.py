from django.core.paginator import Paginator
from django.http import Http404, HttpResponse, JsonResponse
from django.shortcuts import render
from django.urls import reverse
from django.views.decorators.http import require_GET

from applications.service import apply_url
from catalog.codes import ItemType

from . import checklist, params, queries, search
from .cache import cached_page
from .exports import power_list_workbook


@require_GET
@cached_page
def home(request):
    return render(
        request,
        "publish/home.html",
        {
            "departments": queries.departments_with_counts(),
            "types": queries.type_counts(),
            "audiences": search.all_facets()["audience"],
            "themes": queries.themes_by_audience(),
        },
    )


def _group_by_main_item(hits):
    """Consecutive-or-not hits of one main item are shown together, at the rank of the best one."""
    groups, by_main = [], {}
    for hit in hits:
        main = hit.document.main_item_name
        if main and main in by_main:
            by_main[main]["hits"].append(hit)
            continue
        group = {"main": main, "hits": [hit]}
        groups.append(group)
        if main:
            by_main[main] = group
    return groups


@require_GET
@cached_page
def results(request):
    try:
        query = params.query(request.GET)
        filters = params.filters(request.GET)
        page = params.page_number(request.GET.get("page"))
    except params.BadParameter as error:
        return render(request, "publish/results.html", {"error": error.message, "query": ""}, status=400)
    result = search.search(query, filters, page)
    selected = {key: request.GET.get(key, "") for key in ("department", "type", "audience", "online", "visits")}
    context = {
        "query": query,
        "result": result,
        "groups": _group_by_main_item(result.hits),
        "selected": selected,
        "type_labels": dict(ItemType.choices),
    }
    if result.total == 0:
        context["departments"] = search.popular_departments()
        context["suggestions"] = search.suggest(query[:2], limit=5) if query else []
    return render(request, "publish/results.html", context)


@require_GET
def suggest(request):
    try:
        prefix = params.suggest_prefix(request.GET)
    except params.BadParameter as error:
        return JsonResponse({"error": error.message}, status=400, json_dumps_params={"ensure_ascii": False})
    response = JsonResponse(
        {"query": prefix, "suggestions": search.suggest(prefix)}, json_dumps_params={"ensure_ascii": False}
    )
    response["Cache-Control"] = "public, max-age=60"
    return response


@require_GET
@cached_page
def guide(request, code, print_view=False):
    try:
        code = params.item_code(code)
    except params.BadParameter:
        raise Http404("没有这个已发布的事项") from None
    item = queries.guide(code)
    if item is None:
        raise Http404("没有这个已发布的事项")
    template = "publish/guide_print.html" if print_view else "publish/guide.html"
    context = {"item": item, "print_view": print_view, "apply_url": apply_url(item),
               **checklist.guide_context(item, request.GET)}
    return render(request, template, context)


@require_GET
@cached_page
def power_list(request, kind="power"):
    try:
        department = params.department(request.GET.get("department"))
        item_type = params.item_type(request.GET.get("type"))
        page = params.page_number(request.GET.get("page"))
    except params.BadParameter as error:
        return render(request, "publish/power_list.html", {"error": error.message, "kind": kind}, status=400)
    items = queries.power_list(department, item_type)
    paginator = Paginator(items, 50)
    page_obj = paginator.get_page(page)
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "publish/power_list.html",
        {
            "kind": kind,
            "page_obj": page_obj,
            "departments": queries.departments_with_counts(),
            "types": [(code, label) for code, label in ItemType.choices if code in queries.POWER_TYPES],
            "selected_department": department,
            "selected_type": item_type or "",
            "querystring": query.urlencode(),
            "xlsx_url": reverse("publish:power_list_xlsx") + (f"?{query.urlencode()}" if query else ""),
        },
    )


@require_GET
@cached_page  # a workbook of the whole list takes a second or more to write: cached like the pages
def power_list_xlsx(request):
    try:
        department = params.department(request.GET.get("department"))
        item_type = params.item_type(request.GET.get("type"))
    except params.BadParameter as error:
        return HttpResponse(error.message, status=400, content_type="text/plain; charset=utf-8")
    content = power_list_workbook(queries.power_list(department, item_type))
    response = HttpResponse(content, content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
    # filename* is 权力清单.xlsx, percent-encoded (RFC 6266); filename is the ASCII fallback.
    response["Content-Disposition"] = (
        "attachment; filename=\"power-list.xlsx\"; filename*=UTF-8''%E6%9D%83%E5%8A%9B%E6%B8%85%E5%8D%95.xlsx"
    )
    return response
