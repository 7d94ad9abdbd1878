import re

from applications.models import Draft


def step_url(item, number):
    return f"/apply/{item.implementation_code}/step/{number}/"


def post_step(client, item, number, data, action="next", **extra):
    """POST a step as the browser sends it: the values, the markers of the fields on the page, the button."""
    present = [name for name in data if not name.endswith(".rows")]
    body = {**data, "_present": present, "action": action, **extra}
    return client.post(step_url(item, number), body)


def fill_to_check(client, item, agent="no"):
    assert post_step(client, item, 1, {"situation.agent": agent, "situation.use": "job"}).status_code == 302
    second = {"form.name": "张三", "form.id_number": "11010519491231002X", "form.mobile": "13800000001"}
    if agent == "yes":
        second.update({"form.agent_name": "王五", "form.agent_id": "11010819900101001X"})
    assert post_step(client, item, 2, second).status_code == 302
    third = {"form.copies": "2", "form.fee": "12.5", "form.mail": "no", "form.promise": "true",
             "form.members.rows": "0"}
    response = post_step(client, item, 3, third)
    assert response.status_code == 302 and response["Location"].endswith("/check/"), response.content.decode()
    return response


def idempotency_key(client, item):
    page = client.get(f"/apply/{item.implementation_code}/check/").content.decode()
    return re.search(r'name="idempotency_key" value="([^"]+)"', page).group(1)


def draft_of(applicant, item):
    return Draft.objects.get(applicant=applicant, item=item)
