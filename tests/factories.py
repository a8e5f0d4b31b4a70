"""factory_boy factories for every model, with traits for states."""

import factory
from allauth.account.models import EmailAddress
from django.utils import timezone

from cohorts.models import Company, CompanyMember
from portal.models import Invitation, Membership, Organisation, User
from portal.roles import Role
from portal.taxonomy import Region, Sector, TurnoverBand

PASSWORD = "correct-horse-battery"


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        skip_postgeneration_save = True

    email = factory.Sequence(lambda n: f"person{n}@example.org")
    first_name = factory.Faker("first_name")
    last_name = factory.Faker("last_name")
    password = factory.PostGenerationMethodCall("set_password", PASSWORD)

    @factory.post_generation
    def verified(obj, create, extracted, **kwargs):
        """Users have a verified primary address unless built with verified=False."""
        obj.save()
        if create and extracted is not False:
            EmailAddress.objects.update_or_create(
                user=obj, email=obj.email, defaults={"verified": True, "primary": True}
            )


class OrganisationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Organisation
        django_get_or_create = ("slug",)

    name = factory.Sequence(lambda n: f"Growth Hub {n}")
    slug = factory.Sequence(lambda n: f"hub-{n}")
    contact_email = factory.LazyAttribute(lambda o: f"hello@{o.slug}.example.org")
    description = "Support for ambitious companies in the region."


class MembershipFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Membership

    user = factory.SubFactory(UserFactory)
    organisation = factory.SubFactory(OrganisationFactory)
    role = Role.PROGRAMME_MANAGER

    class Params:
        admin = factory.Trait(role=Role.ADMIN)
        adviser = factory.Trait(role=Role.GROWTH_ADVISER)
        reviewer = factory.Trait(role=Role.REVIEWER)
        mentor = factory.Trait(role=Role.MENTOR)
        funder = factory.Trait(role=Role.FUNDER)


class InvitationFactory(factory.django.DjangoModelFactory):
    """Tenant-owned: create it inside the organisation's scope or with scopes disabled."""

    class Meta:
        model = Invitation

    organisation = factory.SubFactory(OrganisationFactory)
    email = factory.Sequence(lambda n: f"invitee{n}@example.org")
    role = Role.PROGRAMME_MANAGER

    class Params:
        expired = factory.Trait(expires_at=factory.LazyFunction(lambda: timezone.now()))
        accepted = factory.Trait(status=Invitation.Status.ACCEPTED)


class CompanyFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Company

    name = factory.Sequence(lambda n: f"Scaleup {n} Ltd")
    registration_number = factory.Sequence(lambda n: f"{10000000 + n}")
    sector = Sector.TECH
    region = Region.LONDON
    year_founded = 2018
    employees = 12
    turnover_band = TurnoverBand.TO_1M

    class Params:
        exporter = factory.Trait(exports=True, export_markets="United States, Germany")


class CompanyMemberFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = CompanyMember

    company = factory.SubFactory(CompanyFactory)
    user = factory.SubFactory(UserFactory)
    role = CompanyMember.Role.OWNER
