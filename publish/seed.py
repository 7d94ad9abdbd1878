"""The rows publish starts with: search synonyms (editors maintain them in 搜索同义词) and the home page's themes
(办事主题). The migration seeds them; tests that flush the database seed them again from here."""

from .models import Synonym

SYNONYMS = [
    # Words citizens type → the words the guide uses.
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
    # Everyday words seen in citizens' queries, mapped to the words of the item names.
    ("社保卡", "社会保障卡", True),
    ("个体户", "个体工商户", True),
    ("低保", "最低生活保障", True),
    ("砍树", "林木采伐", False),
    ("上学", "入学", False),
    ("转学", "学籍异动", False),
    ("失业金", "失业保险金", False),
    ("报销", "支付,费用申报", False),
]

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


def seed_rows(apps, schema_editor):
    """The migration's operation: the synonyms and themes, keeping rows already there."""
    seed_synonyms(apps.get_model("publish", "Synonym"))
    seed_themes(apps, schema_editor)


def seed_synonyms(model=Synonym) -> int:
    created = 0
    for term, expansions, two_way in SYNONYMS:
        _obj, new = model.objects.get_or_create(term=term, defaults={"expansions": expansions, "two_way": two_way})
        created += new
    return created


def seed_themes(apps, schema_editor):
    Theme = apps.get_model("publish", "Theme")
    for order, (audience, name, query) in enumerate(THEMES):
        Theme.objects.get_or_create(name=name, defaults={"audience": audience, "query": query, "sort_order": order})
