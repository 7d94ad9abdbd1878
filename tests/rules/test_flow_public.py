"""GET /guide/<code>/flow.svg: the published flow's chart (200, image/svg+xml), 404 for an unknown or unpublished
item or one without a flow; the guide page and its print view show it; a draft's flow stays private until
published; the demo items' flows after the demo is loaded."""

import xml.etree.ElementTree as ET

import pytest
from django.core.management import call_command
from django.urls import reverse

from catalog.demo_guides import ILLUSTRATIVE_GUIDES
from catalog.models import ServiceItem
from rules.demo_flows import add_demo_flows
from rules.flow import check_flow, step_dict
from rules.models import FlowStep
from tests.catalog.factories import DepartmentFactory, ServiceItemFactory

pytestmark = pytest.mark.django_db


def flow_url(item):
    return reverse("publish:guide_flow", args=[item.implementation_code])


def give_flow(item, department=None):
    FlowStep.objects.create(item=item, sort_order=0, key="apply", name="申请", actor_role="applicant",
                            outcomes=[{"key": "submit", "label": "提交申请", "next": ["review"]}])
    FlowStep.objects.create(item=item, sort_order=1, key="review", name="<审查>", time_limit=3,
                            actor_department=department,
                            outcomes=[{"key": "done", "label": "办结", "next": []}])


def test_the_published_flow_is_drawn(client):
    item = ServiceItemFactory(department=DepartmentFactory(name="区行政审批局"))
    give_flow(item, DepartmentFactory(name="区市场监督管理局"))
    response = client.get(flow_url(item))
    assert response.status_code == 200 and response["Content-Type"] == "image/svg+xml"
    assert response["Cache-Control"] == "public, max-age=60"
    assert "default-src 'none'" in response["Content-Security-Policy"]
    root = ET.fromstring(response.content)
    shown = [element.text for element in root.iter("{http://www.w3.org/2000/svg}text")]
    assert "<审查>" in shown and "区市场监督管理局 · 3个工作日" in shown and "申请人" in shown


def test_unknown_unpublished_and_flowless_items_are_404(client):
    assert client.get(reverse("publish:guide_flow", args=["NO-SUCH-CODE"])).status_code == 404
    draft_only = ServiceItemFactory(live=False)
    give_flow(draft_only)
    assert client.get(flow_url(draft_only)).status_code == 404
    assert client.get(flow_url(ServiceItemFactory())).status_code == 404
    assert client.post(flow_url(draft_only)).status_code == 405


def test_the_guide_and_print_view_show_the_chart_only_with_a_flow(client):
    item = ServiceItemFactory()
    guide = reverse("publish:guide", args=[item.implementation_code])
    printed = reverse("publish:guide_print", args=[item.implementation_code])
    assert "办理流程图" not in client.get(guide).content.decode()
    give_flow(item)
    for url in (guide, printed):
        page = client.get(f"{url}?again").content.decode()
        assert "<h2 id=\"g-flowchart\">办理流程图</h2>" in page
        assert f'src="{flow_url(item)}"' in page
        assert "环节依次为：申请、&lt;审查&gt;" in page  # the alt text, escaped


def test_a_drafted_flow_is_public_only_once_published(client):
    item = ServiceItemFactory()
    give_flow(item)
    draft = ServiceItem.objects.get(pk=item.pk)
    steps = list(draft.flow_steps.all())
    steps[0].name = "草稿中的申请"
    draft.flow_steps.set(steps)
    revision = draft.save_revision()  # a draft: the rows keep the published flow
    assert "草稿中的申请" not in client.get(flow_url(item)).content.decode()
    revision.publish()
    assert "草稿中的申请" in client.get(f"{flow_url(item)}?v=2").content.decode()


@pytest.fixture
def demo(db):
    call_command("load_demo")


def test_the_demo_items_get_sound_published_flows(client, demo):
    add_demo_flows()
    assert add_demo_flows() == 0  # once only
    for name in ILLUSTRATIVE_GUIDES:
        item = ServiceItem.objects.get(name=name)
        steps = [step_dict(step) for step in item.flow_steps.all()]
        assert len(steps) >= 4, name
        assert check_flow(steps, item.promised_limit) == [], name
        assert len(item.live_revision.content["flow_steps"]) == len(steps), "the flow is in the live revision"
        response = client.get(flow_url(item))
        assert response.status_code == 200, name
        assert all(step["name"] in response.content.decode() for step in steps)
    company = ServiceItem.objects.get(name="分公司设立登记")
    seal = company.flow_steps.get(key="seal_filing")
    assert seal.actor_department.short_name == "区公安分局" and company.flow_steps.get(key="decide").join
