"""What the apps above catalog add to an item's edit screen: tabs, and checks of the submitted content.

Catalog is the bottom layer and imports none of them (DESIGN decision 15); rules and formbuilder register here
when Wagtail loads their wagtail_hooks, before the first edit screen is built (the viewset builds its edit handler
lazily). A check gets the bound ServiceItemForm after its own validation and adds errors to it or its formsets;
an item with any error is not saved, draft or not."""

from collections.abc import Callable

_tabs: list[tuple[int, object]] = []
_checks: list[Callable] = []


def register_item_tab(panel, order: int = 100) -> None:
    """Add a tab (an ObjectList) to the item's edit screen; tabs sort by order, catalog's own are 0–60."""
    _tabs.append((order, panel))


def register_item_check(check: Callable) -> None:
    """Run `check(form)` when an item's edit form is validated (after its fields and formsets are cleaned)."""
    _checks.append(check)


def item_tabs() -> list[tuple[int, object]]:
    return sorted(_tabs, key=lambda entry: entry[0])


def run_item_checks(form) -> None:
    for check in _checks:
        check(form)
