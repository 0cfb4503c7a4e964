"""Forms of the orders panel. Line quantities come as `qty_<line id>` fields built per order."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from storedesk.commerce.actions import LineChange
from storedesk.commerce.models import Order


class _LinesForm(forms.Form):
    """A form with one quantity field per order line (blank or 0: not chosen)."""

    def __init__(self, *args: Any, order: Order, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.order = order
        for line in order.lines.all():
            self.fields[f"qty_{line.pk}"] = forms.IntegerField(
                label=line.title, required=False, min_value=0, max_value=line.quantity
            )

    def chosen_lines(self) -> list[tuple[int, int]]:
        return [
            (int(name.removeprefix("qty_")), value)
            for name, value in self.cleaned_data.items()
            if name.startswith("qty_") and value
        ]


class RefundForm(_LinesForm):
    idempotency_key = forms.CharField(max_length=100, widget=forms.HiddenInput)
    amount = forms.DecimalField(
        label=_("Amount"), required=False, min_value=Decimal("0.01"), max_digits=12,
        decimal_places=2,
    )
    restock = forms.BooleanField(label=_("Put the items back in stock"), required=False)
    reason = forms.CharField(label=_("Reason"), max_length=500, required=False)


class ReturnForm(_LinesForm):
    reason = forms.CharField(label=_("Reason"), max_length=500)
    condition = forms.CharField(label=_("Condition"), max_length=200, required=False)

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        if not self.errors and not self.chosen_lines():
            raise forms.ValidationError(_("Choose what comes back."))
        return cleaned


class EditLinesForm(forms.Form):
    """Per line: its new quantity (`qty_<id>`, 0 removes it) and variant (`variant_<id>`, one
    of the same product's; absent: keep it)."""

    idempotency_key = forms.CharField(max_length=80, widget=forms.HiddenInput)
    reason = forms.CharField(label=_("Reason"), max_length=500, required=False)

    def __init__(self, *args: Any, order: Order, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.order = order
        for line in order.lines.all():
            self.fields[f"qty_{line.pk}"] = forms.IntegerField(
                label=line.title, min_value=0, max_value=100)
            self.fields[f"variant_{line.pk}"] = forms.IntegerField(label=line.title,
                                                                   required=False)

    def changes(self) -> list[LineChange]:
        return [LineChange(line.pk, self.cleaned_data[f"qty_{line.pk}"],
                           self.cleaned_data.get(f"variant_{line.pk}"))
                for line in self.order.lines.all()]


class CancelForm(forms.Form):
    idempotency_key = forms.CharField(max_length=100, widget=forms.HiddenInput)
    reason = forms.CharField(label=_("Reason"), max_length=500, required=False)


class AddressForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=200, required=False)
    address1 = forms.CharField(label=_("Address"), max_length=200)
    address2 = forms.CharField(label=_("Address line 2"), max_length=200, required=False)
    city = forms.CharField(label=_("City"), max_length=200)
    zip = forms.CharField(label=_("Postal code"), max_length=200, required=False)
    province = forms.CharField(label=_("Region"), max_length=200, required=False)
    country = forms.CharField(label=_("Country"), max_length=200)


class DecisionForm(forms.Form):
    decision = forms.ChoiceField(choices=[("approve", _("Approve")), ("reject", _("Reject"))])
    note = forms.CharField(label=_("Note"), max_length=500, required=False)
