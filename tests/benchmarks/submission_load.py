"""Submissions end to end under load: gunicorn on loopback, 50 applicants at once, each submitting a filled-in
draft of the 40-field benchmark form (3 steps with the situation questions, 10 rules, a file per required
material) through the check page's POST — CSRF, session, the draft locked, every rule re-evaluated, the files
attached, the tracking number drawn, one transaction. Side by side in the same run, under the same server and
middleware, a minimal view that inserts one row for the signed-in user: the floor of what a POST costs here.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/bench_submit python tests/benchmarks/submission_load.py [n]

The database is migrated and filled by this script (n applicants with a draft each, default 1,500); it should be
an empty one. Prints JSON. The client runs on the same 2-core machine as the server: the figures are lower bounds,
and only their ratio is compared.
"""

import asyncio
import json
import os
import signal
import statistics
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
PORT = int(os.environ.get("BENCH_PORT", "8766"))
CONNECTIONS = int(os.environ.get("BENCH_CONNECTIONS", "50"))
CSRF = "benchcsrftokenbenchcsrftoken0123"  # a 32-character secret: the cookie, and the form field, as is
PDF = b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n2 0 obj<</Type/Pages/Kids[]/Count 0>>endobj\n" \
      b"trailer<</Root 1 0 R>>\n%%EOF\n"


def prepare(count: int) -> dict:
    """Migrate, publish the benchmark form on an item, and give `count` applicants a session and a complete draft
    (answers valid for the form, a PDF in each required upload slot)."""
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.dev")
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()
    from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY, get_user_model
    from django.contrib.sessions.backends.db import SessionStore
    from django.core.files.uploadedfile import SimpleUploadedFile
    from django.core.management import call_command
    from django.db import connection

    call_command("migrate", verbosity=0)
    from applications import uploads, wizard
    from applications.models import Applicant, Draft
    from applications.service import assess, form_for
    from catalog.models import Department, ServiceItem
    from tests.formbuilder.conftest import give_form
    from tests.formbuilder.samples import benchmark_form, benchmark_submissions

    definition = benchmark_form()
    department = Department.objects.create(name="区公安分局", credit_code="11511301008778183N",
                                           division_code="511602")
    item = ServiceItem(name="无犯罪记录证明", department=department,
                       implementation_code="511A0116800003-511602000000-000-11511301008778183N-1-00",
                       item_type="20", promised_limit=5, promised_limit_unit="2")
    item.save()
    give_form(item, definition)
    item.refresh_from_db()
    form = form_for(item)
    plan = wizard.plan_of(form)

    with connection.cursor() as cursor:
        cursor.execute("CREATE TABLE bench_insert (id serial PRIMARY KEY, user_id integer NOT NULL, body text,"
                       " created_at timestamptz NOT NULL DEFAULT now())"
                       if connection.vendor == "postgresql" else
                       "CREATE TABLE bench_insert (id integer PRIMARY KEY AUTOINCREMENT, user_id integer NOT NULL,"
                       " body text, created_at text NOT NULL DEFAULT CURRENT_TIMESTAMP)")
    User = get_user_model()
    answers_pool = [s for s in benchmark_submissions(count * 2) if s["form"].get("agent_name") != "不该出现"
                    and len(s["form"]["mobile"]) == 11]
    people = []
    for index in range(count):
        mobile = f"139{index:08d}"
        user = User.objects.create(username=mobile)
        user.set_unusable_password()
        user.save(update_fields=["password"])
        applicant = Applicant.objects.create(user=user, name="张三", id_number="11010519491231002X", mobile=mobile)
        answers = json.loads(json.dumps(answers_pool[index % len(answers_pool)]))
        draft = Draft.objects.create(applicant=applicant, item=item, revision_id=item.live_revision_id,
                                     answers=answers, fields=plan.types)
        state = assess(form, answers, applicant)
        for path in sorted(state.uploads()):
            slot = plan.by_path[path][1]
            upload = uploads.receive(draft, path, slot, SimpleUploadedFile("扫描件.pdf", PDF, "application/pdf"))
            root, _dot, key = path.partition(".")
            answers[root][key] = [str(upload.pk)]
        draft.answers = answers
        draft.save(update_fields=["answers"])
        errors = assess(form, answers, applicant).errors
        assert not errors, [e.message for e in errors][:3]
        session = SessionStore()
        session[SESSION_KEY] = str(user.pk)
        session[BACKEND_SESSION_KEY] = "django.contrib.auth.backends.ModelBackend"
        session[HASH_SESSION_KEY] = user.get_session_auth_hash()
        session.create()
        people.append({"session": session.session_key, "key": str(draft.idempotency_key)})
    return {"code": item.implementation_code, "people": people}


def _request(path: str, person: dict, body: str) -> bytes:
    data = body.encode()
    return (f"POST {path} HTTP/1.1\r\nHost: 127.0.0.1:{PORT}\r\nConnection: keep-alive\r\n"
            f"Cookie: sessionid={person['session']}; csrftoken={CSRF}\r\n"
            f"Origin: http://127.0.0.1:{PORT}\r\nReferer: http://127.0.0.1:{PORT}/\r\n"
            f"Content-Type: application/x-www-form-urlencoded\r\nContent-Length: {len(data)}\r\n\r\n").encode() + data


async def _worker(queue, path_of, body_of, latencies, statuses):
    reader, writer = await asyncio.open_connection("127.0.0.1", PORT)
    while True:
        try:
            person = queue.get_nowait()
        except asyncio.QueueEmpty:
            break
        started = time.perf_counter()
        writer.write(_request(path_of(person), person, body_of(person)))
        await writer.drain()
        head = await reader.readuntil(b"\r\n\r\n")
        status = int(head.split(b" ", 2)[1])
        length = next((int(line.split(b":")[1]) for line in head.split(b"\r\n")
                       if line.lower().startswith(b"content-length")), 0)
        await reader.readexactly(length)
        latencies.append((time.perf_counter() - started) * 1000)
        statuses.append(status)
        if b"connection: close" in head.lower():
            writer.close()
            reader, writer = await asyncio.open_connection("127.0.0.1", PORT)
    writer.close()


def run_load(people, path_of, body_of) -> dict:
    async def load():
        queue = asyncio.Queue()
        for person in people:
            queue.put_nowait(person)
        latencies, statuses = [], []
        started = time.perf_counter()
        await asyncio.gather(*[_worker(queue, path_of, body_of, latencies, statuses) for _ in range(CONNECTIONS)])
        return latencies, statuses, time.perf_counter() - started

    latencies, statuses, elapsed = asyncio.run(load())
    latencies.sort()
    return {"requests": len(latencies), "seconds": round(elapsed, 2),
            "per_second": round(len(latencies) / elapsed, 1),
            "ok": sum(status == 302 for status in statuses), "statuses": sorted(set(statuses)),
            "p50_ms": round(statistics.median(latencies), 1),
            "p99_ms": round(latencies[int(0.99 * (len(latencies) - 1))], 1)}


def _empty_queue():
    """The receipts the submissions queued (submission_settings: a broker nobody consumes here)."""
    import redis

    url = os.environ.get("BENCH_BROKER_URL", "redis://127.0.0.1:6379/13")
    try:
        redis.Redis.from_url(url).flushdb()
    except redis.RedisError as error:
        print(f"the benchmark's queue at {url} was not emptied: {error}", file=sys.stderr)


def main(count=1500):
    prepared = prepare(count)
    people = prepared["people"]
    half = len(people) // 2
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "tests.benchmarks.submission_settings", "DEBUG": "0",
           "LOG_LEVEL": "WARNING", "ALLOWED_HOSTS": "127.0.0.1,localhost",
           "CSRF_TRUSTED_ORIGINS": f"http://127.0.0.1:{PORT}"}
    server = subprocess.Popen(
        [sys.executable, "-m", "gunicorn", "config.wsgi", "-b", f"127.0.0.1:{PORT}", "-w", "2", "-k", "gthread",
         "--threads", "8", "--keep-alive", "30", "--log-level", "warning"], cwd=ROOT, env=env)
    try:
        for _ in range(150):
            try:
                urllib.request.urlopen(f"http://127.0.0.1:{PORT}/api/v1/departments/", timeout=1)
                break
            except OSError:
                time.sleep(0.2)
        submit_path = f"/apply/{prepared['code']}/check/"
        insert = lambda person: "/bench/insert/"  # noqa: E731
        body = lambda person: f"csrfmiddlewaretoken={CSRF}&idempotency_key={person['key']}"  # noqa: E731
        # Warm both workers on both views, then the two loads in turn, each on its own applicants.
        run_load(people[:20], insert, body)
        results = {"insert_row": run_load(people[20:half], insert, body),
                   "submit": run_load(people[half:], lambda person: submit_path, body)}
    finally:
        server.send_signal(signal.SIGTERM)
        server.wait(timeout=30)
        _empty_queue()
    from applications.models import Submission

    results["submissions_stored"] = Submission.objects.count()
    results["connections"] = CONNECTIONS
    results["ratio"] = round(results["submit"]["per_second"] / results["insert_row"]["per_second"], 2)
    print(json.dumps(results))


if __name__ == "__main__":
    main(*(int(a) for a in sys.argv[1:2]))
