"""The public search index and what editors maintain for it.

Wagtail's search backends do not segment Chinese (DESIGN decision 3), so the index is ours: one SearchDocument per
published item with its facet values and the item's jieba search-mode terms, space-joined, per field (title, main
item, body). The database's own full-text index covers those term fields (created by migrations, not a Django
field): an FTS5 table on SQLite, a weighted tsvector written with each document and a GIN index on PostgreSQL
(publish.search.schema). It selects and ranks candidates; publish.search.ranking rescores the best few hundred.
TermFrequency holds each term's document frequency for idf, maintained at index time.
"""

from django.db import IntegrityError, models, transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class SearchDocument(models.Model):
    item = models.OneToOneField(
        "catalog.ServiceItem", verbose_name=_("事项"), on_delete=models.CASCADE, related_name="search_document"
    )
    code = models.CharField(_("实施编码"), max_length=64)  # unique: Meta (a constraint: no LIKE index)
    title = models.CharField(_("事项名称"), max_length=200)
    main_item_name = models.CharField(_("所属主项名称"), max_length=200, blank=True)
    parent_code = models.CharField(_("主项实施编码"), max_length=64, blank=True)
    department = models.ForeignKey("catalog.Department", on_delete=models.CASCADE, related_name="+")
    item_type = models.CharField(_("事项类型"), max_length=2)  # filters the matches of a query only
    for_person = models.BooleanField(_("个人办事"), default=False)
    for_legal = models.BooleanField(_("法人办事"), default=False)
    handled_online = models.BooleanField(_("可网上办理"), default=False)
    visits = models.PositiveSmallIntegerField(_("到现场次数"), null=True, blank=True)
    summary = models.CharField(_("摘要"), max_length=300, blank=True)
    # Suggestions as the user types: full pinyin and initials of the title, lower case, no separators.
    pinyin = models.CharField(_("拼音"), max_length=1000, blank=True)
    initials = models.CharField(_("拼音首字母"), max_length=200, blank=True)
    indexed_at = models.DateTimeField(_("索引时间"), auto_now=True)
    # jieba search-mode terms, each once, joined by spaces: what the full-text index reads.
    title_terms = models.TextField(blank=True, default="")
    main_terms = models.TextField(blank=True, default="")
    body_terms = models.TextField(blank=True, default="")

    class Meta:
        verbose_name = _("搜索索引文档")
        verbose_name_plural = _("搜索索引文档")
        constraints = [models.UniqueConstraint(fields=["code"], name="search_document_code_unique")]

    def __str__(self):
        return self.title


class TermFrequency(models.Model):
    """How many search documents contain a term (in any field): the idf of the ranking, without counting per query."""

    term = models.CharField(max_length=64)  # unique: Meta
    documents = models.PositiveIntegerField(default=0)

    class Meta:
        # Not the primary key: PostgreSQL would add a LIKE index beside a text key, which no query uses.
        constraints = [models.UniqueConstraint(fields=["term"], name="term_frequency_term_unique")]

    def __str__(self):
        return f"{self.term}:{self.documents}"


class Synonym(models.Model):
    """A word citizens type and the words the guide uses for it (身份证 → 居民身份证; 开饭店 → 食品经营许可)."""

    term = models.CharField(_("搜索词"), max_length=50, help_text=_("群众输入的说法，如 开饭店"))  # unique: Meta
    expansions = models.CharField(
        _("同义词/规范说法"), max_length=300, help_text=_("用逗号或空格分隔，如 食品经营许可,餐饮")
    )
    two_way = models.BooleanField(_("双向"), default=False, help_text=_("勾选后规范说法也会找到搜索词"))

    class Meta:
        verbose_name = _("搜索同义词")
        verbose_name_plural = _("搜索同义词")
        constraints = [models.UniqueConstraint(fields=["term"], name="synonym_term_unique")]
        ordering = ["term"]

    def __str__(self):
        return f"{self.term} → {self.expansions}"

    @property
    def expansion_list(self):
        return [word for word in self.expansions.replace("，", ",").replace(" ", ",").split(",") if word.strip()]


class Theme(models.Model):
    """A theme (主题) on the home page: a life event or business topic that editors map to the words of the guide.

    Browsing a theme runs the site search for its words, so a theme stays right as items are published.
    """

    class Audience(models.TextChoices):
        PERSON = "person", _("个人办事")
        LEGAL = "legal", _("法人办事")

    name = models.CharField(_("主题名称"), max_length=30)  # unique: Meta
    audience = models.CharField(_("办事对象"), max_length=6, choices=Audience.choices)
    query = models.CharField(_("检索词"), max_length=100, help_text=_("浏览主题时搜索的词，如 户口 迁移"))
    sort_order = models.PositiveSmallIntegerField(_("排序"), default=0)

    class Meta:
        verbose_name = _("办事主题")
        verbose_name_plural = _("办事主题")
        ordering = ["audience", "sort_order", "name"]
        constraints = [models.UniqueConstraint(fields=["name"], name="theme_name_unique")]

    def __str__(self):
        return self.name


class ZeroResultQuery(models.Model):
    """Searches that found nothing, kept so editors can add synonyms or improve item names: one row per query and
    day with how many times it was searched, so a flood of searches adds no rows, only counts (record())."""

    query = models.CharField(_("搜索词"), max_length=200)
    day = models.DateField(_("日期"), default=timezone.localdate)
    searches = models.PositiveIntegerField(_("搜索次数"), default=1)
    result_count = models.PositiveIntegerField(_("结果数"), default=0)
    searched_at = models.DateTimeField(_("最后搜索时间"), default=timezone.now, db_index=True)

    class Meta:
        verbose_name = _("无结果搜索")
        verbose_name_plural = _("无结果搜索")
        ordering = ["-searched_at"]
        constraints = [models.UniqueConstraint(fields=["query", "day"], name="zero_result_query_per_day")]

    def __str__(self):
        return self.query

    @classmethod
    def record(cls, query: str):
        """Count one more search for query today: an UPDATE of today's row, or its INSERT on the day's first."""
        query, day, now = query[:200], timezone.localdate(), timezone.now()
        if cls.objects.filter(query=query, day=day).update(searches=F("searches") + 1, searched_at=now):
            return
        try:
            with transaction.atomic():
                cls.objects.create(query=query, day=day, searches=1, searched_at=now)
        except IntegrityError:  # another request inserted it meanwhile
            cls.objects.filter(query=query, day=day).update(searches=F("searches") + 1, searched_at=now)


class PublishState(models.Model):
    """One row: a counter bumped on every publish/unpublish. Page caches and ETags are keyed by it."""

    generation = models.PositiveBigIntegerField(default=1)

    def __str__(self):
        return str(self.generation)
