from django.urls import path
from django.views.generic import RedirectView

from . import views

app_name = "applications"

urlpatterns = [
    path("account/", RedirectView.as_view(pattern_name="applications:drafts"), name="account"),
    path("account/signup/", views.signup, name="signup"),
    path("account/login/", views.signin, name="login"),
    path("account/logout/", views.signout, name="logout"),
    path("account/drafts/", views.drafts, name="drafts"),
    path("account/drafts/<str:draft_id>/", views.resume, name="resume"),
    path("account/drafts/<str:draft_id>/delete/", views.delete_draft, name="delete_draft"),
    path("account/submissions/", views.submissions, name="submissions"),
    path("account/submissions/<str:number>/", views.submission, name="submission"),
    path("account/submissions/<str:number>/receipt/", views.submission, {"print_view": True}, name="receipt"),
    path("account/submissions/<str:number>/receipt.pdf", views.receipt_pdf, name="receipt_pdf"),
    path("account/uploads/<uuid:upload_id>/", views.upload, name="upload"),
    path("apply/divisions/<str:code>.json", views.division_children, name="divisions"),
    path("apply/<str:code>/", views.apply, name="apply"),
    path("apply/<str:code>/step/<int:number>/", views.step, name="step"),
    path("apply/<str:code>/check/", views.check, name="check"),
]
