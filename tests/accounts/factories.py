"""Users and role assignments (tests and benchmarks)."""

import factory

from entezam.accounts.models import RoleAssignment, User
from entezam.geo.models import PoliceUnit, Province
from entezam.institutions.models import Institution


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    password = factory.PostGenerationMethodCall("set_password", "pw-Entezam-1404")

    @factory.post_generation
    def saved(obj, create, extracted, **kwargs):
        if create:
            obj.save()


def user_with_role(role: str, scope=None, **kwargs) -> User:
    """A user holding one role; `scope` is a Province, PoliceUnit or Institution (or None)."""
    user = UserFactory(**kwargs)
    field = {Province: "province", PoliceUnit: "police_unit", Institution: "institution"}
    RoleAssignment.objects.create(
        user=user, role=role, **({field[type(scope)]: scope} if scope is not None else {})
    )
    return user
