"""The direction of imports between our apps (issue 15): downward only, and never in a circle.

Layers, lowest first (what each may import is everything below it):

    core                  shared helpers: queue, jobs, tables, PDF, charts, audit, extensions
    accounts              users and roles
    schools               the registry: municipalities, organisations, schools; who sees which (scopes)
    people                invitations, the accounts of a municipality, curators
    monitoring            results imports (imports/, formats/)
    identification        indicators, methodologies, runs, statuses
    risks roadmaps partnerships events teachers analytics
                          the support work, built on the statuses (analytics suggests events and
                          route steps; partnerships reads its skill figures)
    reports               documents that read every app below through its selectors
    portal                the pages that put every app together: home pages, audit log, menu

Apps of one layer may import each other, but never both ways round (the cycle check below).
A lower app that must let a higher one react (an import finished, a roadmap approved) sends a
signal that the higher app's ``apps.py`` connects; shared pages find the apps' parts through
``core.extensions``. Tasks are queued by name (``core.queue``), so services never import tasks.

Every import counts: at module level, inside functions and under ``TYPE_CHECKING``. Tests
(``*/tests/``, ``tests/``) and ``bench/`` may use any app: they build data through the same
services a user triggers. ``config`` is the project itself and sits on top.
"""

from __future__ import annotations

import ast
from collections import defaultdict
from pathlib import Path

from django.conf import settings

ROOT = Path(settings.BASE_DIR)

LAYERS: tuple[tuple[str, ...], ...] = (
    ("core",),
    ("accounts",),
    ("schools",),
    ("people",),
    ("monitoring",),
    ("identification",),
    ("risks", "roadmaps", "partnerships", "events", "teachers", "analytics"),
    ("reports",),
    ("portal",),
)
LAYER_OF = {app: index for index, apps in enumerate(LAYERS) for app in apps}

# Imports that still break the rules, each with the reason and who removes it. The test below
# fails when a listed import is gone, so the list only shrinks. (Empty since every job kind moved
# onto core.jobs, whose job_enqueue queues the task by name, and the support apps answer
# identification through identification/hooks.py.)
ALLOWED: dict[tuple[str, str], str] = {}


def _app_modules():
    for app in LAYER_OF:
        for path in sorted((ROOT / app).rglob("*.py")):
            parts = path.relative_to(ROOT).parts
            if "tests" in parts or "migrations" in parts:
                continue
            yield app, path


def _imports(path: Path) -> list[tuple[int, str, tuple[str, ...]]]:
    """(line, module, names) of every absolute import, wherever it stands (module level, functions, TYPE_CHECKING)."""
    found = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"), filename=str(path))):
        if isinstance(node, ast.Import):
            found.extend((node.lineno, alias.name, ()) for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            found.append((node.lineno, node.module, tuple(alias.name for alias in node.names)))
    return sorted(found)


def _edges() -> dict[tuple[str, str], list[str]]:
    """(importing app, imported app) → where: «monitoring/tasks.py:23 identification.services»."""
    edges: dict[tuple[str, str], list[str]] = defaultdict(list)
    for app, path in _app_modules():
        rel = str(path.relative_to(ROOT))
        for line, module, _names in _imports(path):
            target = module.split(".")[0]
            if target in LAYER_OF and target != app:
                where = f"{rel}:{line} {module}"
                if where not in edges[(app, target)]:
                    edges[(app, target)].append(where)
    return edges


def _is_allowed(where: str) -> bool:
    path, module = where.split(" ")
    return (path.split(":")[0], module) in ALLOWED


def test_the_scan_sees_imports_at_module_level_and_inside_functions():
    edges = _edges()
    assert any(w.startswith("monitoring/imports/store.py") for w in edges[("monitoring", "core")])
    source = "def f():\n    from reports.services import x\nimport core.queue\n"
    probe = ROOT / "var" / "architecture_probe.py"
    probe.parent.mkdir(exist_ok=True)
    probe.write_text(source, encoding="utf-8")
    try:
        assert [(module, names) for _line, module, names in _imports(probe)] == [
            ("reports.services", ("x",)),
            ("core.queue", ()),
        ]
    finally:
        probe.unlink()


def test_no_app_imports_an_app_of_a_higher_layer():
    upward = [
        where
        for (app, target), places in sorted(_edges().items())
        if LAYER_OF[target] > LAYER_OF[app]
        for where in places
        if not _is_allowed(where)
    ]
    assert not upward, "imports against the layers (see the docstring):\n" + "\n".join(upward)


def test_no_two_apps_import_each_other_even_through_others():
    edges = {pair: [w for w in places if not _is_allowed(w)] for pair, places in _edges().items()}
    graph: dict[str, set[str]] = defaultdict(set)
    for (app, target), places in edges.items():
        if places:
            graph[app].add(target)

    def reachable(start: str) -> set[str]:
        seen, stack = set(), [start]
        while stack:
            for target in graph[stack.pop()]:
                if target not in seen:
                    seen.add(target)
                    stack.append(target)
        return seen

    reach = {app: reachable(app) for app in LAYER_OF}
    # Apps that reach each other form one knot; the imports to break are those inside a knot
    # that do not go down a layer.
    knots = {frozenset({app} | {other for other in reach[app] if app in reach[other]}) for app in LAYER_OF}
    found = [
        f"{' ↔ '.join(sorted(knot))}: "
        + "; ".join(
            where
            for (app, target), places in sorted(edges.items())
            if {app, target} <= knot and LAYER_OF[target] >= LAYER_OF[app]
            for where in places
        )
        for knot in sorted(knots, key=sorted)
        if len(knot) > 1
    ]
    assert not found, "import cycles between apps:\n" + "\n".join(found)


def _task_imports(path: Path) -> list[tuple[int, str]]:
    """(line, «<app>.tasks») of every import of a tasks module: ``from x.tasks import …`` or ``from x import tasks``."""
    return [
        (line, module if module.endswith(".tasks") else f"{module}.tasks")
        for line, module, names in _imports(path)
        if module.endswith(".tasks") or "tasks" in names
    ]


def _writes_and_reads(path: Path) -> bool:
    return path.stem in {"services", "selectors"} or path.parent.name in {"services", "imports"}


def test_services_and_selectors_never_import_tasks():
    """Tasks import services; a service queues a task by its name (core.queue), after commit."""
    found = [
        f"{path.relative_to(ROOT)}:{line} {module}"
        for _app, path in _app_modules()
        if _writes_and_reads(path)
        for line, module in _task_imports(path)
        if (str(path.relative_to(ROOT)), module) not in ALLOWED
    ]
    assert not found, "services that import tasks:\n" + "\n".join(found)


def test_every_allowed_exception_is_still_needed():
    present = {(where.split(":")[0], where.split(" ")[1]) for places in _edges().values() for where in places}
    for _app, path in _app_modules():
        present.update((str(path.relative_to(ROOT)), module) for _line, module, _names in _imports(path))
        present.update((str(path.relative_to(ROOT)), module) for _line, module in _task_imports(path))
    stale = [f"{path} {module}" for path, module in ALLOWED if (path, module) not in present]
    assert not stale, "remove these from ALLOWED, the imports are gone:\n" + "\n".join(stale)


def test_every_domain_refusal_is_an_application_error():
    """One error for the rules' refusals (core.errors.ApplicationError): a view may catch it whatever the app."""
    import importlib
    import inspect

    from core.errors import ApplicationError

    builtin_bases = {"Exception", "ValueError", "ValidationError", "PermissionError", "RuntimeError"}
    found = []
    for _app, path in _app_modules():
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in tree.body:
            if isinstance(node, ast.ClassDef) and {getattr(b, "id", "") for b in node.bases} & builtin_bases:
                module = importlib.import_module(".".join(path.relative_to(ROOT).with_suffix("").parts))
                cls = getattr(module, node.name)
                if inspect.isclass(cls) and not issubclass(cls, ApplicationError):
                    found.append(f"{path.relative_to(ROOT)}: {node.name}")
    # Errors of core's shared helpers (a file that cannot be read, a backup, the job layer's own
    # control flow) are not refusals of a domain rule.
    assert [where for where in found if not where.startswith("core/")] == [], found


def _error_classes() -> set[str]:
    """Names of every ApplicationError subclass defined in an app (the domain refusals)."""
    import importlib
    import inspect

    from core.errors import ApplicationError

    names = {"ApplicationError"}
    for _app, path in _app_modules():
        tree = ast.parse(path.read_text(encoding="utf-8"))
        classes = [node.name for node in tree.body if isinstance(node, ast.ClassDef)]
        if not classes:
            continue
        module = importlib.import_module(".".join(path.relative_to(ROOT).with_suffix("").parts))
        for name in classes:
            cls = getattr(module, name, None)
            if inspect.isclass(cls) and issubclass(cls, ApplicationError):
                names.add(name)
    return names


def _inline_text(node: ast.expr | None) -> bool:
    """A string written in place: «"…"», f"…", «"…" + x», «"…".format(…)» or «"…" % x»."""
    if node is None:
        return False
    if isinstance(node, ast.Constant):
        return isinstance(node.value, str)
    if isinstance(node, ast.JoinedStr):
        return True
    if isinstance(node, ast.BinOp):
        return _inline_text(node.left) or _inline_text(node.right)
    if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.func.attr == "format":
        return _inline_text(node.func.value)
    return False


def _inline_refusals(tree: ast.AST, error_names: set[str]) -> list[int]:
    """Lines where an ApplicationError subclass is raised with its message written in place."""
    lines = []
    for node in ast.walk(tree):
        if not (isinstance(node, ast.Raise) and isinstance(node.exc, ast.Call)):
            continue
        func = node.exc.func
        name = func.id if isinstance(func, ast.Name) else func.attr if isinstance(func, ast.Attribute) else ""
        if name not in error_names:
            continue
        message = node.exc.args[0] if node.exc.args else None
        message = next((kw.value for kw in node.exc.keywords if kw.arg == "message"), message)
        if _inline_text(message):
            lines.append(node.lineno)
    return lines


def test_the_refusal_scan_sees_inline_messages():
    names = {"ApplicationError", "Refused"}
    tree = ast.parse(
        'X = "a"\n'
        "def f(y):\n"
        '    raise Refused("Нельзя.")\n'
        '    raise Refused(f"Нельзя {y}.")\n'
        '    raise errors.Refused(message="Нельзя " + y)\n'
        '    raise Refused("Нельзя {y}.".format(y=y))\n'
        "    raise Refused(X)\n"
        "    raise Refused(X.format(y=y))\n"
        '    raise Refused(" ".join(y))\n'
        "    raise ValueError('not ours')\n"
    )
    assert _inline_refusals(tree, names) == [3, 4, 5, 6]


def test_refusals_raise_message_constants():
    """Issue 15: a refusal's words are a module constant (or a small function) tests can import,
    never a string written at the ``raise`` — of an ApplicationError anywhere, of a ValidationError
    in services, selectors and the imports."""
    names = _error_classes()
    # A service's ValidationError is a refusal too (forms and models keep their own field words).
    found = [
        f"{path.relative_to(ROOT)}:{line}"
        for _app, path in _app_modules()
        for line in _inline_refusals(
            ast.parse(path.read_text(encoding="utf-8")),
            names | {"ValidationError"} if _writes_and_reads(path) else names,
        )
    ]
    assert not found, "refusals with their message written in place (make it a module constant):\n" + "\n".join(found)
