"""Sign-in, sign-out, password reset, invitations, profile, account switcher, UI language."""

from __future__ import annotations

from django.urls import path
from django.views.i18n import set_language

from storedesk.accounts import views

app_name = "accounts"
urlpatterns = [
    path("login/", views.sign_in, name="login"),
    path("logout/", views.sign_out, name="logout"),
    path("password-reset/", views.reset_request, name="password_reset"),
    path("password-reset/sent/", views.reset_done, name="password_reset_done"),
    path("password-reset/<uidb64>/<token>/", views.reset_confirm, name="password_reset_confirm"),
    path("password-reset/done/", views.reset_complete, name="password_reset_complete"),
    path("invite/<str:token>/", views.accept_invite, name="invite"),
    path("profile/", views.profile, name="profile"),
    path("profile/tokens/", views.tokens, name="tokens"),
    path("profile/tokens/create/", views.token_create, name="token_create"),
    path("profile/tokens/<int:token_id>/revoke/", views.token_revoke, name="token_revoke"),
    path("switch-account/", views.switch_account, name="switch_account"),
    # Django's set_language (POST + CSRF): lets visitors pick the sign-in page's language.
    path("language/", set_language, name="set_language"),
]
