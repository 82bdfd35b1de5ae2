"""Mail sent off the request path.

A password-reset request must answer the same, in the same time, whether the address has an
account or not: the mail for an existing account is handed to one background thread, so an
SMTP server's delay never shows in the response. Sending failures are logged there.
"""

import logging
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor

logger = logging.getLogger(__name__)

# One thread: mails go out in order, and a slow server delays mail, never requests.
_outbox = ThreadPoolExecutor(max_workers=1, thread_name_prefix="pacer-mail")


def _run(send: Callable[[], object]) -> None:
    try:
        send()
    except Exception:
        logger.exception("Sending a mail failed")


def send_later(send: Callable[[], object]) -> None:
    """Run `send` (which renders and sends one mail) on the mail thread."""
    _outbox.submit(_run, send)


def wait_for_mail(timeout: float = 30) -> None:
    """Return once every mail handed to `send_later` so far has been sent (for tests)."""
    _outbox.submit(lambda: None).result(timeout=timeout)
