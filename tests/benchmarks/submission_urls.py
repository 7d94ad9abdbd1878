"""The project's URLs and /bench/insert/: a POST by a signed-in user that inserts one row and redirects, through
the same middleware (session, CSRF, authentication) as the submission it is compared with."""

from django.contrib.auth.decorators import login_required
from django.db import connection, transaction
from django.http import HttpResponseRedirect
from django.urls import path
from django.views.decorators.http import require_POST

from config.urls import urlpatterns as project_urls


@require_POST
@login_required
def insert_row(request):
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("INSERT INTO bench_insert (user_id, body) VALUES (%s, %s)",
                       [request.user.pk, request.POST.get("idempotency_key", "")])
    return HttpResponseRedirect("/account/submissions/")


urlpatterns = [path("bench/insert/", insert_row), *project_urls]
