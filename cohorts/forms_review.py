"""Forms of the review and selection pages: the board's filters and bulk decisions, single
decisions, reviewer assignment and the scoring form."""

from __future__ import annotations

from django import forms

from cohorts.models import ApplicationStatus
from cohorts.permissions import REVIEWERS
from cohorts.selectors import BOARD_STATUSES
from portal.fields import SafeModelMultipleChoiceField
from portal.models import Membership
from portal.taxonomy import Region, Sector

DECISION_CHOICES = [
    ("", "Choose a decision…"),
    (ApplicationStatus.ACCEPTED, "Accept"),
    (ApplicationStatus.WAITLISTED, "Waitlist"),
    (ApplicationStatus.REJECTED, "Reject"),
]

# Past tense for flash messages ("3 applications accepted").
DECISION_DONE = {
    ApplicationStatus.ACCEPTED: "accepted",
    ApplicationStatus.WAITLISTED: "waitlisted",
    ApplicationStatus.REJECTED: "rejected",
}

SCORE_CHOICES = [
    (1, "1 Poor"),
    (2, "2 Fair"),
    (3, "3 Good"),
    (4, "4 Very good"),
    (5, "5 Excellent"),
]


class BoardFilterForm(forms.Form):
    status = forms.ChoiceField(
        required=False,
        choices=[("", "Any status")] + [(s.value, s.label) for s in BOARD_STATUSES],
    )
    sector = forms.ChoiceField(required=False, choices=[("", "Any sector"), *Sector.choices])
    region = forms.ChoiceField(required=False, choices=[("", "Any region"), *Region.choices])
    reviewed = forms.ChoiceField(
        required=False,
        label="Reviews",
        choices=[
            ("", "Any"),
            ("yes", "Reviewed"),
            ("no", "Not reviewed yet"),
        ],
    )
    q = forms.CharField(required=False, max_length=100, label="Company name")

    def filters(self) -> dict[str, str]:
        """The valid filters; an unknown value in the query string is ignored, not a 400."""
        self.is_valid()
        cleaned = getattr(self, "cleaned_data", {})
        return {name: (cleaned.get(name) or "").strip() for name in self.fields}


class DecisionForm(forms.Form):
    decision = forms.ChoiceField(
        choices=DECISION_CHOICES, error_messages={"required": "Choose accept, waitlist or reject."}
    )
    reason = forms.CharField(
        required=False,
        max_length=500,
        label="Reason (optional, kept in the history)",
        widget=forms.TextInput(attrs={"placeholder": "e.g. strong export plan"}),
    )


class BulkDecisionForm(DecisionForm):
    applications = SafeModelMultipleChoiceField(
        queryset=None,
        error_messages={
            "required": "Tick at least one application.",
            "invalid_choice": "One of the ticked applications is no longer on this board.",
            "invalid_pk_value": "One of the ticked applications is no longer on this board.",
        },
    )

    def __init__(self, *args, cohort, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["applications"].queryset = cohort.applications.exclude(
            status=ApplicationStatus.DRAFT
        )


def reviewer_memberships(organisation):
    """Members who may review: reviewers, programme managers and admins."""
    return (
        Membership.objects.filter(organisation=organisation, role__in=REVIEWERS)
        .select_related("user")
        .order_by("user__first_name", "user__last_name", "user__email")
    )


class _MemberChoiceMixin:
    def label_from_instance(self, obj):
        user = obj.user
        name = user.get_full_name()
        who = f"{name} ({user.email})" if name else user.email
        return f"{who} · {obj.get_role_display()}"


class MemberChoiceField(_MemberChoiceMixin, forms.ModelChoiceField):
    pass


class MembersChoiceField(_MemberChoiceMixin, SafeModelMultipleChoiceField):
    pass


class AssignReviewerForm(forms.Form):
    reviewer = MemberChoiceField(
        queryset=None,
        empty_label="Choose a reviewer…",
        error_messages={"required": "Choose a reviewer."},
    )

    def __init__(self, *args, organisation, exclude_user_ids=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["reviewer"].queryset = reviewer_memberships(organisation).exclude(
            user_id__in=list(exclude_user_ids)
        )


class AssignEvenlyForm(forms.Form):
    reviewers = MembersChoiceField(
        queryset=None,
        widget=forms.CheckboxSelectMultiple(attrs={"class": "form-check-input"}),
        error_messages={"required": "Choose at least one reviewer."},
    )
    per_application = forms.IntegerField(
        label="Reviews per application",
        min_value=1,
        max_value=10,
        help_text="Every submitted application gets this many reviewers in total.",
    )

    def __init__(self, *args, organisation, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["reviewers"].queryset = reviewer_memberships(organisation)


class ReviewForm(forms.Form):
    """One 1–5 choice per criterion (`c_<criterion_pk>`) and comments. Every field is
    optional here: a draft may be partly scored; review_save checks completeness on
    submit."""

    comments = forms.CharField(
        required=False,
        max_length=10_000,
        widget=forms.Textarea(attrs={"rows": 6}),
        help_text="What convinced you, and what worried you. Other reviewers and the "
        "managers read this.",
    )

    def __init__(self, *args, criteria, **kwargs):
        super().__init__(*args, **kwargs)
        self.criteria = list(criteria)
        fields = {}
        for criterion in self.criteria:
            fields[f"c_{criterion.pk}"] = forms.TypedChoiceField(
                label=criterion.name,
                choices=SCORE_CHOICES,
                coerce=int,
                empty_value=None,
                required=False,
                widget=forms.RadioSelect(attrs={"class": "btn-check"}),
                help_text=criterion.description,
            )
        # Criteria first, in their order, then the comments.
        self.fields = {**fields, "comments": self.fields["comments"]}

    def criterion_fields(self):
        """(criterion, bound field) pairs for the template."""
        return [(c, self[f"c_{c.pk}"]) for c in self.criteria]

    def scores(self) -> dict[int, int | None]:
        return {c.pk: self.cleaned_data.get(f"c_{c.pk}") for c in self.criteria}
