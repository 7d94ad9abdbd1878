"""Who the applicant is. The rest of the project asks only ``current_applicant(request)`` (and the decorator
below), so the provincial unified identity (统一身份认证, OpenID Connect) can replace local passwords: an OIDC
authentication backend signs the user in and ``provision()`` gives the user an Applicant from the provider's
claims; nothing else changes. ``APPLICANT_SIGN_IN_URL`` then points at the provider's login.

Staff users have no Applicant profile, so they are never taken for applicants (a department administrator
signed in to the admin cannot apply in that session)."""

from functools import wraps
from urllib.parse import urlencode

from django.conf import settings
from django.shortcuts import redirect
from django.urls import reverse

from .models import Applicant, ApplicantKind


def current_applicant(request) -> Applicant | None:
    """The applicant signed in with this request, or None (anonymous, or a user without a profile)."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated or not user.is_active:
        return None
    try:
        return user.applicant
    except Applicant.DoesNotExist:
        return None


def sign_in_url(next_url: str = "") -> str:
    base = getattr(settings, "APPLICANT_SIGN_IN_URL", "") or reverse("applications:login")
    return f"{base}?{urlencode({'next': next_url})}" if next_url else base


def applicant_required(view):
    """The view gets ``request.applicant``; anyone else is sent to sign in first."""

    @wraps(view)
    def wrapper(request, *args, **kwargs):
        applicant = current_applicant(request)
        if applicant is None:
            return redirect(sign_in_url(request.get_full_path()))
        request.applicant = applicant
        return view(request, *args, **kwargs)

    return wrapper


def provision(user, claims: dict, provider: str) -> Applicant:
    """The applicant of a user signed in by an identity provider, created or refreshed from its claims
    (name, id_number, mobile, company_name, credit_code, sub)."""
    values = {
        "kind": ApplicantKind.COMPANY if claims.get("credit_code") else ApplicantKind.PERSON,
        "name": claims.get("name", ""), "id_number": claims.get("id_number", ""),
        "mobile": claims.get("mobile", ""), "company_name": claims.get("company_name", ""),
        "credit_code": claims.get("credit_code", ""), "identity_provider": provider,
        "identity_subject": claims.get("sub", ""),
    }
    applicant, _created = Applicant.objects.update_or_create(user=user, defaults=values)
    return applicant
