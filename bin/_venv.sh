# Sourced by bin/run, bin/test and the other scripts: create the virtual environment on
# first use and keep it in step with the requirements file the caller names in
# REQUIREMENTS before sourcing (bin/run: requirements.txt, the runtime; bin/test and the
# test, fuzz, bench and reliability scripts: requirements-dev.txt, which includes it).
# Reinstalls only when that file, or a file it includes with -r, changes.
REQUIREMENTS="${REQUIREMENTS:-requirements.txt}"
VENV="${VENV:-.venv}"
if [ ! -x "$VENV/bin/python" ]; then
  # Prefer an explicit 3.11 where several Pythons are installed; refuse an older one
  # here, with a clear message, rather than fail later inside pip.
  PYTHON="${PYTHON:-$(command -v python3.11 || command -v python3)}"
  if ! "$PYTHON" -c 'import sys; sys.exit(sys.version_info < (3, 11))'; then
    echo "Concert needs Python 3.11 or newer; $PYTHON is $("$PYTHON" -V 2>&1). Set PYTHON=/path/to/python3.11." >&2
    exit 1
  fi
  echo "Creating $VENV with $("$PYTHON" -V) and installing $REQUIREMENTS (once)…" >&2
  "$PYTHON" -m venv "$VENV"
fi

# A requirements file and, recursively, those it includes with -r (relative to it, as
# pip reads them): all of them were installed when it was, so the stamp covers them all.
_venv_files() {
  local file=$1 dir included
  echo "$file"
  dir="$(dirname "$file")"
  sed -nE 's/^[[:space:]]*(-r|--requirement)[[:space:]=]*([^[:space:]#]+).*/\2/p' "$file" |
    while read -r included; do
      if [ "$dir" = . ]; then _venv_files "$included"; else _venv_files "$dir/$included"; fi
    done
}
# One stamp per requirements file, named after it: bin/run's venv used later by bin/test
# has no stamp for the dev file, so the test tools are installed then; and the dev file's
# install stamps the runtime file (included in it) too, so bin/run then reinstalls
# nothing. The digest is of the contents of the file and of those it includes: a change
# in requirements.txt invalidates requirements-dev.txt's stamp as well.
_venv_stamp() { echo "$VENV/.stamp-$(basename "$1").sha"; }
_venv_digest() {
  _venv_files "$1" | while read -r f; do sha256sum < "$f"; done | sha256sum | cut -d' ' -f1
}
if [ "$(cat "$(_venv_stamp "$REQUIREMENTS")" 2>/dev/null)" != "$(_venv_digest "$REQUIREMENTS")" ]; then
  "$VENV/bin/python" -m pip install --quiet --disable-pip-version-check -r "$REQUIREMENTS"
  _venv_files "$REQUIREMENTS" | while read -r f; do _venv_digest "$f" > "$(_venv_stamp "$f")"; done
fi
export PATH="$PWD/$VENV/bin:$PATH"
