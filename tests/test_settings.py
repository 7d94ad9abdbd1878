"""Production settings refuse unsafe configuration and pass Django's deployment checks."""

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
GOOD_KEY = "k" * 20 + "-production-secret-for-the-check-only-" + "x" * 20


def clean_environ():
    # The browser tests set DJANGO_ALLOW_ASYNC_UNSAFE for their live server; a deployment never has it.
    return {k: v for k, v in os.environ.items() if k != "DJANGO_ALLOW_ASYNC_UNSAFE"}


def run_check(env):
    return subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=ROOT,
        env={**clean_environ(), "DJANGO_SETTINGS_MODULE": "config.settings.production", **env},
        capture_output=True,
        text=True,
    )


def test_production_refuses_default_secret_key():
    result = run_check({"SECRET_KEY": "", "ALLOWED_HOSTS": "zwfw.example.gov.cn"})
    assert result.returncode != 0
    assert "SECRET_KEY" in result.stderr


def test_production_refuses_debug():
    result = run_check({"SECRET_KEY": GOOD_KEY, "DEBUG": "true", "ALLOWED_HOSTS": "zwfw.example.gov.cn"})
    assert result.returncode != 0
    assert "DEBUG" in result.stderr


def test_production_passes_check_deploy():
    result = run_check({"SECRET_KEY": GOOD_KEY, "ALLOWED_HOSTS": "zwfw.example.gov.cn"})
    assert result.returncode == 0, result.stdout + result.stderr


def test_interface_is_chinese_first(settings):
    assert settings.LANGUAGE_CODE == "zh-hans"
    assert settings.TIME_ZONE == "Asia/Shanghai"


def test_a_new_sqlite_database_uses_wal_and_8k_pages(tmp_path):
    # WAL: the public pages keep being served while an import holds its write transaction.
    import sqlite3

    path = tmp_path / "new.sqlite3"
    subprocess.run(
        [sys.executable, "-c", "import django; django.setup(); from django.db import connection; connection.connect()"],
        cwd=ROOT, env={**clean_environ(), "DJANGO_SETTINGS_MODULE": "config.settings.dev",
                       "DATABASE_URL": f"sqlite:///{path}"}, check=True,
    )
    with sqlite3.connect(path) as conn:
        assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
        assert conn.execute("PRAGMA page_size").fetchone()[0] == 8192
