import pytest

from catalog.models import Material
from formbuilder.models import FormDefinition
from rules.models import SituationQuestion
from tests.catalog.conftest import world  # noqa: F401  (the admin tests' departments, items and users)
from tests.catalog.factories import ServiceItemFactory
from tests.formbuilder.samples import agent_form

CODE = "511A0116800003-511602000000-000-11511301008778183N-1-00"


def give_form(item, definition):
    """Give an item the questions, materials and form of a sample definition, and publish it."""
    for order, question in enumerate(definition["questions"]):
        SituationQuestion.objects.create(item=item, sort_order=order, **question)
    for order, material in enumerate(definition["materials"]):
        Material.objects.create(item=item, sort_order=order, **material)
    FormDefinition.objects.create(item=item, title=definition["title"], steps=definition["steps"],
                                  checks=definition["checks"])
    item.save_revision().publish()
    return item


@pytest.fixture
def item_with_form(db):
    item = ServiceItemFactory(name="无犯罪记录证明", implementation_code=CODE)
    return give_form(item, agent_form())
