"""情形引导: the rule set of an item, the evaluate API, the guide page's checklist and the 一次性告知单."""

import json

import pytest
from django.core.management import call_command
from django.db import transaction
from django.urls import reverse

from catalog.models import ServiceItem
from rules import situations

pytestmark = pytest.mark.django_db


@pytest.fixture(scope="module")
def demo(django_db_setup, django_db_blocker):
    """The demo, loaded once for the module inside a transaction that is rolled back after it (each test's own
    transaction nests inside): a flush would also remove what the migrations seed for the tests after these."""
    with django_db_blocker.unblock():
        loaded = transaction.atomic()
        loaded.__enter__()
        call_command("load_demo", verbosity=0)
    yield
    with django_db_blocker.unblock():
        transaction.set_rollback(True)
        loaded.__exit__(None, None, None)


def _item(name):
    return ServiceItem.objects.get(name=name, live=True)


def _evaluate(client, item, answers, **extra):
    return client.post(reverse("publish:api_item_evaluate", args=[item.implementation_code]),
                       data=json.dumps({"answers": answers}), content_type="application/json", **extra)


def _names(body):
    return [m["name"] for m in body["materials"]]


def test_answers_change_the_material_list(client, demo):
    item = _item("无犯罪记录证明")
    alone = _evaluate(client, item, {"agent": "no", "use": "job"}).json()
    by_agent = _evaluate(client, item, {"agent": "yes", "use": "abroad"}).json()
    assert alone["complete"] and by_agent["complete"]
    assert "委托书及受托人身份证" not in _names(alone) and "委托书及受托人身份证" in _names(by_agent)
    assert "护照或出入境证件复印件" in _names(by_agent) and "护照或出入境证件复印件" not in _names(alone)
    assert {"居民身份证", "无犯罪记录证明申请表"} <= set(_names(alone))


def test_questions_still_to_ask_and_conditional_questions(client, demo):
    item = _item("食品小经营店备案发放")
    start = _evaluate(client, item, {}).json()
    assert start["pending"] == ["operator", "online"] and not start["complete"]
    online = _evaluate(client, item, {"operator": "company", "online": "yes"}).json()
    assert online["pending"] == ["platform"]  # asked only when selling online
    done = _evaluate(client, item, {"operator": "company", "online": "yes", "platform": ["own_site"]}).json()
    assert done["complete"] and "自建网站备案信息（ICP备案）" in _names(done) and "营业执照复印件" in _names(done)
    offline = _evaluate(client, item, {"operator": "individual", "online": "no", "platform": ["own_site"]}).json()
    assert offline["ignored"] == ["platform"] and "自建网站备案信息（ICP备案）" not in _names(offline)


def test_variants_change_the_time_limit_and_conditions(client, demo):
    item = _item("分公司设立登记")
    plain = _evaluate(client, item, {"foreign_investment": "no"}).json()
    foreign = _evaluate(client, item, {"foreign_investment": "yes"}).json()
    assert plain["promised_limit"]["value"] == item.promised_limit
    assert foreign["promised_limit"] == {"value": 3, "unit": "工作日", "unit_code": "2"}
    assert "外商投资信息" in foreign["acceptance_conditions"]


@pytest.mark.parametrize(("answers", "path", "words"), [
    ({"nonsense": "yes"}, "answers.nonsense", "没有情形问题「nonsense」"),
    ({"agent": "maybe"}, "answers.agent", "没有选项「maybe」"),
    ({"agent": ["yes", "no"]}, "answers.agent", "只能选一项"),
    ({"agent": 1}, "answers.agent", "没有选项「1」"),
    ("yes", "answers", "应为对象"),
])
def test_junk_answers_are_a_400_in_chinese_with_the_path(client, demo, answers, path, words):
    response = _evaluate(client, _item("无犯罪记录证明"), answers)
    assert response.status_code == 400
    error = response.json()["error"]
    assert error["parameter"] == path and words in error["message"]


@pytest.mark.parametrize("body", [b"not json", b"[1,2]", b'{"answers": {}, "extra": 1}', b"\xff\xfe"])
def test_bad_bodies_are_400(client, demo, body):
    item = _item("无犯罪记录证明")
    response = client.post(reverse("publish:api_item_evaluate", args=[item.implementation_code]), data=body,
                           content_type="application/json")
    assert response.status_code == 400 and response.json()["error"]["message"]


def test_a_one_megabyte_body_is_refused_without_reading_it(client, demo):
    item = _item("无犯罪记录证明")
    body = json.dumps({"answers": {"agent": "yes" * 350_000}})
    response = client.post(reverse("publish:api_item_evaluate", args=[item.implementation_code]), data=body,
                           content_type="application/json")
    assert response.status_code == 413 and "请求体过大" in response.json()["error"]["message"]


def test_unknown_item_and_get_are_json_errors(client, demo):
    assert client.post("/api/v1/items/nope/evaluate/", data="{}", content_type="application/json").status_code == 404
    item = _item("无犯罪记录证明")
    assert client.get(reverse("publish:api_item_evaluate", args=[item.implementation_code])).status_code == 405


def test_the_guide_page_answers_without_javascript(client, demo):
    item = _item("无犯罪记录证明")
    page = client.get(f"/guide/{item.implementation_code}/").content.decode()
    assert "情形引导" in page and "是否委托他人代办" in page
    answered = client.get(f"/guide/{item.implementation_code}/?agent=yes&use=job").content.decode()
    checklist = answered[answered.index("data-checklist"):answered.index("situation-rules")]
    assert "需要提交 <span data-material-count>3</span> 项材料" in checklist
    bad = client.get(f"/guide/{item.implementation_code}/?agent=maybe").content.decode()
    assert "没有选项「maybe」" in bad


def test_the_notice_lists_only_the_materials_that_apply(client, demo):
    item = _item("无犯罪记录证明")
    notice = client.get(f"/guide/{item.implementation_code}/notice/?agent=no&use=job").content.decode()
    assert "一次性告知单" in notice and "委托书及受托人身份证" not in notice and "无犯罪记录证明申请表" in notice
    notice = client.get(f"/guide/{item.implementation_code}/notice/?agent=yes&use=job").content.decode()
    assert "委托书及受托人身份证" in notice


def test_the_public_sees_only_the_published_rules(client, demo):
    item = _item("无犯罪记录证明")
    draft = ServiceItem.objects.get(pk=item.pk)
    draft.situation_questions.all()[0].text = "草稿中的问题"
    questions = list(draft.situation_questions.all())
    questions[0].text = "草稿中的问题"
    draft.situation_questions = questions
    draft.save_revision()  # a draft, not published
    page = client.get(f"/guide/{item.implementation_code}/").content.decode()
    assert "草稿中的问题" not in page and "是否委托他人代办" in page


def test_a_rule_set_is_compiled_once_per_published_version(demo):
    item = _item("无犯罪记录证明")
    assert situations.rule_set(item) is situations.rule_set(_item("无犯罪记录证明"))
