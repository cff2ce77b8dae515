"""Benchmark: many people register for one event at the same moment; nobody overbooks.

Threads (default 40) register concurrently for an event of a small capacity (default 10),
then half of the seated cancel at once; the waitlist must be promoted exactly into the
freed seats. Runs on a throw-away SQLite database in a temporary folder unless DATABASE_URL
is set (use your own database name on PostgreSQL, where SELECT … FOR UPDATE is what holds).
Last line:

    events_registration_race db=… threads=N capacity=K confirmed=… waitlisted=… register_s=… cancel_s=… ok=…
"""

import argparse
import datetime as dt
import os
import sys
import tempfile
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--threads", type=int, default=40)
    parser.add_argument("--capacity", type=int, default=10)
    args = parser.parse_args()

    tmp = tempfile.TemporaryDirectory()
    os.environ.setdefault("VAR_DIR", tmp.name)
    os.environ.setdefault("DEBUG", "1")
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    os.environ["CELERY_TASK_ALWAYS_EAGER"] = "1"
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import close_old_connections, connection
    from django.utils import timezone

    call_command("migrate", verbosity=0)
    from events import services
    from events.models import Event, Registration
    from schools.models import Municipality, Region

    region, _ = Region.objects.get_or_create(code="89", defaults={"name": "Регион бенчмарка"})
    municipality, _ = Municipality.objects.get_or_create(
        oktmo="89999000", defaults={"region": region, "name": "Район бенчмарка"}
    )
    start = timezone.now() + dt.timedelta(days=5)
    event = Event.objects.create(
        municipality=municipality, title="Гонка за местами", location="ИМЦ", starts_at=start,
        ends_at=start + dt.timedelta(hours=2), capacity=args.capacity, status=Event.Status.PUBLISHED,
        publish_at=timezone.now() - dt.timedelta(days=1),
    )  # fmt: skip
    barrier = threading.Barrier(args.threads)
    errors: list[str] = []

    def register(index: int) -> None:
        try:
            barrier.wait()
            services.registration_create(event=event, full_name=f"Участник {index}", email=f"r{index}@example.ru")
        except Exception as exc:
            errors.append(repr(exc))
        finally:
            close_old_connections()
            connection.close()

    began = time.perf_counter()
    threads = [threading.Thread(target=register, args=(i,)) for i in range(args.threads)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    register_s = time.perf_counter() - began

    seated = list(Registration.objects.filter(event=event, status="confirmed"))
    leaving = seated[: args.capacity // 2]
    barrier = threading.Barrier(len(leaving))

    def cancel(registration) -> None:
        try:
            barrier.wait()
            services.registration_cancel(registration=registration)
        except Exception as exc:
            errors.append(repr(exc))
        finally:
            connection.close()

    began = time.perf_counter()
    threads = [threading.Thread(target=cancel, args=(r,)) for r in leaving]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    cancel_s = time.perf_counter() - began

    confirmed = Registration.objects.filter(event=event, status="confirmed").count()
    waitlisted = Registration.objects.filter(event=event, status="waitlisted").count()
    cancelled = Registration.objects.filter(event=event, status="cancelled").count()
    expected_waitlist = max(args.threads - args.capacity - len(leaving), 0)
    ok = confirmed == min(args.capacity, args.threads - cancelled) and waitlisted == expected_waitlist and not errors
    for error in errors[:5]:
        print("error:", error)
    print(
        f"events_registration_race db={connection.vendor} threads={args.threads} capacity={args.capacity} "
        f"confirmed={confirmed} waitlisted={waitlisted} cancelled={cancelled} register_s={register_s:.2f} "
        f"cancel_s={cancel_s:.2f} ok={ok}"
    )
    if connection.vendor == "postgresql":
        Event.objects.filter(pk=event.pk).delete()
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
