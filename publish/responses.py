"""The open API's responses: JSON bodies, JSON errors, and the GET endpoint wrapper (ETag, caching, CORS). Shared
by publish.api, publish.checklist and publish.form_api."""

import hashlib
import json
from functools import wraps

from django.http import HttpResponse, HttpResponseNotModified
from django.views.decorators.csrf import csrf_exempt

from . import params, state

CACHE_CONTROL = "public, max-age=60"


def json_response(data, status=200):
    return HttpResponse(
        json.dumps(data, ensure_ascii=False, separators=(",", ":")),
        status=status,
        content_type="application/json; charset=utf-8",
    )


def error(status, code, message, parameter=None):
    body = {"error": {"status": status, "code": code, "message": message}}
    if parameter:
        body["error"]["parameter"] = parameter
    return json_response(body, status)


def endpoint(view):
    """GET only; bad parameters → 400 JSON; ETag from the publication generation and the URL; 304 on a match.

    CSRF-exempt: the API changes nothing and reads no cookie, so a POST (or any other method) is answered 405
    here rather than 403 by the CSRF check."""

    @csrf_exempt
    @wraps(view)
    def wrapper(request, *args, **kwargs):
        if request.method not in ("GET", "HEAD"):
            response = error(405, "method_not_allowed", "只支持 GET")
            response["Allow"] = "GET, HEAD"
            return response
        digest = hashlib.sha1(f"{state.generation()}|{request.get_full_path()}".encode()).hexdigest()[:20]
        etag = f'"{digest}"'
        if etag in request.headers.get("If-None-Match", ""):
            response = HttpResponseNotModified()
        else:
            try:
                response = view(request, *args, **kwargs)
            except params.BadParameter as bad:
                return error(400, "bad_parameter", bad.message, bad.parameter)
            if response.status_code != 200:
                return response
        response["ETag"] = etag
        response["Cache-Control"] = CACHE_CONTROL
        response["Access-Control-Allow-Origin"] = "*"
        return response

    return wrapper


def post_endpoint(max_body: int):
    """A public POST computation that changes nothing and reads no cookie (CSRF-exempt): other methods → 405,
    a body over max_body bytes → 413, both as JSON errors, before the view reads anything."""

    def decorate(view):
        @csrf_exempt
        @wraps(view)
        def wrapper(request, *args, **kwargs):
            if request.method != "POST":
                response = error(405, "method_not_allowed", "只支持 POST")
                response["Allow"] = "POST"
                return response
            length = request.headers.get("Content-Length") or "0"
            if not length.isascii() or not length.isdigit() or int(length) > max_body:
                return error(413, "too_large", f"请求体过大（最多 {max_body // 1024} KB）")
            return view(request, *args, **kwargs)

        return wrapper

    return decorate
