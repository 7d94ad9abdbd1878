"""Starter themes for the home page; editors change them in the admin (办事主题)."""

from django.db import migrations

THEMES = [
    ("person", "户籍办理", "户口"),
    ("person", "身份证件", "居民身份证"),
    ("person", "婚姻登记", "结婚"),
    ("person", "社会保障", "社会保障卡 养老"),
    ("person", "就业创业", "就业"),
    ("person", "驾驶与车辆", "驾驶"),
    ("person", "残疾人服务", "残疾"),
    ("person", "退役军人", "退役军人"),
    ("legal", "企业开办", "设立登记"),
    ("legal", "食品经营", "食品"),
    ("legal", "道路运输", "道路运输"),
    ("legal", "工程建设", "建设工程"),
    ("legal", "税费发票", "纳税 发票"),
]


def seed(apps, schema_editor):
    Theme = apps.get_model("publish", "Theme")
    for order, (audience, name, query) in enumerate(THEMES):
        Theme.objects.get_or_create(name=name, defaults={"audience": audience, "query": query, "sort_order": order})


class Migration(migrations.Migration):
    dependencies = [("publish", "0005_themes")]
    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
