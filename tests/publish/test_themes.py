"""Browse by theme: the seeded themes are on the home page and each one leads to matching published items."""

from django.apps import apps

from publish import search
from publish.models import Theme
from publish.seed import seed_themes

from .test_relevance import demo_catalogue  # noqa: F401  (fixture)


def test_home_lists_themes_and_each_finds_items(demo_catalogue, client):  # noqa: F811
    seed_themes(apps, None)  # a flushing (transactional) test may have removed the migration's rows
    html = client.get("/").content.decode()
    assert "按主题" in html
    for theme in Theme.objects.all():
        assert theme.name in html
        result = search.search(theme.query, page_size=5, record=False)
        assert result.total >= 1, f"theme {theme.name} ({theme.query}) finds nothing"
        words = theme.query.split()
        assert any(word[:2] in hit.title for hit in result.hits for word in words), theme.name


def test_editing_a_theme_renews_the_cached_home_page(demo_catalogue, client, settings):  # noqa: F811
    settings.PUBLIC_PAGE_CACHE_SECONDS = 300
    seed_themes(apps, None)
    assert "人才服务" not in client.get("/").content.decode()
    Theme.objects.create(name="人才服务", audience=Theme.Audience.PERSON, query="人才")
    assert "人才服务" in client.get("/").content.decode()
