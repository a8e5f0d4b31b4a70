"""Forms of the SME's own pages under /my/: the company profile, colleagues, choosing which
company applies, the application form built from a cohort's questions, and withdrawal.

Forms check the shape of the input; the rules (answer formats, upload types and sizes,
required answers on submit, eligibility) live in cohorts.services, whose ValidationErrors
the views put back next to the fields."""

from __future__ import annotations

from django import forms

from cohorts.forms import CompanyForm
from cohorts.models import Question, QuestionKind
from cohorts.services import UPLOAD_TYPES

__all__ = [
    "ApplicationAnswersForm",
    "ApplyForm",
    "ColleagueInviteForm",
    "CompanyForm",
    "WithdrawForm",
    "field_name",
]

UPLOAD_ACCEPT = ",".join(sorted(UPLOAD_TYPES))
UPLOAD_LABELS = ", ".join(sorted({e.lstrip(".").upper() for e in UPLOAD_TYPES} - {"JPEG"}))


def field_name(question: Question) -> str:
    """The form field of a question: the key the services use in their errors too."""
    return f"q_{question.pk}"


class ColleagueInviteForm(forms.Form):
    email = forms.EmailField(
        label="Colleague's e-mail address",
        help_text="They get a link to create an account (or sign in) with this address.",
    )


class ApplyForm(forms.Form):
    """Which of the user's companies applies."""

    company = forms.ModelChoiceField(
        queryset=None,
        widget=forms.RadioSelect,
        empty_label=None,
        error_messages={"required": "Choose the company that applies."},
    )

    def __init__(self, *args, companies, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["company"].queryset = companies


class WithdrawForm(forms.Form):
    reason = forms.CharField(
        label="Why are you withdrawing? (optional)",
        required=False,
        max_length=500,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="The programme team sees this; it helps them improve the programme.",
    )


class ApplicationAnswersForm(forms.Form):
    """The questions of one cohort, as a form.

    Every field is optional here: a draft may be saved incomplete, and the submit service
    reports the required answers still missing. The required flag is shown in the label.
    """

    use_required_attribute = False

    def __init__(self, *args, questions, answers=None, files=None, **kwargs):
        answers = answers or {}
        initial = {
            field_name(q): answers.get(str(q.pk))
            for q in questions
            if q.kind != QuestionKind.FILE and answers.get(str(q.pk)) is not None
        }
        super().__init__(*args, initial=initial, **kwargs)
        self.questions = list(questions)
        self.existing_files = files or {}
        for question in self.questions:
            self.fields[field_name(question)] = answer_field(question)

    @property
    def rows(self) -> list[dict]:
        """What the template shows per question: the question, its bound field and any
        file already uploaded for it. Read at render time, after every error is in."""
        rows = []
        for question in self.questions:
            name = field_name(question)
            is_group = question.kind in (
                QuestionKind.SINGLE_CHOICE,
                QuestionKind.MULTIPLE_CHOICE,
            )
            widget = self.fields[name].widget
            css = widget.attrs.get("class", "")
            if self.errors.get(name) and "is-invalid" not in css:
                widget.attrs["class"] = f"{css} is-invalid".strip()
                if not is_group:
                    widget.attrs["aria-invalid"] = "true"
            if not is_group:
                described = [f"{name}-help"] if question.help_text else []
                described += [f"{name}-errors"] if self.errors.get(name) else []
                if described:
                    widget.attrs["aria-describedby"] = " ".join(described)
            rows.append(
                {
                    "question": question,
                    "field": self[name],
                    "file": self.existing_files.get(question.pk),
                    "is_group": is_group,
                    "is_file": question.kind == QuestionKind.FILE,
                }
            )
        return rows

    @property
    def file_field_names(self) -> list[str]:
        return [field_name(q) for q in self.questions if q.kind == QuestionKind.FILE]

    def answers(self) -> dict:
        """The typed answers keyed by field name, as application_save_draft expects them.
        Every question is present, so an emptied answer is cleared, not kept."""
        data = {}
        for question in self.questions:
            if question.kind == QuestionKind.FILE:
                continue
            value = self.cleaned_data.get(field_name(question))
            if question.kind == QuestionKind.DATE:
                value = value.isoformat() if value else ""
            elif question.kind == QuestionKind.MULTIPLE_CHOICE:
                value = list(value or [])
            else:
                value = value or ""
            data[field_name(question)] = value
        return data

    def uploads(self) -> dict:
        """The files chosen in this request, keyed by field name."""
        return {
            name: self.cleaned_data[name]
            for name in self.file_field_names
            if self.cleaned_data.get(name)
        }


def answer_field(question: Question) -> forms.Field:
    common = {"label": question.label, "required": False, "help_text": question.help_text}
    kind = question.kind
    if kind == QuestionKind.SHORT_TEXT:
        return forms.CharField(
            max_length=300, widget=forms.TextInput(attrs={"class": "form-control"}), **common
        )
    if kind == QuestionKind.LONG_TEXT:
        return forms.CharField(
            max_length=10_000,
            widget=forms.Textarea(attrs={"class": "form-control", "rows": 5}),
            **common,
        )
    if kind == QuestionKind.NUMBER:
        # A text box: the service accepts "2,500.50" and says what is wrong in words.
        return forms.CharField(
            max_length=40,
            widget=forms.TextInput(
                attrs={"class": "form-control", "inputmode": "decimal", "autocomplete": "off"}
            ),
            **common,
        )
    if kind == QuestionKind.DATE:
        return forms.DateField(
            widget=forms.DateInput(
                attrs={"class": "form-control", "type": "date"}, format="%Y-%m-%d"
            ),
            error_messages={"invalid": "Enter a date as YYYY-MM-DD."},
            **common,
        )
    if kind == QuestionKind.SINGLE_CHOICE:
        return forms.ChoiceField(
            choices=[(c, c) for c in question.choice_list],
            widget=forms.RadioSelect(attrs={"class": "form-check-input"}),
            error_messages={"invalid_choice": "Choose one of the listed options."},
            **common,
        )
    if kind == QuestionKind.MULTIPLE_CHOICE:
        return forms.MultipleChoiceField(
            choices=[(c, c) for c in question.choice_list],
            widget=forms.CheckboxSelectMultiple(attrs={"class": "form-check-input"}),
            error_messages={"invalid_choice": "Choose from the listed options."},
            **common,
        )
    if kind == QuestionKind.FILE:
        return forms.FileField(
            widget=forms.FileInput(attrs={"class": "form-control", "accept": UPLOAD_ACCEPT}),
            **common,
        )
    raise ValueError(f"Unknown question kind {kind!r}")
