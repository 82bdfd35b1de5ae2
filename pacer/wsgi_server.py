"""gunicorn run from inside `pacer serve` (its documented custom-application pattern)."""

from typing import Any

from gunicorn.app.base import BaseApplication


class PacerServer(BaseApplication):
    def __init__(self, options: dict[str, Any]) -> None:
        self.options = options
        super().__init__()

    def load_config(self) -> None:
        for key, value in self.options.items():
            self.cfg.set(key, value)

    def load(self) -> Any:
        from pacer.wsgi import application

        return application
