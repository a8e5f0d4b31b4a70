"""Forms of data rights."""

from django import forms

# --- Erasure (R2) -----------------------------------------------------------------------------


class ErasureRequestForm(forms.Form):
    """The person confirms with their password that they want to be erased."""

    password = forms.CharField(
        label="Your password",
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
    )
    understood = forms.BooleanField(
        label="I understand that my account will be erased and cannot be restored.",
    )

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user

    def clean_password(self):
        password = self.cleaned_data["password"]
        if not self.user.check_password(password):
            raise forms.ValidationError("That is not your password.")
        return password


class ErasureRefuseForm(forms.Form):
    reason = forms.CharField(
        label="Why your organisation cannot erase this person's data",
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text="Sent to the person, e.g. “We must keep grant records until 2031 under our "
        "funding agreement.”",
    )


# --- End of erasure (R2) ----------------------------------------------------------------------
