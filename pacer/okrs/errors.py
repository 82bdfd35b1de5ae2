"""The one exception every write raises for bad input, with the fields it concerns."""

from pacer.okrs.rules import Problem


class DomainError(Exception):
    """Bad input: nothing was written. `problems` pairs each field with what is wrong."""

    def __init__(self, problems: list[Problem] | str, field: str = "") -> None:
        self.problems: list[Problem] = (
            [(field, problems)] if isinstance(problems, str) else list(problems)
        )
        super().__init__("; ".join(f"{f}: {m}" if f else m for f, m in self.problems))


def raise_if(problems: list[Problem], prefix: str = "") -> None:
    if problems:
        raise DomainError([(f"{prefix}{field}", message) for field, message in problems])
