from django import forms
from django.core.exceptions import ValidationError

from portal.fields import SafeModelMultipleChoiceField
from portal.models import Organisation
from portal.roles import Role

MAX_LOGO_BYTES = 1024 * 1024
LOGO_CONTENT_TYPES = {"image/png", "image/jpeg", "image/webp"}


class InvitationForm(forms.Form):
    email = forms.EmailField(label="E-mail address")
    role = forms.ChoiceField(choices=Role.choices, initial=Role.PROGRAMME_MANAGER)


class MembershipRoleForm(forms.Form):
    role = forms.ChoiceField(choices=Role.choices)


class OrganisationSettingsForm(forms.ModelForm):
    class Meta:
        model = Organisation
        fields = [
            "name",
            "logo",
            "accent_colour",
            "contact_email",
            "description",
            "time_zone",
            "partners",
            "require_mfa",
        ]
        field_classes = {"partners": SafeModelMultipleChoiceField}
        widgets = {
            "accent_colour": forms.TextInput(attrs={"type": "color"}),
            "description": forms.Textarea(attrs={"rows": 5}),
            "partners": forms.CheckboxSelectMultiple,
        }
        help_texts = {"logo": "PNG, JPEG or WebP, up to 1 MB."}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["partners"].queryset = Organisation.objects.exclude(pk=self.instance.pk)

    def clean_logo(self):
        logo = self.cleaned_data.get("logo")
        if logo and hasattr(logo, "content_type"):
            if logo.size > MAX_LOGO_BYTES:
                raise ValidationError("The logo is larger than 1 MB; upload a smaller image.")
            if logo.content_type not in LOGO_CONTENT_TYPES:
                raise ValidationError("Upload the logo as a PNG, JPEG or WebP image.")
        return logo
