"""A client of ClamAV's daemon for one command, INSTREAM (a file sent in chunks, the verdict read back).

Written here rather than taken from PyPI: `clamd` (1.0.2, 2014) and `pyclamd` (0.4.0, 2017) are unmaintained, and
the protocol is a few lines (docs/architecture.md, 上传材料). Settings: ``CLAMD_SOCKET`` (a unix socket path) or
``CLAMD_URL`` (``tcp://host:port``), ``CLAMD_TIMEOUT`` (seconds). The daemon answers ``stream: OK``,
``stream: <signature> FOUND`` or ``<reason> ERROR`` (``INSTREAM size limit exceeded`` past its StreamMaxLength)."""

import socket
import struct
from dataclasses import dataclass
from urllib.parse import urlsplit

from django.conf import settings

CHUNK = 64 * 1024


class ScanUnavailable(Exception):
    """clamd is configured but could not give a verdict (not reachable, timed out, answered an error)."""


@dataclass(frozen=True)
class Verdict:
    infected: bool
    signature: str = ""


def configured() -> bool:
    return bool(getattr(settings, "CLAMD_SOCKET", "") or getattr(settings, "CLAMD_URL", ""))


def _connect() -> socket.socket:
    timeout = float(getattr(settings, "CLAMD_TIMEOUT", 30) or 30)
    path, url = getattr(settings, "CLAMD_SOCKET", ""), getattr(settings, "CLAMD_URL", "")
    try:
        if path:
            sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
            sock.settimeout(timeout)
            sock.connect(path)
            return sock
        parts = urlsplit(url)
        if parts.scheme != "tcp" or not parts.hostname or not parts.port:
            raise ScanUnavailable(f"CLAMD_URL must look like tcp://host:port, not {url!r}")
        return socket.create_connection((parts.hostname, parts.port), timeout=timeout)
    except OSError as error:
        raise ScanUnavailable(f"clamd not reachable at {path or url}: {error}") from error


def _reply(sock) -> str:
    data = b""
    while not data.endswith(b"\0"):
        part = sock.recv(4096)
        if not part:
            break
        data += part
    return data.rstrip(b"\0").decode("utf-8", "replace").strip()


def ping() -> bool:
    try:
        with _connect() as sock:
            sock.sendall(b"zPING\0")
            return _reply(sock) == "PONG"
    except (OSError, ScanUnavailable):
        return False


def scan(stream) -> Verdict:
    """Send a binary file object (read from where it stands) to clamd and return its verdict."""
    try:
        with _connect() as sock:
            sock.sendall(b"zINSTREAM\0")
            while chunk := stream.read(CHUNK):
                sock.sendall(struct.pack("!L", len(chunk)) + chunk)
            sock.sendall(struct.pack("!L", 0))
            answer = _reply(sock)
    except OSError as error:  # includes a reset when clamd drops a stream past its StreamMaxLength
        raise ScanUnavailable(f"clamd failed during the scan: {error}") from error
    if answer.endswith("FOUND"):
        return Verdict(True, answer.removeprefix("stream:").removesuffix("FOUND").strip())
    if answer.endswith("OK"):
        return Verdict(False)
    raise ScanUnavailable(f"clamd answered {answer!r}")
