"""Serving stored uploads: always as an attachment, never from a public media URL.

Every attachment response is logged by portal.audit.AuditMiddleware (who, what, when, which
organisation); the response names the stored object so the entry is about it."""

from django.http import FileResponse, Http404


def attachment(fieldfile, *, filename: str, content_type: str = "") -> FileResponse:
    """The file as a download, or 404 if storage has lost it."""
    try:
        handle = fieldfile.open("rb")
    except FileNotFoundError as exc:
        raise Http404("The file is missing from storage.") from exc
    response = FileResponse(
        handle,
        as_attachment=True,
        filename=filename,
        content_type=content_type or "application/octet-stream",
    )
    response.audited_object = getattr(fieldfile, "instance", None)
    return response
