"""Demo online forms for the four illustrative items (catalog/demo_guides.py, rules/demo.py), published in a new
revision each. Illustrative, like the guides: 无犯罪记录证明 has the agent's fields shown only when 是否委托他人代办
is 是, ID-number fields, and a material upload slot per material (each shown when its material's rule holds)."""

from django.db import transaction

from catalog.models import ServiceItem

from .compile import compile_form, definition_source
from .models import FormDefinition


def _field(kind, key, label, **value):
    return {"type": kind, "value": {"key": key, "label": label, "help_text": "", "visible_when": "",
                                    "required_when": "", "required": True, **value}}


def _step(key, title, *fields, help_text=""):
    return {"type": "step", "value": {"key": key, "title": title, "help_text": help_text, "visible_when": "",
                                      "fields": list(fields)}}


def _applicant(prefix="", company=False):
    if company:
        return [
            _field("text", "company_name", "单位名称", prefill="company_name", max_length=100),
            _field("credit_code", "credit_code", "统一社会信用代码", prefill="credit_code"),
            _field("person_name", "contact_name", "联系人姓名", prefill="name"),
            _field("mobile", "contact_mobile", "联系人手机号码", prefill="mobile"),
        ]
    return [
        _field("person_name", "name", "姓名", prefill="name"),
        _field("id_number", "id_number", "居民身份证号码", prefill="id_number"),
        _field("mobile", "mobile", "手机号码", prefill="mobile"),
    ]


def _uploads(item):
    return [_field("upload", f"material_{index + 1}", material.name, material=material.name,
                   accept="pdf,jpg,png", max_size_mb=10, max_files=3 if material.material_type == "2" else 2)
            for index, material in enumerate(item.materials.all())]


def _declaration():
    return _field("declaration", "promise", "承诺书",
                  text="本人（单位）承诺所填信息和所交材料真实、有效，如有虚假，愿承担相应的法律责任。")


def _no_criminal_record(item):
    agent = "是否委托他人代办？=是"
    return [
        _step("applicant", "申请人", *_applicant(),
              _field("group", "agent", "受托人（代办人）", visible_when=agent, fields=[
                  _field("person_name", "agent_name", "受托人姓名"),
                  _field("id_number", "agent_id_number", "受托人居民身份证号码"),
                  _field("mobile", "agent_mobile", "受托人手机号码"),
              ]),
              _field("textarea", "other_use", "用途说明", required=False, required_when="证明的用途是什么？=其他",
                     max_length=200, placeholder="请说明开具证明的用途")),
        _step("materials", "申请材料", *_uploads(item), _declaration(),
              help_text="按您的情形需要提交的材料会自动列出。"),
    ]


def _identity_card(item):
    return [
        _step("applicant", "申请人", *_applicant(), _field("division", "birth_place", "户籍所在地", level="county"),
              _field("address", "address", "现住址", prefill="address", max_length=200),
              _field("yes_no", "mail", "是否邮寄证件"),
              _field("address", "mail_address", "邮寄地址", visible_when="是否邮寄证件=是"),
              _field("postcode", "mail_postcode", "邮政编码", visible_when="是否邮寄证件=是")),
        _step("materials", "申请材料", *_uploads(item), _declaration()),
    ]


def _branch(item):
    return [
        _step("company", "申请单位", *_applicant(company=True),
              _field("text", "branch_name", "分公司名称", max_length=100),
              _field("division", "branch_division", "营业场所所在地", level="county"),
              _field("address", "branch_address", "营业场所详细地址"),
              _field("repeat", "managers", "负责人", item_label="负责人", min_count=1, max_count=3, fields=[
                  _field("person_name", "manager_name", "姓名"),
                  _field("id_number", "manager_id_number", "居民身份证号码"),
              ])),
        _step("materials", "申请材料", *_uploads(item), _declaration()),
    ]


def _food_shop(item):
    return [
        _step("operator", "经营者", *_applicant(),
              _field("text", "shop_name", "店铺名称", max_length=100),
              _field("address", "shop_address", "经营场所"),
              _field("number", "area", "经营面积（平方米）", min_value=1, max_value=200),
              _field("checkboxes", "categories", "经营项目", options="prepackaged=预包装食品\nbulk=散装食品\n"
                     "cooked=熟食制品", min_count=1)),
        _step("materials", "申请材料", *_uploads(item), _declaration()),
    ]


DEMO_FORMS = {
    "无犯罪记录证明": _no_criminal_record,
    "居民身份证办理（包括临时）": _identity_card,
    "分公司设立登记": _branch,
    "食品小经营店备案发放": _food_shop,
}


@transaction.atomic
def add_demo_forms() -> int:
    """Give the illustrative demo items (after rules.demo) their online forms, published in a new revision."""
    done = 0
    for name, steps_of in DEMO_FORMS.items():
        item = ServiceItem.objects.filter(name=name, live=True).first()
        if item is None:
            continue
        definition = FormDefinition(item=item, title=f"{name}申请表", steps=steps_of(item))
        # A demo that does not compile is a bug here, not a form the public should get.
        compile_form(definition_source(definition, item.situation_questions.all(), item.materials.all()))
        definition.save()
        item = ServiceItem.objects.get(pk=item.pk)
        item.save_revision().publish()
        done += 1
    return done
