import factory
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.utils import timezone

from catalog import roles
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


class ServiceItemFactory(factory.django.DjangoModelFactory):
    """A published item by default, as after load_demo or an import with --publish.

    live=False alone gives a row without any revision (what an import without --publish leaves). Traits:
    draft: never published, one draft revision (the admin's 保存草稿 on a new item);
    published: the default, said out loud;
    locked: locked by another user (or locked_by=…);
    in_moderation: a new revision submitted to the 事项发布审核 workflow (提交审核) by a department administrator
    of the item's department (or by submitted_by=…, which alone also submits), after the published one unless draft.
    """

    class Meta:
        model = ServiceItem
        skip_postgeneration_save = True

    class Params:
        draft = factory.Trait(live=False, save_draft=True)
        published = factory.Trait(live=True)
        locked = factory.Trait(  # the model's own locked flag follows locked_at (_create)
            locked_at=factory.LazyFunction(timezone.now),
            locked_by=factory.SubFactory(UserFactory, username=factory.Sequence(lambda n: f"locker{n}")),
        )
        in_moderation = factory.Trait(moderation=True)

    name = factory.Sequence(lambda n: f"测试事项{n}")
    implementation_code = factory.Sequence(lambda n: f"511A{n:010d}-511602000000-000-11511301008778183N-1-00")
    item_type = ItemType.LICENSING
    department = factory.SubFactory(DepartmentFactory)
    live = True

    @classmethod
    def _build(cls, model_class, *args, **kwargs):
        return super()._build(model_class, *args, locked=kwargs.get("locked_at") is not None, **kwargs)

    @classmethod
    def _create(cls, model_class, *args, **kwargs):
        return super()._create(model_class, *args, locked=kwargs.get("locked_at") is not None, **kwargs)

    @factory.post_generation
    def publish(obj, create, extracted, **kwargs):
        # Items start with a published revision, as after load_demo or an import with --publish.
        if create and obj.live and obj.live_revision_id is None:
            obj.save_revision().publish()

    # Set by a trait or by the caller; acted on in _after_postgeneration, once the item is published.
    save_draft = factory.PostGeneration(lambda obj, create, extracted, **kwargs: extracted)
    moderation = factory.PostGeneration(lambda obj, create, extracted, **kwargs: extracted)
    submitted_by = factory.PostGeneration(lambda obj, create, extracted, **kwargs: extracted)

    @classmethod
    def _after_postgeneration(cls, instance, create, results=None):
        super()._after_postgeneration(instance, create, results)
        save_draft, moderation, submitter = (results.get(name) for name in ("save_draft", "moderation",
                                                                              "submitted_by"))
        if not create or not (save_draft or moderation or submitter):
            return
        if save_draft:
            instance.save_revision()
        if moderation or submitter:
            submitter = submitter or UserFactory(username=f"submitter{instance.pk}", role=roles.DEPARTMENT_ADMIN,
                                                 departments=[instance.department])
            # What 提交审核 does: a revision by the submitter, then the item's workflow started on it.
            instance.save_revision(user=submitter)
            instance.get_workflow().start(instance, submitter)
        instance.refresh_from_db()  # (publish() above saved another copy of the row)


class MaterialFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Material

    item = factory.SubFactory(ServiceItemFactory)
    name = factory.Sequence(lambda n: f"材料{n}")
    source = "10"
    necessity = "1"
