"""The form designer's building blocks: one StructBlock per field type, in steps, groups and repeating groups.

A block stores what the department wrote: rules as text in the readable syntax of rules/syntax.py (or a JSON Logic
rule's JSON text), options one per line. formbuilder.compile reads these into JSON Schema, the UI description and
JSON Logic; the item's check (formbuilder.admin) refuses a save whose rules do not read. Block type names (``text``,
``id_number`` …) and child names are stored in revisions and in submissions' frozen forms: they are a contract.
"""

from django.utils.translation import gettext_lazy as _
from wagtail import blocks

from rules.models import key_validator

# The applicant's profile fields a field may be filled from (一号申请).
PREFILL_CHOICES = [
    ("name", _("姓名")),
    ("id_number", _("居民身份证号码")),
    ("mobile", _("手机号码")),
    ("company_name", _("单位名称")),
    ("credit_code", _("统一社会信用代码")),
    ("address", _("地址")),
]

RULE_HELP = _("写作“问题或字段=选项”，可用“且”“或”和括号组合，如：是否委托他人代办=是；"
              "也可以填写 JSON Logic 规则。为空表示总是。")


def _key():
    return blocks.CharBlock(label=_("字段标识"), max_length=40, validators=[key_validator],
                            help_text=_("在规则中写作 form.标识；发布后不要修改"))


def _rule(label, help_text=RULE_HELP):
    return blocks.TextBlock(label=label, required=False, rows=2, help_text=help_text)


def _head():
    return [
        ("key", _key()),
        ("label", blocks.CharBlock(label=_("标题"), max_length=100)),
        ("help_text", blocks.CharBlock(label=_("帮助说明"), required=False, max_length=300)),
    ]


def _answer(default=None, prefill=True, placeholder=True):
    children = []
    if placeholder:
        children.append(("placeholder", blocks.CharBlock(label=_("输入提示"), required=False, max_length=100)))
    children.append(("required", blocks.BooleanBlock(label=_("必填"), required=False, default=True)))
    if default is not None:
        children.append(("default", default))
    if prefill:
        children.append(("prefill", blocks.ChoiceBlock(choices=PREFILL_CHOICES, required=False,
                                                       label=_("从申请人信息预填"))))
    return children


def _text_checks():
    return [
        ("min_length", blocks.IntegerBlock(label=_("最少字数"), required=False, min_value=0)),
        ("max_length", blocks.IntegerBlock(label=_("最多字数"), required=False, min_value=1)),
        ("pattern", blocks.CharBlock(label=_("格式（正则表达式）"), required=False, max_length=200)),
        ("pattern_message", blocks.CharBlock(label=_("格式不符时的提示"), required=False, max_length=100)),
    ]


def _number_checks():
    return [
        ("min_value", blocks.FloatBlock(label=_("最小值"), required=False)),
        ("max_value", blocks.FloatBlock(label=_("最大值"), required=False)),
        ("value", _rule(_("计算公式"), _("JSON Logic 规则，如 {\"+\": [{\"var\": \"form.a\"}, {\"var\": \"form.b\"}]}；"
                                      "填写后本字段由系统计算，申请人不能修改"))),
    ]


def _options(multiple=False):
    children = [("options", blocks.TextBlock(label=_("选项"), rows=3,
                                             help_text=_("每行一个选项，写作“值=显示文字”，如 yes=是；"
                                                         "只写文字时值与文字相同")))]
    if multiple:
        children += [
            ("min_count", blocks.IntegerBlock(label=_("最少选几项"), required=False, min_value=0)),
            ("max_count", blocks.IntegerBlock(label=_("最多选几项"), required=False, min_value=1)),
        ]
    return children


def _tail():
    return [
        ("visible_when", _rule(_("显示条件"))),
        ("required_when", _rule(_("必填条件"), _("满足时必填（不勾选“必填”时使用）。") + RULE_HELP)),
    ]


def _field(label, icon, *middle):
    children = _head()
    for part in middle:
        children += part
    return blocks.StructBlock(children + _tail(), label=label, icon=icon)


def _text_default():
    return blocks.CharBlock(label=_("默认值"), required=False, max_length=200)


def field_blocks() -> list[tuple[str, blocks.Block]]:
    """Every field type, in the order the designer offers them."""
    return [
        ("text", _field(_("单行文字"), "pilcrow", _answer(_text_default()), _text_checks())),
        ("textarea", _field(_("多行文字"), "doc-full", _answer(_text_default()), _text_checks())),
        ("number", _field(_("数字"), "order", _answer(blocks.FloatBlock(label=_("默认值"), required=False),
                                                     prefill=False), _number_checks())),
        ("amount", _field(_("金额（元）"), "order", _answer(blocks.DecimalBlock(
            label=_("默认值"), required=False, decimal_places=2), prefill=False), _number_checks())),
        ("date", _field(_("日期"), "date", _answer(prefill=False, placeholder=False))),
        ("date_range", _field(_("日期区间"), "date", _answer(prefill=False, placeholder=False))),
        ("radio", _field(_("单选"), "radio-full", _options(), _answer(_text_default(), prefill=False,
                                                                     placeholder=False))),
        ("select", _field(_("下拉选择"), "list-ul", _options(), _answer(_text_default(), prefill=False))),
        ("checkboxes", _field(_("多选"), "tasks", _options(multiple=True),
                              _answer(prefill=False, placeholder=False))),
        ("yes_no", _field(_("是/否"), "tick", _answer(blocks.ChoiceBlock(
            # A blank choice of our own: Wagtail's would read "- Select an option -" (not in its Chinese catalogue).
            choices=[("", _("无默认值")), ("yes", _("是")), ("no", _("否"))], required=False, label=_("默认值")),
            prefill=False,
            placeholder=False))),
        ("person_name", _field(_("姓名"), "user", _answer(_text_default()))),
        ("id_number", _field(_("居民身份证号码"), "user", _answer(_text_default()))),
        ("credit_code", _field(_("统一社会信用代码"), "group", _answer(_text_default()))),
        ("mobile", _field(_("手机号码"), "mobile-alt", _answer(_text_default()))),
        ("phone", _field(_("固定电话"), "mobile-alt", _answer(_text_default(), prefill=False))),
        ("email", _field(_("电子邮箱"), "mail", _answer(_text_default(), prefill=False))),
        ("postcode", _field(_("邮政编码"), "mail", _answer(_text_default(), prefill=False))),
        ("division", _field(_("行政区划"), "site", _answer(_text_default(), prefill=False, placeholder=False), [
            ("level", blocks.ChoiceBlock(choices=[("province", _("省")), ("city", _("市")), ("county", _("县（区）"))],
                                         default="county", label=_("选到哪一级")))])),
        ("address", _field(_("详细地址"), "home", _answer(_text_default()))),
        ("upload", blocks.StructBlock([
            *_head(),
            ("material", blocks.CharBlock(label=_("对应的申请材料"), max_length=300,
                                          help_text=_("填写本事项“申请材料”中的材料名称；是否显示和必填由该材料的"
                                                      "适用条件决定"))),
            ("accept", blocks.CharBlock(label=_("允许的文件类型"), default="pdf,jpg,png", max_length=100,
                                        help_text=_("扩展名，用逗号分隔"))),
            ("max_size_mb", blocks.IntegerBlock(label=_("单个文件大小上限（MB）"), default=10, min_value=1,
                                                max_value=100)),
            ("max_files", blocks.IntegerBlock(label=_("最多文件数"), default=1, min_value=1, max_value=20)),
        ], label=_("材料上传"), icon="upload")),
        ("declaration", blocks.StructBlock([
            *_head(),
            ("text", blocks.TextBlock(label=_("承诺内容"), rows=4)),
            *_tail()[:1],
        ], label=_("承诺书"), icon="tick-inverse")),
        ("static_text", blocks.StructBlock([
            ("key", _key()),
            ("label", blocks.CharBlock(label=_("标题"), required=False, max_length=100)),
            ("text", blocks.TextBlock(label=_("说明文字"), rows=4)),
            *_tail()[:1],
        ], label=_("说明文字"), icon="info-circle")),
    ]


def _fields_stream():
    return blocks.StreamBlock(field_blocks(), label=_("字段"), required=False)


def group_blocks() -> list[tuple[str, blocks.Block]]:
    return [
        ("group", blocks.StructBlock([
            *_head(),
            ("fields", _fields_stream()),
            *_tail()[:1],
        ], label=_("分组"), icon="folder-open-inverse")),
        ("repeat", blocks.StructBlock([
            *_head(),
            ("item_label", blocks.CharBlock(label=_("每一项的名称"), max_length=50, help_text=_("如：家庭成员、股东"))),
            ("min_count", blocks.IntegerBlock(label=_("最少几项"), default=0, min_value=0, max_value=100)),
            ("max_count", blocks.IntegerBlock(label=_("最多几项"), default=10, min_value=1, max_value=100)),
            ("fields", _fields_stream()),
            *_tail()[:1],
        ], label=_("可重复分组"), icon="list-ol")),
    ]


class StepBlock(blocks.StructBlock):
    key = _key()
    title = blocks.CharBlock(label=_("步骤名称"), max_length=50)
    help_text = blocks.CharBlock(label=_("步骤说明"), required=False, max_length=300)
    fields = blocks.StreamBlock(field_blocks() + group_blocks(), label=_("字段"), required=False)
    visible_when = _rule(_("显示条件"))

    class Meta:
        label = _("步骤")
        icon = "form"


class CheckBlock(blocks.StructBlock):
    rule = blocks.TextBlock(label=_("须满足的规则"), rows=2,
                            help_text=_("JSON Logic 规则，如 {\"<=\": [{\"var\": \"form.start\"}, "
                                        "{\"var\": \"form.end\"}]}；也可以用“问题或字段=选项”的写法"))
    message = blocks.CharBlock(label=_("不满足时的提示"), max_length=200)
    field = blocks.CharBlock(label=_("提示显示在哪个字段"), required=False, max_length=40,
                             help_text=_("字段标识；为空时显示在表单顶部"))

    class Meta:
        label = _("跨字段校验")
        icon = "warning"
