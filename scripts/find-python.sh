#!/usr/bin/env bash
# Print the path of a Python >= 3.12 (Django 6.1 needs it), or explain and fail.
# Order: $PYTHON, python3.13/3.12/3.14 on PATH, python3, then pyenv and /usr/local builds.
set -u
candidates=()
[ -n "${PYTHON:-}" ] && candidates+=("$PYTHON")
candidates+=(python3.13 python3.12 python3.14 python3)
if command -v pyenv >/dev/null 2>&1; then
  root="$(pyenv root 2>/dev/null)"
  # Newest first: 3.13.0 before 3.12.1.
  while read -r p; do candidates+=("$p"); done < <(ls -d "$root"/versions/3.1[2-9]*/bin/python3 2>/dev/null | sort -rV)
fi
for p in "$HOME"/.pyenv/versions/3.1[2-9]*/bin/python3 /usr/local/bin/python3.1[2-9] /opt/python*/bin/python3; do
  candidates+=("$p")
done
for candidate in "${candidates[@]}"; do
  path="$(command -v "$candidate" 2>/dev/null)" || continue
  if "$path" -c 'import sys, venv; sys.exit(0 if sys.version_info >= (3, 12) else 1)' 2>/dev/null; then
    echo "$path"
    exit 0
  fi
done
echo "Не найден Python 3.12 или новее (нужен для Django 6.1)." >&2
echo "No Python >= 3.12 found. Install one (e.g. 'pyenv install 3.13' or your OS package python3.13)" >&2
echo "or point to it: make run PYTHON=/path/to/python3.13" >&2
exit 1
