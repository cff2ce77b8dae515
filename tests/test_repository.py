"""Guards on the tree itself: what a bad merge or a stray edit would leave behind."""

from pathlib import Path

from django.conf import settings

ROOT = Path(settings.BASE_DIR)
_SKIP = {".venv", "var", ".git", "node_modules", "static"}


def _project_files():
    for path in ROOT.rglob("*"):
        if path.suffix in {".py", ".html", ".txt", ".md", ".toml", ".css", ".js"} and not _SKIP & set(
            path.relative_to(ROOT).parts
        ):
            yield path


def test_no_file_holds_merge_conflict_markers():
    marked = [
        str(path.relative_to(ROOT))
        for path in _project_files()
        if any(line.startswith(("<<<<<<< ", ">>>>>>> ")) for line in path.read_text(encoding="utf-8").splitlines())
    ]
    assert not marked, f"merge conflict markers in: {marked}"


def _pins(path: Path) -> dict[str, str]:
    """``name==version`` lines of a requirements file, by normalised name (PEP 503)."""
    import re

    pins = {}
    for line in path.read_text(encoding="utf-8").splitlines():
        found = re.match(r"^([A-Za-z0-9_.\-]+)(?:\[[^\]]*\])?==(\S+)", line)
        if found:
            pins[re.sub(r"[-_.]+", "-", found.group(1)).lower()] = found.group(2)
    return pins


def test_every_pinned_requirement_is_locked_at_the_same_version():
    """`make` installs from the lock files: a pin edited in requirements*.txt without `make lock` would be ignored."""
    for source, lock in (("requirements.txt", "requirements.lock"), ("requirements-dev.txt", "requirements-dev.lock")):
        locked = _pins(ROOT / lock)
        wanted = _pins(ROOT / source)
        if source == "requirements-dev.txt":
            wanted |= _pins(ROOT / "requirements.txt")  # -r requirements.txt
        assert wanted, source
        differ = {name: (version, locked.get(name)) for name, version in wanted.items() if locked.get(name) != version}
        assert not differ, f"{lock} is out of date (run `make lock`): {differ}"
