"""Queue tasks of the assistant: retrain an account's intent model. Take ids, idempotent."""

from __future__ import annotations

import logging

from huey.contrib.djhuey import db_task, lock_task

from storedesk.assistant.actions import store_model
from storedesk.assistant.training import retrain

logger = logging.getLogger(__name__)


@db_task(retries=1, retry_delay=60)
def retrain_account(account_id: int) -> str:
    """Train on the account's labelled conversations and keep the model with its report.
    One run per account at a time (a second request while one runs waits for the next)."""
    with lock_task(f"assistant-retrain-{account_id}"):
        try:
            data, report = retrain(account_id)
        except Exception as exc:  # noqa: BLE001 - the admin screen shows what went wrong
            logger.exception("retraining account %s failed", account_id)
            store_model(account_id, None, {"error": f"Training failed: {exc}"[:500]})
            return "failed"
        store_model(account_id, data, report)
        return "trained" if data is not None else "too few"
