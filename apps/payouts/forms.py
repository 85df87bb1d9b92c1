import uuid

from django import forms


class PayoutForm(forms.Form):
    """A payout request; the key is minted when the page renders, so a double submit of
    the same form pays once."""

    amount = forms.CharField(max_length=20)
    idempotency_key = forms.CharField(widget=forms.HiddenInput, max_length=100)

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("initial", {}).setdefault("idempotency_key", uuid.uuid4().hex)
        super().__init__(*args, **kwargs)


class FundingForm(forms.Form):
    organization = forms.SlugField(help_text="The requester organization's slug.")
    amount = forms.CharField(max_length=20)
    reference = forms.CharField(max_length=200, help_text="The bank transfer's reference.")
    idempotency_key = forms.CharField(widget=forms.HiddenInput, max_length=100)

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("initial", {}).setdefault("idempotency_key", uuid.uuid4().hex)
        super().__init__(*args, **kwargs)


class PayoutSettleForm(forms.Form):
    reference = forms.CharField(max_length=200, required=False)
    failed = forms.BooleanField(required=False)
    reason = forms.CharField(max_length=500, required=False)
