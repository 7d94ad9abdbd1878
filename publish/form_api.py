"""The online form in the open API: ``GET /api/v1/items/<code>/form/`` (the published form: JSON Schema, UI, rules,
so that other halls can render it) and ``POST /api/v1/items/<code>/validate/`` (a submission's data checked as the
server will check it). Neither stores anything. The form itself is formbuilder's; this module only speaks HTTP."""

import json
import math

from formbuilder.service import published_form, validate_submission

from . import params, queries
from .responses import endpoint, error, json_response, post_endpoint

MAX_BODY = 256 * 1024  # a 40-field form with a repeating group of 100 rows stays far below
NOT_FOUND = "没有这个已发布的事项，或事项没有在线表单"


def _published(code):
    try:
        code = params.item_code(code)
    except params.BadParameter:
        return None, None
    item = queries.published_item(code)
    if item is None:
        return None, None
    return item, published_form(item)


@endpoint
def form(request, code):
    item, compiled = _published(code)
    if compiled is None:
        return error(404, "not_found", NOT_FOUND, "code")
    return json_response({"code": item.implementation_code, "name": item.name, **compiled.as_json()})


def _finite(text):
    number = float(text)
    if not math.isfinite(number):
        raise ValueError("not a finite number")
    return number


def _integer(text):
    # JSON numbers are doubles for every other client (and for the rules): an integer beyond what a double holds
    # exactly is read as one, and one beyond a double is refused.
    return int(text) if len(text) <= 15 else _finite(text)


def _refuse_constant(name):
    raise ValueError(f"{name} is not JSON")


@post_endpoint(MAX_BODY)
def validate(request, code):
    item, compiled = _published(code)
    if compiled is None:
        return error(404, "not_found", NOT_FOUND, "code")
    try:
        # NaN, Infinity and numbers beyond a double are not JSON: refused rather than compared.
        body = json.loads(request.body.decode("utf-8") or "{}", parse_float=_finite, parse_int=_integer,
                          parse_constant=_refuse_constant)
    except (UnicodeDecodeError, ValueError, RecursionError):
        return error(400, "bad_json", "请求体应为 JSON：{\"data\": {\"situation\": {…}, \"form\": {…}}}")
    if not isinstance(body, dict):
        return error(400, "bad_json", "请求体应为 JSON 对象：{\"data\": {…}}")
    unknown = sorted(set(body) - {"data"})
    if unknown:
        return error(400, "bad_parameter", f"不认识的字段「{unknown[0]}」，只接受 data", unknown[0])
    result = validate_submission(compiled, body.get("data", {}))
    if result.valid:
        response = json_response({"valid": True, "data": result.data})
    else:
        response = json_response({"valid": False, "errors": [e.as_json() for e in result.errors]}, 400)
    response["Cache-Control"] = "no-store"
    response["Access-Control-Allow-Origin"] = "*"
    return response


# --- the OpenAPI description of both (publish.openapi adds these) --------------------------------------------------
def _error_response(description):
    return {"description": description, "content": {"application/json": {"schema": {
        "$ref": "#/components/schemas/Error"}}}}


_CODE = {"name": "code", "in": "path", "required": True, "description": "实施编码", "schema": {"type": "string"}}

OPENAPI_PATHS = {
    "/items/{code}/form/": {"get": {
        "summary": "在线表单：已发布的表单定义",
        "description": "表单编译为 JSON Schema 2020-12（schema；自定义格式 cn-resident-id、cn-credit-code、cn-mobile、"
                       "cn-division-code、cn-postcode、cn-amount），界面描述（ui：步骤、顺序、控件、标题、选项、说明）和"
                       "规则（rules：JSON Logic 的显示条件、必填条件、计算公式和跨字段校验）。提交的数据为 "
                       "{\"situation\": {问题标识: 选项值}, \"form\": {字段标识: 值}}。",
        "parameters": [_CODE],
        "responses": {"200": {"description": "成功", "headers": {"ETag": {"schema": {"type": "string"}}},
                              "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Form"}}}},
                      "404": _error_response(NOT_FOUND)}}},
    "/items/{code}/validate/": {"post": {
        "summary": "在线表单：校验填写的数据（不保存）",
        "description": "按服务器的规则校验：隐藏字段的值被丢弃，条件必填只在条件成立时必填，计算字段由服务器重新计算。"
                       "通过时返回 valid 和整理后的数据；不通过时返回 400 和每一处错误（path 为 JSON 路径，如 "
                       "$.form.agent_name；label 为字段标题；message 为中文说明）。",
        "parameters": [_CODE],
        "requestBody": {"required": True, "content": {"application/json": {"schema": {
            "$ref": "#/components/schemas/ValidateRequest"}}}},
        "responses": {"200": {"description": "数据有效", "content": {"application/json": {"schema": {
                          "$ref": "#/components/schemas/ValidationPassed"}}}},
                      "400": {"description": "数据无效（errors 列出每一处），或请求体不是 JSON", "content": {
                          "application/json": {"schema": {"oneOf": [
                              {"$ref": "#/components/schemas/ValidationFailed"},
                              {"$ref": "#/components/schemas/Error"}]}}}},
                      "404": _error_response(NOT_FOUND),
                      "413": _error_response("请求体超过 256 KB")}}},
}

OPENAPI_SCHEMAS = {
    "Form": {"type": "object", "required": ["code", "name", "schema", "ui", "rules"], "properties": {
        "code": {"type": "string"}, "name": {"type": "string"},
        "schema": {"type": "object", "description": "JSON Schema 2020-12"},
        "ui": {"type": "object", "properties": {"title": {"type": "string"},
                                                 "steps": {"type": "array", "items": {"type": "object"}}}},
        "rules": {"type": "object", "properties": {"fields": {"type": "array", "items": {"type": "object"}},
                                                    "steps": {"type": "array", "items": {"type": "object"}},
                                                    "checks": {"type": "array", "items": {"type": "object"}}}}}},
    "ValidateRequest": {"type": "object", "additionalProperties": False, "properties": {
        "data": {"type": "object", "description": "{\"situation\": {…}, \"form\": {…}}", "properties": {
            "situation": {"type": "object"}, "form": {"type": "object"}}}}},
    "ValidationPassed": {"type": "object", "required": ["valid", "data"], "properties": {
        "valid": {"const": True}, "data": {"type": "object", "description": "整理后的数据"}}},
    "ValidationFailed": {"type": "object", "required": ["valid", "errors"], "properties": {
        "valid": {"const": False},
        "errors": {"type": "array", "items": {"type": "object", "required": ["path", "label", "message"],
                                              "properties": {"path": {"type": "string"},
                                                             "label": {"type": "string"},
                                                             "message": {"type": "string"}}}}}},
}
