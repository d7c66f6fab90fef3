from __future__ import annotations

from django import forms
from django.core.exceptions import ValidationError
from django.test import SimpleTestCase

from alongside.lib.forms import add_errors


class NameForm(forms.Form):
    name = forms.CharField()


class AddErrorsTestCase(SimpleTestCase):
    def form(self) -> NameForm:
        form = NameForm({"name": "Sam"})
        self.assertTrue(form.is_valid())
        return form

    def test_a_field_error_goes_on_its_field(self) -> None:
        form = self.form()
        add_errors(form, ValidationError({"name": "Taken."}))
        self.assertEqual(form.errors, {"name": ["Taken."]})

    def test_an_error_for_a_field_the_form_lacks_goes_on_top(self) -> None:
        form = self.form()
        add_errors(form, ValidationError({"starts_at": "Too early."}))
        self.assertEqual(form.non_field_errors(), ["Too early."])
        self.assertNotIn("name", form.errors)

    def test_a_plain_error_goes_on_top_with_every_message(self) -> None:
        form = self.form()
        add_errors(form, ValidationError(["Closed.", "Full."]))
        self.assertEqual(form.non_field_errors(), ["Closed.", "Full."])
        self.assertFalse(form.is_valid())
