#!/usr/bin/env bash
# Prints the path of a Python interpreter of the wanted minor version (e.g. 3.10), or explains why none exists.
# Why: on these machines Python 3.10 is installed through pyenv but not selected, so the `python3.10`
# shim fails; we look at real interpreters, never at shims.
set -euo pipefail
want="${1:?usage: find_python.sh 3.10|3.11+}"

works() { "$1" -c 'import sys, venv; print("%d.%d" % sys.version_info[:2])' 2>/dev/null; }

candidates=()
if command -v pyenv >/dev/null 2>&1; then
  root="$(pyenv root)"
  for d in "$root"/versions/*/bin; do
    for exe in "$d"/python3.[0-9]*; do [ -x "$exe" ] && candidates+=("$exe"); done
  done
fi
for name in python3.10 python3.11 python3.12 python3.13 python3; do
  for exe in /usr/bin/$name /usr/local/bin/$name; do [ -x "$exe" ] && candidates+=("$exe"); done
done

for exe in "${candidates[@]}"; do
  case "$exe" in *-config) continue ;; esac
  v="$(works "$exe")" || continue
  if [ "$want" = "3.11+" ]; then
    case "$v" in 3.1[1-9]) echo "$exe"; exit 0 ;; esac
  elif [ "$v" = "$want" ]; then
    echo "$exe"; exit 0
  fi
done

{
  echo "ERROR: no Python $want interpreter found."
  if [ "$want" = "3.10" ]; then
    echo "Rasa 3.6.21 needs Python 3.10 exactly (it declares python_requires <3.11)."
    echo "Install it, for example: 'pyenv install 3.10.13', or Debian's python3.10 package, then run make again."
  else
    echo "The API and channel adapters need Python 3.11 or newer. Install one (e.g. 'pyenv install 3.11.7')."
  fi
  echo "Looked at: ${candidates[*]:-(nothing)}"
} >&2
exit 1
