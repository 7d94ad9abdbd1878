from django.contrib.sitemaps import Sitemap
from django.urls import reverse

from .queries import published_items


class GuideSitemap(Sitemap):
    changefreq = "weekly"
    limit = 5000

    def items(self):
        return published_items().only("implementation_code", "last_published_at").order_by("pk")

    def location(self, item):
        return reverse("publish:guide", args=[item.implementation_code])

    def lastmod(self, item):
        return item.last_published_at
