"""An applicant sees and resumes only their own drafts and submissions: each forbidden case tried for real."""

import pytest

from applications.models import Draft, Submission

from .helpers import fill_to_check, idempotency_key, post_step

pytestmark = pytest.mark.django_db


@pytest.fixture
def others_things(client, item, other):
    """The other applicant's draft and submission of the item, and a second draft of another step."""
    client.force_login(other.user)
    fill_to_check(client, item)
    key = idempotency_key(client, item)
    client.post(f"/apply/{item.implementation_code}/check/", {"idempotency_key": key})
    submission = Submission.objects.get(applicant=other)
    post_step(client, item, 1, {"situation.agent": "yes", "situation.use": "other"})
    draft = Draft.objects.get(applicant=other)
    client.logout()
    return draft, submission


def test_the_owner_reaches_them(client, others_things, other):
    draft, submission = others_things
    client.force_login(other.user)
    assert client.get(f"/account/drafts/{draft.pk}/").status_code == 302
    assert client.get(f"/account/submissions/{submission.tracking_number}/").status_code == 200
    assert client.get(f"/account/submissions/{submission.tracking_number}/receipt/").status_code == 200
    assert submission.tracking_number in client.get("/account/submissions/").content.decode()


@pytest.mark.parametrize("url", [
    "/account/drafts/{draft}/",
    "/account/submissions/{number}/",
    "/account/submissions/{number}/receipt/",
])
def test_another_applicant_gets_404(client, others_things, applicant, url):
    draft, submission = others_things
    client.force_login(applicant.user)
    assert client.get(url.format(draft=draft.pk, number=submission.tracking_number)).status_code == 404


def test_another_applicant_cannot_delete_the_draft(client, others_things, applicant):
    draft, _submission = others_things
    client.force_login(applicant.user)
    assert client.post(f"/account/drafts/{draft.pk}/delete/").status_code == 404
    assert Draft.objects.filter(pk=draft.pk).exists()


def test_the_lists_show_only_ones_own(client, others_things, applicant, item):
    draft, submission = others_things
    client.force_login(applicant.user)
    assert submission.tracking_number not in client.get("/account/submissions/").content.decode()
    assert str(draft.pk) not in client.get("/account/drafts/").content.decode()
    # The same item opens the applicant's own, empty draft, never the other's answers.
    page = client.get(f"/apply/{item.implementation_code}/step/1/").content.decode()
    assert 'value="other" checked' not in page
    assert Draft.objects.filter(applicant=applicant).get().answers["situation"] == {}


def test_submitting_with_anothers_key_submits_nothing(client, others_things, applicant, item):
    draft, submission = others_things
    client.force_login(applicant.user)
    fill_to_check(client, item)
    for key in (draft.idempotency_key, submission.idempotency_key):
        response = client.post(f"/apply/{item.implementation_code}/check/", {"idempotency_key": str(key)})
        assert response.status_code == 200 and "页面已过期" in response.content.decode()
    assert not Submission.objects.filter(applicant=applicant).exists()


def test_anonymous_visitors_are_sent_to_sign_in(client, others_things):
    draft, submission = others_things
    for url in (f"/account/drafts/{draft.pk}/", f"/account/submissions/{submission.tracking_number}/receipt/"):
        response = client.get(url)
        assert response.status_code == 302 and response["Location"].startswith("/account/login/")


def test_malformed_ids_are_404(client, applicant):
    client.force_login(applicant.user)
    for url in ("/account/drafts/not-a-uuid/", "/account/submissions/123/", "/account/submissions/'%20OR%201=1/"):
        assert client.get(url).status_code == 404
