"""factory_boy factories: one per model, related rows through SubFactory."""

import datetime

import factory
from axes.models import AccessAttempt, AccessFailureLog
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.utils import timezone
from rest_framework.authtoken.models import TokenProxy

from operations.models import (
    AllocationProposal,
    Assignment,
    BkoContingent,
    Duty,
    Jurisdiction,
    Officer,
    Operation,
    PatternSet,
    ProposalItem,
    Stage,
    Unit,
)
from operations.ranks import Pangkat
from operations.services.proposals import proposal_basis
from villages.models import Candidate, Desa, Election, Kecamatan, VillageElection


class KecamatanFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Kecamatan
        django_get_or_create = ("code",)

    # 36.04.xx stays inside Kabupaten Serang; 99.xx.xx keeps test rows clear of the demo codes.
    code = factory.Sequence(lambda n: f"99.{n // 100 % 100:02d}.{n % 100:02d}")
    name = factory.Sequence(lambda n: f"Kecamatan Uji {n}")
    kabupaten_name = "Kabupaten Uji"


class DesaFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Desa

    kecamatan = factory.SubFactory(KecamatanFactory)
    code = factory.LazyAttributeSequence(lambda o, n: f"{o.kecamatan.code}.{2001 + n % 7999:04d}")
    name = factory.Sequence(lambda n: f"Desa Uji {n}")
    latitude = None
    longitude = None


class ElectionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Election

    name = factory.Sequence(lambda n: f"Pilkades Uji {n}")
    voting_day = datetime.date(2019, 10, 20)


# A village election as the desk records it before the reports come in: its DPT and its committee
# (formed). Two of the facts a risk report must agree with (operations.selectors.report_facts);
# tests.operations.risk_setup answers them as recorded here.
REGISTERED_VOTERS = 2500
COMMITTEE_FORMED_ON = datetime.date(2019, 8, 1)  # before the factory election's vote


class VillageElectionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = VillageElection

    election = factory.SubFactory(ElectionFactory)
    desa = factory.SubFactory(DesaFactory)
    tps_count = 4
    registered_voters = REGISTERED_VOTERS
    committee_formed_on = COMMITTEE_FORMED_ON


class CandidateFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Candidate

    village_election = factory.SubFactory(VillageElectionFactory)
    ballot_number = factory.Sequence(lambda n: n + 1)
    full_name = factory.Sequence(lambda n: f"Calon Uji {n}")


class UnitFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Unit

    name = factory.Sequence(lambda n: f"Polsek Uji {n}")
    kind = Unit.Kind.POLSEK


class JurisdictionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Jurisdiction

    unit = factory.SubFactory(UnitFactory, kind=Unit.Kind.POLSEK)
    kecamatan = factory.SubFactory(KecamatanFactory)


class OfficerFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Officer

    nrp = factory.Sequence(lambda n: f"{90000000 + n:08d}")
    name = factory.Sequence(lambda n: f"Personel Uji {n}")
    rank = Pangkat.BRIPKA
    unit = factory.SubFactory(UnitFactory)


class PatternSetFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = PatternSet

    name = factory.Sequence(lambda n: f"Pola Uji {n}")


def _seeded_or_new_pattern_set() -> PatternSet:
    return PatternSet.objects.order_by("pk").first() or PatternSetFactory()


class OperationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Operation

    name = factory.Sequence(lambda n: f"Ops Uji {n}")
    election = factory.SubFactory(ElectionFactory)
    starts_on = datetime.date(2019, 8, 1)
    ends_on = datetime.date(2019, 11, 30)
    pattern_set = factory.LazyFunction(_seeded_or_new_pattern_set)


class BkoContingentFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = BkoContingent

    operation = factory.SubFactory(OperationFactory)
    unit = factory.SubFactory(UnitFactory, kind=Unit.Kind.BRIMOB, supplies_bko=True)
    expected_strength = 20


class UserFactory(factory.django.DjangoModelFactory):
    """A user; pass ``role`` (a group name from operations.roles) to put him in that group."""

    class Meta:
        model = get_user_model()
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    password = factory.PostGenerationMethodCall("set_password", "Sandi-Uji-12345")

    @factory.post_generation
    def role(self, create, extracted, **kwargs):
        if create and extracted:
            self.groups.add(Group.objects.get(name=extracted))
        if create:
            self.save()


class TokenProxyFactory(factory.django.DjangoModelFactory):
    """The API token as the admin lists it (DRF's proxy model)."""

    class Meta:
        model = TokenProxy

    user = factory.SubFactory(UserFactory)


class AccessAttemptFactory(factory.django.DjangoModelFactory):
    """A failed login as django-axes records it (its admin lists them)."""

    class Meta:
        model = AccessAttempt

    username = factory.Sequence(lambda n: f"user{n}")
    ip_address = "127.0.0.1"
    user_agent = "pytest"
    http_accept = "*/*"
    path_info = "/accounts/login/"
    get_data = ""
    post_data = ""
    failures_since_start = 1


class AccessFailureLogFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = AccessFailureLog

    username = factory.Sequence(lambda n: f"user{n}")
    ip_address = "127.0.0.1"
    user_agent = "pytest"
    http_accept = "*/*"
    path_info = "/accounts/login/"


class AssignmentFactory(factory.django.DjangoModelFactory):
    """A voting-day village guard posting written straight to the table (tests of reads only;
    writes go through operations.services.assignments)."""

    class Meta:
        model = Assignment

    operation = factory.SubFactory(OperationFactory)
    officer = factory.SubFactory(OfficerFactory, unit=factory.SubFactory(UnitFactory, kind=Unit.Kind.POLRES))
    stage = Stage.VOTING
    duty = Duty.VILLAGE_GUARD
    village_election = factory.SubFactory(
        VillageElectionFactory, election=factory.SelfAttribute("..operation.election")
    )
    kecamatan = factory.LazyAttribute(lambda o: o.village_election.desa.kecamatan)
    desa = factory.LazyAttribute(lambda o: o.village_election.desa)
    assigned_by = factory.SubFactory(UserFactory)


class AllocationProposalFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = AllocationProposal

    operation = factory.SubFactory(OperationFactory)
    stage = Stage.VOTING
    based_on_version = factory.LazyAttribute(lambda o: o.operation.assignment_version)
    basis = factory.LazyAttribute(lambda o: proposal_basis(operation=o.operation, stage=o.stage))
    created_by = factory.SubFactory(UserFactory)


class ProposalItemFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ProposalItem

    proposal = factory.SubFactory(AllocationProposalFactory)
    officer = factory.SubFactory(OfficerFactory, unit=factory.SubFactory(UnitFactory, kind=Unit.Kind.POLRES))
    village_election = factory.SubFactory(
        VillageElectionFactory, election=factory.SelfAttribute("..proposal.operation.election")
    )


class WebhookEndpointFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "webhooks.WebhookEndpoint"

    url = factory.Sequence(lambda n: f"https://penerima-{n}.example/hook")
    secret = "rahasia-uji-webhook-1234"


class WebhookEventFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "webhooks.WebhookEvent"

    type = "report.verified"
    payload = factory.LazyFunction(lambda: {"report": 1})


class WebhookDeliveryFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "webhooks.WebhookDelivery"

    endpoint = factory.SubFactory(WebhookEndpointFactory)
    event = factory.SubFactory(WebhookEventFactory)
    next_attempt_at = factory.LazyFunction(timezone.now)


class JobFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "jobs.Job"

    kind = "roster_import"
    runner = "operations.jobs.roster_import_run"
    source_name = "personel.csv"


class DBTaskResultFactory(factory.django.DjangoModelFactory):
    """A queued job in django-tasks-db's queue table."""

    class Meta:
        model = "django_tasks_database.DBTaskResult"

    args_kwargs = factory.LazyFunction(lambda: {"args": [], "kwargs": {}})
    task_path = "jobs.services.job_run"
    backend_name = "default"
    run_after = factory.LazyFunction(timezone.now)
