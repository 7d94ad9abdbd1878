"""A real clamd for the tests: Debian's clamav-daemon with a signature database built here from the EICAR test
string (no download, no official databases), a minimal clamd.conf in a temporary directory, started in the
foreground and stopped at the end."""

import hashlib
import shutil
import socket
import subprocess
import time
from pathlib import Path

# The EICAR anti-virus test file (eicar.org): harmless, and detected by every scanner built to find it.
EICAR = rb"X5O!P%@AP[4\PZX54(P^)7CC)7}$EICAR-STANDARD-ANTIVIRUS-TEST-FILE!$H+H*"
SIGNATURE = "Tongban.Test.EICAR"


def binary() -> str | None:
    found = shutil.which("clamd")
    if found:
        return found
    return "/usr/sbin/clamd" if Path("/usr/sbin/clamd").exists() else None


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _ping(path: str) -> bool:
    try:
        with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as sock:
            sock.settimeout(2)
            sock.connect(path)
            sock.sendall(b"zPING\0")
            return sock.recv(16).startswith(b"PONG")
    except OSError:
        return False


class Clamd:
    """One clamd process: ``socket`` (unix) and ``url`` (tcp://127.0.0.1:port) while it runs."""

    def __init__(self, directory: Path):
        self.directory = directory
        self.socket = str(directory / "clamd.sock")
        self.port = _free_port()
        self.url = f"tcp://127.0.0.1:{self.port}"
        self.process = None

    def write_config(self) -> Path:
        database = self.directory / "db"
        database.mkdir(parents=True, exist_ok=True)
        (self.directory / "tmp").mkdir(exist_ok=True)
        # The whole file by its MD5 and size (.hdb), and the string anywhere in any file (.ndb, as hex).
        (database / "tongban.hdb").write_text(f"{hashlib.md5(EICAR).hexdigest()}:{len(EICAR)}:{SIGNATURE}\n")
        (database / "tongban.ndb").write_text(f"{SIGNATURE}.Body:0:*:{EICAR.hex()}\n")
        config = self.directory / "clamd.conf"
        config.write_text("\n".join([
            f"LocalSocket {self.socket}",
            "TCPAddr 127.0.0.1",
            f"TCPSocket {self.port}",
            f"DatabaseDirectory {database}",
            f"TemporaryDirectory {self.directory / 'tmp'}",
            f"LogFile {self.directory / 'clamd.log'}",
            "Foreground yes",
            # The largest upload slot (100 MB) must fit: clamd's default stream limit is 25 MB.
            "StreamMaxLength 110M",
            "MaxFileSize 110M",
            "MaxScanSize 110M",
            "",
        ]))
        return config

    def start(self, timeout: float = 60) -> "Clamd":
        config = self.write_config()
        with open(self.directory / "clamd.out", "wb") as output:  # the child keeps its own descriptor
            self.process = subprocess.Popen([binary(), f"--config-file={config}"], stdout=output,
                                            stderr=subprocess.STDOUT)
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"clamd stopped at start: {self.log()}")
            if _ping(self.socket):
                return self
            time.sleep(0.1)
        self.stop()
        raise RuntimeError(f"clamd did not answer within {timeout} s: {self.log()}")

    def log(self) -> str:
        return "".join(path.read_text(errors="replace") for path in (self.directory / "clamd.out",
                                                                     self.directory / "clamd.log") if path.exists())

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        self.process = None
