"""What this machine offers the scripts and tests that start servers of their own."""
import shutil
import socket
from pathlib import Path


def free_port() -> int:
    """A loopback port nobody listens on now. The kernel picks it from its ephemeral
    range (32768-60999 on Linux), so it never lands on a port someone reserved below."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def port_open(port: int) -> bool:
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=0.5):
            return True
    except OSError:
        return False


def pg_bin(name: str) -> str:
    """PostgreSQL's own program (initdb, pg_ctl, pg_dump…): Debian keeps them out of PATH,
    one folder per major version; the newest wins."""
    found = sorted(Path("/usr/lib/postgresql").glob(f"*/bin/{name}"))
    if found:
        return str(found[-1])
    path = shutil.which(name)
    if not path:
        raise RuntimeError(f"PostgreSQL's {name} not found (apt-get install postgresql)")
    return path
