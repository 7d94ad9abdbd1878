"""The one server-side evaluator of JSON Logic (DESIGN decision 11), with json-logic-js 2.0.5's semantics exactly.

The browser evaluates the same rules with json-logic-js itself (site/static/vendor/json-logic-js), so the server
must agree with it also where Python and JavaScript differ: loose equality (``1 == "1"``, ``[] == 0``,
``null == 0`` is false), truthiness (``[]`` is false, ``{}`` and ``"0"`` are true), arithmetic through
``parseFloat`` (``+``) or ``Number()`` (``-``, ``/``, ``%``), the text of numbers, null and booleans in ``cat``,
comparisons of strings by UTF-16 code units, and missing arguments (JavaScript's ``undefined``). Why our own and
not a library: see docs/architecture.md, "The rule language".

- ``compile(rule)`` turns a rule into a plain Python closure once (per published version); calling it does no
  parsing and no dictionary look-up of operations.
- ``apply(rule, data)`` is ``compile(rule)(data)``.
- ``validate(rule, variables)`` is what the admin and the import run when a rule is saved: known operations only,
  bounded depth and size, and (when ``variables`` is given) only variables of the item's vocabulary.

Nothing here evaluates code: a rule is data, walked by these functions; ``var`` reads only dictionaries, lists
and strings of the data, never an attribute of a Python object.
"""

import math
import re
from decimal import Decimal

import orjson

__all__ = ["OPERATIONS", "EvaluationError", "RuleError", "apply", "compile", "truthy", "validate"]

MAX_DEPTH = 32  # nesting of operations; the admin's builder writes 4–6
MAX_NODES = 2000  # operations, arguments and literals in one rule
MAX_SIZE = 64 * 1024  # characters of the rule's JSON text


class RuleError(ValueError):
    """A rule that cannot be saved or compiled; ``message`` is for the person who wrote it (Chinese)."""

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


class EvaluationError(RuleError):
    """What json-logic-js would throw at evaluation (e.g. ``all`` over null); callers decide what it means."""


class _Undefined:
    """JavaScript's ``undefined``: a missing argument, a missing key. Never leaves ``apply`` (it becomes None)."""

    __slots__ = ()

    def __repr__(self):
        return "undefined"


U = _Undefined()

# Our own operations (rules/operations.py registers them): name → function of the evaluated arguments.
OPERATIONS: dict = {}


# --- JavaScript's conversions -------------------------------------------------------------------------------
_JS_SPACE = "\t\n\v\f\r \u00a0\u1680\u2000\u2001\u2002\u2003\u2004\u2005\u2006\u2007\u2008\u2009\u200a" \
            "\u2028\u2029\u202f\u205f\u3000\ufeff"
_DECIMAL = re.compile(r"[+-]?(?:Infinity|(?:[0-9]+\.?[0-9]*|\.[0-9]+)(?:[eE][+-]?[0-9]+)?)")
_RADIX = re.compile(r"0([xX][0-9a-fA-F]+|[oO][0-7]+|[bB][01]+)")
_NAN = math.nan


def _is_number(value) -> bool:
    return (type(value) is int or type(value) is float)


def to_number(value) -> float:
    """ECMAScript ToNumber."""
    kind = type(value)
    if kind is int or kind is float:
        return value
    if kind is bool:
        return 1 if value else 0
    if value is None:
        return 0
    if kind is str:
        text = value.strip(_JS_SPACE)
        if not text:
            return 0
        if _DECIMAL.fullmatch(text):
            return float(text)
        radix = _RADIX.fullmatch(text)
        if radix:
            return int(radix.group(1)[1:], {"x": 16, "o": 8, "b": 2}[radix.group(1)[0].lower()])
        return _NAN
    if kind is list:
        return to_number(to_string(value))
    return _NAN  # undefined, objects


def parse_float(value) -> float:
    """JavaScript's parseFloat: the longest decimal prefix of the value's text, else NaN."""
    if _is_number(value):
        return value
    match = _DECIMAL.match(to_string(value).lstrip(_JS_SPACE))
    return float(match.group()) if match else _NAN


def number_text(number) -> str:
    """ECMAScript Number::toString for a double: shortest round-trip digits, exponent form past 1e21 and 1e-7."""
    if type(number) is int:
        return str(number) if abs(number) < 2**53 else number_text(float(number))  # JavaScript has doubles only
    if number != number:
        return "NaN"
    if number in (math.inf, -math.inf):
        return "Infinity" if number > 0 else "-Infinity"
    if number == 0:
        return "0"
    if number.is_integer() and abs(number) < 2**53:
        return str(int(number))  # exact; above 2**53 JavaScript writes the shortest digits padded with zeros
    sign = "-" if number < 0 else ""
    _sign, digit_tuple, exponent = Decimal(repr(abs(number))).as_tuple()
    digits = "".join(map(str, digit_tuple))
    stripped = digits.rstrip("0")
    exponent += len(digits) - len(stripped)
    return sign + _layout(stripped, len(stripped), len(stripped) + exponent)


def _layout(digits: str, k: int, n: int) -> str:
    if k <= n <= 21:
        return digits + "0" * (n - k)
    if 0 < n <= 21:
        return digits[:n] + "." + digits[n:]
    if -6 < n <= 0:
        return "0." + "0" * (-n) + digits
    exponent = n - 1
    mantissa = digits[0] + ("." + digits[1:] if k > 1 else "")
    return f"{mantissa}e{'+' if exponent >= 0 else '-'}{abs(exponent)}"


def to_string(value) -> str:
    """ECMAScript ToString (arrays join their items with ",", null and undefined items as empty text)."""
    kind = type(value)
    if kind is str:
        return value
    if kind is bool:
        return "true" if value else "false"
    if kind is int or kind is float:
        return number_text(value)
    if value is None:
        return "null"
    if value is U:
        return "undefined"
    if kind is list:
        return ",".join("" if item is None or item is U else to_string(item) for item in value)
    return "[object Object]"


def _primitive(value):
    kind = type(value)
    if kind is list:
        return to_string(value)
    if kind is dict:
        return "[object Object]"
    return value


def truthy(value) -> bool:
    """json-logic-js's truthy: JavaScript's, except that an empty array is false."""
    kind = type(value)
    if kind is bool:
        return value
    if kind is str or kind is list:
        return len(value) > 0
    if kind is int:
        return value != 0
    if kind is float:
        return value != 0 and value == value
    if value is None or value is U:
        return False
    return True  # objects, even empty ones


def loose_equal(a, b) -> bool:
    """JavaScript's ``==``."""
    ta, tb = type(a), type(b)
    if ta is tb and ta is not list and ta is not dict:
        return a == b if ta is not float else a == b  # NaN != NaN holds in Python too
    a_nullish, b_nullish = a is None or a is U, b is None or b is U
    if a_nullish or b_nullish:
        return a_nullish and b_nullish
    if ta is bool:
        return loose_equal(1 if a else 0, b)
    if tb is bool:
        return loose_equal(a, 1 if b else 0)
    a_number, b_number = ta is int or ta is float, tb is int or tb is float
    if a_number and b_number:
        return a == b
    if (a_number and tb is str) or (ta is str and b_number):
        return to_number(a) == to_number(b)
    a_object, b_object = ta is list or ta is dict, tb is list or tb is dict
    if a_object and b_object:
        return a is b
    if a_object:
        return loose_equal(_primitive(a), b)
    if b_object:
        return loose_equal(a, _primitive(b))
    return False


def strict_equal(a, b) -> bool:
    """JavaScript's ``===`` (numbers by value, arrays and objects by identity)."""
    ta, tb = type(a), type(b)
    if (ta is int or ta is float) and (tb is int or tb is float):
        return a == b
    if ta is not tb:
        return False
    if ta is list or ta is dict:
        return a is b
    return a == b


def _utf16(text: str):
    return text if text.isascii() or max(text) <= "\uffff" else text.encode("utf-16-be", "surrogatepass")


def less(a, b) -> bool:
    """JavaScript's ``<``: strings by UTF-16 code units, anything else as numbers (NaN compares false)."""
    ta, tb = type(a), type(b)
    if (ta is int or ta is float) and (tb is int or tb is float):
        return a < b
    a, b = _primitive(a), _primitive(b)
    if type(a) is str and type(b) is str:
        if a.isascii() and b.isascii():
            return a < b
        ua, ub = _utf16(a), _utf16(b)
        if type(ua) is not type(ub):
            ua, ub = a.encode("utf-16-be", "surrogatepass"), b.encode("utf-16-be", "surrogatepass")
        return ua < ub
    return to_number(a) < to_number(b)


def less_equal(a, b) -> bool:
    """JavaScript's ``<=``: not (b < a), and false where either side is NaN."""
    ta, tb = type(a), type(b)
    if (ta is int or ta is float) and (tb is int or tb is float):
        return a <= b
    a, b = _primitive(a), _primitive(b)
    if type(a) is str and type(b) is str:
        return not less(b, a)
    return to_number(a) <= to_number(b)


def _js_number(value):
    """A result of arithmetic as JSON would carry it: whole numbers as int (JavaScript has one number type),
    except -0, which JavaScript keeps (1 / -0 is -Infinity)."""
    if type(value) is float and value.is_integer() and abs(value) < 9007199254740992:
        if value == 0 and math.copysign(1, value) < 0:
            return value
        return int(value)
    return value


def _to_integer(value) -> float:
    number = to_number(value)
    if number != number:
        return 0
    if number in (math.inf, -math.inf):
        return number
    return math.trunc(number)


def js_plus(a, b):
    """JavaScript's binary ``+`` (text if either side is text after ToPrimitive)."""
    a, b = _primitive(a), _primitive(b)
    if type(a) is str or type(b) is str:
        return to_string(a) + to_string(b)
    return _js_number(float(to_number(a)) + float(to_number(b)))


# --- the standard operations, on evaluated arguments (JavaScript's "arguments": missing ones are U) ------------
def _arg(values, index):
    return values[index] if index < len(values) else U


def _substr_units(text: str, start, length) -> str:
    units = _utf16(text)
    wide = type(units) is bytes
    size = len(units) // 2 if wide else len(units)
    begin = _to_integer(start)
    if begin == -math.inf:
        begin = 0
    elif begin < 0:
        begin = max(size + begin, 0)
    else:
        begin = min(begin, size)
    count = size if length is U else _to_integer(length)
    count = min(max(count, 0), size)
    end = min(begin + count, size)
    if begin >= end:
        return ""
    begin, end = int(begin), int(end)
    if wide:
        return units[2 * begin:2 * end].decode("utf-16-be", "surrogatepass")
    return units[begin:end]


def op_substr(source=U, start=U, end=U, *_):
    text = to_string(source)
    if end is not U and less(end, 0):
        rest = _substr_units(text, start, U)
        size = len(_utf16(rest)) // 2 if type(_utf16(rest)) is bytes else len(rest)
        return _substr_units(rest, 0, js_plus(size, end))
    return _substr_units(text, start, end)


def op_in(a=U, b=U, *_):
    if not truthy(b) and type(b) is not list:
        return False
    if type(b) is str:
        return to_string(a) in b
    if type(b) is list:
        return any(strict_equal(a, item) for item in b)
    return False


def op_plus(*values):
    total = 0.0
    for value in values:
        total += float(parse_float(value))
    return _js_number(total)


def op_times(*values):
    if not values:
        raise EvaluationError("运算「*」至少需要一个参数")
    product = values[0]
    for value in values[1:]:
        product = float(parse_float(product)) * float(parse_float(value))
    return _js_number(product) if len(values) > 1 else product


def op_minus(a=U, b=U, *_):
    if b is U:
        return _js_number(-float(to_number(a)))
    return _js_number(float(to_number(a)) - float(to_number(b)))


def op_divide(a=U, b=U, *_):
    x, y = float(to_number(a)), float(to_number(b))
    if y == 0:
        if x != x or x == 0:
            return _NAN
        return math.copysign(math.inf, x) * math.copysign(1, y)
    return _js_number(x / y)


def op_modulo(a=U, b=U, *_):
    x, y = float(to_number(a)), float(to_number(b))
    if y == 0 or x != x or y != y or x in (math.inf, -math.inf):
        return _NAN
    if y in (math.inf, -math.inf):
        return _js_number(x)
    return _js_number(math.fmod(x, y))


def _extreme(values, pick, empty):
    if not values:
        return empty
    numbers = [float(to_number(value)) for value in values]
    if any(number != number for number in numbers):
        return _NAN
    best = pick(numbers)
    if best == 0:  # Math.min(0, -0) is -0, Math.max(-0, 0) is 0; Python keeps whichever came first
        negative = any(number == 0 and math.copysign(1, number) < 0 for number in numbers)
        positive = any(number == 0 and math.copysign(1, number) > 0 for number in numbers)
        best = -0.0 if (negative if pick is min else not positive) else 0.0
    return _js_number(best)


def op_min(*values):
    return _extreme(values, min, math.inf)


def op_max(*values):
    return _extreme(values, max, -math.inf)


def op_cat(*values):
    return "".join("" if value is None or value is U else to_string(value) for value in values)


def op_merge(*values):
    merged = []
    for value in values:
        if type(value) is list:
            merged.extend(value)
        else:
            merged.append(value)
    return merged


def _get(data, key: str):
    kind = type(data)
    if kind is dict:
        return data.get(key, U)
    if kind is list or kind is str:
        if key == "length":
            return len(data) if kind is list else len(_utf16(data)) // (2 if type(_utf16(data)) is bytes else 1)
        if key.isdigit() and key.isascii() and (key == "0" or key[0] != "0"):
            index = int(key)
            if kind is list:
                return data[index] if index < len(data) else U
            if data.isascii() or max(data) <= "\uffff":
                return data[index] if index < len(data) else U
            units = data.encode("utf-16-be", "surrogatepass")
            return units[2 * index:2 * index + 2].decode("utf-16-be", "surrogatepass") if 2 * index < len(units) else U
    return U


def lookup(data, path=U, default=U):
    """``{"var": [path, default]}``."""
    not_found = None if default is U else default
    if path is U or path is None or (type(path) is str and path == ""):
        return data
    for part in to_string(path).split("."):
        if data is None or data is U:
            return not_found
        data = _get(data, part)
        if data is U:
            return not_found
    return data


def _missing(data, values):
    keys = values[0] if values and type(values[0]) is list else values
    missing = []
    for key in keys:
        value = lookup(data, key)
        if value is None or (type(value) is str and value == ""):
            missing.append(key)
    return missing


def _missing_some(data, values):
    need, options = _arg(values, 0), _arg(values, 1)
    if type(options) is not list:
        options_list = [options]
        count = len(options) if type(options) is str else _NAN
    else:
        options_list, count = options, len(options)
    are_missing = _missing(data, [options_list])
    if count == count and less_equal(need, count - len(are_missing)):
        return []
    return are_missing


_PLAIN = {
    "==": lambda a=U, b=U, *_: loose_equal(a, b),
    "===": lambda a=U, b=U, *_: strict_equal(a, b),
    "!=": lambda a=U, b=U, *_: not loose_equal(a, b),
    "!==": lambda a=U, b=U, *_: not strict_equal(a, b),
    ">": lambda a=U, b=U, *_: less(b, a),
    ">=": lambda a=U, b=U, *_: less_equal(b, a),
    "<": lambda a=U, b=U, c=U, *_: less(a, b) if c is U else (less(a, b) and less(b, c)),
    "<=": lambda a=U, b=U, c=U, *_: less_equal(a, b) if c is U else (less_equal(a, b) and less_equal(b, c)),
    "!!": lambda a=U, *_: truthy(a),
    "!": lambda a=U, *_: not truthy(a),
    "%": op_modulo,
    "log": lambda a=U, *_: a,
    "in": op_in,
    "cat": op_cat,
    "substr": op_substr,
    "+": op_plus,
    "*": op_times,
    "-": op_minus,
    "/": op_divide,
    "min": op_min,
    "max": op_max,
    "merge": op_merge,
}
_WITH_DATA = {"var", "missing", "missing_some"}
_SCOPED = {"if", "?:", "and", "or", "filter", "map", "reduce", "all", "none", "some"}
STANDARD_OPERATIONS = frozenset(_PLAIN) | _WITH_DATA | _SCOPED


def is_logic(value) -> bool:
    return type(value) is dict and len(value) == 1


# --- compiling ------------------------------------------------------------------------------------------------
def compile(rule):  # noqa: A001 - the name the rules issue gives it
    """The rule as a function of the data. Raises RuleError for an unknown operation or a rule too deep."""
    function = _compile(rule, 0)

    def evaluate(data=None):
        result = function(data)
        return None if result is U else result

    evaluate.rule = rule
    return evaluate


def apply(rule, data=None):
    """Evaluate a JSON Logic rule against data, as json-logic-js's jsonLogic.apply does."""
    return compile(rule)(data)


def _constant(value):
    return lambda data: value


def _defined(value):
    return None if value is U else value


def _compile(rule, depth):
    if depth > MAX_DEPTH:
        raise RuleError(f"规则嵌套超过 {MAX_DEPTH} 层")
    if type(rule) is list:
        items = [_compile(item, depth + 1) for item in rule]
        return lambda data: [_defined(item(data)) for item in items]
    if not is_logic(rule):
        return _constant(rule)
    (op, values), = rule.items()
    if type(values) is not list:
        values = [values]
    if op in _SCOPED:
        return _compile_scoped(op, values, depth)
    args = [_compile(value, depth + 1) for value in values]
    if op == "var":
        return _compile_var(values, args)
    if op == "missing":
        return lambda data: _missing(data, [arg(data) for arg in args])
    if op == "missing_some":
        return lambda data: _missing_some(data, [arg(data) for arg in args])
    function = _PLAIN.get(op) or OPERATIONS.get(op)
    if function is None:
        raise RuleError(f"未知的运算「{op}」")
    fast = _fast_path(op, values, args)
    if fast is not None:
        return _boolean(fast)
    if len(args) == 1:
        (only,) = args
        compiled = lambda data: function(only(data))  # noqa: E731
    elif len(args) == 2:
        first, second = args
        compiled = lambda data: function(first(data), second(data))  # noqa: E731
    else:
        compiled = lambda data: function(*[arg(data) for arg in args])  # noqa: E731
    return _boolean(compiled) if op in _BOOLEAN else compiled


# Operations whose result is always true or false: and/or over them need no truthiness test.
_BOOLEAN = {"==", "===", "!=", "!==", ">", ">=", "<", "<=", "!!", "!", "in", "some", "none", "all"}


def _boolean(function):
    function.boolean = True
    return function


def _is_boolean(function) -> bool:
    return getattr(function, "boolean", False)


def _compile_var(values, args):
    path = values[0] if values else U
    if len(values) <= 1 and (path == "" or path is None or path is U) and type(path) is not bool:
        return lambda data: data  # the whole data: an item of map/filter/some
    if len(values) <= 1 and type(path) is str and path:
        # The common case, a fixed dotted name: split once, walk dictionaries directly.
        parts = path.split(".")
        if len(parts) == 1:
            (key,) = parts

            def var_one(data):
                if type(data) is dict:
                    value = data.get(key, U)
                    return None if value is U else value
                return lookup(data, key)

            return var_one
        if len(parts) == 2:
            outer, inner = parts

            def var_two(data):
                if type(data) is dict:
                    middle = data.get(outer, U)
                    if type(middle) is dict:
                        value = middle.get(inner, U)
                        return None if value is U else value
                return lookup(data, path)

            return var_two
        return lambda data: lookup(data, path)
    return lambda data: lookup(data, *[arg(data) for arg in args[:2]])


def _fast_path(op, values, args):
    """Specialised closures for the shapes the rule builder writes (a variable against literals)."""
    if op == "in" and len(values) == 2 and type(values[1]) is list and values[1] \
            and all(type(v) is str for v in values[1]):
        allowed, needle = frozenset(values[1]), args[0]

        def in_texts(data):
            value = needle(data)
            return type(value) is str and value in allowed

        return in_texts
    if op in ("==", "===", "!=", "!==") and len(values) == 2 and type(values[1]) is str:
        literal, left = values[1], args[0]
        negate = op.startswith("!")
        equal = loose_equal if op in ("==", "!=") else strict_equal

        def compare_text(data):
            value = left(data)
            result = value == literal if type(value) is str else equal(value, literal)
            return not result if negate else result

        return compare_text
    return None


def _compile_scoped(op, values, depth):
    args = [_compile(value, depth + 1) for value in values]
    if op in ("if", "?:"):
        pairs = [(args[i], args[i + 1]) for i in range(0, len(args) - 1, 2)]
        otherwise = args[-1] if len(args) % 2 == 1 else None

        def if_(data):
            for condition, consequence in pairs:
                if truthy(condition(data)):
                    return consequence(data)
            return otherwise(data) if otherwise is not None else None

        return if_
    if op in ("and", "or") and len(args) >= 1 and all(map(_is_boolean, args)):
        return _boolean(_all_of(args) if op == "and" else _any_of(args))
    if op == "and":
        def and_(data):
            current = U
            for arg in args:
                current = arg(data)
                if not truthy(current):
                    return current
            return current

        return and_
    if op == "or":
        def or_(data):
            current = U
            for arg in args:
                current = arg(data)
                if truthy(current):
                    return current
            return current

        return or_
    source = args[0] if args else _constant(U)
    logic = args[1] if len(args) > 1 else _constant(U)
    if op == "filter":
        return lambda data: _filter(source(data), logic)
    if op == "map":
        def map_(data):
            items = source(data)
            return [_defined(logic(item)) for item in items] if type(items) is list else []

        return map_
    if op == "reduce":
        initial = args[2] if len(args) > 2 else _constant(None)

        def reduce_(data):
            items, accumulator = source(data), initial(data)
            if type(items) is not list:
                return accumulator
            for item in items:
                accumulator = logic({"current": item, "accumulator": accumulator})
            return accumulator

        return reduce_
    if op == "all":
        def all_(data):
            items = source(data)
            if type(items) is not list or not items:
                return False  # json-logic-js 2.0.5: all of anything but a non-empty array is false
            return all(truthy(logic(item)) for item in items)

        return _boolean(all_)
    if op == "some":
        texts = _texts_of_element_test(values)
        if texts is not None:
            def some_texts(data):
                items = source(data)
                return type(items) is list and any(type(item) is str and item in texts for item in items)

            return _boolean(some_texts)
        return _boolean(lambda data: len(_filter(source(data), logic)) > 0)
    return _boolean(lambda data: len(_filter(source(data), logic)) == 0)  # none


def _texts_of_element_test(values):
    """The texts of the builder's multiple-choice test {"in": [{"var": ""}, ["a", "b"]]}, or None."""
    if len(values) != 2 or not is_logic(values[1]) or "in" not in values[1]:
        return None
    args = values[1]["in"]
    if type(args) is list and len(args) == 2 and args[0] in ({"var": ""}, {"var": [""]}) \
            and type(args[1]) is list and args[1] and all(type(v) is str for v in args[1]):
        return frozenset(args[1])
    return None


def _all_of(args):
    if len(args) == 2:
        first, second = args
        return lambda data: first(data) and second(data)
    return lambda data: all(arg(data) for arg in args)


def _any_of(args):
    if len(args) == 2:
        first, second = args
        return lambda data: first(data) or second(data)
    return lambda data: any(arg(data) for arg in args)


def _filter(items, logic):
    if type(items) is not list:
        return []
    return [item for item in items if truthy(logic(item))]


# --- checking a rule before it is saved ------------------------------------------------------------------------
_ROOTS = {"situation": "情形问题", "form": "表单字段", "applicant": "申请人信息", "item": "事项要素"}


def validate(rule, variables=None) -> None:
    """Refuse, with a Chinese message, what may not be saved: a rule that is not JSON, too deep, too large, uses
    an unknown operation, or (when ``variables`` is given) names a variable outside them.

    ``variables``: dotted names (``situation.agent``); ``applicant.*`` allows every name below ``applicant``.
    Variables inside the logic of map/filter/reduce/all/some/none name the items being walked and are not checked.
    """
    try:
        size = len(orjson.dumps(rule))
    except (TypeError, orjson.JSONEncodeError):
        raise RuleError("规则只能由 JSON 数据组成（对象、数组、文字、数字、是/否、空）") from None
    if size > MAX_SIZE:
        raise RuleError(f"规则过大（{size} 个字符，最多 {MAX_SIZE} 个）")
    counter = [0]
    _walk(rule, 0, counter, variables)


def _walk(rule, depth, counter, variables):
    counter[0] += 1
    if counter[0] > MAX_NODES:
        raise RuleError(f"规则过于复杂（超过 {MAX_NODES} 个节点）")
    if depth > MAX_DEPTH:
        raise RuleError(f"规则嵌套超过 {MAX_DEPTH} 层")
    if type(rule) is list:
        for item in rule:
            _walk(item, depth + 1, counter, variables)
        return
    if type(rule) is float and (rule != rule or rule in (math.inf, -math.inf)):
        raise RuleError("规则中的数字必须是有限数")
    if not is_logic(rule):
        if type(rule) is dict:
            for value in rule.values():
                _walk(value, depth + 1, counter, variables)
        return
    (op, values), = rule.items()
    if op not in STANDARD_OPERATIONS and op not in OPERATIONS:
        raise RuleError(f"未知的运算「{op}」")
    if type(values) is not list:
        values = [values]
    if op == "var" and variables is not None:
        _check_variable(values[0] if values else "", variables)
    if op in ("missing", "missing_some") and variables is not None:
        names = values[1] if op == "missing_some" and len(values) > 1 else values
        for name in (names[0] if names and type(names[0]) is list else names) if type(names) is list else []:
            if type(name) is str:
                _check_variable(name, variables)
    scoped = op in ("filter", "map", "reduce", "all", "none", "some")
    for index, value in enumerate(values):
        inner = None if scoped and index == 1 else variables
        _walk(value, depth + 1, counter, inner)


def _check_variable(name, variables):
    if is_logic(name):
        raise RuleError("变量名必须是固定的文字，不能由规则计算得出")
    if type(name) is not str or name == "":
        return  # the whole data, or a number (an index)
    if name in variables or any(allowed.startswith(name + ".") for allowed in variables):
        return
    if any(allowed.endswith(".*") and name.startswith(allowed[:-1]) for allowed in variables):
        return
    root = name.split(".", 1)[0]
    if root in _ROOTS:
        raise RuleError(f"未知的变量「{name}」：本事项没有这个{_ROOTS[root]}")
    raise RuleError(f"未知的变量「{name}」：规则只能使用 situation.*、form.*、applicant.*、item.* 中的变量")
