import time

from django.core.management.base import BaseCommand

from publish import search, state


class Command(BaseCommand):
    help = "重建公开搜索索引（仅已发布事项）。Rebuild the public search index from every published item."

    def add_arguments(self, parser):
        parser.add_argument("--batch-size", type=int, default=500)

    def handle(self, *args, batch_size, **options):
        started = time.monotonic()

        def progress(done, total):
            self.stdout.write(f"  {done}/{total}")

        # The database's documents, and a search server's index when one is configured.
        count = search.rebuild(batch_size=batch_size, progress=progress)
        state.bump()
        self.stdout.write(self.style.SUCCESS(f"已索引 {count} 个事项，用时 {time.monotonic() - started:.1f} 秒"))
