"""Rate limits kept in the database: shared by every web process, working with Redis down.

A limit counts hits of one key (a client address, an e-mail address) in fixed windows. The
counter row holds a keyed hash of scope, key and window, so the table never holds the address.
Expired rows are deleted by ``rate_limits_purge`` (beat) and, now and then, by ``hit`` itself.
"""

from __future__ import annotations

import hashlib
import hmac
from datetime import UTC, datetime, timedelta

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone

from core.models import RateLimitCounter


def _bucket(scope: str, key: str, window: int, now: datetime) -> tuple[str, datetime]:
    start = int(now.timestamp()) // window * window
    digest = hmac.new(settings.SECRET_KEY.encode(), f"{scope}\x1f{key}\x1f{start}".encode(), hashlib.sha256)
    return digest.hexdigest(), datetime.fromtimestamp(start + window, tz=UTC)


def hit(*, scope: str, key: str, limit: int, window: int, now: datetime | None = None) -> bool:
    """Count one hit of ``key``; True when this window's hits are over ``limit``."""
    return count(scope=scope, key=key, window=window, now=now, add=1) > limit


def over(*, scope: str, key: str, limit: int, window: int, now: datetime | None = None) -> bool:
    """True when ``key`` already reached ``limit`` hits in this window (counts nothing)."""
    return count(scope=scope, key=key, window=window, now=now, add=0) >= limit


def count(*, scope: str, key: str, window: int, now: datetime | None = None, add: int = 0) -> int:
    now = now or timezone.now()
    bucket, expires_at = _bucket(scope, key, window, now)
    counters = RateLimitCounter.objects.filter(bucket=bucket)
    if add:
        with transaction.atomic():
            if not counters.update(count=F("count") + add):
                try:
                    with transaction.atomic():
                        RateLimitCounter.objects.create(bucket=bucket, count=add, expires_at=expires_at)
                except IntegrityError:  # another process created it meanwhile
                    counters.update(count=F("count") + add)
    return counters.values_list("count", flat=True).first() or 0


def rate_limits_purge(*, now: datetime | None = None) -> int:
    deleted, _ = RateLimitCounter.objects.filter(expires_at__lt=(now or timezone.now()) - timedelta(minutes=1)).delete()
    return deleted
