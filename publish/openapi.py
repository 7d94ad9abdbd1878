"""The OpenAPI 3.1 description of the open-data API, served at /api/v1/schema/."""

from .form_api import OPENAPI_PATHS, OPENAPI_SCHEMAS


def _param(name, description, schema=None, required=False, where="query"):
    param = {"name": name, "in": where, "required": required, "description": description,
             "schema": schema or {"type": "string"}}
    if where == "query":
        param["allowEmptyValue"] = True  # an empty filter (type=, as the site's forms send it) means "any"
    return param


ITEM_FILTERS = [
    _param("q", "搜索词（中文分词，与网站搜索相同的排序）", {"type": "string", "maxLength": 100}),
    _param("department", "实施主体的统一社会信用代码"),
    _param("type", "事项类型代码", {"type": "string", "enum": ["01", "02", "03", "04", "05", "06", "07", "08", "09",
                                                              "10", "20"]}),
    _param("audience", "person 个人办事 / legal 法人办事", {"type": "string", "enum": ["person", "legal"]}),
    _param("online", "1 或 true 仅可网上办理；0 或 false 仅不可网上办理", {"type": "string",
                                                                   "enum": ["1", "0", "true", "false"]}),
    _param("visits", "到现场次数不超过", {"type": "integer", "minimum": 0, "maximum": 100}),
    _param("page", "页码，从 1 开始", {"type": "integer", "minimum": 1, "maximum": 1000}),
]

ERROR = {"description": "参数错误", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}}


def _ok(ref, description="成功"):
    return {"description": description, "headers": {"ETag": {"schema": {"type": "string"}}},
            "content": {"application/json": {"schema": {"$ref": f"#/components/schemas/{ref}"}}}}


def schema(server_url: str) -> dict:
    return {
        "openapi": "3.1.0",
        "info": {"title": "通办 政务服务事项开放数据接口", "version": "1.0.0",
                 "description": "只读；只包含已发布的事项。GET 接口支持 ETag / If-None-Match。"},
        "servers": [{"url": server_url}],
        "paths": {
            "/items/": {"get": {"summary": "事项检索", "parameters": ITEM_FILTERS,
                                "responses": {"200": _ok("ItemPage"), "400": ERROR}}},
            "/items/{code}/": {"get": {"summary": "事项办事指南",
                                       "parameters": [_param("code", "实施编码", required=True, where="path")],
                                       "responses": {"200": _ok("ItemDetail"),
                                                     "404": {**ERROR, "description": "没有这个已发布的事项"}}}},
            "/items/{code}/evaluate/": {"post": {
                "summary": "情形引导：按回答得出材料清单",
                "description": "提交对事项情形问题的回答，返回还需回答的问题、适用的申请材料、受理条件、承诺时限和"
                               "收费。自助终端、移动端和窗口使用同一套规则。回答只取正在提问的问题；其他回答被忽略"
                               "（列在 ignored 中）。",
                "parameters": [_param("code", "实施编码", required=True, where="path")],
                "requestBody": {"required": True, "content": {"application/json": {"schema": {
                    "$ref": "#/components/schemas/EvaluateRequest"}}}},
                "responses": {"200": _ok("Checklist"),
                              "400": {**ERROR, "description": "回答不符合问题：未知的问题或选项"
                                                              "（error.errors 列出每一处，parameter 为路径，"
                                                              "如 answers.agent）"},
                              "404": {**ERROR, "description": "没有这个已发布的事项"},
                              "413": {**ERROR, "description": "请求体超过 64 KB"}}}},
            "/departments/": {"get": {"summary": "实施部门", "responses": {"200": _ok("DepartmentList")}}},
            "/power-list/": {"get": {"summary": "权力清单和责任清单",
                                     "parameters": [ITEM_FILTERS[1], ITEM_FILTERS[2], ITEM_FILTERS[6]],
                                     "responses": {"200": _ok("PowerListPage"), "400": ERROR}}},
            **OPENAPI_PATHS,
        },
        "components": {"schemas": {
            "Error": {"type": "object", "required": ["error"], "properties": {"error": {
                "type": "object", "required": ["status", "code", "message"],
                "properties": {"status": {"type": "integer"}, "code": {"type": "string"},
                               "message": {"type": "string"}, "parameter": {"type": "string"}}}}},
            "Department": {"type": "object", "required": ["code", "name"], "properties": {
                "code": {"type": "string", "description": "统一社会信用代码"}, "name": {"type": "string"},
                "short_name": {"type": "string"}, "item_count": {"type": "integer"}}},
            "Code": {"type": ["object", "null"], "properties": {"code": {"type": "string"},
                                                                "name": {"type": "string"}}},
            "ItemSummary": {"type": "object", "required": ["code", "name", "department", "type", "url"],
                            "properties": {
                                "code": {"type": "string"}, "name": {"type": "string"},
                                "department": {"$ref": "#/components/schemas/Department"},
                                "type": {"$ref": "#/components/schemas/Code"},
                                "main_item_name": {"type": "string"},
                                "audience": {"type": "array", "items": {"type": "string"}},
                                "handled_online": {"type": "boolean"}, "visits": {"type": ["integer", "null"]},
                                "url": {"type": "string", "format": "uri"},
                                "api_url": {"type": "string", "format": "uri"}}},
            "ItemPage": {"type": "object", "required": ["count", "results", "next"], "properties": {
                "count": {"type": "integer"}, "page": {"type": "integer"},
                "next": {"type": ["string", "null"]}, "previous": {"type": ["string", "null"]},
                "results": {"type": "array", "items": {"$ref": "#/components/schemas/ItemSummary"}}}},
            "ItemDetail": {"type": "object", "required": ["code", "name", "department", "materials"],
                           "description": "完整办事指南：基本信息、受理条件、申请材料、流程、时限、收费、"
                                          "设定依据、常见问题",
                           "properties": {"code": {"type": "string"}, "name": {"type": "string"},
                                          "department": {"$ref": "#/components/schemas/Department"},
                                          "materials": {"type": "array", "items": {"type": "object"}},
                                          "fees": {"type": "array", "items": {"type": "object"}},
                                          "legal_basis": {"type": "array", "items": {"type": "object"}},
                                          "faqs": {"type": "array", "items": {"type": "object"}}}},
            "EvaluateRequest": {"type": "object", "additionalProperties": False, "properties": {
                "answers": {"type": "object", "description": "问题标识 → 选项值（多选题为选项值的数组）",
                            "additionalProperties": {"oneOf": [{"type": "string"}, {"type": "null"},
                                                               {"type": "array", "items": {"type": "string"}}]}}}},
            "Question": {"type": "object", "required": ["key", "text", "kind", "options"], "properties": {
                "key": {"type": "string"}, "text": {"type": "string"},
                "kind": {"type": "string", "enum": ["single", "multiple"]}, "help": {"type": "string"},
                "options": {"type": "array", "items": {"type": "object", "properties": {
                    "value": {"type": "string"}, "label": {"type": "string"}}}},
                "answer": {"oneOf": [{"type": "string"}, {"type": "null"},
                                     {"type": "array", "items": {"type": "string"}}]}}},
            "Checklist": {"type": "object",
                          "required": ["code", "complete", "answers", "questions", "pending", "materials"],
                          "properties": {
                              "code": {"type": "string"}, "name": {"type": "string"},
                              "complete": {"type": "boolean", "description": "是否已回答所有需要回答的问题"},
                              "answers": {"type": "object", "description": "采纳的回答"},
                              "questions": {"type": "array", "items": {"$ref": "#/components/schemas/Question"},
                                            "description": "正在提问的问题（按顺序），带当前回答"},
                              "pending": {"type": "array", "items": {"type": "string"},
                                          "description": "还需回答的问题标识"},
                              "ignored": {"type": "array", "items": {"type": "string"}},
                              "materials": {"type": "array", "items": {"type": "object"},
                                            "description": "适用于这些回答的申请材料"},
                              "acceptance_conditions": {"type": "string"},
                              "promised_limit": {"type": ["object", "null"], "properties": {
                                  "value": {"type": "integer"}, "unit": {"type": "string"},
                                  "unit_code": {"type": "string"}}},
                              "fees": {"type": "array", "items": {"type": "object"}}}},
            "DepartmentList": {"type": "object", "properties": {
                "count": {"type": "integer"},
                "results": {"type": "array", "items": {"$ref": "#/components/schemas/Department"}}}},
            "PowerListPage": {"type": "object", "properties": {
                "count": {"type": "integer"}, "next": {"type": ["string", "null"]},
                "results": {"type": "array", "items": {"type": "object"}}}},
            **OPENAPI_SCHEMAS,
        }},
    }
