"""Password reset: Django's view and form, with the mail queued (portal.mail) and the requests rate-limited."""

from __future__ import annotations

import hashlib

from django.conf import settings
from django.contrib.auth.forms import PasswordResetForm
from django.contrib.auth.views import PasswordResetView
from django.http import HttpRequest, HttpResponse
from django.template.loader import render_to_string

from portal.audit import source_of
from portal.mail import queue_mail
from portal.ratelimit import over_limit


class QueuedPasswordResetForm(PasswordResetForm):
    """Django's form; `send_mail` (documented as the method to override) queues the message instead of sending."""

    def send_mail(
        self,
        subject_template_name: str,
        email_template_name: str,
        context: dict,
        from_email: str | None,
        to_email: str,
        html_email_template_name: str | None = None,
    ) -> None:
        subject = render_to_string(subject_template_name, context)
        body = render_to_string(email_template_name, context)
        html = render_to_string(html_email_template_name, context) if html_email_template_name else ""
        queue_mail(to_email, subject, body, html, from_email=from_email or "")


reset_view = PasswordResetView.as_view(form_class=QueuedPasswordResetForm)


def address_key(email: str) -> str:
    """The typed address, normalised and hashed (the cache key neither grows with nor shows the input)."""
    return hashlib.sha256(email.strip().lower().encode("utf-8", "replace")).hexdigest()


def password_reset(request: HttpRequest) -> HttpResponse:
    """`/accounts/password_reset/`: at most RATE_LIMIT_PASSWORD_RESET_PER_MINUTE requests per client address (an
    IPv6 client's /64) a minute, and RATE_LIMIT_PASSWORD_RESET_PER_ADDRESS_PER_HOUR per email address an hour
    (whether it belongs to a user or not, so the limit tells nothing about accounts)."""
    if request.method == "POST":
        per_ip = settings.RATE_LIMIT_PASSWORD_RESET_PER_MINUTE
        message = f"Too many password resets from your address: at most {per_ip} a minute."
        if refused := over_limit(request, "password-reset-ip", per_ip, who=source_of(request, None), message=message):
            return refused
        email = request.POST.get("email", "")
        per_address = settings.RATE_LIMIT_PASSWORD_RESET_PER_ADDRESS_PER_HOUR
        message = f"Too many password resets for this email address: at most {per_address} an hour."
        if email and (
            refused := over_limit(
                request, "password-reset-address", per_address, who=address_key(email), seconds=3600, message=message
            )
        ):
            return refused
    return reset_view(request)
