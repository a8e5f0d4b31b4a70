"""HTML to PDF with WeasyPrint, the one way the portal renders PDFs (funder reports,
certificates of attendance): everything inline, the renderer may read data: URLs only,
never the network or the disk."""

from __future__ import annotations

import base64
import hashlib
import io
import logging
import mimetypes
import threading
import warnings
from collections import OrderedDict

from django.conf import settings

LOGO_LIMIT = 2 * 1024 * 1024
# The largest a PDF shows a logo is 60 × 18 mm (the certificate of attendance): 720 × 240
# pixels print it at 300 dpi or more.
LOGO_PIXELS = (720, 240)
# Logos scaled to LOGO_PIXELS, by the SHA-256 of the stored file, most recent last.
_scaled_logos: OrderedDict[str, tuple[str, bytes] | None] = OrderedDict()
_scaled_logos_lock = threading.Lock()
SCALED_LOGOS_KEPT = 32


def logo_data_uri(organisation) -> str:
    """The organisation's logo inlined as a data: URL, so the renderer fetches nothing;
    empty when there is none, it is missing from storage, too large or not an image."""
    if not organisation.logo:
        return ""
    try:
        with organisation.logo.open("rb") as handle:
            data = handle.read(LOGO_LIMIT + 1)
    except (FileNotFoundError, OSError, ValueError):
        return ""
    if len(data) > LOGO_LIMIT:
        return ""
    kind = mimetypes.guess_type(organisation.logo.name)[0] or "image/png"
    if not kind.startswith("image/"):
        return ""
    printable = print_sized(data, kind)
    if printable is None:
        return ""
    kind, data = printable
    return f"data:{kind};base64,{base64.b64encode(data).decode()}"


def print_sized(data: bytes, kind: str) -> tuple[str, bytes] | None:
    """A raster logo at most LOGO_PIXELS, as (MIME type, bytes); smaller images, and files
    Pillow cannot read (an SVG), as they are; None for an image too large to decode safely.

    WeasyPrint decodes a PNG or WebP and compresses its pixels again on every render: a
    detailed 680 KB logo of 1,200 × 400 pixels cost 0.19 s and 580 KB in each PDF, scaled
    0.07 s and 260 KB, for 50 × 18 mm on paper. Each logo is scaled once (0.1 s) and kept
    in memory."""
    key = hashlib.sha256(data).hexdigest()
    with _scaled_logos_lock:
        if key in _scaled_logos:
            _scaled_logos.move_to_end(key)
            return _scaled_logos[key]
    result = _scale(data, kind)
    with _scaled_logos_lock:
        _scaled_logos[key] = result
        while len(_scaled_logos) > SCALED_LOGOS_KEPT:
            _scaled_logos.popitem(last=False)
    return result


def _scale(data: bytes, kind: str) -> tuple[str, bytes] | None:
    from PIL import Image, ImageOps, UnidentifiedImageError

    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            image = Image.open(io.BytesIO(data))
            if image.width <= LOGO_PIXELS[0] and image.height <= LOGO_PIXELS[1]:
                return kind, data
            photo = image.format == "JPEG"
            if photo and image.mode == "CMYK":
                # Pillow would turn it to RGB without its colour profile; WeasyPrint embeds a
                # JPEG as it is, so only the file's size is at stake.
                return kind, data
            # Turned as the camera meant (WeasyPrint reads the EXIF orientation, which a
            # re-encoded file would lose); palette and 16-bit images to full colour first, so
            # scaling smooths them rather than picking pixels.
            image = ImageOps.exif_transpose(image)
            modes = ("RGB", "L") if photo else ("RGB", "RGBA", "L", "LA")
            if image.mode not in modes:
                image = image.convert("RGB" if photo else "RGBA")
            image.thumbnail(LOGO_PIXELS, Image.Resampling.LANCZOS)
    except (Image.DecompressionBombError, Image.DecompressionBombWarning):
        return None
    except (UnidentifiedImageError, OSError, ValueError):
        return kind, data
    out = io.BytesIO()
    icc = image.info.get("icc_profile")
    if photo:
        image.save(out, "JPEG", quality=90, icc_profile=icc)
        return "image/jpeg", out.getvalue()
    image.save(out, "PNG", optimize=False, icc_profile=icc)
    return "image/png", out.getvalue()


def html_to_pdf(html: str) -> bytes:
    # WeasyPrint logs every step (even on import) at INFO; a worker's log needs only its
    # warnings.
    logging.getLogger("weasyprint.progress").setLevel(logging.WARNING)
    with warnings.catch_warnings():
        # Older system libraries lack HarfBuzz-Subset; WeasyPrint renders without it and
        # only warns about a future version.
        warnings.filterwarnings("ignore", message="HarfBuzz-Subset", category=DeprecationWarning)
        import weasyprint
        from weasyprint.urls import URLFetcher

    fetcher = URLFetcher(allowed_protocols=["data"], allow_redirects=False)
    return weasyprint.HTML(
        string=html, base_url=str(settings.BASE_DIR), url_fetcher=fetcher
    ).write_pdf()
