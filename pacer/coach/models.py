from django.db import models

from pacer.okrs.models import Organization


class RuleSetting(models.Model):
    """An organization's choice for one lint rule (pacer.coach.rules): on or off, and its
    threshold where it has one. A rule without a row keeps its defaults."""

    organization = models.ForeignKey(
        Organization, on_delete=models.CASCADE, related_name="lint_rules"
    )
    rule = models.CharField(max_length=40)
    enabled = models.BooleanField(default=True)
    threshold = models.PositiveIntegerField(null=True, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["organization", "rule"], name="lint_rule_once")
        ]

    def __str__(self) -> str:
        return f"{self.rule}: {'on' if self.enabled else 'off'}"
