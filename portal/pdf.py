"""HTML to PDF with WeasyPrint, the one way the portal renders PDFs (funder reports,
certificates of attendance): everything inline, the renderer may read data: URLs only,
never the network or the disk."""

from __future__ import annotations

import base64
import logging
import mimetypes
import warnings

from django.conf import settings

LOGO_LIMIT = 2 * 1024 * 1024


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
    return f"data:{kind};base64,{base64.b64encode(data).decode()}"


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
