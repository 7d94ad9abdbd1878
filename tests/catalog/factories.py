import factory
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group

from catalog.codes import DepartmentLevel, ItemType
from catalog.models import Department, Material, ServiceItem

# Real codes from data/catalog/guangan_items.csv (valid GB 32100 credit codes of 广安区 departments).
REAL_CREDIT_CODES = ["11511301008778183N", "115113016823646795", "11511301MB051073XA"]


class DepartmentFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Department

    name = factory.Sequence(lambda n: f"测试部门{n}")
    short_name = factory.LazyAttribute(lambda o: o.name)
    credit_code = factory.Sequence(lambda n: f"TEST{n:014d}")
    division_code = "511602"
    level = DepartmentLevel.COUNTY


class ServiceItemFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ServiceItem
        skip_postgeneration_save = True

    name = factory.Sequence(lambda n: f"测试事项{n}")
    implementation_code = factory.Sequence(lambda n: f"511A{n:010d}-511602000000-000-11511301008778183N-1-00")
    item_type = ItemType.LICENSING
    department = factory.SubFactory(DepartmentFactory)
    live = True

    @factory.post_generation
    def publish(obj, create, extracted, **kwargs):
        # Items start with a published revision, as after load_demo or an import with --publish.
        if create and obj.live and obj.live_revision_id is None:
            obj.save_revision().publish()


class MaterialFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Material

    item = factory.SubFactory(ServiceItemFactory)
    name = factory.Sequence(lambda n: f"材料{n}")
    source = "10"
    necessity = "1"


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = get_user_model()
        django_get_or_create = ("username",)
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    password = factory.django.Password("pw")

    @factory.post_generation
    def role(obj, create, extracted, **kwargs):
        if extracted:
            obj.groups.add(Group.objects.get(name=extracted))

    @factory.post_generation
    def departments(obj, create, extracted, **kwargs):
        for department in extracted or []:
            department.members.add(obj)
