"""Forms of the programme pages. They validate input; the services write."""

from __future__ import annotations

from django import forms
from django.db.models import Exists, OuterRef
from django.utils.text import slugify

from portal.fields import SafeModelMultipleChoiceField
from portal.models import Organisation, User
from portal.roles import Role
from portal.taxonomy import Region, Sector, TurnoverBand
from programmes.models import Funder, Grant, OutcomeKey, Programme, SupportKind

DATE_INPUT = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class PartnerChoiceField(SafeModelMultipleChoiceField):
    def label_from_instance(self, obj):
        return f"{obj.name} (partner)" if getattr(obj, "is_partner", False) else obj.name


class ProgrammeForm(forms.ModelForm):
    """A programme with its eligibility rules. The instance carries its organisation, so
    the model's cross-field rules run on is_valid() and land next to their fields."""

    slug = forms.SlugField(
        max_length=80,
        required=False,
        label="Web address",
        help_text="Letters, numbers and hyphens. Leave blank to make it from the name.",
    )
    sectors = forms.MultipleChoiceField(
        choices=Sector.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        label="Sectors served",
        help_text="Tick none to take every sector.",
    )
    regions = forms.MultipleChoiceField(
        choices=Region.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        label="Regions eligible",
        help_text="Tick none to take companies based anywhere.",
    )
    support_kinds = forms.MultipleChoiceField(
        choices=SupportKind.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        label="Kinds of support",
        help_text="Shown in the directory of open calls and used by its filter.",
    )
    min_turnover_band = forms.ChoiceField(
        choices=[("", "No minimum"), *TurnoverBand.choices],
        required=False,
        label="Minimum turnover",
    )
    max_turnover_band = forms.ChoiceField(
        choices=[("", "No maximum"), *TurnoverBand.choices],
        required=False,
        label="Maximum turnover",
    )
    delivery_partners = PartnerChoiceField(
        queryset=Organisation.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text="Other organisations that deliver parts of this programme.",
    )

    class Meta:
        model = Programme
        fields = [
            "name",
            "slug",
            "summary",
            "description",
            "start_date",
            "end_date",
            "sectors",
            "regions",
            "support_kinds",
            "min_employees",
            "max_employees",
            "min_turnover_band",
            "max_turnover_band",
            "min_years_trading",
            "max_years_trading",
            "delivery_partners",
            "retention_months",
        ]
        widgets = {
            "start_date": DATE_INPUT,
            "end_date": DATE_INPUT,
            "summary": forms.Textarea(attrs={"rows": 2}),
            "description": forms.Textarea(attrs={"rows": 6}),
        }
        labels = {
            "min_employees": "Minimum employees",
            "max_employees": "Maximum employees",
            "min_years_trading": "Minimum years trading",
            "max_years_trading": "Maximum years trading",
        }

    def __init__(self, *args, organisation: Organisation, **kwargs):
        super().__init__(*args, **kwargs)
        # This organisation's partners first, then every other organisation.
        is_partner = Organisation.partners.through.objects.filter(
            from_organisation=organisation, to_organisation=OuterRef("pk")
        )
        self.fields["delivery_partners"].queryset = (
            Organisation.objects.exclude(pk=organisation.pk)
            .annotate(is_partner=Exists(is_partner))
            .order_by("-is_partner", "name")
        )

    def clean(self):
        cleaned = super().clean()
        if not cleaned.get("slug") and cleaned.get("name"):
            cleaned["slug"] = slugify(cleaned["name"])[:80].strip("-")
        return cleaned


class GrantForm(forms.ModelForm):
    # Funders are tenant-owned: their queryset exists only inside a scope, set per request.
    funder = forms.ModelChoiceField(queryset=None)

    class Meta:
        model = Grant
        fields = ["funder", "amount", "start_date", "end_date", "reference"]
        widgets = {"start_date": DATE_INPUT, "end_date": DATE_INPUT}
        labels = {"amount": "Amount (£)", "start_date": "Grant starts", "end_date": "Grant ends"}

    def __init__(self, *args, organisation: Organisation, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["funder"].queryset = organisation.funders.order_by("name")


class TargetsForm(forms.Form):
    """One percent and one note per standard outcome; a blank percent means no target."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for key, label in OutcomeKey.choices:
            self.fields[key] = forms.IntegerField(
                label=f"{label}: target %",
                min_value=1,
                max_value=100,
                required=False,
                widget=forms.NumberInput(attrs={"min": 1, "max": 100, "step": 1}),
            )
            self.fields[f"{key}_note"] = forms.CharField(
                label=f"{label}: note", max_length=200, required=False
            )

    def rows(self):
        """(label, percent field, note field) per outcome, for the template's table."""
        return [(label, self[key], self[f"{key}_note"]) for key, label in OutcomeKey.choices]

    def targets(self) -> dict[str, tuple[int | None, str]]:
        return {
            key: (self.cleaned_data.get(key), self.cleaned_data.get(f"{key}_note", ""))
            for key in OutcomeKey.values
        }

    @classmethod
    def initial_from(cls, targets) -> dict:
        initial = {}
        for target in targets:
            initial[target.outcome] = target.target_percent
            initial[f"{target.outcome}_note"] = target.note
        return initial


class FunderForm(forms.ModelForm):
    website = forms.URLField(required=False, assume_scheme="https")

    class Meta:
        model = Funder
        fields = ["name", "website", "contact_name", "contact_email", "notes", "users"]
        widgets = {
            "notes": forms.Textarea(attrs={"rows": 3}),
            "users": forms.CheckboxSelectMultiple,
        }
        labels = {"users": "Members who speak for this funder"}

    def __init__(self, *args, organisation: Organisation, with_users: bool = True, **kwargs):
        super().__init__(*args, **kwargs)
        if with_users:
            self.fields["users"].queryset = User.objects.filter(
                memberships__organisation=organisation, memberships__role=Role.FUNDER
            ).order_by("first_name", "last_name", "email")
            self.fields["users"].required = False
            self.fields["users"].label_from_instance = lambda u: f"{u.display_name} ({u.email})"
        else:
            del self.fields["users"]
            del self.fields["notes"]
