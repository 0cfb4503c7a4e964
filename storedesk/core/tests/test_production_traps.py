"""Production traps: the load balancer's probe, deploy checks, CSP, offline API docs."""

from __future__ import annotations

import re

import pytest
from django.core.management import call_command
from django.test import Client

pytestmark = pytest.mark.django_db


def test_healthz_answers_a_probe_by_ip_over_plain_http_behind_allowed_hosts_and_https(settings):
    # given production settings: one public host name and HTTPS with the redirect on
    settings.ALLOWED_HOSTS = ["support.example.com"]
    settings.SECURE_SSL_REDIRECT = True
    settings.SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    client = Client()
    # when the load balancer probes by IP, over plain HTTP
    probe = client.get("/healthz", HTTP_HOST="10.0.3.17:8000")
    # then it gets the health answer itself
    assert probe.status_code == 200, probe.content[:200]
    assert probe.json()["database"] == "ok"
    # while every other page still refuses a foreign host and redirects plain HTTP
    assert client.get("/login/", HTTP_HOST="10.0.3.17:8000").status_code == 400
    page = client.get("/login/", HTTP_HOST="support.example.com")
    assert page.status_code == 301 and page["Location"].startswith("https://support.example.com/")


def _deploy_warnings(capsys) -> str:
    call_command("check", "--deploy", "--fail-level", "CRITICAL")
    captured = capsys.readouterr()
    return captured.out + captured.err


def test_check_deploy_warns_about_any_host_and_reset_links_in_the_log(settings, capsys):
    # given the defaults: any host, and no SMTP server (emails go to the console)
    settings.ALLOWED_HOSTS = ["*"]
    settings.EMAIL_BACKEND = "django.core.mail.backends.console.EmailBackend"
    # when the operator runs check --deploy
    output = _deploy_warnings(capsys)
    # then both traps are named, with the variable that fixes them
    assert "storedesk.W001" in output and "STOREDESK_ALLOWED_HOSTS" in output
    assert "storedesk.W002" in output and "STOREDESK_SMTP_HOST" in output
    # and once configured, they are gone
    settings.ALLOWED_HOSTS = ["support.example.com"]
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    output = _deploy_warnings(capsys)
    assert "storedesk.W001" not in output and "storedesk.W002" not in output


def test_every_page_sends_a_content_security_policy(personas, client):
    # given pages of every kind: sign-in, the workspace, settings, the API docs, an error page
    client.force_login(personas.olivia.agent)
    for url in ("/login/", "/", "/settings/", "/api/v1/docs", "/no-such-page/"):
        response = client.get(url, follow=False)
        policy = response.get("Content-Security-Policy", "")
        # then each has a policy allowing only our own scripts (no inline, no eval)
        assert "script-src 'self' 'nonce-" in policy, url
        assert "unsafe-eval" not in policy and "unsafe-inline" not in policy.split(
            "script-src")[1].split(";")[0], url
        assert "frame-ancestors 'none'" in policy and "object-src 'none'" in policy
    # and no page we render carries an inline script or inline event handler
    body = client.get("/settings/agents/").content.decode()
    assert not re.search(r"<script(?![^>]*\bsrc=)(?![^>]*application/json)[^>]*>", body)
    assert not re.search(r"\son[a-z]+=\"", body)


def test_api_docs_load_swagger_from_our_own_static_files(client):
    # when someone opens the API docs on a machine without internet
    docs = client.get("/api/v1/docs")
    html = docs.content.decode()
    # then Swagger UI comes from django-ninja's bundled static files, not a CDN
    assert docs.status_code == 200
    assert "cdn" not in html.lower() and "https://" not in html
    bundle = re.search(r'src="([^"]*swagger-ui-bundle\.js)"', html)
    assert bundle, html[:500]
    static = client.get(bundle.group(1))
    assert static.status_code == 200
    assert b"SwaggerUIBundle" in b"".join(static.streaming_content)  # type: ignore[attr-defined]
