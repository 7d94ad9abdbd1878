"""Open-data API v1: read-only JSON of published items. Errors are JSON too, never an HTML page or a 500."""

from functools import cache

from django.core.paginator import Paginator
from django.urls import reverse
from django.utils.translation import get_language
from django.views.decorators.csrf import csrf_exempt

from catalog.codes import ItemType

from . import params, queries, search
from .openapi import schema
from .responses import endpoint, error, json_response


def _department(department):
    return {"code": department.credit_code, "name": department.name, "short_name": department.short_name}


def _absolute(request, path):
    return request.build_absolute_uri(path)


def _item_summary(request, document):
    return {
        "code": document.code,
        "name": document.title,
        "department": _department(document.department),
        "type": {"code": document.item_type, "name": str(dict(ItemType.choices).get(document.item_type, ""))},
        "main_item_name": document.main_item_name,
        "audience": [a for a, on in (("person", document.for_person), ("legal", document.for_legal)) if on],
        "handled_online": document.handled_online,
        "visits": document.visits,
        "url": _absolute(request, reverse("publish:guide", args=[document.code])),
        "api_url": _absolute(request, reverse("publish:api_item", args=[document.code])),
    }


def _page_url(request, page):
    query = request.GET.copy()
    query["page"] = str(page)
    return _absolute(request, f"{request.path}?{query.urlencode()}")


@endpoint
def items(request):
    query = params.query(request.GET)
    filters = params.filters(request.GET)
    page = params.page_number(request.GET.get("page"))
    result = search.search(query, filters, page, page_size=20)
    return json_response(
        {
            "count": result.total,
            "page": page,
            "next": _page_url(request, page + 1) if result.has_next else None,
            "previous": _page_url(request, page - 1) if page > 1 else None,
            "results": [_item_summary(request, hit.document) for hit in result.hits],
        }
    )


@cache
def _labels(model, field: str, language: str) -> dict:
    return {str(code): str(label) for code, label in model._meta.get_field(field).flatchoices}


def _coded(instance, field: str):
    """A coded value with its label. Django's get_FOO_display() rebuilds and hashes the field's (lazy, translated)
    choices on every call, which was most of an evaluate answer's time (docs/benchmarks.md)."""
    value = getattr(instance, field)
    if not value:
        return None
    return {"code": value, "name": _labels(type(instance), field, get_language()).get(value, value)}


def material_data(request, m):
    return {
        "name": m.name,
        "type": _coded(m, "material_type"),
        "form": _coded(m, "material_form"),
        "original_or_copy": _coded(m, "original_or_copy"),
        "paper_copies": m.paper_copies,
        "paper_size": m.paper_size,
        "source": _coded(m, "source"),
        "source_note": m.source_note,
        "necessity": _coded(m, "necessity"),
        "filling_notes": m.filling_notes,
        "situations": m.situations,
        "acceptance_standard": m.acceptance_standard,
        "blank_form_url": _absolute(request, m.blank_form.url) if m.blank_form else None,
        "sample_url": _absolute(request, m.sample.url) if m.sample else None,
    }


def item_detail_data(request, item):
    limit = lambda n, unit, note: (  # noqa: E731
        None if n is None else {"value": n, "unit": unit, "note": note}
    )
    return {
        "code": item.implementation_code,
        "basic_code": item.basic_code,
        "name": item.name,
        "type": _coded(item, "item_type"),
        "department": _department(item.department),
        "department_nature": _coded(item, "department_nature"),
        "entrusted_department": item.entrusted_department,
        "exercise_level": _coded(item, "exercise_level"),
        "main_item": {"name": item.main_item_name, "code": item.parent.implementation_code if item.parent else None}
        if item.main_item_name
        else None,
        "sub_items": [{"code": s.implementation_code, "name": s.name} for s in item.published_sub_items],
        "service_objects": [{"code": c, "name": str(n)} for c, n in zip(
            [c for c in item.service_objects.split(",") if c], item.service_object_labels, strict=False)],
        "case_type": _coded(item, "case_type"),
        "statutory_limit": limit(item.statutory_limit, item.get_statutory_limit_unit_display(),
                                 item.statutory_limit_note),
        "promised_limit": limit(item.promised_limit, item.get_promised_limit_unit_display(), item.promised_limit_note),
        "acceptance_conditions": item.acceptance_conditions,
        "handling_flow": item.handling_flow,
        "handling_forms": [f for f, on in (("window", item.handled_at_window), ("online", item.handled_online),
                                           ("post", item.handled_by_post)) if on],
        "visits": item.visits,
        "online_depth": _coded(item, "online_depth"),
        "online_url": item.online_url,
        "is_free": item.is_free,
        "address": item.address,
        "office_hours": item.office_hours,
        "consultation_channels": item.consultation_channels or item.department.consultation_phone,
        "complaint_channels": item.complaint_channels,
        "result": {"type": _coded(item, "result_type"), "name": item.result_name}
        if item.result_name
        else None,
        "materials": [material_data(request, m) for m in item.materials.all()],
        "fees": [{"name": f.name, "standard": f.standard, "basis": f.basis, "reductions": f.reductions}
                 for f in item.fees.all()],
        "legal_basis": [{"law": b.law, "article": b.article, "text": b.text} for b in item.legal_bases.all()],
        "faqs": [{"question": q.question, "answer": q.answer} for q in item.faqs.all()],
        "special_procedures": item.special_procedures,
        "intermediary_services": item.intermediary_services,
        "handling_area": _coded(item, "handling_area"),
        "last_published_at": item.last_published_at.isoformat() if item.last_published_at else None,
        "url": _absolute(request, reverse("publish:guide", args=[item.implementation_code])),
    }


@endpoint
def item_detail(request, code):
    try:
        code = params.item_code(code)
    except params.BadParameter:
        return error(404, "not_found", "没有这个已发布的事项", "code")
    item = queries.guide(code)
    if item is None:
        return error(404, "not_found", "没有这个已发布的事项", "code")
    return json_response(item_detail_data(request, item))


@endpoint
def departments(request):
    return json_response(
        {
            "count": len(rows := list(queries.departments_with_counts())),
            "results": [{**_department(d), "item_count": d.item_count} for d in rows],
        }
    )


@endpoint
def power_list(request):
    department = params.department(request.GET.get("department"))
    item_type = params.item_type(request.GET.get("type"))
    page = params.page_number(request.GET.get("page"))
    paginator = Paginator(queries.power_list(department, item_type), 100)
    if page > paginator.num_pages and page != 1:
        raise params.BadParameter("page", f"page 超出范围（共 {paginator.num_pages} 页）")
    page_obj = paginator.page(page)
    return json_response(
        {
            "count": paginator.count,
            "page": page,
            "next": _page_url(request, page + 1) if page_obj.has_next() else None,
            "results": [
                {
                    "code": item.implementation_code,
                    "name": item.name,
                    "type": _coded(item, "item_type"),
                    "department": _department(item.department),
                    "legal_basis": [{"law": b.law, "article": b.article, "text": b.text}
                                    for b in item.legal_bases.all()],
                    "responsibilities": [
                        {"stage": _coded(s, "stage"), "content": s.content, "basis": s.basis}
                        for s in item.responsibility_stages.all()
                    ],
                    "accountability": [{"situation": c.situation, "basis": c.basis}
                                       for c in item.accountability_cases.all()],
                    "accountable_subject": item.accountable_subject,
                }
                for item in page_obj
            ],
        }
    )


@endpoint
def openapi_schema(request):
    return json_response(schema(request.build_absolute_uri("/api/v1")))


@csrf_exempt
def not_found(request, *args, **kwargs):
    return error(404, "not_found", "没有这个接口")
