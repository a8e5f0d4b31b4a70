"""Public pages: the front page, an organisation's page in its branding, friendly errors."""

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from tests.factories import OrganisationFactory

pytestmark = pytest.mark.django_db


def test_front_page_lists_organisations(client):
    OrganisationFactory(name="Pennine Growth Hub", slug="pennine")
    body = client.get("/").content.decode()
    assert "Pennine Growth Hub" in body
    assert 'href="/o/pennine/"' in body


def test_organisation_page_wears_its_branding(client):
    OrganisationFactory(
        name="Capital Trade & Invest",
        slug="capital",
        accent_colour="#b5122e",
        description="We take scaleups abroad.",
    )
    response = client.get("/o/capital/")
    body = response.content.decode()
    assert response.status_code == 200
    assert "--brand: #b5122e" in body
    assert "We take scaleups abroad." in body
    assert "no call open for applications" in body


def test_logo_is_served_publicly(client, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    buffer = io.BytesIO()
    Image.new("RGB", (4, 4), "red").save(buffer, format="PNG")
    org = OrganisationFactory(slug="logo-org")
    org.logo.save("logo.png", SimpleUploadedFile("logo.png", buffer.getvalue()))
    response = client.get("/o/logo-org/logo")
    assert response.status_code == 200
    assert b"".join(response.streaming_content).startswith(b"\x89PNG")


def test_unknown_pages_get_the_friendly_404(client):
    response = client.get("/o/no-such-organisation/")
    assert response.status_code == 404
    assert "Page not found" in response.content.decode()
