"""The OKR coach (docs/coach.md): a linter for well-formed OKRs, templates by role, and
alignment suggestions. Deterministic and offline: nothing is sent anywhere."""
