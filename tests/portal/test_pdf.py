"""The organisation's logo as the PDFs (funder reports, certificates) embed it: at print size
rather than as uploaded, turned the right way up, and left out when unsafe to decode."""

import base64
import io

import pytest
from django.core.files.base import ContentFile
from PIL import Image
from pypdf import PdfReader

from impact import reports
from portal import pdf
from portal.tenancy import tenant_scope
from tests.factories import ProgrammeFactory

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _no_scaled_logos_kept():
    pdf._scaled_logos.clear()
    yield
    pdf._scaled_logos.clear()


def image_bytes(size, fmt="PNG", mode="RGBA", colour=(11, 83, 148, 255), **save) -> bytes:
    image = Image.new(mode, size, colour[: len(mode)] if mode != "L" else 90)
    # A transparent corner, to see that transparency survives.
    if mode == "RGBA":
        image.paste((0, 0, 0, 0), (0, 0, size[0] // 4, size[1] // 4))
    out = io.BytesIO()
    image.save(out, fmt, **save)
    return out.getvalue()


def with_logo(organisation, name, data):
    organisation.logo.save(name, ContentFile(data), save=True)
    return organisation


def decoded(uri: str) -> tuple[str, Image.Image]:
    head, payload = uri.split(",", 1)
    return head, Image.open(io.BytesIO(base64.b64decode(payload)))


def test_a_large_logo_is_scaled_to_print_size_keeping_shape_and_transparency(organisation):
    with_logo(organisation, "logo.png", image_bytes((2400, 800)))
    head, image = decoded(pdf.logo_data_uri(organisation))
    assert head == "data:image/png;base64"
    assert image.size == (720, 240)
    assert image.mode == "RGBA"
    assert image.getpixel((0, 0))[3] == 0 and image.getpixel((719, 239))[3] == 255


def test_a_logo_already_small_enough_is_embedded_as_uploaded(organisation):
    data = image_bytes((300, 100))
    with_logo(organisation, "logo.png", data)
    assert pdf.logo_data_uri(organisation) == (
        "data:image/png;base64," + base64.b64encode(data).decode()
    )


def test_a_photo_stays_a_jpeg_and_is_turned_as_the_camera_meant(organisation):
    exif = Image.Exif()
    exif[0x0112] = 6  # orientation: the camera was turned a quarter
    data = image_bytes((1600, 900), "JPEG", "RGB", exif=exif)
    with_logo(organisation, "logo.jpg", data)
    head, image = decoded(pdf.logo_data_uri(organisation))
    assert head == "data:image/jpeg;base64"
    assert image.format == "JPEG"
    # Upright it is 900 wide and 1,600 high: scaled to 240 high.
    assert image.size == (135, 240)
    assert image.getexif().get(0x0112) in (None, 1)


def test_a_palette_logo_is_smoothed_not_picked(organisation):
    data = image_bytes((1500, 500), mode="P", colour=(3,))
    with_logo(organisation, "logo.png", data)
    _head, image = decoded(pdf.logo_data_uri(organisation))
    assert image.size == (720, 240)
    assert image.mode == "RGBA"


def test_an_image_too_large_to_decode_safely_is_left_out(organisation, monkeypatch):
    with_logo(organisation, "logo.png", image_bytes((2000, 2000), mode="L"))
    monkeypatch.setattr(Image, "MAX_IMAGE_PIXELS", 1000)
    assert pdf.logo_data_uri(organisation) == ""


def test_a_file_pillow_cannot_read_is_passed_on_as_it_is(organisation):
    svg = b'<svg xmlns="http://www.w3.org/2000/svg" width="40" height="10"/>'
    with_logo(organisation, "logo.svg", svg)
    assert pdf.logo_data_uri(organisation) == (
        "data:image/svg+xml;base64," + base64.b64encode(svg).decode()
    )


def test_the_funder_report_embeds_the_logo_at_print_size(organisation):
    with_logo(organisation, "logo.png", image_bytes((2400, 800)))
    programme = ProgrammeFactory(organisation=organisation)
    with tenant_scope(organisation):
        context = reports.report_context(
            reports.scope_for(programme), programme=programme, with_charts=False
        )
        document = PdfReader(io.BytesIO(reports.render_pdf(context)))
    cover = document.pages[0]
    sizes = [(image.image.width, image.image.height) for image in cover.images if image.image]
    assert sizes == [(720, 240)]
