"""Workflow settings pages (admins and owners): /settings/workflow/..."""

from __future__ import annotations

from django.urls import path

from storedesk.workflow import views_escalation as e
from storedesk.workflow import views_settings as v
from storedesk.workflow import views_settings_followups as f

app_name = "workflow_settings"
urlpatterns = [
    path("sla/", v.sla_policies, name="sla_policies"),
    path("sla/new/", v.sla_policy_create, name="sla_policy_create"),
    path("sla/<int:policy_id>/", v.sla_policy_edit, name="sla_policy_edit"),
    path("sla/<int:policy_id>/delete/", v.sla_policy_delete, name="sla_policy_delete"),
    path("hours/", v.business_hours, name="business_hours"),
    path("hours/teams/<int:team_id>/", v.business_hours, name="team_hours"),
    path("hours/teams/<int:team_id>/delete/", v.team_hours_delete, name="team_hours_delete"),
    path("rules/", v.rules, name="rules"),
    path("rules/new/", v.rule_create, name="rule_create"),
    path("rules/<int:rule_id>/", v.rule_edit, name="rule_edit"),
    path("rules/<int:rule_id>/delete/", v.rule_delete, name="rule_delete"),
    path("escalation/", e.plans, name="escalation_plans"),
    path("escalation/new/", e.plan_create, name="escalation_plan_create"),
    path("escalation/<int:plan_id>/", e.plan_edit, name="escalation_plan_edit"),
    path("escalation/<int:plan_id>/delete/", e.plan_delete, name="escalation_plan_delete"),
    path("routing/", v.routing_page, name="routing"),
    path("routing/pools/<int:pool_id>/delete/", v.pool_delete, name="pool_delete"),
    path("routing/agents/<int:membership_id>/", v.profile_save, name="profile_save"),
    path("followups/", f.followups, name="followups"),
    path("playbooks/", f.playbook_list, name="playbooks"),
    path("playbooks/new/", f.playbook_form, name="playbook_create"),
    path("playbooks/<int:playbook_id>/", f.playbook_form, name="playbook_edit"),
    path("playbooks/<int:playbook_id>/delete/", f.playbook_delete, name="playbook_delete"),
]
