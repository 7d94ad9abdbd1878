"""Seed the working-day calendar from data/holidays (github.com/NateScarlet/holiday-cn, MIT): every day of every year
file, with the year's first State Council notice as its source. Years without days (2027 at the time of writing)
stay empty: the admin says so, and deadlines that reach them count weekends only."""

import json
from datetime import date

from django.conf import settings
from django.db import migrations


def holiday_files():
    return sorted((settings.BASE_DIR / "data" / "holidays").glob("[0-9][0-9][0-9][0-9].json"))


def calendar_rows(CalendarDay):
    """Every day of every year file as an unsaved CalendarDay (also used by rules.calendar.seed_calendar)."""
    rows = []
    for path in holiday_files():
        year = json.loads(path.read_text(encoding="utf-8"))
        source_url = year["papers"][0] if year["papers"] else ""
        rows.extend(
            CalendarDay(
                date=date.fromisoformat(day["date"]),
                is_off_day=day["isOffDay"],
                name=day["name"],
                source_url=source_url,
            )
            for day in year["days"]
        )
    return rows


def load_days(apps, schema_editor):
    CalendarDay = apps.get_model("rules", "CalendarDay")
    rows = calendar_rows(CalendarDay)
    CalendarDay.objects.using(schema_editor.connection.alias).bulk_create(rows, ignore_conflicts=True)


def delete_days(apps, schema_editor):
    CalendarDay = apps.get_model("rules", "CalendarDay")
    dates = [
        date.fromisoformat(day["date"])
        for path in holiday_files()
        for day in json.loads(path.read_text(encoding="utf-8"))["days"]
    ]
    CalendarDay.objects.using(schema_editor.connection.alias).filter(date__in=dates).delete()


class Migration(migrations.Migration):
    dependencies = [("rules", "0001_initial")]
    operations = [migrations.RunPython(load_days, delete_days)]
