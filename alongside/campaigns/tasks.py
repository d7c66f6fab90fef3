"""Tasks of the campaigns app (run by the task worker, `manage.py db_worker`)."""

from __future__ import annotations

from django.tasks import task


@task()
def send_signature_email(signature_id: int, language: str = "") -> None:
    """Send a signature's confirmation (or "already signed") email.

    Queued by the signing request with only the signature's id and the signer's
    language: the address, the text and the links are read and recreated here
    (`services.signature_email`), so none of them is stored in the task queue.
    """
    from alongside.campaigns.services import signature_email_send

    signature_email_send(signature_id, language)
