"""The application form under /my/applications/<pk>/: the dynamic form built from a cohort's
questions, saving drafts, uploads, submitting, and the htmx save-as-you-go."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django_scopes import scopes_disabled

from cohorts.models import (
    Application,
    ApplicationFile,
    ApplicationStatus,
    ApplicationStatusChange,
    QuestionKind,
)
from portal.taxonomy import Region
from tests.factories import (
    ApplicationFactory,
    CohortFactory,
    CompanyMemberFactory,
    QuestionFactory,
)

pytestmark = pytest.mark.django_db

PDF = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\n%%EOF\n"


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


@pytest.fixture
def member():
    return CompanyMemberFactory()


@pytest.fixture
def cohort():
    return CohortFactory()


@pytest.fixture
def questions(cohort):
    """One question of every kind; text, choice and file are required."""
    return {
        "short": QuestionFactory(
            cohort=cohort, kind=QuestionKind.SHORT_TEXT, label="Your website headline"
        ),
        "long": QuestionFactory(
            cohort=cohort,
            kind=QuestionKind.LONG_TEXT,
            label="Which markets are you targeting?",
            help_text="Name up to three countries.",
        ),
        "number": QuestionFactory(
            cohort=cohort, kind=QuestionKind.NUMBER, label="Export sales last year", required=False
        ),
        "single": QuestionFactory(
            cohort=cohort,
            kind=QuestionKind.SINGLE_CHOICE,
            label="Have you exported before?",
            choices="Yes\nNo",
        ),
        "multi": QuestionFactory(
            cohort=cohort,
            kind=QuestionKind.MULTIPLE_CHOICE,
            label="Which support do you want?",
            choices="Mentoring\nWorkshops\nTrade missions",
            required=False,
        ),
        "date": QuestionFactory(
            cohort=cohort, kind=QuestionKind.DATE, label="Planned first trip", required=False
        ),
        "file": QuestionFactory(
            cohort=cohort, kind=QuestionKind.FILE, label="Business plan", max_file_mb=1
        ),
    }


@pytest.fixture
def draft(member, cohort, questions):
    return ApplicationFactory(cohort=cohort, company=member.company, created_by=member.user)


def q(question):
    return f"q_{question.pk}"


def _url(application):
    return reverse("my:application", args=[application.pk])


def _reload(application):
    with scopes_disabled():
        return Application.objects.get(pk=application.pk)


def _complete_answers(questions, **extra):
    return {
        q(questions["short"]): "Exporting made simple",
        q(questions["long"]): "Germany and the Netherlands",
        q(questions["single"]): "No",
        **extra,
    }


def test_form_shows_every_kind_of_question_with_required_flags_and_help(client, member, draft):
    client.force_login(member.user)
    response = client.get(_url(draft))
    assert response.status_code == 200
    body = response.content.decode()
    assert "Which markets are you targeting?" in body
    assert "Name up to three countries." in body
    assert 'inputmode="decimal"' in body
    assert 'type="date"' in body
    assert body.count('type="radio"') == 2
    assert body.count('type="checkbox"') == 3
    assert 'type="file"' in body and 'accept=".docx,.jpeg,.jpg,.pdf,.png,.pptx,.xlsx"' in body
    assert "(required)" in body
    # A draft may be saved incomplete: no browser-side required attributes.
    assert " required" not in body.split('<form method="post" enctype')[1].split("</form>")[0]
    # The profile that will be snapshotted, with a way to edit it.
    assert member.company.name in body
    assert reverse("my:company", args=[member.company.pk]) in body
    assert "Save draft" in body and "Submit application" in body


def test_save_draft_incomplete_then_come_back(client, member, draft, questions):
    client.force_login(member.user)
    response = client.post(
        _url(draft),
        {
            "action": "save",
            q(questions["long"]): "Germany",
            q(questions["number"]): "2,500.50",
            q(questions["multi"]): ["Mentoring", "Trade missions"],
            q(questions["date"]): "2027-03-01",
        },
    )
    assert response.status_code == 302
    saved = _reload(draft)
    assert saved.status == ApplicationStatus.DRAFT
    assert saved.answers[str(questions["long"].pk)] == "Germany"
    assert saved.answers[str(questions["number"].pk)] == "2500.50"
    assert saved.answers[str(questions["multi"].pk)] == ["Mentoring", "Trade missions"]
    assert saved.answers[str(questions["date"].pk)] == "2027-03-01"

    body = client.get(_url(draft)).content.decode()
    assert "\nGermany</textarea>" in body
    assert 'value="2500.50"' in body
    assert 'value="2027-03-01"' in body
    assert body.count("checked") == 2


def test_an_emptied_answer_is_cleared(client, member, draft, questions):
    client.force_login(member.user)
    client.post(_url(draft), {"action": "save", q(questions["multi"]): ["Workshops"]})
    client.post(_url(draft), {"action": "save"})
    assert _reload(draft).answers.get(str(questions["multi"].pk)) is None


def test_bad_number_is_refused_next_to_the_field_keeping_everything(
    client, member, draft, questions
):
    client.force_login(member.user)
    response = client.post(
        _url(draft),
        {
            "action": "save",
            q(questions["long"]): "Germany and France",
            q(questions["number"]): "about a million",
        },
    )
    assert response.status_code == 400
    body = response.content.decode()
    assert "Enter a number, for example 12 or 2500.50." in body
    assert f'id="{q(questions["number"])}-errors"' in body
    assert "\nGermany and France</textarea>" in body
    assert 'value="about a million"' in body
    assert _reload(draft).answers == {}


def test_submit_with_a_required_answer_missing(client, member, draft, questions):
    client.force_login(member.user)
    answers = _complete_answers(questions)
    del answers[q(questions["single"])]
    response = client.post(_url(draft), {"action": "submit", **answers})
    assert response.status_code == 400
    body = response.content.decode()
    # Next to the choice and the file question, and in the summary at the top.
    assert body.count("This question needs an answer before you submit.") == 4
    assert f'id="{q(questions["single"])}-errors"' in body
    assert f'id="{q(questions["file"])}-errors"' in body
    assert f'id="{q(questions["short"])}-errors"' not in body
    assert 'value="Exporting made simple"' in body
    saved = _reload(draft)
    assert saved.status == ApplicationStatus.DRAFT
    # What was typed is saved as a draft: nothing is lost.
    assert saved.answers[str(questions["short"].pk)] == "Exporting made simple"


def test_submit_complete_snapshots_and_confirms(
    client, member, draft, questions, mailoutbox, django_capture_on_commit_callbacks
):
    client.force_login(member.user)
    plan = SimpleUploadedFile("plan.pdf", PDF, content_type="application/pdf")
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            _url(draft),
            {
                "action": "submit",
                **_complete_answers(questions, **{q(questions["date"]): "2027-03-01"}),
                q(questions["file"]): plan,
            },
        )
    assert response.status_code == 302
    saved = _reload(draft)
    assert saved.status == ApplicationStatus.SUBMITTED
    assert saved.company_snapshot["name"] == member.company.name
    assert len(mailoutbox) == 1
    assert mailoutbox[0].to == [member.user.email]
    assert f"/my/applications/{draft.pk}/" in mailoutbox[0].body

    body = client.get(_url(draft)).content.decode()
    assert "What happens next" in body
    assert "Exporting made simple" in body
    assert "1 March 2027" in body
    assert "plan.pdf" in body
    assert "Withdraw application" in body


def test_double_submit_leaves_one_submitted_application(
    client, member, draft, questions, mailoutbox, django_capture_on_commit_callbacks
):
    client.force_login(member.user)
    with scopes_disabled():
        ApplicationFile.objects.create(
            organisation=draft.organisation,
            application=draft,
            question=questions["file"],
            file=SimpleUploadedFile("plan.pdf", PDF),
            original_name="plan.pdf",
            content_type="application/pdf",
            size=len(PDF),
        )
    data = {"action": "submit", **_complete_answers(questions)}
    with django_capture_on_commit_callbacks(execute=True):
        first = client.post(_url(draft), data)
        second = client.post(_url(draft), data)
    assert first.status_code == 302 and second.status_code == 302
    with scopes_disabled():
        assert Application.objects.filter(company=member.company).count() == 1
        assert ApplicationStatusChange.objects.filter(application=draft).count() == 1
    assert _reload(draft).status == ApplicationStatus.SUBMITTED
    assert len(mailoutbox) == 1


def test_ineligible_company_gets_the_reasons_on_submit(client, member, cohort, questions):
    cohort.programme.regions = [Region.NORTH_WEST]
    cohort.programme.save()
    draft = ApplicationFactory(cohort=cohort, company=member.company)
    client.force_login(member.user)
    plan = SimpleUploadedFile("plan.pdf", PDF)
    response = client.post(
        _url(draft),
        {"action": "submit", **_complete_answers(questions), q(questions["file"]): plan},
    )
    assert response.status_code == 400
    body = response.content.decode()
    assert "Your company is not eligible for this programme." in body
    assert "The programme is open to companies based in" in body
    assert 'value="Exporting made simple"' in body
    assert _reload(draft).status == ApplicationStatus.DRAFT


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("setup.exe", b"MZ\x90\x00" + b"\x00" * 100, "Upload one of these file types"),
        ("plan.pdf", b"MZ\x90\x00 not a pdf at all", "does not look like a PDF file"),
        ("plan.pdf", PDF + b"\x00" * (1024 * 1024 + 1), "the limit is 1 MB"),
    ],
)
def test_bad_uploads_are_refused_with_a_message(
    client, member, draft, questions, name, content, message
):
    client.force_login(member.user)
    upload = SimpleUploadedFile(name, content)
    response = client.post(
        _url(draft),
        {"action": "save", q(questions["long"]): "Kept", q(questions["file"]): upload},
    )
    assert response.status_code == 400
    body = response.content.decode()
    assert message in body
    assert "Choose the file again" in body
    assert "\nKept</textarea>" in body
    with scopes_disabled():
        assert not ApplicationFile.objects.filter(application=draft).exists()


def test_uploaded_file_is_shown_and_downloaded_as_attachment(client, member, draft, questions):
    client.force_login(member.user)
    upload = SimpleUploadedFile("Business plan 2027.pdf", PDF)
    assert (
        client.post(_url(draft), {"action": "save", q(questions["file"]): upload}).status_code
        == 302
    )
    with scopes_disabled():
        stored = ApplicationFile.objects.get(application=draft)
    body = client.get(_url(draft)).content.decode()
    file_url = reverse("my:application-file", args=[draft.pk, stored.pk])
    assert file_url in body and "Business plan 2027.pdf" in body

    response = client.get(file_url)
    assert response.status_code == 200
    assert response["Content-Disposition"].startswith("attachment")
    assert "Business plan 2027.pdf" in response["Content-Disposition"]
    assert b"".join(response.streaming_content) == PDF


def test_another_users_application_and_file_are_404(client, draft, questions):
    with scopes_disabled():
        stored = ApplicationFile.objects.create(
            organisation=draft.organisation,
            application=draft,
            question=questions["file"],
            file=SimpleUploadedFile("secret.pdf", PDF),
            original_name="secret.pdf",
            content_type="application/pdf",
            size=len(PDF),
        )
    stranger = CompanyMemberFactory()
    client.force_login(stranger.user)
    urls = [
        _url(draft),
        reverse("my:application-file", args=[draft.pk, stored.pk]),
        reverse("my:application-withdraw", args=[draft.pk]),
    ]
    for url in urls:
        assert client.get(url).status_code == 404, url
        assert client.post(url, {"action": "submit"}).status_code == 404, url
    # Own application, someone else's file id: 404 too.
    own = ApplicationFactory(cohort=draft.cohort, company=stranger.company)
    assert client.get(reverse("my:application-file", args=[own.pk, stored.pk])).status_code == 404
    assert _reload(draft).status == ApplicationStatus.DRAFT


def test_htmx_autosave_returns_a_small_fragment(client, member, draft, questions):
    client.force_login(member.user)
    response = client.post(
        _url(draft),
        {"action": "autosave", q(questions["short"]): "Saved as I type"},
        headers={"HX-Request": "true"},
    )
    assert response.status_code == 200
    body = response.content.decode()
    assert "Draft saved at" in body
    assert "<html" not in body
    assert _reload(draft).answers[str(questions["short"].pk)] == "Saved as I type"

    response = client.post(
        _url(draft),
        {"action": "autosave", q(questions["number"]): "lots"},
        headers={"HX-Request": "true"},
    )
    assert response.status_code == 200
    assert "Not saved yet" in response.content.decode()
    assert "Enter a number" in response.content.decode()


def test_submitted_application_is_read_only(client, member, cohort, questions):
    submitted = ApplicationFactory(
        cohort=cohort, company=member.company, submitted=True, answers={"x": "y"}
    )
    client.force_login(member.user)
    response = client.post(_url(submitted), {"action": "save", q(questions["short"]): "Changed"})
    assert response.status_code == 302
    assert _reload(submitted).answers == {"x": "y"}
    body = client.get(_url(submitted)).content.decode()
    assert "Save draft" not in body
    assert "Company profile as submitted" in body


def test_draft_of_a_closed_cohort_cannot_be_submitted(client, member):
    closed = CohortFactory(closed=True)
    draft = ApplicationFactory(cohort=closed, company=member.company)
    client.force_login(member.user)
    body = client.get(_url(draft)).content.decode()
    assert "Applications to this cohort have closed." in body
    assert "Submit application" not in body
    response = client.post(_url(draft), {"action": "submit"})
    assert response.status_code == 400
    assert "Applications to this cohort have closed." in response.content.decode()
