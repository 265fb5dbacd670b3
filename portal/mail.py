"""Outgoing mail: stored, then sent by a background task, retried with backoff; no request waits on the relay.

`queue_mail()` stores an `OutgoingMail` row in the caller's transaction and, once it commits, enqueues
`deliver_mail` (django.tasks; `manage.py db_worker` runs it). One attempt is one SMTP conversation bounded by the
mailer's timeout (`EMAIL_TIMEOUT`, portal/settings.py). A temporary failure (no connection, a timeout, a 4xx reply)
is retried after `RETRY_DELAYS`; a 5xx reply fails the message at once; after `MAX_ATTEMPTS`, or a day after it
was queued, the message is marked failed. The admin lists queued and failed messages with their last error.

While the relay is failing, workers do not each wait for it: after a temporary failure, other messages are
postponed for `RELAY_PAUSE` without trying (unless a message was sent since), so a stalled relay costs a worker one
timeout a minute, not one per message, and diagnostics queued behind mail still run.
"""

from __future__ import annotations

import logging
import smtplib
from datetime import datetime, timedelta
from functools import partial

from django.core.mail import EmailMultiAlternatives
from django.db import transaction
from django.db.models import F, Max
from django.tasks import task
from django.utils import timezone

from portal.models import OutgoingMail

logger = logging.getLogger("portal.mail")

RETRY_DELAYS = (
    timedelta(minutes=1),
    timedelta(minutes=5),
    timedelta(minutes=15),
    timedelta(hours=1),
    timedelta(hours=4),
)
MAX_ATTEMPTS = len(RETRY_DELAYS) + 1
RELAY_PAUSE = timedelta(minutes=1)
GIVE_UP_AFTER = timedelta(days=1)


def queue_mail(to: str, subject: str, body: str, html: str = "", from_email: str = "") -> OutgoingMail:
    """Store one message to `to`; it is handed to the task queue when the current transaction commits."""
    mail = OutgoingMail.objects.create(
        to=to, subject=" ".join(subject.split())[:300], body=body, html=html, from_email=from_email or ""
    )
    # robust: the change that sent the mail is committed; an enqueue failure is logged, the row stays queued.
    transaction.on_commit(partial(enqueue, mail.pk), robust=True)
    return mail


def enqueue(mail_id: int, at: datetime | None = None) -> None:
    """Enqueue a delivery attempt, now or at `at` (a backend that cannot defer tasks leaves retries to the admin)."""
    if at is None:
        deliver_mail.enqueue(mail_id)
    elif deliver_mail.get_backend().supports_defer:
        deliver_mail.using(run_after=at).enqueue(mail_id)
    else:
        logger.warning("The task backend cannot defer tasks: mail %s is not retried automatically.", mail_id)


@task()
def deliver_mail(mail_id: int) -> str:
    """One delivery attempt of `mail_id`; returns what happened (sent, retry, failed, postponed, skipped)."""
    return attempt(mail_id)


def relay_paused_until(now: datetime) -> datetime | None:
    """After a temporary failure less than RELAY_PAUSE ago, with nothing sent since: when to try again."""
    latest = OutgoingMail.objects.aggregate(failed=Max("last_failed_at"), sent=Max("sent_at"))
    failed, sent = latest["failed"], latest["sent"]
    if failed is None or failed <= now - RELAY_PAUSE or (sent is not None and sent > failed):
        return None
    return failed + RELAY_PAUSE


def is_permanent(error: Exception) -> bool:
    """A 5xx reply (for every recipient): trying again gets the same answer."""
    if isinstance(error, smtplib.SMTPRecipientsRefused):
        return bool(error.recipients) and all(code >= 500 for code, _ in error.recipients.values())
    return isinstance(error, smtplib.SMTPResponseException) and error.smtp_code >= 500


def attempt(mail_id: int) -> str:
    now = timezone.now()
    mail = OutgoingMail.objects.filter(pk=mail_id, status=OutgoingMail.Status.QUEUED).first()
    if mail is None or (mail.next_attempt_at and mail.next_attempt_at > now):
        return "skipped"  # sent, failed, or a newer attempt is scheduled (the admin's "send now")
    too_old = now - mail.created_at > GIVE_UP_AFTER
    paused_until = relay_paused_until(now)
    if paused_until and not too_old:
        OutgoingMail.objects.filter(pk=mail_id).update(next_attempt_at=paused_until)
        enqueue(mail_id, at=paused_until)
        return "postponed"
    claimed = OutgoingMail.objects.filter(pk=mail_id, status=OutgoingMail.Status.QUEUED).update(
        status=OutgoingMail.Status.SENDING, attempts=F("attempts") + 1, next_attempt_at=None
    )
    if not claimed:
        return "skipped"
    mail.attempts += 1
    message = EmailMultiAlternatives(mail.subject, mail.body, mail.from_email or None, [mail.to])
    if mail.html:
        message.attach_alternative(mail.html, "text/html")
    try:
        message.send()
    except Exception as error:  # noqa: BLE001 - whatever the relay or the network did, it is recorded and retried
        return failed(mail, error, too_old)
    # Sent: the text goes (a password-reset link must not stay readable in the database).
    OutgoingMail.objects.filter(pk=mail_id).update(
        status=OutgoingMail.Status.SENT, sent_at=timezone.now(), body="", html="", last_error=""
    )
    return "sent"


def failed(mail: OutgoingMail, error: Exception, too_old: bool) -> str:
    text = f"{type(error).__name__}: {error}"[:500]
    now = timezone.now()
    update: dict = {"last_error": text}
    if is_permanent(error):
        outcome = "failed"
    else:
        update["last_failed_at"] = now  # the relay is failing: other messages pause (relay_paused_until)
        outcome = "failed" if too_old or mail.attempts >= MAX_ATTEMPTS else "retry"
    if outcome == "failed":
        update.update(status=OutgoingMail.Status.FAILED, next_attempt_at=None)
        logger.error("Mail %s to %s failed for good after %s attempts: %s", mail.pk, mail.to, mail.attempts, text)
    else:
        retry_at = now + RETRY_DELAYS[mail.attempts - 1]
        update.update(status=OutgoingMail.Status.QUEUED, next_attempt_at=retry_at)
        logger.warning(
            "Mail %s to %s not sent (attempt %s), retry at %s: %s",
            mail.pk,
            mail.to,
            mail.attempts,
            retry_at.isoformat(),
            text,
        )
    OutgoingMail.objects.filter(pk=mail.pk).update(**update)
    if outcome == "retry":
        enqueue(mail.pk, at=update["next_attempt_at"])
    return outcome


def send_now(mails: list[OutgoingMail]) -> int:
    """The admin's "send now": queue these (queued, failed, or stuck sending after a worker died) for an attempt
    now. Sent messages are left alone (their text is gone). Returns how many were queued."""
    ids = [mail.pk for mail in mails if mail.status != OutgoingMail.Status.SENT]
    OutgoingMail.objects.filter(pk__in=ids).update(status=OutgoingMail.Status.QUEUED, next_attempt_at=None)
    for mail_id in ids:
        transaction.on_commit(partial(enqueue, mail_id), robust=True)
    return len(ids)
