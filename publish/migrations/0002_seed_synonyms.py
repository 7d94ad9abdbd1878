from django.db import migrations

# Words citizens type → the words the guide uses. Editors maintain these in the admin (搜索同义词).
SEED = [
    ("身份证", "居民身份证", True),
    ("丢了", "补领,挂失,丢失,遗失", False),
    ("丢失", "补领,挂失,遗失", False),
    ("补办", "补领,补发", False),
    ("开饭店", "食品经营许可,餐饮", False),
    ("开餐馆", "食品经营许可,餐饮", False),
    ("开店", "营业执照,个体工商户", False),
    ("开公司", "设立登记,营业执照", False),
    ("办执照", "营业执照", False),
    ("驾照", "驾驶证", True),
    ("社保", "社会保险", True),
    ("结婚", "婚姻登记", False),
    ("离婚", "婚姻登记", False),
    ("生孩子", "生育,出生", False),
    ("上户口", "户口登记,出生登记,户籍", False),
    ("退休", "养老", False),
    ("无犯罪证明", "无犯罪记录证明", False),
    ("盖房子", "建设工程规划许可,宅基地", False),
    ("残疾证", "残疾人证", False),
]


def seed(apps, schema_editor):
    Synonym = apps.get_model("publish", "Synonym")
    for term, expansions, two_way in SEED:
        Synonym.objects.get_or_create(term=term, defaults={"expansions": expansions, "two_way": two_way})


class Migration(migrations.Migration):
    dependencies = [("publish", "0001_initial")]
    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
