"""The publication generation: page caches and API ETags are keyed by it, so a publish invalidates them all."""

from django.db.models import F

from .models import PublishState


def generation() -> int:
    state = PublishState.objects.filter(pk=1).values_list("generation", flat=True).first()
    return state or 1


def bump():
    if not PublishState.objects.filter(pk=1).update(generation=F("generation") + 1):
        PublishState.objects.get_or_create(pk=1, defaults={"generation": 2})
