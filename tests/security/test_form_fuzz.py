"""The main forms fuzzed with hypothesis through their pages, as a browser posts them:
well-typed data drawn from the form's own fields (hypothesis.extra.django.from_form) and
hostile data (NUL bytes, huge numbers, impossible dates, markup, lists where one value is
expected). Never an error page; when the page does not accept the input (no redirect),
nothing was stored or changed."""

from datetime import date, datetime

import pytest
from django.forms.models import model_to_dict
from django.urls import reverse
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from hypothesis.extra.django import from_form

from cohorts.forms import CompanyForm
from cohorts.forms_manage import CohortForm
from cohorts.forms_my import ApplicationAnswersForm
from cohorts.models import Application, Cohort, Company, QuestionKind
from impact.forms import SurveyAnswerForm
from impact.models import SurveyResponse
from mentoring.forms_mentors import MentorProfileForm
from mentoring.models import MentorProfile
from portal.roles import Role
from portal.tenancy import scopes_disabled
from programmes.forms import ProgrammeForm
from programmes.models import Programme
from tests.factories import (
    ApplicationFactory,
    CohortFactory,
    CompanyMemberFactory,
    MentorProfileFactory,
    ProgrammeFactory,
    QuestionFactory,
    SurveyInvitationFactory,
)

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.filterwarnings("ignore:MentorProfileFactory._after_postgeneration"),
]

EXAMPLES = 25
NASTY = st.sampled_from(
    [
        "",
        "\x00",
        "a\x00b",
        "9" * 400,
        "-1",
        "1e309",
        "NaN",
        "-0",
        "2026-02-30",
        "0000-00-00T25:61",
        "<script>alert(1)</script>",
        "' OR 1=1 --",
        "\u202egnp.exe",
        "x" * 20_000,
    ]
)


def _hostile(field_names):
    value = st.one_of(
        NASTY, st.text(max_size=200), st.lists(st.one_of(NASTY, st.text(max_size=20)), max_size=3)
    )
    return st.dictionaries(st.sampled_from(sorted(field_names)), value, max_size=12)


def _posted(form) -> dict:
    """A generated form's data as a browser would post it (strings, lists for multiples)."""
    out = {}
    for key, value in form.data.items():
        if isinstance(value, datetime):
            value = value.strftime("%Y-%m-%dT%H:%M")
        elif isinstance(value, date):
            value = value.isoformat()
        elif isinstance(value, bool):
            value = "on" if value else ""
        out[key] = value
    return out


def fuzz(client, url, form_class, snapshot, *, form_kwargs=None, extra=None, **strategies):
    form_kwargs = form_kwargs or {}
    names = form_class(**form_kwargs).fields.keys()
    data = st.one_of(
        from_form(form_class, form_kwargs=form_kwargs, **strategies).map(_posted),
        _hostile(names),
    )

    @settings(
        max_examples=EXAMPLES,
        deadline=None,
        database=None,
        suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
    )
    @given(data=data)
    def post(data):
        before = snapshot()
        response = client.post(url, {**data, **(extra or {})})
        assert response.status_code < 500, data
        if response.status_code != 302:
            assert snapshot() == before, data

    post()


def _rows(model, **filters):
    with scopes_disabled():
        return sorted(
            tuple(sorted((k, str(v)) for k, v in model_to_dict(row).items()))
            for row in model.objects.filter(**filters)
        )


def test_company_profile(client):
    member = CompanyMemberFactory()
    client.force_login(member.user)
    url = reverse("my:company", args=[member.company.pk])
    fuzz(client, url, CompanyForm, lambda: _rows(Company))
    fuzz(client, reverse("my:company-create"), CompanyForm, lambda: _rows(Company))


def test_application_answers(client, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    member = CompanyMemberFactory()
    cohort = CohortFactory()
    questions = [
        QuestionFactory(cohort=cohort, kind=kind, choices="Yes\nNo\nMaybe")
        for kind in QuestionKind.values
        if kind != QuestionKind.FILE
    ]
    draft = ApplicationFactory(cohort=cohort, company=member.company, created_by=member.user)
    client.force_login(member.user)
    with scopes_disabled():
        form_kwargs = {"questions": list(cohort.questions.all())}
    assert len(questions) >= 5
    fuzz(
        client,
        reverse("my:application", args=[draft.pk]),
        ApplicationAnswersForm,
        lambda: _rows(Application),
        form_kwargs=form_kwargs,
        extra={"action": "save"},
    )


def test_programme(client, organisation, make_member):
    manager = make_member(organisation, Role.PROGRAMME_MANAGER)
    client.force_login(manager.user)
    url = reverse("programmes:programme-create", kwargs={"org_slug": organisation.slug})
    with scopes_disabled():
        fuzz(
            client,
            url,
            ProgrammeForm,
            lambda: _rows(Programme),
            form_kwargs={"organisation": organisation},
            delivery_partners=st.just([]),
        )


def test_cohort(client, organisation, make_member):
    manager = make_member(organisation, Role.PROGRAMME_MANAGER)
    programme = ProgrammeFactory(organisation=organisation)
    client.force_login(manager.user)
    url = reverse(
        "cohorts:cohort-create",
        kwargs={"org_slug": organisation.slug, "programme_pk": programme.pk},
    )
    fuzz(
        client,
        url,
        CohortForm,
        lambda: _rows(Cohort),
        form_kwargs={"time_zone_name": organisation.time_zone},
    )


def test_mentor_profile(client, organisation):
    mentor = MentorProfileFactory(organisation=organisation)
    client.force_login(mentor.user)
    from portal.models import Membership

    Membership.objects.get_or_create(user=mentor.user, organisation=organisation, role=Role.MENTOR)
    url = reverse("mentoring:my-profile", kwargs={"org_slug": organisation.slug})
    fuzz(client, url, MentorProfileForm, lambda: _rows(MentorProfile), extra={"action": "profile"})


def test_survey_answers(client):
    invitation = SurveyInvitationFactory(sent=True)
    fuzz(
        client,
        invitation.get_answer_url(),
        SurveyAnswerForm,
        lambda: _rows(SurveyResponse),
        extra={"submit": "1"},
    )
