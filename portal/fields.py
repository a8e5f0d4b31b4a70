"""Form fields shared by the apps."""

from django import forms
from django.core.exceptions import ValidationError

# The range of a database primary key (64-bit signed).
_PK_LIMIT = 2**63


def parse_ids(values) -> list[int]:
    """Keep the values that are valid primary keys; anything else cannot name a row."""
    ids = []
    for value in values:
        try:
            number = int(value)
        except (TypeError, ValueError):
            continue
        if 0 < number < _PK_LIMIT:
            ids.append(number)
    return ids


class SafeModelMultipleChoiceField(forms.ModelMultipleChoiceField):
    """A ModelMultipleChoiceField that refuses out-of-range ids with a form error: Django
    passes them to an `__in` lookup, which SQLite cannot bind (a 500 otherwise)."""

    def _check_values(self, value):
        for pk in value:
            if pk in self.empty_values:
                continue
            if len(parse_ids([pk])) != 1:
                raise ValidationError(
                    self.error_messages["invalid_pk_value"],
                    code="invalid_pk_value",
                    params={"pk": pk},
                )
        return super()._check_values(value)


def add_service_errors(form, exc: ValidationError) -> None:
    """Put a service's ValidationError next to the fields it names, the rest above the
    form, so the page re-renders with every message where the user looks for it."""
    if hasattr(exc, "error_dict"):
        for field, errors in exc.message_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, exc.messages)
