from django import template

register = template.Library()


@register.filter
def highlight(value, result):
    return result.highlight(value)


@register.filter
def get_item(mapping, key):
    return mapping.get(key, "")


@register.filter
def mul(value, factor):
    return int(value) * int(factor)


@register.simple_tag
def facet_url(request, key, value):
    """The current query string with key set to value (or removed when it is already value), page reset."""
    query = request.GET.copy()
    query.pop("page", None)
    if query.get(key) == str(value):
        query.pop(key)
    else:
        query[key] = str(value)
    return query.urlencode()


@register.simple_tag
def page_url(request, page):
    query = request.GET.copy()
    query["page"] = str(page)
    return query.urlencode()
