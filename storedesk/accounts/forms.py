"""Forms for signing in, resetting a password, accepting an invitation and the profile."""

from __future__ import annotations

from typing import Any

from django import forms
from django.conf import settings
from django.contrib.auth.forms import AuthenticationForm, PasswordResetForm
from django.contrib.auth.password_validation import validate_password
from django.template.loader import render_to_string
from django.utils.translation import gettext_lazy as _

from storedesk.accounts.models import Agent
from storedesk.core.oncommit import enqueue_on_commit
from storedesk.core.validation import DB_INT_MAX


class SignInForm(AuthenticationForm):
    username = forms.EmailField(
        label=_("Email"),
        widget=forms.EmailInput(attrs={"autofocus": True, "autocomplete": "email"}),
    )
    password = forms.CharField(
        label=_("Password"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
    )
    error_messages = {
        "invalid_login": _("That email and password do not match an active agent."),
        "inactive": _("This agent is deactivated."),
    }

    def clean_username(self) -> str:
        return self.cleaned_data["username"].strip().lower()

    def confirm_login_allowed(self, user: Any) -> None:
        """Also refuse agents whose every seat was deactivated (they could not work anyway)."""
        super().confirm_login_allowed(user)
        if not user.memberships.filter(is_active=True).exists():
            raise forms.ValidationError(self.error_messages["inactive"], code="inactive")


class ResetRequestForm(PasswordResetForm):
    """Django's reset form; the email goes out from a task after commit, with our base URL."""

    email = forms.EmailField(
        label=_("Email"), max_length=254, widget=forms.EmailInput(attrs={"autocomplete": "email"})
    )

    def send_mail(
        self,
        subject_template_name: str,
        email_template_name: str,
        context: dict[str, Any],
        from_email: str | None,
        to_email: str,
        html_email_template_name: str | None = None,
    ) -> None:
        from storedesk.accounts.tasks import send_email

        # Links point at the configured public URL, never at the request's Host header.
        context = {**context, "base_url": settings.BASE_URL}
        subject = render_to_string(subject_template_name, context)
        body = render_to_string(email_template_name, context)
        enqueue_on_commit(send_email, subject, body, to_email)


class InvitationAcceptForm(forms.Form):
    """New people pick a name and a password; people who already have a login confirm theirs."""

    name = forms.CharField(label=_("Your name"), max_length=200)
    password = forms.CharField(
        label=_("Password"), strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )

    def __init__(self, *args: Any, existing: Agent | None = None, email: str = "", **kwargs: Any):
        super().__init__(*args, **kwargs)
        self.existing = existing
        self.email = email
        if existing is not None:
            del self.fields["name"]
            self.fields["password"].label = _("Your current password")
            self.fields["password"].widget.attrs["autocomplete"] = "current-password"

    def clean_password(self) -> str:
        password = self.cleaned_data["password"]
        if self.existing is not None:
            if not self.existing.check_password(password):
                raise forms.ValidationError(_("That is not your current password."))
        else:
            validate_password(password, Agent(email=self.email, name=self.data.get("name", "")))
        return password


class ProfileForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=200)
    language = forms.ChoiceField(label=_("Interface language"), choices=settings.LANGUAGES)


class AccountSwitchForm(forms.Form):
    account_id = forms.IntegerField(min_value=1, max_value=DB_INT_MAX)


class TokenForm(forms.Form):
    name = forms.CharField(label=_("Token name"), max_length=100, initial="API token")
