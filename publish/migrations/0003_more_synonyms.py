from django.db import migrations

# Everyday words seen in citizens' queries, mapped to the words of the item names.
SEED = [
    ("社保卡", "社会保障卡", True),
    ("个体户", "个体工商户", True),
    ("低保", "最低生活保障", True),
    ("砍树", "林木采伐", False),
    ("上学", "入学", False),
    ("转学", "学籍异动", False),
    ("失业金", "失业保险金", False),
    ("报销", "支付,费用申报", False),
]


def seed(apps, schema_editor):
    Synonym = apps.get_model("publish", "Synonym")
    for term, expansions, two_way in SEED:
        Synonym.objects.get_or_create(term=term, defaults={"expansions": expansions, "two_way": two_way})


class Migration(migrations.Migration):
    dependencies = [("publish", "0002_seed_synonyms")]
    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
