"""``manage.py seed_demo``: the demo district with one login per role (see schools.demo).

With ``--municipalities M --schools N`` it also builds the load region for benchmarks;
``--logins-only`` writes nothing and prints the demo logins (``make run`` shows them on
every start). Safe to run again: nothing that exists is created twice or changed.
"""

import time

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from core.extensions import DEMO_OPTIONS, feature_modules
from core.text import plural
from schools.demo import (
    DEMO_PASSWORD,
    LOAD_REGION_NAME,
    MAX_LOAD_MUNICIPALITIES,
    MAX_LOAD_SCHOOLS,
    DemoLogin,
    DemoSeedResult,
    LoadSeedResult,
    demo_district_seed,
    demo_logins,
    load_region_seed,
)


def _count(n: int, one: str, few: str, many: str) -> str:
    """«1 школа», «3 школы», «35 школ»."""
    return f"{n} {plural(n, one, few, many)}"


class Command(BaseCommand):
    help = "Создать демонстрационный район с пользователями всех ролей (и, по желанию, регион для нагрузки)."

    def add_arguments(self, parser):
        parser.add_argument(
            "--municipalities",
            type=int,
            help=f"Сколько муниципалитетов в регионе «{LOAD_REGION_NAME}» (вместе с --schools).",
        )
        parser.add_argument("--schools", type=int, help="Сколько школ в нём, поровну по муниципалитетам.")
        parser.add_argument(
            "--uneven",
            action="store_true",
            help="Школы не поровну: первый муниципалитет — крупный город (28 %% школ), "
            "остальные — сельские районы разного размера.",
        )
        parser.add_argument(
            "--years",
            type=int,
            default=None,
            help="Сколько учебных лет результатов (ВПР, ОГЭ, контекст) создать; по умолчанию 3, для замеров — 5.",
        )
        parser.add_argument(
            "--logins-only", action="store_true", help="Ничего не создавать, только показать демо-входы."
        )
        parser.add_argument(
            "--i-know-this-is-demo",
            action="store_true",
            dest="i_know_this_is_demo",
            help="Разрешить запуск при DEBUG=0 (стенд для показа или замеров, не рабочий портал).",
        )

    def handle(
        self,
        *args,
        municipalities: int | None,
        schools: int | None,
        logins_only: bool,
        uneven: bool = False,
        years: int | None = None,
        i_know_this_is_demo: bool = False,
        **options,
    ):
        if logins_only:
            if municipalities is not None or schools is not None or uneven:
                raise CommandError("--logins-only не сочетается с --municipalities, --schools и --uneven.")
            logins = demo_logins()
            if logins:
                self._report_logins(logins, DEMO_PASSWORD)
            else:
                self.stdout.write("Демо-пользователей нет: создайте их командой manage.py seed_demo.")
            return
        if not settings.DEBUG:
            # The demo creates superuser «admin» and a login per role, all with the password the
            # README publishes: on a production database that is an open door.
            if not i_know_this_is_demo:
                raise CommandError(
                    "DEBUG=0: похоже, это рабочий портал. seed_demo создаёт суперпользователя «admin» и "
                    "входы всех ролей с паролем, опубликованным в README. Если это стенд для показа или "
                    "замеров, повторите с --i-know-this-is-demo."
                )
            self.stderr.write(
                self.style.WARNING(
                    f"ВНИМАНИЕ: демо-данные создаются при DEBUG=0. Пароль всех демо-входов, включая "
                    f"суперпользователя «admin», — «{DEMO_PASSWORD}», он опубликован в README: "
                    f"не открывайте этот портал в интернет."
                )
            )
        if (municipalities is None) != (schools is None):
            raise CommandError("Укажите оба параметра: --municipalities и --schools.")
        if uneven and municipalities is None:
            raise CommandError("--uneven действует только вместе с --municipalities и --schools.")
        if municipalities is not None and not 1 <= municipalities <= MAX_LOAD_MUNICIPALITIES:
            raise CommandError(f"--municipalities: от 1 до {MAX_LOAD_MUNICIPALITIES}.")
        if schools is not None and not 0 <= schools <= MAX_LOAD_SCHOOLS:
            raise CommandError(f"--schools: от 0 до {MAX_LOAD_SCHOOLS}.")

        if years is not None and not 1 <= years <= 10:
            raise CommandError("--years: от 1 до 10.")
        started = time.perf_counter()
        with transaction.atomic():
            demo = demo_district_seed()
            # Each feature app adds its part of the demo (results, statuses, roadmaps, …).
            DEMO_OPTIONS.clear()
            if years is not None:
                DEMO_OPTIONS["years"] = years
            try:
                feature_lines = [module.demo_seed() for module in feature_modules("demo")]
            finally:
                DEMO_OPTIONS.clear()
            load = None
            if municipalities is not None:
                load_started = time.perf_counter()
                load = load_region_seed(municipalities=municipalities, schools=schools, uneven=uneven)
                load_seconds = time.perf_counter() - load_started
        self._report_demo(demo)
        for line in feature_lines:
            if line:
                self.stdout.write(line)
        if load is not None:
            self._report_load(load, load_seconds)
        self.stdout.write(f"Готово за {time.perf_counter() - started:.1f} с.")

    def _report_demo(self, result: DemoSeedResult) -> None:
        self.stdout.write(
            self.style.SUCCESS(
                f"Демо-данные готовы: {_count(result.schools, 'школа', 'школы', 'школ')} и "
                f"{_count(result.organisations, 'организация', 'организации', 'организаций')} (УО, ИМЦ, ММО) — "
                f"«{result.municipality}»; {_count(result.neighbour_schools, 'школа', 'школы', 'школ')} — "
                f"«{result.neighbour_municipality}» (другой регион); учебные годы "
                f"{result.years[0]}–{result.years[-1]}, текущий {result.current_year or 'не задан'}."
            )
        )
        if result.schools_created or result.organisations_created or result.users_created:
            self.stdout.write(
                f"Создано сейчас: школ — {result.schools_created}, других организаций — "
                f"{result.organisations_created}, пользователей — {result.users_created}."
            )
        else:
            self.stdout.write("Всё уже было на месте: ничего не создано и не изменено.")

        self.stdout.write("")
        self._report_logins(result.logins, result.password)
        kept = [x.username for x in result.logins if not x.created]
        if kept:
            self.stdout.write(
                "Уже существовали (пароль не менялся, если его сменили — действует новый): " + ", ".join(kept)
            )

    def _report_logins(self, logins: tuple[DemoLogin, ...], password: str) -> None:
        self.stdout.write(f"Вход для демонстрации, пароль у всех: {password}")
        rows = [("логин", "роль", "что видит"), *((x.username, x.role, x.sees) for x in logins)]
        login_width = max(len(r[0]) for r in rows)
        role_width = max(len(r[1]) for r in rows)
        for login, role, sees in rows:
            self.stdout.write(f"  {login:<{login_width}}  {role:<{role_width}}  {sees}")

    def _report_load(self, result: LoadSeedResult, seconds: float) -> None:
        self.stdout.write("")
        municipalities = _count(result.municipalities, "муниципалитет", "муниципалитета", "муниципалитетов")
        self.stdout.write(
            self.style.SUCCESS(
                f"«{result.region}»: {municipalities}, {_count(result.schools, 'школа', 'школы', 'школ')}; "
                f"создано сейчас: муниципалитетов — {result.municipalities_created}, "
                f"школ — {result.schools_created}, за {seconds:.1f} с."
            )
        )
        if len(result.sizes) > 1:
            city, *districts = result.sizes
            low, high = min(districts), max(districts)
            self.stdout.write(
                f"Первый муниципалитет — город: {_count(city, 'школа', 'школы', 'школ')}; "
                f"в остальных — от {low} до {high} {plural(high, 'школы', 'школ', 'школ')}."
            )
