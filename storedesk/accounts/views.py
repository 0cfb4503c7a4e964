"""Sign-in and sign-out, password reset, invitations, the profile page, the account switcher.

Every form POST is CSRF-protected. Sign-in throttles the attacker, not the owner: failed
attempts are counted per client IP (settings.LOGIN_IP_RATE_LIMIT) and per IP + account
(settings.LOGIN_RATE_LIMIT); over either, that client gets a readable 429 page, while the owner
signing in from another client is never locked out. Reset requests are limited per IP and per
email (no mail-bombing).
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout as auth_logout
from django.contrib.auth import views as auth_views
from django.contrib.auth.forms import AuthenticationForm, PasswordResetForm
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import redirect, render
from django.urls import reverse, reverse_lazy
from django.utils.translation import gettext as _
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_http_methods, require_POST
from django_ratelimit.core import is_ratelimited

from storedesk.accounts import actions
from storedesk.accounts.decorators import member_required
from storedesk.accounts.forms import (
    AccountSwitchForm,
    InvitationAcceptForm,
    ProfileForm,
    ResetRequestForm,
    SignInForm,
)
from storedesk.accounts.models import Agent, Membership
from storedesk.core.errors import ActionError
from storedesk.core.ratelimit import count_failure, is_over


def client_ip(request: HttpRequest) -> str | None:
    return request.META.get("REMOTE_ADDR") or None


def _over_limit(request: HttpRequest, group: str, email: str) -> bool:
    """Count this POST against the IP and the email; True when either is over the limit."""
    rate = settings.LOGIN_RATE_LIMIT
    by_ip = is_ratelimited(request, group=f"{group}:ip", key="ip", rate=rate,
                           method="POST", increment=True)
    by_email = is_ratelimited(request, group=f"{group}:email",
                              key=lambda _g, _r: email.strip().lower() or "-", rate=rate,
                              method="POST", increment=True)
    return bool(by_ip or by_email)


def _sign_in_keys(request: HttpRequest, email: str) -> tuple[str, str]:
    ip = client_ip(request) or "-"
    return f"sign-in:ip:{ip}", f"sign-in:ip-account:{ip}:{email.strip().lower()}"


def _sign_in_throttled(request: HttpRequest, email: str) -> bool:
    by_ip, by_account = _sign_in_keys(request, email)
    return is_over(by_ip, settings.LOGIN_IP_RATE_LIMIT) or is_over(
        by_account, settings.LOGIN_RATE_LIMIT
    )


def _count_sign_in_failure(request: HttpRequest, email: str) -> None:
    by_ip, by_account = _sign_in_keys(request, email)
    count_failure(by_ip, settings.LOGIN_IP_RATE_LIMIT)
    count_failure(by_account, settings.LOGIN_RATE_LIMIT)


def _too_many(request: HttpRequest, template: str, context: dict[str, Any]) -> HttpResponse:
    context = {**context, "rate_limited": True}
    return render(request, template, context, status=429)


class SignInView(auth_views.LoginView):
    """Django's LoginView: login() rotates the session key, ?next= is checked for safety."""

    template_name = "accounts/login.html"
    form_class = SignInForm
    redirect_authenticated_user = True

    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        email = request.POST.get("username", "")
        if _sign_in_throttled(request, email):
            actions.record_sign_in_failed(email, ip=client_ip(request), limited=True)
            form = self.get_form()
            return _too_many(request, self.template_name, self.get_context_data(form=form))
        return super().post(request, *args, **kwargs)

    def form_valid(self, form: AuthenticationForm) -> HttpResponse:
        response = super().form_valid(form)
        actions.record_sign_in(form.get_user(), ip=client_ip(self.request))
        return response

    def form_invalid(self, form: AuthenticationForm) -> HttpResponse:
        _count_sign_in_failure(self.request, self.request.POST.get("username", ""))
        actions.record_sign_in_failed(
            self.request.POST.get("username", ""), ip=client_ip(self.request)
        )
        return super().form_invalid(form)


sign_in = sensitive_post_parameters("password")(SignInView.as_view())


@require_POST
def sign_out(request: HttpRequest) -> HttpResponse:
    agent = request.user if request.user.is_authenticated else None
    auth_logout(request)  # flushes the session
    if agent is not None:
        # After the flush: the agent's open sockets re-check their session and this one closes.
        actions.record_signed_out(agent, ip=client_ip(request))  # type: ignore[arg-type]
    return redirect(settings.LOGOUT_REDIRECT_URL)


class ResetRequestView(auth_views.PasswordResetView):
    """Same answer whether or not the email belongs to someone (no account enumeration)."""

    template_name = "accounts/password_reset_form.html"
    form_class = ResetRequestForm
    email_template_name = "accounts/email/password_reset.txt"
    subject_template_name = "accounts/email/password_reset_subject.txt"
    success_url = reverse_lazy("accounts:password_reset_done")

    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        email = request.POST.get("email", "")
        if _over_limit(request, "password-reset", email):
            return _too_many(request, self.template_name,
                             self.get_context_data(form=self.get_form()))
        return super().post(request, *args, **kwargs)

    def form_valid(self, form: PasswordResetForm) -> HttpResponse:
        email = form.cleaned_data["email"]
        actions.record_password_reset("requested", email=email, ip=client_ip(self.request))
        return super().form_valid(form)


class ResetConfirmView(auth_views.PasswordResetConfirmView):
    template_name = "accounts/password_reset_confirm.html"
    success_url = reverse_lazy("accounts:password_reset_complete")

    def form_valid(self, form: Any) -> HttpResponse:
        response = super().form_valid(form)
        actions.record_password_reset("completed", agent=form.user, ip=client_ip(self.request))
        return response


reset_request = ResetRequestView.as_view()
reset_done = auth_views.PasswordResetDoneView.as_view(
    template_name="accounts/password_reset_done.html"
)
reset_confirm = ResetConfirmView.as_view()
reset_complete = auth_views.PasswordResetCompleteView.as_view(
    template_name="accounts/password_reset_complete.html"
)


@sensitive_post_parameters("password")
@require_http_methods(["GET", "POST"])
def accept_invite(request: HttpRequest, token: str) -> HttpResponse:
    """GET shows the form (changes nothing); POST accepts the invitation once."""
    invitation = actions.find_invitation(token)
    problem = actions.invitation_problem(invitation)
    if problem is not None or invitation is None:
        message = _(problem) if problem else ""
        return render(request, "accounts/invite.html", {"problem": message}, status=410)
    existing = Agent.objects.filter(email=invitation.email).first()
    form = InvitationAcceptForm(
        request.POST or None, existing=existing, email=invitation.email
    )
    context = {"invitation": invitation, "form": form, "existing": existing}
    if request.method == "POST":
        if _over_limit(request, "invite", invitation.email):
            return _too_many(request, "accounts/invite.html", context)
        if form.is_valid():
            try:
                membership = actions.accept_invitation(
                    token, password=form.cleaned_data["password"],
                    name=form.cleaned_data.get("name", ""), ip=client_ip(request),
                )
            except ActionError as exc:
                return render(request, "accounts/invite.html", {"problem": _(exc.detail)},
                              status=410)
            from django.contrib.auth import login

            login(request, membership.agent,
                  backend="django.contrib.auth.backends.ModelBackend")
            request.session["account_id"] = membership.account_id
            messages.success(request, _("Welcome to %(account)s!") % {
                "account": membership.account.name})
            return redirect("/")
    return render(request, "accounts/invite.html", context)


@member_required
@require_http_methods(["GET", "POST"])
def profile(request: HttpRequest) -> HttpResponse:
    agent: Agent = request.user  # type: ignore[assignment]
    if request.method == "POST":
        form = ProfileForm(request.POST)
        if form.is_valid():
            try:
                actions.update_profile(agent, name=form.cleaned_data["name"],
                                       language=form.cleaned_data["language"])
            except ActionError as exc:
                form.add_error(None, _(exc.detail))
            else:
                from django.utils import translation

                translation.activate(agent.language)
                messages.success(request, _("Your profile was saved."))
                return redirect("accounts:profile")
    else:
        form = ProfileForm(initial={"name": agent.name, "language": agent.language})
    return render(request, "accounts/profile.html", {"form": form, "nav": "profile"},
                  status=400 if form.errors else 200)


@member_required
@require_POST
def switch_account(request: HttpRequest) -> HttpResponse:
    form = AccountSwitchForm(request.POST)
    if not form.is_valid():
        return HttpResponse(status=400)
    seat = Membership.objects.filter(
        agent_id=int(request.user.pk or 0), account_id=form.cleaned_data["account_id"],
        is_active=True,
    ).first()
    if seat is None:
        from django.http import Http404

        raise Http404
    request.session["account_id"] = seat.account_id
    return HttpResponseRedirect(reverse("inbox:home") if _has_home() else "/")


def _has_home() -> bool:
    from django.urls import NoReverseMatch

    try:
        reverse("inbox:home")
    except NoReverseMatch:
        return False
    return True



# --- The signed-in agent's API tokens -------------------------------------------------------


def _tokens_page(request: HttpRequest, *, raw: str = "", form: Any = None,
                 status: int = 200) -> HttpResponse:
    from storedesk.accounts.forms import TokenForm
    from storedesk.accounts.models import ApiToken

    tokens = ApiToken.objects.filter(
        account_id=request.membership.account_id, membership=request.membership  # type: ignore[attr-defined]
    ).order_by("-created_at")
    return render(request, "accounts/tokens.html",
                  {"tokens": tokens, "raw_token": raw, "form": form or TokenForm(),
                   "nav": "profile"}, status=status)


@member_required
@require_http_methods(["GET"])
def tokens(request: HttpRequest) -> HttpResponse:
    return _tokens_page(request)


@member_required
@require_POST
def token_create(request: HttpRequest) -> HttpResponse:
    """Creates a token and shows the raw value in this response only (never stored)."""
    from storedesk.accounts.forms import TokenForm

    form = TokenForm(request.POST)
    if not form.is_valid():
        return _tokens_page(request, form=form, status=400)
    _token, raw = actions.create_api_token(
        request.membership, name=form.cleaned_data["name"], by=request.user  # type: ignore[attr-defined, arg-type]
    )
    response = _tokens_page(request, raw=raw)
    response["Cache-Control"] = "no-store"
    return response


@member_required
@require_POST
def token_revoke(request: HttpRequest, token_id: int) -> HttpResponse:
    from django.http import Http404

    from storedesk.accounts.models import ApiToken

    token = ApiToken.objects.filter(
        account_id=request.membership.account_id, membership=request.membership, pk=token_id  # type: ignore[attr-defined]
    ).first()
    if token is None:
        raise Http404
    actions.revoke_api_token(token, by=request.user)  # type: ignore[arg-type]
    messages.success(request, _("Token revoked."))
    return redirect("accounts:tokens")
