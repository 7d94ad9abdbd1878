"""The web process of the upload benchmark (tests/benchmarks/test_upload_benchmark.py): a fresh SQLite database,
one system administrator with a session, and the project's WSGI application served by wsgiref in this one process,
so that its resident memory is the web process's own. Prints `ready <port> <session key>` when it listens."""

import os
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))


def main(workdir: str):
    workdir = Path(workdir)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.dev")
    os.environ.update({"DEBUG": "0", "DATABASE_URL": f"sqlite:///{workdir / 'bench.sqlite3'}",
                       "IMPORTS_FILE_ROOT": str(workdir / "uploads"), "IMPORTS_RUN_INLINE": "1",
                       "ALLOWED_HOSTS": "127.0.0.1,localhost", "LOG_LEVEL": "WARNING"})
    import django

    django.setup()
    from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY, get_user_model
    from django.contrib.auth.models import Group
    from django.contrib.sessions.backends.db import SessionStore
    from django.core.management import call_command

    from catalog import roles
    from catalog.models import Department

    call_command("migrate", verbosity=0)
    Department.objects.create(name="区经信局", short_name="区经信局", credit_code="11511301008778183N",
                              division_code="511602")
    user = get_user_model().objects.create_user("bench", password="bench-password-1")
    user.groups.add(Group.objects.get(name=roles.SYSTEM_ADMIN))
    session = SessionStore()
    session.update({SESSION_KEY: str(user.pk), BACKEND_SESSION_KEY: "django.contrib.auth.backends.ModelBackend",
                    HASH_SESSION_KEY: user.get_session_auth_hash()})
    session.create()

    from wsgiref.simple_server import WSGIRequestHandler, make_server

    from config.wsgi import application

    class Quiet(WSGIRequestHandler):
        def log_message(self, *args):
            pass

    server = make_server("127.0.0.1", 0, application, handler_class=Quiet)
    print(f"ready {server.server_port} {session.session_key}", flush=True)
    server.serve_forever()


if __name__ == "__main__":
    main(sys.argv[1])
