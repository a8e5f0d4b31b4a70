"""A signed-in person's own data-rights pages under /privacy/: the overview (who holds their
data, their copies, erasure) and the subject-access export's pages.

Not staff pages: any signed-in person (staff, mentor, founder, funder) reaches them, and
sees only their own rows: every export is looked up by its token AND the signed-in user,
so somebody else's link is a 404, never a hint that it exists."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from portal.downloads import attachment
from privacy import subject_access
from privacy.models import DataExport
from privacy.selectors import organisations_holding_data


@login_required
def overview(request):
    exports = list(DataExport.objects.filter(user=request.user)[:10])
    return render(
        request,
        "privacy/overview.html",
        {
            "holders": organisations_holding_data(user=request.user),
            "exports": exports,
            "has_pending": any(e.state == DataExport.State.PENDING for e in exports),
            "lifetime_days": subject_access.EXPORT_LIFETIME.days,
        },
    )


@login_required
@require_POST
def export_request(request):
    try:
        subject_access.export_request(user=request.user)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(
            request,
            "We are preparing a copy of your data. We e-mail you a download link when it is "
            "ready, usually within a few minutes.",
        )
    return redirect("privacy:overview")


def _own_export(request, token: str) -> DataExport:
    export = get_object_or_404(DataExport, token=token, user=request.user)
    if export.state == DataExport.State.READY and export.expires_at <= timezone.now():
        # Expired since the last sweep: expire it now, so the file is gone before we answer.
        export = subject_access.export_expire(export=export)
    return export


@login_required
def export_detail(request, token):
    export = _own_export(request, token)
    expired = export.state == DataExport.State.EXPIRED
    return render(
        request,
        "privacy/export.html",
        {"export": export, "lifetime_days": subject_access.EXPORT_LIFETIME.days},
        # 410 Gone: the link was real, and it will not work again.
        status=410 if expired else 200,
    )


@login_required
def export_download(request, token):
    export = _own_export(request, token)
    if not export.is_downloadable:
        return redirect(export.get_absolute_url())
    response = attachment(
        export.file,
        filename=f"scaleup-portal-data-{timezone.localdate(export.ready_at).isoformat()}.zip",
        content_type="application/zip",
    )
    subject_access.export_record_download(export=export)
    return response
