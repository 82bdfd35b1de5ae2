"""gunicorn's settings for Pacer: `gunicorn -c python:pacer.gunicorn_config pacer.wsgi:application`.

gunicorn writes its own logs, outside Django's LOGGING: the error log and, with
`--access-logfile`, the access log, whose request lines carry query strings (a token pasted
into a URL would land there). This logger class passes both through Pacer's redaction
(`pacer.security.RedactSecrets`), whichever handlers (file, stream, syslog) write them.
"""

from typing import Any

from gunicorn.glogging import Logger

from pacer import lockwaits
from pacer.security import RedactSecrets


class RedactingLogger(Logger):
    def setup(self, cfg: Any) -> None:
        super().setup(cfg)
        for log in (self.error_log, self.access_log):
            if not any(isinstance(f, RedactSecrets) for f in log.filters):
                log.addFilter(RedactSecrets())


logger_class = RedactingLogger


def worker_exit(server: Any, worker: Any) -> None:
    """gunicorn's hook as a worker ends: its lock-wait totals, for the bench (pacer.lockwaits;
    nothing is written unless PACER_LOCK_WAITS_DIR is set)."""
    lockwaits.write_totals()
