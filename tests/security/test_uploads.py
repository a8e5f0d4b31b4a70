"""Hostile uploads at every upload point a user reaches (an application's file answer, a
mentor's CV, an organisation's logo): wrong magic bytes, a second extension, oversize files
and SVG with script are refused with a message and leave nothing on disk or in the database;
path tricks in the name (`../`, absolute paths, NUL) never place a file outside its folder."""

from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from cohorts.models import ApplicationFile, QuestionKind
from mentoring.models import MentorProfile
from portal.roles import Role
from portal.tenancy import scopes_disabled
from tests.factories import (
    ApplicationFactory,
    CohortFactory,
    CompanyMemberFactory,
    QuestionFactory,
)
from tests.mentoring.test_mentors import application_data

pytestmark = pytest.mark.django_db

PDF = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\n%%EOF\n"
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64
MZ = b"MZ\x90\x00\x03\x00\x00\x00" + b"\x00" * 64
SVG = b'<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>'

HOSTILE_DOCUMENTS = [
    ("plan.pdf", MZ),  # an executable named as a PDF
    ("plan.pdf.exe", PDF),  # a second extension
    ("plan.exe.pdf", MZ),
    ("plan.html", b"<script>alert(1)</script>"),
    ("plan.svg", SVG),
    ("plan.pdf", b""),  # empty
    ("plan.pdf", PDF + b"\x00" * (6 * 1024 * 1024)),  # over every limit
]
TRAVERSAL_NAMES = ["../../plan.pdf", "..\\..\\plan.pdf", "/etc/plan.pdf", "a/../../../plan.pdf"]


@pytest.fixture
def media(settings, tmp_path):
    root = tmp_path / "media"
    root.mkdir()
    settings.MEDIA_ROOT = root
    return root


def _files_under(folder: Path) -> list[Path]:
    return [p for p in folder.parent.rglob("*") if p.is_file()]


@pytest.fixture
def application_page(client):
    member = CompanyMemberFactory()
    cohort = CohortFactory()
    question = QuestionFactory(
        cohort=cohort, kind=QuestionKind.FILE, label="Business plan", max_file_mb=1
    )
    draft = ApplicationFactory(cohort=cohort, company=member.company, created_by=member.user)
    client.force_login(member.user)
    return reverse("my:application", args=[draft.pk]), f"q_{question.pk}"


@pytest.mark.parametrize(("name", "content"), HOSTILE_DOCUMENTS)
def test_hostile_application_files_are_refused_and_nothing_is_stored(
    client, media, application_page, name, content
):
    url, field = application_page
    response = client.post(url, {"action": "save", field: SimpleUploadedFile(name, content)})
    assert response.status_code == 400
    assert "Choose the file again" in response.content.decode()
    with scopes_disabled():
        assert not ApplicationFile.objects.exists()
    assert _files_under(media) == []


@pytest.mark.parametrize("name", TRAVERSAL_NAMES)
def test_path_tricks_in_application_file_names_stay_in_their_folder(
    client, media, application_page, name
):
    url, field = application_page
    response = client.post(url, {"action": "save", field: SimpleUploadedFile(name, PDF)})
    assert response.status_code < 500
    stored = _files_under(media)
    assert all(media in p.parents for p in stored), stored
    with scopes_disabled():
        for row in ApplicationFile.objects.all():
            assert ".." not in row.file.name and "/" not in row.original_name
            assert "\\" not in row.original_name


@pytest.mark.parametrize(("name", "content"), HOSTILE_DOCUMENTS)
def test_hostile_mentor_cvs_are_refused_and_nothing_is_stored(
    client, media, organisation, user, name, content
):
    client.force_login(user)
    url = reverse("mentor-recruitment:apply", kwargs={"org_slug": organisation.slug})
    response = client.post(url, application_data(cv=SimpleUploadedFile(name, content)))
    assert response.status_code == 400
    with scopes_disabled():
        assert not MentorProfile.objects.exists()
    assert _files_under(media) == []


@pytest.mark.parametrize("name", TRAVERSAL_NAMES)
def test_path_tricks_in_cv_names_stay_in_their_folder(client, media, organisation, user, name):
    client.force_login(user)
    url = reverse("mentor-recruitment:apply", kwargs={"org_slug": organisation.slug})
    response = client.post(url, application_data(cv=SimpleUploadedFile(name, PDF)))
    assert response.status_code < 500
    assert all(media in p.parents for p in _files_under(media))


@pytest.mark.parametrize(
    ("name", "content", "content_type"),
    [
        ("logo.png", MZ, "image/png"),
        ("logo.png", SVG, "image/png"),
        ("logo.svg", SVG, "image/svg+xml"),
        ("logo.png", PNG[:8] + b"<script>", "image/png"),  # PNG magic, not an image
        ("logo.png", PNG + b"\x00" * (2 * 1024 * 1024), "image/png"),
        ("../../logo.png", MZ, "image/png"),
    ],
)
def test_hostile_logos_are_refused_and_nothing_is_stored(
    client, media, organisation, make_member, name, content, content_type
):
    admin = make_member(organisation, Role.ADMIN)
    client.force_login(admin.user)
    response = client.post(
        reverse("portal:settings", kwargs={"org_slug": organisation.slug}),
        {
            "name": organisation.name,
            "accent_colour": "#123456",
            "time_zone": "Europe/London",
            "logo": SimpleUploadedFile(name, content, content_type=content_type),
        },
    )
    assert response.status_code == 400
    organisation.refresh_from_db()
    assert not organisation.logo
    assert _files_under(media) == []
