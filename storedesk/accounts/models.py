"""Tenants (accounts), the people who work in them, and what they may do."""

from __future__ import annotations

import hashlib
import secrets
from typing import Any, ClassVar

from django.conf import settings
from django.contrib.auth.models import AbstractBaseUser, BaseUserManager, PermissionsMixin
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from storedesk.core.models import TenantModel, TimestampedModel


class Account(TimestampedModel):
    """A tenant: one store's support organisation."""

    name = models.CharField(max_length=200)
    slug = models.SlugField(max_length=80, unique=True)
    # Languages the shoppers of this account write in (ISO 639-1); the assistant and the
    # language detector are restricted to these.
    languages = models.JSONField(default=list)
    timezone = models.CharField(max_length=64, default="UTC")
    # Counter behind Conversation.display_id (per account, starting at 1).
    last_display_id = models.PositiveIntegerField(default=0)

    def __str__(self) -> str:
        return self.name


class AgentManager(BaseUserManager["Agent"]):
    use_in_migrations = True

    def create_user(self, email: str, password: str | None = None, **extra: Any) -> Agent:
        agent = self.model(email=self.normalize_email(email).lower(), **extra)
        agent.set_password(password)
        agent.save(using=self._db)
        return agent

    def create_superuser(self, email: str, password: str | None = None, **extra: Any) -> Agent:
        extra.setdefault("is_staff", True)
        extra.setdefault("is_superuser", True)
        return self.create_user(email, password, **extra)


class Agent(AbstractBaseUser, PermissionsMixin):
    """A person who signs in to the workspace. Belongs to accounts through Membership."""

    email = models.EmailField(unique=True)
    name = models.CharField(max_length=200, blank=True)
    language = models.CharField(max_length=8, default="en", choices=settings.LANGUAGES)
    is_active = models.BooleanField(default=True)
    is_staff = models.BooleanField(default=False)
    date_joined = models.DateTimeField(default=timezone.now)

    objects = AgentManager()

    USERNAME_FIELD = "email"
    EMAIL_FIELD = "email"
    REQUIRED_FIELDS: ClassVar[list[str]] = []

    def __str__(self) -> str:
        return self.name or self.email

    @property
    def display_name(self) -> str:
        return self.name or self.email.split("@")[0]


class Role(models.TextChoices):
    OWNER = "owner", _("Owner")
    ADMIN = "admin", _("Admin")
    AGENT = "agent", _("Agent")
    LIGHT_AGENT = "light_agent", _("Light agent")


class Membership(TenantModel):
    """An agent's seat in an account, with a role. Deactivated seats keep their history."""

    agent = models.ForeignKey(Agent, on_delete=models.CASCADE, related_name="memberships")
    role = models.CharField(max_length=16, choices=Role.choices, default=Role.AGENT)
    is_active = models.BooleanField(default=True)

    class Meta:
        constraints: ClassVar = [
            models.UniqueConstraint(fields=["account", "agent"], name="membership_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.agent} @ {self.account_id} ({self.role})"

    @property
    def is_admin(self) -> bool:
        return self.role in (Role.OWNER, Role.ADMIN)

    @property
    def is_light(self) -> bool:
        return self.role == Role.LIGHT_AGENT


class Team(TenantModel):
    name = models.CharField(max_length=100)
    members = models.ManyToManyField(Membership, related_name="teams", blank=True)

    class Meta:
        constraints: ClassVar = [
            models.UniqueConstraint(fields=["account", "name"], name="team_name_unique"),
        ]

    def __str__(self) -> str:
        return self.name


def hash_token(raw: str) -> str:
    return hashlib.sha256(raw.encode()).hexdigest()


class ApiToken(TenantModel):
    """A bearer token for the REST API. Only its SHA-256 is stored; the raw value is shown once."""

    PREFIX = "sd_"

    membership = models.ForeignKey(Membership, on_delete=models.CASCADE, related_name="tokens")
    name = models.CharField(max_length=100, default="API token")
    token_hash = models.CharField(max_length=64, unique=True)
    # First characters of the raw token, so people can tell their tokens apart.
    hint = models.CharField(max_length=12)
    expires_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)
    last_used_at = models.DateTimeField(null=True, blank=True)

    @classmethod
    def generate_raw(cls) -> str:
        return cls.PREFIX + secrets.token_urlsafe(32)

    @property
    def is_usable(self) -> bool:
        if self.revoked_at is not None:
            return False
        return self.expires_at is None or self.expires_at > timezone.now()


class Invitation(TenantModel):
    """An emailed, expiring link that lets someone join the account with a role."""

    email = models.EmailField()
    role = models.CharField(max_length=16, choices=Role.choices, default=Role.AGENT)
    token_hash = models.CharField(max_length=64, unique=True)
    invited_by = models.ForeignKey(Agent, on_delete=models.SET_NULL, null=True, related_name="+")
    expires_at = models.DateTimeField()
    accepted_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)


class AuditLog(models.Model):
    """Append-only record of security-relevant actions. Rows are never updated or deleted."""

    account = models.ForeignKey(
        Account, on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )
    actor = models.ForeignKey(
        Agent, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    action = models.CharField(max_length=64)
    object_type = models.CharField(max_length=64, blank=True)
    object_id = models.CharField(max_length=64, blank=True)
    data = models.JSONField(default=dict, blank=True)
    ip_address = models.GenericIPAddressField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        indexes: ClassVar = [models.Index(fields=["account", "-created_at"])]

    def __str__(self) -> str:
        return f"{self.action} by {self.actor_id} at {self.created_at:%Y-%m-%d %H:%M}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        if self.pk is not None:
            raise RuntimeError("AuditLog rows are append-only")
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> Any:
        raise RuntimeError("AuditLog rows are append-only")
