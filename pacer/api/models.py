"""API tokens (stored hashed) and tombstones (what incremental sync reports as deleted)."""

from django.conf import settings
from django.db import models


class ApiToken(models.Model):
    class Scope(models.TextChoices):
        READ = "read"
        WRITE = "write"

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="api_tokens"
    )
    name = models.CharField(max_length=100, blank=True)
    # The first characters of the token, to recognize it in lists; never enough to use it.
    prefix = models.CharField(max_length=16)
    token_hash = models.CharField(max_length=64, unique=True)
    scope = models.CharField(max_length=5, choices=Scope.choices, default=Scope.READ)
    created_at = models.DateTimeField(auto_now_add=True)
    last_used_at = models.DateTimeField(null=True, blank=True)
    expires_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"{self.prefix}… ({self.name or self.scope})"


class Tombstone(models.Model):
    """A deleted row, so that a client syncing with `updated_since` learns of deletions.

    `objective_id` and `private` let the API show a tombstone only to people who could see
    what was deleted.
    """

    class Kind(models.TextChoices):
        CYCLE = "cycle"
        OBJECTIVE = "objective"
        KEY_RESULT = "key_result"
        MILESTONE = "milestone"
        CHECKIN = "checkin"
        INITIATIVE = "initiative"
        KPI = "kpi"

    # Plain numbers, not foreign keys: what they named may be deleted too.
    organization_id = models.BigIntegerField(db_index=True)
    kind = models.CharField(max_length=12, choices=Kind.choices)
    ref = models.CharField(max_length=100)
    objective_id = models.BigIntegerField(null=True, blank=True)
    private = models.BooleanField(default=False)
    deleted_at = models.DateTimeField(auto_now_add=True, db_index=True)

    class Meta:
        ordering = ["id"]

    def __str__(self) -> str:
        return f"{self.kind} {self.ref} deleted"
