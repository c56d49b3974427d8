"""Group-order mail tests use the real SMTP server of the outbox's tests."""

from tests.notifications.conftest import mail_settings, smtp, smtp_down

__all__ = ["mail_settings", "smtp", "smtp_down"]
