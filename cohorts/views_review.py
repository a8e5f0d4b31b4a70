"""Staff pages of review and selection: the ranked application board with bulk decisions,
an application's staff page, reviewer assignment, the reviewer's queue and pool, the
scoring form and waitlist promotion.

Views translate between HTTP and cohorts.services / cohorts.selectors; who may see what is
decided in cohorts.permissions."""

from __future__ import annotations

from urllib.parse import urlencode

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST

from cohorts import selectors, services
from cohorts.forms_review import (
    DECISION_DONE,
    AssignEvenlyForm,
    AssignReviewerForm,
    BoardFilterForm,
    BulkDecisionForm,
    DecisionForm,
    ReviewForm,
)
from cohorts.models import Application, ApplicationStatus
from cohorts.permissions import (
    REVIEWERS,
    can_see_all_scores,
    can_see_application,
    is_manager,
    review_of,
)
from portal.downloads import attachment
from portal.fields import add_service_errors
from portal.permissions import role_required
from portal.roles import MANAGERS, Role

BOARD_PAGE_SIZE = 50
LIST_PAGE_SIZE = 25
# Statuses a manager can decide on from the board (drafts are not on it; withdrawn is final).
DECIDABLE = {
    ApplicationStatus.SUBMITTED,
    ApplicationStatus.WAITLISTED,
    ApplicationStatus.ACCEPTED,
    ApplicationStatus.REJECTED,
}


# --- The ranked board -----------------------------------------------------------------------


@role_required(*MANAGERS)
def board(request, org_slug, pk):
    """The ranked board of a cohort's applications; POST decides the ticked ones at once."""
    cohort = get_object_or_404(request.organisation.cohorts.select_related("programme"), pk=pk)
    bulk_form = BulkDecisionForm(request.POST or None, cohort=cohort)
    if request.method == "POST" and bulk_form.is_valid():
        chosen = list(bulk_form.cleaned_data["applications"])
        decision = bulk_form.cleaned_data["decision"]
        try:
            services.applications_decide(
                applications=chosen,
                decision=decision,
                by=request.user,
                reason=bulk_form.cleaned_data["reason"],
            )
        except ValidationError as exc:
            bulk_form.add_error(None, exc.messages)
        else:
            messages.success(request, _decided_message(chosen, decision))
            return redirect(request.get_full_path())

    filter_form = BoardFilterForm(request.GET)
    filters = filter_form.filters()
    applications = selectors.application_board(cohort=cohort, **filters)
    page = Paginator(applications, BOARD_PAGE_SIZE).get_page(request.GET.get("page"))
    counts = selectors.status_counts(cohort=cohort)
    taken = services.places_taken(cohort)
    select_query = {**_nonempty(filters), "select": "page"}
    if page.number > 1:
        select_query["page"] = page.number
    selected = set(request.POST.getlist("applications"))
    if request.GET.get("select") == "page":
        selected = {str(a.pk) for a in page if a.status in DECIDABLE}
    context = {
        "cohort": cohort,
        "filter_form": filter_form,
        "filters_active": any(filters.values()),
        "bulk_form": bulk_form,
        "page": page,
        "rows": [
            {"application": a, "rank": page.start_index() + i, "checked": str(a.pk) in selected}
            for i, a in enumerate(page)
        ],
        "status_tabs": _status_tabs(filters, counts),
        "total": sum(n for status, n in counts.items() if status != ApplicationStatus.DRAFT),
        "waitlisted": counts[ApplicationStatus.WAITLISTED],
        "capacity": cohort.capacity,
        "places_taken": taken,
        "places_left": max(cohort.capacity - taken, 0),
        "select_page_url": "?" + urlencode(select_query),
        "decidable": DECIDABLE,
    }
    return render(
        request,
        "cohorts/review/board.html",
        context,
        status=400 if bulk_form.errors else 200,
    )


def _nonempty(filters: dict[str, str]) -> dict[str, str]:
    return {k: v for k, v in filters.items() if v}


def _status_tabs(filters: dict[str, str], counts: dict[str, int]) -> list[dict]:
    """One tab per status on the board, each keeping the other filters."""
    others = {k: v for k, v in _nonempty(filters).items() if k != "status"}
    tabs = [
        {
            "label": "All",
            "value": "",
            "count": sum(n for s, n in counts.items() if s != ApplicationStatus.DRAFT),
            "query": urlencode(others),
        }
    ]
    for status in selectors.BOARD_STATUSES:
        tabs.append(
            {
                "label": status.label,
                "value": status.value,
                "count": counts.get(status.value, 0),
                "query": urlencode({**others, "status": status.value}),
            }
        )
    for tab in tabs:
        tab["active"] = tab["value"] == filters.get("status", "")
    return tabs


def _decided_message(chosen: list[Application], decision: str) -> str:
    done = DECISION_DONE[decision]
    changed = sum(1 for a in chosen if a.status != decision)
    unchanged = len(chosen) - changed
    if changed == 0:
        return f"Nothing changed: the selected applications were already {done}."
    noun = "application" if changed == 1 else "applications"
    who = "the applicant" if changed == 1 else "applicants"
    message = f"{changed} {noun} {done}; {who} will be e-mailed."
    if unchanged:
        message += f" {unchanged} already {'was' if unchanged == 1 else 'were'} {done}."
    return message


@role_required(*MANAGERS)
@require_POST
def promote(request, org_slug, pk):
    """Offer a freed place to the best-ranked waitlisted application."""
    cohort = get_object_or_404(request.organisation.cohorts, pk=pk)
    try:
        promoted = services.waitlist_promote(cohort=cohort, by=request.user)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        if promoted is None:
            messages.info(request, "Nobody is on the waitlist.")
        else:
            messages.success(
                request, f"{promoted.company.name} was offered the place and e-mailed."
            )
    return redirect("cohorts:board", org_slug=org_slug, pk=cohort.pk)


# --- One application ------------------------------------------------------------------------


@role_required(*REVIEWERS)
def application_detail(request, org_slug, pk):
    try:
        application = selectors.application_for_staff(organisation=request.organisation, pk=pk)
    except Application.DoesNotExist as exc:
        raise Http404("No such application.") from exc
    permission = can_see_application(request.membership, application)
    if not permission:
        raise PermissionDenied(permission.reason)
    manager = is_manager(request.membership)
    own_review = review_of(application, request.user.pk)
    criteria = list(application.cohort.criteria.all())
    show_others = can_see_all_scores(request.membership, application)
    reviews = [
        r
        for r in application.reviews.all()
        if r.pk != getattr(own_review, "pk", None) and (manager or (show_others and r.is_submitted))
    ]
    context = {
        "application": application,
        "cohort": application.cohort,
        "answers": _answer_rows(application),
        "criteria": criteria,
        "own_review": own_review,
        "own_review_row": _review_row(own_review, criteria) if own_review else None,
        "review_rows": [_review_row(r, criteria) for r in reviews],
        "show_others": bool(show_others),
        "others_reason": show_others.reason,
        "is_manager": manager,
        "summary": _score_summary(application) if manager else None,
        "history": list(application.status_changes.all()),
    }
    if manager:
        context["decide_form"] = DecisionForm()
        context["assign_form"] = AssignReviewerForm(
            organisation=request.organisation,
            exclude_user_ids=[r.reviewer_id for r in application.reviews.all()],
        )
    return render(request, "cohorts/review/application_detail.html", context)


def _answer_rows(application) -> list[dict]:
    """The cohort's questions with this application's answers and files, in form order."""
    files = {f.question_id: f for f in application.files.all()}
    rows = []
    for question in application.cohort.questions.all():
        value = application.answers.get(str(question.pk))
        if isinstance(value, list):
            value = ", ".join(str(v) for v in value)
        rows.append({"question": question, "answer": value, "file": files.get(question.pk)})
    return rows


def _review_row(review, criteria) -> dict:
    by_criterion = {s.criterion_id: s.value for s in review.scores.all()}
    return {
        "review": review,
        "scores": [(c, by_criterion.get(c.pk)) for c in criteria],
    }


def _score_summary(application) -> dict | None:
    """Mean, lowest and highest weighted score, as the board ranks them."""
    return (
        selectors.rank_applications(Application.objects.filter(pk=application.pk))
        .values("mean_score", "min_score", "max_score", "reviews_done", "reviews_assigned")
        .first()
    )


@role_required(*MANAGERS)
@require_POST
def decide(request, org_slug, pk):
    application = get_object_or_404(
        request.organisation.applications.select_related("company"), pk=pk
    )
    form = DecisionForm(request.POST)
    if not form.is_valid():
        messages.error(request, _form_errors(form))
    else:
        decision = form.cleaned_data["decision"]
        before = application.status
        try:
            services.application_decide(
                application=application,
                decision=decision,
                by=request.user,
                reason=form.cleaned_data["reason"],
            )
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
        else:
            done = DECISION_DONE[decision]
            if before == decision:
                messages.info(request, f"{application.company.name} was already {done}.")
            else:
                messages.success(
                    request,
                    f"{application.company.name} {done}; the applicant will be e-mailed.",
                )
    return redirect("cohorts:application-detail", org_slug=org_slug, pk=application.pk)


@role_required(*MANAGERS)
@require_POST
def assign(request, org_slug, pk):
    application = get_object_or_404(
        request.organisation.applications.select_related("cohort", "company"), pk=pk
    )
    form = AssignReviewerForm(request.POST, organisation=request.organisation)
    if not form.is_valid():
        messages.error(request, _form_errors(form))
    else:
        reviewer = form.cleaned_data["reviewer"].user
        try:
            services.review_assign(application=application, reviewer=reviewer, by=request.user)
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
        else:
            messages.success(
                request, f"{reviewer.display_name} will review {application.company.name}."
            )
    return redirect("cohorts:application-detail", org_slug=org_slug, pk=application.pk)


@role_required(*REVIEWERS)
def application_file(request, org_slug, pk, file_pk):
    """A file of an application, for its managers and reviewers only, as a download."""
    application = get_object_or_404(
        request.organisation.applications.exclude(status=ApplicationStatus.DRAFT).prefetch_related(
            "reviews"
        ),
        pk=pk,
    )
    permission = can_see_application(request.membership, application)
    if not permission:
        raise PermissionDenied(permission.reason)
    upload = get_object_or_404(application.files, pk=file_pk)
    return attachment(upload.file, filename=upload.original_name, content_type=upload.content_type)


# --- Reviewers of a cohort ------------------------------------------------------------------


@role_required(*MANAGERS)
def reviewers(request, org_slug, pk):
    cohort = get_object_or_404(request.organisation.cohorts.select_related("programme"), pk=pk)
    form = AssignEvenlyForm(
        request.POST or None,
        organisation=request.organisation,
        initial={"per_application": cohort.reviews_per_application},
    )
    if request.method == "POST" and form.is_valid():
        try:
            created = services.reviews_assign_evenly(
                cohort=cohort,
                reviewers=[m.user for m in form.cleaned_data["reviewers"]],
                per_application=form.cleaned_data["per_application"],
            )
        except ValidationError as exc:
            form.add_error(None, exc.messages)
        else:
            if created:
                messages.success(
                    request,
                    f"{created} review{'s' if created != 1 else ''} assigned; the reviewers "
                    "find them on their Reviews page.",
                )
            else:
                messages.info(request, "Every submitted application already has enough reviewers.")
            return redirect("cohorts:reviewers", org_slug=org_slug, pk=cohort.pk)
    short = selectors.applications_short_of_reviews(cohort=cohort)
    short_page = Paginator(short, LIST_PAGE_SIZE).get_page(request.GET.get("page"))
    context = {
        "cohort": cohort,
        "form": form,
        "load": [
            {**row, "todo": row["total"] - row["done"]}
            for row in selectors.reviewer_load(cohort=cohort)
        ],
        "target": cohort.reviews_per_application,
        "page": short_page,
        "can_invite": request.membership.role == Role.ADMIN,
    }
    return render(
        request, "cohorts/review/reviewers.html", context, status=400 if form.errors else 200
    )


# --- The reviewer's pages -------------------------------------------------------------------


@role_required(*REVIEWERS)
def my_reviews(request, org_slug):
    """The user's reviews to do and done in this organisation, and the pool to pick from."""
    mine = selectors.reviews_for_reviewer(organisation=request.organisation, user=request.user)
    todo = Paginator(mine.filter(submitted_at__isnull=True), LIST_PAGE_SIZE).get_page(
        request.GET.get("todo")
    )
    done = Paginator(mine.filter(submitted_at__isnull=False), LIST_PAGE_SIZE).get_page(
        request.GET.get("done")
    )
    pool = Paginator(
        selectors.review_pool(organisation=request.organisation, user=request.user),
        LIST_PAGE_SIZE,
    ).get_page(request.GET.get("pool"))
    return render(
        request,
        "cohorts/review/my_reviews.html",
        {"todo": todo, "done": done, "pool": pool, "is_manager": is_manager(request.membership)},
    )


@role_required(*REVIEWERS)
@require_POST
def pick(request, org_slug, application_pk):
    application = get_object_or_404(
        request.organisation.applications.select_related("cohort", "company"), pk=application_pk
    )
    try:
        review = services.review_pick(application=application, reviewer=request.user)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
        return redirect("cohorts:my-reviews", org_slug=org_slug)
    messages.success(
        request,
        f"You are reviewing {application.company.name}. Save as you go; submit when every "
        "criterion is scored.",
    )
    return redirect("cohorts:review", org_slug=org_slug, pk=review.pk)


@role_required(*REVIEWERS)
def review_form(request, org_slug, pk):
    """Score one application. Only the review's own reviewer reaches it (anyone else: 404)."""
    review = get_object_or_404(
        request.organisation.reviews.filter(reviewer=request.user).select_related(
            "application__company", "application__cohort__programme"
        ),
        pk=pk,
    )
    application = review.application
    criteria = list(application.cohort.criteria.all())
    if request.method == "POST":
        form = ReviewForm(request.POST, criteria=criteria)
        submit = request.POST.get("action") == "submit"
        if form.is_valid():
            try:
                services.review_save(
                    review=review,
                    scores=form.scores(),
                    comments=form.cleaned_data["comments"],
                    submit=submit,
                )
            except ValidationError as exc:
                add_service_errors(form, exc)
            else:
                if submit:
                    messages.success(
                        request, "Review submitted. The other reviewers' scores are now shown."
                    )
                else:
                    messages.success(
                        request, "Your scores are saved. Come back to finish and submit."
                    )
                return redirect("cohorts:review", org_slug=org_slug, pk=review.pk)
    else:
        initial = {f"c_{s.criterion_id}": s.value for s in review.scores.all()}
        form = ReviewForm(initial={**initial, "comments": review.comments}, criteria=criteria)

    show_others = can_see_all_scores(request.membership, application)
    others = []
    if show_others:
        others = [
            _review_row(r, criteria)
            for r in application.reviews.filter(submitted_at__isnull=False)
            .exclude(pk=review.pk)
            .select_related("reviewer")
            .prefetch_related("scores")
        ]
    context = {
        "review": review,
        "application": application,
        "cohort": application.cohort,
        "answers": _answer_rows(application),
        "form": form,
        "criteria": criteria,
        "own_row": _review_row(review, criteria) if review.is_submitted else None,
        "others": others,
        "show_others": bool(show_others),
        "others_reason": show_others.reason,
        "is_manager": is_manager(request.membership),
    }
    return render(
        request, "cohorts/review/review_form.html", context, status=400 if form.errors else 200
    )


@role_required(*REVIEWERS)
def release(request, org_slug, pk):
    """Give an unsubmitted review back: the application returns to the pool. GET asks for
    confirmation; POST does it."""
    review = get_object_or_404(
        request.organisation.reviews.filter(reviewer=request.user).select_related(
            "application__company", "application__cohort__programme"
        ),
        pk=pk,
    )
    if request.method == "POST":
        try:
            services.review_release(review=review)
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
            return redirect("cohorts:review", org_slug=org_slug, pk=review.pk)
        messages.success(
            request,
            f"You are no longer reviewing {review.application.company.name}; it is back in "
            "the pool.",
        )
        return redirect("cohorts:my-reviews", org_slug=org_slug)
    return render(request, "cohorts/review/release_confirm.html", {"review": review})


# --- Helpers --------------------------------------------------------------------------------


def _form_errors(form) -> str:
    return " ".join(str(e) for errors in form.errors.values() for e in errors)
