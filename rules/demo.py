"""Demo rule sets for the four illustrative items (catalog/demo_guides.py): situation questions whose answers
change the material list, the conditions and the time limit. Illustrative, like the guides themselves."""

from django.db import transaction

from catalog.models import Material, ServiceItem

from .models import SituationQuestion, SituationVariant

YES_NO = [{"value": "yes", "label": "是"}, {"value": "no", "label": "否"}]


def _is(key, value):
    return {"==": [{"var": f"situation.{key}"}, value]}


def _any(key, *values):
    return {"in": [{"var": f"situation.{key}"}, list(values)]}


DEMO_RULES = {
    "无犯罪记录证明": {
        "questions": [
            {"key": "agent", "text": "是否委托他人代办？", "options": YES_NO,
             "help": "本人不能到场时，可书面委托他人代为申请。"},
            {"key": "use", "text": "证明的用途是什么？", "options": [
                {"value": "job", "label": "就业、入职"}, {"value": "abroad", "label": "出国（境）"},
                {"value": "other", "label": "其他"}]},
        ],
        "material_rules": {"委托书及受托人身份证": _is("agent", "yes")},
        "new_materials": [
            {"name": "护照或出入境证件复印件", "material_type": "1", "material_form": "3", "paper_copies": 1,
             "original_or_copy": "2", "source": "20", "necessity": "1", "situations": "用途为出国（境）",
             "acceptance_standard": "证件在有效期内，复印件清晰。", "required_when": _is("use", "abroad")},
        ],
    },
    "居民身份证办理（包括临时）": {
        "questions": [
            {"key": "kind", "text": "您要办理哪一种？", "options": [
                {"value": "first", "label": "首次申领"}, {"value": "renew", "label": "到期换领"},
                {"value": "lost", "label": "丢失补领"}, {"value": "temporary", "label": "临时身份证"}]},
            {"key": "minor", "text": "申请人是否未满16周岁？", "options": YES_NO},
        ],
        "material_rules": {"原居民身份证": _is("kind", "renew")},
        "new_materials": [
            {"name": "监护人居民身份证", "material_type": "1", "material_form": "1", "paper_copies": 1,
             "original_or_copy": "1", "source": "20", "necessity": "1", "situations": "申请人未满16周岁",
             "acceptance_standard": "监护人须陪同到场，证件真实有效。", "required_when": _is("minor", "yes")},
        ],
        "variants": [
            {"applies_when": _is("kind", "temporary"), "description": "临时居民身份证", "promised_limit": 3,
             "promised_limit_unit": "2"},
        ],
    },
    "分公司设立登记": {
        "questions": [
            {"key": "foreign_investment", "text": "公司是否有外资？", "options": YES_NO},
            {"key": "premises", "text": "分公司的营业场所是？", "options": [
                {"value": "owned", "label": "自有房产"}, {"value": "leased", "label": "租赁"}]},
            {"key": "seal", "text": "是否同时申请刻制印章？", "options": YES_NO},
        ],
        "new_materials": [
            {"name": "外商投资信息报告回执", "material_type": "3", "material_form": "2", "source": "10",
             "necessity": "1", "situations": "公司有外资", "required_when": _is("foreign_investment", "yes")},
            {"name": "房屋租赁合同", "material_type": "3", "material_form": "3", "paper_copies": 1,
             "original_or_copy": "2", "source": "10", "necessity": "1", "situations": "营业场所为租赁",
             "acceptance_standard": "租赁期限一年以上，出租人签章齐全。", "required_when": _is("premises", "leased")},
            {"name": "印章刻制申请表", "material_type": "2", "material_form": "3", "paper_copies": 1,
             "original_or_copy": "1", "source": "10", "necessity": "1", "situations": "同时申请刻制印章",
             "required_when": _is("seal", "yes")},
        ],
        "variants": [
            {"applies_when": _is("foreign_investment", "yes"), "description": "有外资的公司设立分公司",
             "promised_limit": 3, "promised_limit_unit": "2",
             "acceptance_conditions": "公司已依法设立，外商投资信息已按规定报送；分公司名称、营业场所符合规定。"},
        ],
    },
    "食品小经营店备案发放": {
        "questions": [
            {"key": "operator", "text": "经营者是？", "options": [
                {"value": "individual", "label": "个体工商户"}, {"value": "company", "label": "企业"}]},
            {"key": "online", "text": "是否通过网络销售食品？", "options": YES_NO},
            {"key": "platform", "text": "通过哪类平台销售？", "kind": "multiple", "options": [
                {"value": "third_party", "label": "第三方平台"}, {"value": "own_site", "label": "自建网站或小程序"}],
             "asked_when": _is("online", "yes")},
        ],
        "new_materials": [
            {"name": "营业执照复印件", "material_type": "1", "material_form": "3", "paper_copies": 1,
             "original_or_copy": "2", "source": "20", "necessity": "1", "situations": "经营者为企业",
             "required_when": _is("operator", "company")},
            {"name": "自建网站备案信息（ICP备案）", "material_type": "3", "material_form": "2", "source": "20",
             "necessity": "1", "situations": "通过自建网站或小程序销售",
             "required_when": {"some": [{"var": "situation.platform"}, {"in": [{"var": ""}, ["own_site"]]}]}},
        ],
    },
}


@transaction.atomic
def add_demo_rules() -> int:
    """Give the illustrative demo items their situations and rules, published in a new revision each."""
    done = 0
    for name, spec in DEMO_RULES.items():
        item = ServiceItem.objects.filter(name=name, live=True).first()
        if item is None:
            continue
        for order, question in enumerate(spec["questions"]):
            SituationQuestion.objects.create(item=item, sort_order=order, kind=question.get("kind", "single"),
                                             **{k: v for k, v in question.items() if k != "kind"})
        for material_name, rule in spec.get("material_rules", {}).items():
            Material.objects.filter(item=item, name=material_name).update(required_when=rule)
        next_order = item.materials.count()
        for offset, material in enumerate(spec.get("new_materials", [])):
            Material.objects.create(item=item, sort_order=next_order + offset, **material)
        for order, variant in enumerate(spec.get("variants", [])):
            SituationVariant.objects.create(item=item, sort_order=order, **variant)
        item = ServiceItem.objects.get(pk=item.pk)
        item.save_revision().publish()
        done += 1
    return done
