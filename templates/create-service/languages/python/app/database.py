"""Whether the database at DATABASE_URL answers and takes this service's login.

The PostgreSQL wire protocol's start-up and password exchange (SCRAM-SHA-256, MD5 or clear
text, as the server asks), with no driver to install. Says "answers", "refused (<SQLSTATE>)"
(e.g. 28P01: wrong password, 28000: the login may not log in) or "unreachable (<reason>)";
never the URL or the password. Swap it for your driver's ping once you add one.
"""

import base64
import hashlib
import hmac
import os
import socket
import struct
from urllib.parse import unquote, urlsplit


def check_database(database_url: str, timeout: float = 3.0) -> str:
    if not database_url:
        return "not configured"
    try:
        url = urlsplit(database_url)
        host, port = url.hostname or "localhost", url.port or 5432
    except ValueError:
        return "unreachable (DATABASE_URL is not a URL)"
    user = unquote(url.username or "")
    password = unquote(url.password or "")
    database = unquote(url.path.lstrip("/")) or user
    try:
        with socket.create_connection((host, port), timeout=timeout) as conn:
            return _handshake(conn, user, password, database)
    except socket.timeout:
        return "unreachable (timeout)"
    except OSError as error:
        return f"unreachable ({type(error).__name__})"


def _handshake(conn: socket.socket, user: str, password: str, database: str) -> str:
    params = b"".join(_cstring(s) for s in ("user", user, "database", database)) + b"\0"
    conn.sendall(struct.pack("!ii", len(params) + 8, 196608) + params)
    scram: ScramClient | None = None
    while True:
        kind, body = _read_message(conn)
        if kind == b"E":
            return f"refused ({_error_code(body)})"
        if kind == b"Z":
            conn.sendall(b"X\0\0\0\x04")  # Terminate
            return "answers"
        if kind != b"R":
            continue  # ParameterStatus, BackendKeyData, notices
        (code,) = struct.unpack("!i", body[:4])
        if code == 3:
            conn.sendall(_message(b"p", _cstring(password)))
        elif code == 5:
            inner = hashlib.md5((password + user).encode()).hexdigest().encode()
            digest = "md5" + hashlib.md5(inner + body[4:8]).hexdigest()
            conn.sendall(_message(b"p", _cstring(digest)))
        elif code == 10:
            scram = ScramClient(password)
            first = scram.client_first().encode()
            data = _cstring("SCRAM-SHA-256") + struct.pack("!i", len(first)) + first
            conn.sendall(_message(b"p", data))
        elif code == 11 and scram:
            conn.sendall(_message(b"p", scram.client_final(body[4:].decode()).encode()))
        elif code == 12 and scram:
            if not scram.verify_server(body[4:].decode()):
                return "refused (the server did not prove it knows the password)"
        elif code != 0:
            return f"refused (authentication method {code} is not supported)"


class ScramClient:
    """SCRAM-SHA-256 (RFC 5802, RFC 7677) as PostgreSQL speaks it: no channel binding.

    `user` stays empty for PostgreSQL, which takes the login from the start-up message.
    """

    def __init__(self, password: str, nonce: str | None = None, user: str = "") -> None:
        self.password = password
        self.nonce = nonce or base64.b64encode(os.urandom(18)).decode()
        self.user = user
        self.auth_message = ""
        self.server_key = b""

    def _first_bare(self) -> str:
        return f"n={self.user},r={self.nonce}"

    def client_first(self) -> str:
        return "n,," + self._first_bare()

    def client_final(self, server_first: str) -> str:
        fields = dict(part.split("=", 1) for part in server_first.split(","))
        if not fields["r"].startswith(self.nonce):
            raise ValueError("the server nonce does not extend ours")
        salted = hashlib.pbkdf2_hmac(
            "sha256", self.password.encode(), base64.b64decode(fields["s"]), int(fields["i"])
        )
        client_key = _hmac(salted, "Client Key")
        without_proof = f"c=biws,r={fields['r']}"
        self.auth_message = f"{self._first_bare()},{server_first},{without_proof}"
        signature = _hmac(hashlib.sha256(client_key).digest(), self.auth_message)
        proof = bytes(a ^ b for a, b in zip(client_key, signature))
        self.server_key = _hmac(salted, "Server Key")
        return f"{without_proof},p={base64.b64encode(proof).decode()}"

    def verify_server(self, server_final: str) -> bool:
        expected = base64.b64encode(_hmac(self.server_key, self.auth_message)).decode()
        return hmac.compare_digest(server_final.strip(), f"v={expected}")


def _hmac(key: bytes, text: str) -> bytes:
    return hmac.new(key, text.encode(), hashlib.sha256).digest()


def _cstring(text: str) -> bytes:
    return text.encode() + b"\0"


def _message(kind: bytes, body: bytes) -> bytes:
    return kind + struct.pack("!i", len(body) + 4) + body


def _read_exact(conn: socket.socket, size: int) -> bytes:
    data = b""
    while len(data) < size:
        chunk = conn.recv(size - len(data))
        if not chunk:
            raise ConnectionResetError("the server closed the connection")
        data += chunk
    return data


def _read_message(conn: socket.socket) -> tuple[bytes, bytes]:
    header = _read_exact(conn, 5)
    (length,) = struct.unpack("!i", header[1:])
    return header[:1], _read_exact(conn, length - 4)


def _error_code(body: bytes) -> str:
    """The SQLSTATE of an ErrorResponse: a code, never the message (it may name the login)."""
    for field in body.split(b"\0"):
        if field[:1] == b"C":
            return field[1:].decode()
    return "error"
