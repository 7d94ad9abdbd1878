"""A fast validator for the JSON Schema documents that formbuilder.compile writes.

jsonschema checks a 40-field submission about 1,500 times a second on one core; an application form must do better
than ten times that, rules included (docs/benchmarks.md). The compiled schemas use a small part of JSON Schema
2020-12, so `compile_schema` turns a schema into nested closures for exactly that part and refuses any other
keyword, rather than ignoring it. Each keyword means what it means in jsonschema (a keyword judges only the types
it applies to; ``True`` is not ``1``; lengths count code points; ``pattern`` searches), and
tests/formbuilder/test_checker.py feeds random data to both and compares every error.

An error is ``(path, keyword, detail)``: the path a tuple of keys and indices of the instance (for ``required``
and ``additionalProperties`` the object's, as jsonschema reports them), detail the missing key, the unexpected
keys, or the schema's value for the keyword."""

import re

from . import formats

ANNOTATIONS = {"$schema", "$id", "$comment", "title", "description", "default", "readOnly", "examples"}
_TYPES = {
    "string": lambda v: type(v) is str,
    "number": lambda v: type(v) is int or type(v) is float,
    "integer": lambda v: type(v) is int or (type(v) is float and v.is_integer()),
    "boolean": lambda v: type(v) is bool,
    "object": lambda v: type(v) is dict,
    "array": lambda v: type(v) is list,
    "null": lambda v: v is None,
}
_KNOWN = ANNOTATIONS | {"type", "properties", "required", "additionalProperties", "items", "minItems", "maxItems",
                        "uniqueItems", "enum", "const", "minLength", "maxLength", "pattern", "format", "minimum",
                        "maximum"}


class UnsupportedSchema(ValueError):
    pass


def compile_schema(schema: dict):
    """A function of an instance that returns its list of errors (empty: valid)."""
    check = _node(schema)

    def errors(instance):
        found = []
        check(instance, (), found)
        return found

    return errors


def _leaf_keywords(schema) -> bool:
    return not ({"properties", "additionalProperties", "required", "items"} & set(schema))


def _node(schema):
    """The check of a schema: ``check(instance, path, found)`` appends the errors found."""
    _known(schema)
    if _leaf_keywords(schema):
        test = _leaf(schema)

        def leaf_node(instance, path, found):
            bad = test(instance)
            if bad:
                found.extend((path, keyword, detail) for keyword, detail in bad)

        return leaf_node
    tests = []
    if "type" in schema:
        tests.append(_type(schema["type"]))
    for keyword in ("minItems", "maxItems"):
        if keyword in schema:
            tests.append(_count(keyword, schema[keyword]))
    if schema.get("uniqueItems") is True:
        tests.append(_unique)
    checks = []
    if "required" in schema:
        checks.append(_required(schema["required"]))
    if "properties" in schema or "additionalProperties" in schema:
        checks.append(_properties(schema.get("properties", {}), schema.get("additionalProperties", True)))
    if "items" in schema:
        checks.append(_items(schema["items"]))

    def node(instance, path, found):
        for test in tests:
            bad = test(instance)
            if bad is not None:
                found.append((path, *bad))
        for check in checks:
            check(instance, path, found)

    return node


def _known(schema):
    if type(schema) is not dict:
        raise UnsupportedSchema(f"schema must be an object, not {schema!r}")
    unknown = set(schema) - _KNOWN
    if unknown:
        raise UnsupportedSchema(f"keywords not supported: {sorted(unknown)}")


def _leaf(schema):
    """A schema without subschemas as ``test(instance) -> [(keyword, detail)] or None``: most of a form's fields,
    judged without building their paths unless something is wrong."""
    _known(schema)
    if schema.get("type") == "string" and not {"const", "minimum", "maximum", "minItems", "maxItems",
                                                "uniqueItems"} & set(schema):
        return _string_leaf(schema)
    if schema.get("type") == "number" and not {"enum", "const", "minLength", "maxLength", "pattern", "minItems",
                                                "maxItems", "uniqueItems"} & set(schema):
        return _number_leaf(schema)
    tests = []
    if "type" in schema:
        tests.append(_type(schema["type"]))
    if "enum" in schema:
        tests.append(_enum(schema["enum"]))
    if "const" in schema:
        tests.append(_const(schema["const"]))
    for keyword in ("minLength", "maxLength"):
        if keyword in schema:
            tests.append(_length(keyword, schema[keyword]))
    if "pattern" in schema:
        tests.append(_pattern(schema["pattern"]))
    if "format" in schema:
        tests.append(_format(schema["format"]))
    for keyword in ("minimum", "maximum"):
        if keyword in schema:
            tests.append(_bound(keyword, schema[keyword]))
    for keyword in ("minItems", "maxItems"):
        if keyword in schema:
            tests.append(_count(keyword, schema[keyword]))
    if schema.get("uniqueItems") is True:
        tests.append(_unique)
    if len(tests) == 1:
        (only,) = tests

        def one(instance):
            bad = only(instance)
            return None if bad is None else [bad]

        return one

    def leaf(instance):
        found = None
        for test in tests:
            bad = test(instance)
            if bad is not None:
                if found is None:
                    found = []
                found.append(bad)
        return found

    return leaf


def _string_leaf(schema):
    """A text field's keywords in one function (a form has dozens; a call per keyword cost a third of the time)."""
    enum = schema.get("enum")
    if enum is not None:
        _enum(enum)  # (refuses what it cannot judge)
    allowed = frozenset(enum) if enum is not None else None
    low, high = schema.get("minLength"), schema.get("maxLength")
    search = re.compile(schema["pattern"]).search if "pattern" in schema else None
    name = schema.get("format")
    _types, check = _format_check(name)

    def string_leaf(instance):
        if type(instance) is not str:
            bad = [("type", "string")]
            if enum is not None:
                bad.append(("enum", enum))
            return bad
        bad = None
        if allowed is not None and instance not in allowed:
            bad = [("enum", enum)]
        if low is not None and len(instance) < low:
            bad = [*(bad or ()), ("minLength", low)]
        if high is not None and len(instance) > high:
            bad = [*(bad or ()), ("maxLength", high)]
        if search is not None and search(instance) is None:
            bad = [*(bad or ()), ("pattern", schema["pattern"])]
        if check is not None and check(instance) is not None:
            bad = [*(bad or ()), ("format", name)]
        return bad

    return string_leaf


def _number_leaf(schema):
    low, high = schema.get("minimum"), schema.get("maximum")
    name = schema.get("format")
    types, check = _format_check(name)

    def number_leaf(instance):
        kind = type(instance)
        if kind is not int and kind is not float:
            if check is not None and kind in types and check(instance) is not None:
                return [("type", "number"), ("format", name)]
            return [("type", "number")]
        bad = None
        if low is not None and instance < low:
            bad = [("minimum", low)]
        if high is not None and instance > high:
            bad = [*(bad or ()), ("maximum", high)]
        if check is not None and check(instance) is not None:
            bad = [*(bad or ()), ("format", name)]
        return bad

    return number_leaf


# Each test below takes an instance and returns None, or (keyword, detail) when the keyword fails.
def _type(expected):
    names = expected if type(expected) is list else [expected]
    tests = [_TYPES[name] for name in names]
    failed = ("type", expected)
    if names == ["string"]:
        return lambda instance: None if type(instance) is str else failed
    if len(tests) == 1:
        (test,) = tests
        return lambda instance: None if test(instance) else failed
    return lambda instance: None if any(test(instance) for test in tests) else failed


def _enum(values):
    if not all(type(v) is str for v in values):
        raise UnsupportedSchema("enum of text only")
    allowed, failed = frozenset(values), ("enum", values)
    return lambda instance: None if type(instance) is str and instance in allowed else failed


def _const(value):
    if type(value) is not bool:
        raise UnsupportedSchema("const true or false only")
    failed = ("const", value)
    return lambda instance: None if instance is value else failed


def _length(keyword, limit):
    failed = (keyword, limit)
    if keyword == "minLength":
        return lambda instance: failed if type(instance) is str and len(instance) < limit else None
    return lambda instance: failed if type(instance) is str and len(instance) > limit else None


def _pattern(text):
    search, failed = re.compile(text).search, ("pattern", text)
    return lambda instance: failed if type(instance) is str and search(instance) is None else None


def _format_check(name):
    """(the types a format judges, its check) — ((), None) for no format."""
    if name is None:
        return (), None
    if name not in formats.FORMATS:
        raise UnsupportedSchema(f"unknown format {name!r}")
    return formats.FORMATS[name]


def _format(name):
    types, check = _format_check(name)
    failed = ("format", name)
    return lambda instance: failed if type(instance) in types and check(instance) is not None else None


def _bound(keyword, limit):
    failed = (keyword, limit)
    if keyword == "minimum":
        return lambda instance: failed if (type(instance) is int or type(instance) is float) \
            and instance < limit else None
    return lambda instance: failed if (type(instance) is int or type(instance) is float) \
        and instance > limit else None


def _count(keyword, limit):
    failed = (keyword, limit)
    if keyword == "minItems":
        return lambda instance: failed if type(instance) is list and len(instance) < limit else None
    return lambda instance: failed if type(instance) is list and len(instance) > limit else None


def _canonical(value):
    """A hashable stand-in equal exactly when jsonschema's `equal` says the values are (True is not 1; 1 is 1.0)."""
    kind = type(value)
    if kind is bool:
        return ("b", value)
    if kind is int or kind is float:
        return ("n", value)
    if kind is list:
        return ("l", tuple(_canonical(v) for v in value))
    if kind is dict:
        return ("o", frozenset((k, _canonical(v)) for k, v in value.items()))
    return ("v", value)


def _unique(instance):
    if type(instance) is list and len({_canonical(v) for v in instance}) != len(instance):
        return ("uniqueItems", True)
    return None


# Checks of objects and arrays: ``check(instance, path, found)``.
def _required(names):
    def required(instance, path, found):
        if type(instance) is dict:
            for name in names:
                if name not in instance:
                    found.append((path, "required", name))

    return required


def child(schema):
    """(leaf test, None) or (None, node check) for a schema: how formbuilder.validate checks each field's value as
    it takes it, rather than walking the whole document again."""
    _known(schema)
    return (_leaf(schema), None) if _leaf_keywords(schema) else (None, _node(schema))


def _properties(properties, additional):
    children = {key: child(value) for key, value in properties.items()}
    extra = None if additional is True else False if additional is False else child(additional)

    def properties_(instance, path, found):
        if type(instance) is not dict:
            return
        unexpected = None
        for key, value in instance.items():
            child = children.get(key)
            if child is None:
                if extra is False:
                    unexpected = [*(unexpected or ()), key]
                    continue
                if extra is None:
                    continue
                child = extra
            leaf, node = child
            if leaf is not None:
                bad = leaf(value)
                if bad:
                    found.extend(((*path, key), keyword, detail) for keyword, detail in bad)
            else:
                node(value, (*path, key), found)
        if unexpected:
            found.append((path, "additionalProperties", tuple(unexpected)))

    return properties_


def _items(schema):
    leaf, node = child(schema)

    def items(instance, path, found):
        if type(instance) is not list:
            return
        for index, value in enumerate(instance):
            if leaf is not None:
                bad = leaf(value)
                if bad:
                    found.extend(((*path, index), keyword, detail) for keyword, detail in bad)
            else:
                node(value, (*path, index), found)

    return items
