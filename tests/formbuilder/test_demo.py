"""The demo's four illustrative items get published forms; 无犯罪记录证明's agent fields appear only when 委托=是,
it has an ID-number field and an upload slot per material, each shown when its material's rule holds."""

import pytest

from catalog.demo_guides import ILLUSTRATIVE_GUIDES
from catalog.models import Material
from formbuilder.demo import DEMO_FORMS, add_demo_forms
from formbuilder.service import published_form, validate_submission
from rules.demo import add_demo_rules
from tests.catalog.factories import ServiceItemFactory
from tests.formbuilder.samples import VALID_ID

pytestmark = pytest.mark.django_db


@pytest.fixture
def demo_items():
    items = {}
    for name in DEMO_FORMS:
        item = ServiceItemFactory(name=name)
        for order, row in enumerate(ILLUSTRATIVE_GUIDES[name].get("materials", [])):
            Material.objects.create(item=item, sort_order=order, **row)
        item.save_revision().publish()
        items[name] = item
    add_demo_rules()
    assert add_demo_forms() == 4
    return {name: type(item).objects.get(pk=item.pk) for name, item in items.items()}


def test_every_illustrative_item_has_a_published_form_that_compiles(demo_items):
    for item in demo_items.values():
        form = published_form(item)
        assert form is not None and not form.problems, item.name
        uploads = {f.label for f in form.fields if f.type == "upload"}
        assert uploads == {m.name for m in item.materials.all()}, item.name


def test_no_criminal_record_agent_fields_only_when_an_agent_applies(demo_items):
    form = published_form(demo_items["无犯罪记录证明"])
    assert {f.key for f in form.fields if f.type == "id_number"} == {"id_number", "agent_id_number"}
    base = {"name": "张三", "id_number": VALID_ID, "mobile": "13812345678", "promise": True,
            "material_1": ["f1"], "material_2": ["f2"]}
    alone = validate_submission(form, {"situation": {"agent": "no", "use": "job"},
                                       "form": {**base, "agent_name": "李四"}})
    assert alone.valid, [e.as_json() for e in alone.errors]
    assert "agent_name" not in alone.data["form"]
    with_agent = validate_submission(form, {"situation": {"agent": "yes", "use": "job"}, "form": base})
    assert {e.label for e in with_agent.errors} == {"受托人姓名", "受托人居民身份证号码", "受托人手机号码"}
    # The proxy's letter (委托书, 非必要 in the demo guide) is asked for exactly when its material's rule holds.
    (proxy,) = [f for f in form.fields if f.label == "委托书及受托人身份证"]
    for agent, kept in (("yes", True), ("no", False)):
        result = validate_submission(form, {"situation": {"agent": agent, "use": "job"},
                                            "form": {**base, proxy.key: ["f3"]}})
        assert (proxy.key in result.data["form"]) is kept
