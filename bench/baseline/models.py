from __future__ import annotations

from django.db import models


class BaselineRow(models.Model):
    """One row per distinct email: the least a signing endpoint has to store."""

    email = models.CharField(max_length=254)
    created_at = models.DateTimeField(auto_now_add=True)

    objects: models.Manager[BaselineRow] = models.Manager()

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["email"], name="bench_baseline_unique_email"
            )
        ]

    def __str__(self) -> str:
        return self.email
