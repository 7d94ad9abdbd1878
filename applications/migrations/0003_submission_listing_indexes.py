from django.db import migrations, models


class Migration(migrations.Migration):
    """The staff's listing of submissions (applications.staff), newest first: by department, and for all."""

    dependencies = [
        ("applications", "0002_uploads_and_department"),
    ]

    operations = [
        migrations.AddIndex(
            model_name="submission",
            index=models.Index(fields=["department", "submitted_at", "id"], name="submission_department_time"),
        ),
        migrations.AddIndex(
            model_name="submission",
            index=models.Index(fields=["submitted_at", "id"], name="submission_time"),
        ),
    ]
