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
