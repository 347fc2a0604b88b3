# Sourced by bin/run and bin/test: create the virtual environment on first use and
# keep it in step with requirements.txt (reinstalls only when the file changes).
VENV="${VENV:-.venv}"
if [ ! -x "$VENV/bin/python" ]; then
  # Prefer an explicit 3.11 where several Pythons are installed; refuse an older one
  # here, with a clear message, rather than fail later inside pip.
  PYTHON="${PYTHON:-$(command -v python3.11 || command -v python3)}"
  if ! "$PYTHON" -c 'import sys; sys.exit(sys.version_info < (3, 11))'; then
    echo "Concert needs Python 3.11 or newer; $PYTHON is $("$PYTHON" -V 2>&1). Set PYTHON=/path/to/python3.11." >&2
    exit 1
  fi
  echo "Creating $VENV with $("$PYTHON" -V) and installing requirements.txt (once)…" >&2
  "$PYTHON" -m venv "$VENV"
fi
stamp="$VENV/.requirements.sha"
want="$(sha256sum requirements.txt | cut -d' ' -f1)"
if [ ! -f "$stamp" ] || [ "$(cat "$stamp")" != "$want" ]; then
  "$VENV/bin/python" -m pip install --quiet --disable-pip-version-check -r requirements.txt
  echo "$want" > "$stamp"
fi
export PATH="$PWD/$VENV/bin:$PATH"
