from django import forms

from cohorts.models import Company


class CompanyForm(forms.ModelForm):
    website = forms.URLField(
        required=False, assume_scheme="https", help_text="For example www.example.com"
    )

    class Meta:
        model = Company
        fields = list(Company.PROFILE_FIELDS)
        widgets = {"help_wanted": forms.Textarea(attrs={"rows": 4})}
