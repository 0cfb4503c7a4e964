"""The email channel: replies leave through SMTP (transport.py), threaded."""

from django.utils.translation import gettext_lazy as _

from storedesk.connectors.base import Connector
from storedesk.connectors.email.config import EmailConfig, EmailSetupForm
from storedesk.connectors.email.transport import SmtpTransport, send_mail
from storedesk.connectors.email.views import settings_context

connector = Connector(
    config=EmailConfig,
    package=__package__ or "storedesk.connectors.email",
    transport=SmtpTransport,
    setup_form=EmailSetupForm,
    add_label=_("Email inbox"),
    settings_context=settings_context,
    mailer=send_mail,
)
