"""An item's online form as a JSON document: exported, imported and copied to other items.

The document holds the definition as its blocks store it (block type names and child names are a contract, see
formbuilder.blocks), so it reads back into the same form. An import checks every block type and child against the
blocks, then compiles the form with the target item's situation questions and materials; only a form that
compiles is saved, as a new draft revision of the item (never a half-written one).
"""

from dataclasses import dataclass, field

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from wagtail.blocks import StreamBlock, StructBlock

from catalog.permissions import service_item_policy

from .compile import FormDefinitionError, compile_form, definition_source
from .models import FormDefinition

FORMAT = "tongban-form"
VERSION = 1
SETTINGS = ("title", "situations_first", "situations_title")


class FormImportError(ValueError):
    """The document cannot become the item's form: messages in Chinese, one per problem."""

    def __init__(self, messages):
        self.messages = [str(m) for m in messages]
        super().__init__("；".join(self.messages))


@dataclass
class CopyResult:
    item: object
    copied: bool
    messages: list[str] = field(default_factory=list)  # refusals, or the upload slots left out


def current_state(item):
    """What the item's editors see now: its pending draft, else its row (as the importer reads it: an item never
    published keeps its content in its rows)."""
    # Read afresh: an instance that was saved or published may hold stale flags and its children in memory.
    item = type(item).objects.select_related("latest_revision").get(pk=item.pk)
    if item.latest_revision is not None and item.live and item.has_unpublished_changes:
        return item.latest_revision.as_object()
    return item


def may_edit(user, item) -> bool:
    return service_item_policy.user_has_permission_for_instance(user, "change", item)


def export_form(item) -> dict:
    """The item's form (its draft's, when one is pending) as a JSON-ready document; an empty form when it has none."""
    state = current_state(item)
    definition = next(iter(state.form_definitions.all()), None)
    document = {"format": FORMAT, "version": VERSION, "item": {"code": item.implementation_code, "name": item.name}}
    if definition is None:
        return {**document, "title": "", "situations_first": True, "situations_title": "办理情形", "steps": [],
                "checks": []}
    return {**document, **{name: getattr(definition, name) for name in SETTINGS},
            "steps": _without_ids(definition.steps.get_prep_value()),
            "checks": _without_ids(definition.checks.get_prep_value())}


def _without_ids(data):
    """Block ids name blocks within one item's stream (comparisons, revisions); a document gets new ones."""
    if isinstance(data, list):
        return [_without_ids(entry) for entry in data]
    if isinstance(data, dict):
        return {key: _without_ids(value) for key, value in data.items() if key != "id" or "type" not in data}
    return data


def _stream_block(name) -> StreamBlock:
    return FormDefinition._meta.get_field(name).stream_block


def _check_stream(block: StreamBlock, data, where: str, problems: list):
    """Block types and children the blocks know: StreamBlock.to_python would silently drop an unknown type."""
    if not isinstance(data, list):
        problems.append(f"{where}应为列表")
        return
    for index, entry in enumerate(data, start=1):
        here = f"{where}第{index}项"
        if not isinstance(entry, dict) or not isinstance(entry.get("value"), dict):
            problems.append(f"{here}格式不对：应为含 type 和 value 的对象")
            continue
        child = block.child_blocks.get(entry.get("type"))
        if child is None:
            problems.append(f"{here}的类型“{entry.get('type')}”不存在")
            continue
        _check_struct(child, entry["value"], f"{here}（{child.label}）", problems)


def _check_struct(block: StructBlock, value: dict, where: str, problems: list):
    for name in value:
        if name not in block.child_blocks:
            problems.append(f"{where}没有“{name}”这一项")
    for name, child in block.child_blocks.items():
        if isinstance(child, StreamBlock) and name in value:
            _check_stream(child, value[name], f"{where}的{child.label}", problems)


def _blocks_value(name, data, problems):
    """The stream's value through its blocks (to_python, then clean: required children, lengths, keys)."""
    block = _stream_block(name)
    _check_stream(block, data, "步骤" if name == "steps" else "跨字段校验", problems)
    if problems:
        return None
    value = block.to_python(data)
    try:
        return block.clean(value)
    except ValidationError as error:
        problems.extend(_flatten(error))
        return None


def _flatten(error) -> list[str]:
    """Wagtail's nested block errors as flat Chinese messages."""
    found = []
    as_data = getattr(error, "as_json_data", None)

    def walk(node):
        if isinstance(node, dict):
            for key, value in node.items():
                if key == "messages":
                    found.extend(str(m) for m in value)
                else:
                    walk(value)
        elif isinstance(node, list):
            for value in node:
                walk(value) if not isinstance(value, str) else found.append(value)

    if as_data is not None:
        walk(as_data())
    return found or [str(m) for m in getattr(error, "messages", [str(error)])]


def build_definition(state, data: dict) -> FormDefinition:
    """A FormDefinition for the item from the document, checked and compiled; FormImportError otherwise."""
    if not isinstance(data, dict):
        raise FormImportError(["文件内容不是表单：应为一个 JSON 对象"])
    if data.get("format") != FORMAT:
        raise FormImportError(["文件不是导出的在线表单（缺少 format: tongban-form）"])
    if data.get("version") != VERSION:
        raise FormImportError([f"不支持的表单文件版本：{data.get('version')}"])
    problems = []
    title = data.get("title") or ""
    situations_title = data.get("situations_title") or "办理情形"
    if not isinstance(title, str) or len(title) > 200:
        problems.append("表单名称应为文字，最多200字")
    if not isinstance(situations_title, str) or len(situations_title) > 50:
        problems.append("第一步的名称应为文字，最多50字")
    steps = _blocks_value("steps", data.get("steps", []), problems)
    checks = _blocks_value("checks", data.get("checks", []), problems)
    if problems:
        raise FormImportError(problems)
    definition = FormDefinition(title=title, situations_first=data.get("situations_first", True) is not False,
                                situations_title=situations_title, steps=steps, checks=checks)
    source = definition_source(definition, state.situation_questions.all(), state.materials.all())
    try:
        compile_form(source)
    except FormDefinitionError as error:
        raise FormImportError([p.message for p in error.problems]) from None
    return definition


def save_form(item, definition: FormDefinition, user):
    """The item's current content with this form, saved as a new draft revision (and as its rows while the item
    has never been published, as the edit screen saves it)."""
    state = current_state(item)
    definition.pk = None
    state.form_definitions = [definition]
    with transaction.atomic():
        if not item.live:
            state.save()
        return state.save_revision(user=user, log_action=True)


def import_form(item, data: dict, user):
    """Replace the item's form with the document's; PermissionDenied or FormImportError, and then nothing is
    saved."""
    if not may_edit(user, item):
        raise PermissionDenied
    definition = build_definition(current_state(item), data)
    return save_form(item, definition, user)


def _without_missing_uploads(data: dict, materials: set[str]) -> tuple[dict, list[str]]:
    """The document without the upload slots whose material the target lacks, and the messages naming them."""
    left_out = []

    def keep(entries):
        kept = []
        for entry in entries:
            value = entry.get("value", {})
            if entry.get("type") == "upload" and value.get("material") not in materials:
                left_out.append(f"材料上传“{value.get('label')}”对应的材料“{value.get('material')}”在本事项中不存在，"
                                "未复制")
                continue
            if isinstance(value.get("fields"), list):
                value = {**value, "fields": keep(value["fields"])}
            kept.append({**entry, "value": value})
        return kept

    return {**data, "steps": keep(data.get("steps", []))}, left_out


def copy_form(source, targets, user) -> list[CopyResult]:
    """The source item's form to each target item, each in a transaction of its own: a target the user may not
    edit, or where the form does not compile (a rule naming a question the target lacks), is refused and keeps its
    form; upload slots whose material the target lacks are left out and reported."""
    if not may_edit(user, source) and not service_item_policy.user_has_permission_for_instance(user, "view",
                                                                                                 source):
        raise PermissionDenied
    document = export_form(source)
    results = []
    for target in targets:
        if target.pk == source.pk:
            continue
        if not may_edit(user, target):
            results.append(CopyResult(target, False, ["无权修改这个事项"]))
            continue
        state = current_state(target)
        data, left_out = _without_missing_uploads(document, {m.name for m in state.materials.all()})
        try:
            definition = build_definition(state, data)
        except FormImportError as error:
            results.append(CopyResult(target, False, error.messages))
            continue
        save_form(target, definition, user)
        results.append(CopyResult(target, True, left_out))
    return results


# --- for the import template's 表单字段 sheet (imports.form_sheet) -----------------------------------------------
def field_types() -> dict[str, object]:
    """Field type name → its block, for the types a step holds directly (groups are designed in the admin)."""
    return {name: block for name, block in _stream_block("steps").child_blocks["step"].child_blocks[
        "fields"].child_blocks.items() if name not in ("group", "repeat")}


def clean_steps(data: list) -> tuple[list | None, list[str]]:
    """The steps' raw data through the blocks: (their stored form, []) or (None, Chinese messages)."""
    problems = []
    value = _blocks_value("steps", data, problems)
    return (None, problems) if value is None else (_without_ids(value.get_prep_value()), [])
