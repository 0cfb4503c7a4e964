"""A real Dovecot IMAP server for tests, started in a temporary folder with its own config
and port (never the system service).

    with DovecotServer(users={"support@harbor.test": "s3cret"}) as dovecot:
        dovecot.append("support@harbor.test", raw_bytes)          # deliver a mail
        inbox.config = {"imap": dovecot.imap_settings("support@harbor.test", sealed_password)}

Needs Debian's `dovecot-imapd` (installed by .ci/run). As root the mail files belong to the
`dovecot` system user (Dovecot refuses mail access as root); as anyone else the whole server
runs as that user. `oauth2_url` (optional) points Dovecot's oauth2 passdb at a local token
introspection endpoint, so XOAUTH2 / OAUTHBEARER logins are checked by it.
"""

from __future__ import annotations

import os
import pwd
import shutil
import socket
import subprocess
import tempfile
import time
from pathlib import Path
from typing import Any

from imapclient import IMAPClient

DOVECOT = shutil.which("dovecot") or "/usr/sbin/dovecot"


def available() -> bool:
    return Path(DOVECOT).exists()


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


class DovecotServer:
    def __init__(self, users: dict[str, str], *, oauth2_url: str = "") -> None:
        self.users = dict(users)
        self.oauth2_url = oauth2_url
        self.port = _free_port()
        self.dir = Path(tempfile.mkdtemp(prefix="storedesk-dovecot-"))
        self.process: subprocess.Popen[bytes] | None = None

    # --- lifecycle -------------------------------------------------------------------------

    def _identity(self) -> tuple[str, int, int]:
        if os.geteuid() == 0:
            entry = pwd.getpwnam("dovecot")
            return "dovecot", entry.pw_uid, entry.pw_gid
        entry = pwd.getpwuid(os.geteuid())
        return entry.pw_name, entry.pw_uid, entry.pw_gid

    def _config(self) -> str:
        user, uid, gid = self._identity()
        login_user = "dovenull" if os.geteuid() == 0 else user
        d = self.dir
        mechanisms = "plain login"
        oauth = ""
        if self.oauth2_url:
            mechanisms += " xoauth2 oauthbearer"
            (d / "oauth2.conf").write_text(
                f"introspection_mode = post\nintrospection_url = {self.oauth2_url}\n"
                "username_attribute = username\nactive_attribute = active\n"
                "active_value = true\ntls_ca_cert_file = /etc/ssl/certs/ca-certificates.crt\n"
            )
            oauth = (f"passdb {{\n  driver = oauth2\n  mechanisms = xoauth2 oauthbearer\n"
                     f"  args = {d}/oauth2.conf\n}}\n")
        return f"""
base_dir = {d}/run
state_dir = {d}/state
instance_name = storedesk-test-{self.port}
log_path = {d}/dovecot.log
info_log_path = {d}/dovecot.log
protocols = imap
listen = 127.0.0.1
ssl = no
disable_plaintext_auth = no
auth_mechanisms = {mechanisms}
mail_location = maildir:{d}/mail/%u
default_internal_user = {user}
default_internal_group = {user if os.geteuid() != 0 else "dovecot"}
default_login_user = {login_user}
first_valid_uid = {uid}
last_valid_uid = 0
first_valid_gid = 0
mail_uid = {uid}
mail_gid = {gid}
{oauth}passdb {{
  driver = passwd-file
  args = scheme=PLAIN username_format=%u {d}/passwd
}}
userdb {{
  driver = static
  args = uid={uid} gid={gid} home={d}/mail/%u
}}
service imap-login {{
  inet_listener imap {{
    address = 127.0.0.1
    port = {self.port}
  }}
  inet_listener imaps {{
    port = 0
  }}
}}
service anvil {{
  chroot =
}}
service imap-login {{
  chroot =
}}
service stats {{
  unix_listener stats-reader {{
    mode = 0666
  }}
  unix_listener stats-writer {{
    mode = 0666
  }}
}}
protocol imap {{
  mail_max_userip_connections = 100
}}
"""

    def start(self) -> DovecotServer:
        if not available():
            raise RuntimeError("Dovecot is not installed (apt-get install dovecot-imapd).")
        _, uid, gid = self._identity()
        (self.dir / "mail").mkdir()
        self._write_passwd()
        (self.dir / "dovecot.conf").write_text(self._config())
        if os.geteuid() == 0:
            os.chown(self.dir / "mail", uid, gid)
            os.chmod(self.dir, 0o755)  # noqa: S103 - dovecot's own users must reach the mail
        self.process = subprocess.Popen(  # noqa: S603 - our own binary and config
            [DOVECOT, "-F", "-c", str(self.dir / "dovecot.conf")],
            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
        )
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                stderr = self.process.stderr.read().decode() if self.process.stderr else ""
                raise RuntimeError(f"Dovecot did not start: {self.log()}{stderr}")
            try:
                with socket.create_connection(("127.0.0.1", self.port), timeout=1):
                    return self
            except OSError:
                time.sleep(0.1)
        self.stop()
        raise RuntimeError(f"Dovecot did not open port {self.port}: {self.log()}")

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(timeout=5)
        shutil.rmtree(self.dir, ignore_errors=True)

    def __enter__(self) -> DovecotServer:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    def log(self) -> str:
        path = self.dir / "dovecot.log"
        return path.read_text(errors="replace")[-4000:] if path.exists() else ""

    # --- helpers for tests -------------------------------------------------------------------

    def add_user(self, user: str, password: str) -> None:
        """Dovecot re-reads its passwd file when it changes: users can come and go."""
        self.users[user] = password
        self._write_passwd()

    def _write_passwd(self) -> None:
        path = self.dir / "passwd"
        tmp = self.dir / "passwd.new"
        tmp.write_text("".join(f"{u}:{{PLAIN}}{p}::::::\n" for u, p in self.users.items()))
        tmp.replace(path)

    def client(self, user: str) -> IMAPClient:
        client = IMAPClient("127.0.0.1", port=self.port, ssl=False, timeout=10)
        client.login(user, self.users[user])
        return client

    def append(self, user: str, raw: bytes, folder: str = "INBOX",
               flags: tuple[bytes, ...] = ()) -> None:
        """Deliver a mail into a folder (created when missing)."""
        client = self.client(user)
        try:
            if not client.folder_exists(folder):
                client.create_folder(folder)
            client.append(folder, raw, flags=flags)
        finally:
            client.logout()

    def flags(self, user: str, folder: str = "INBOX") -> dict[int, tuple[bytes, ...]]:
        client = self.client(user)
        try:
            client.select_folder(folder, readonly=True)
            uids = client.search(["ALL"])
            return {uid: data[b"FLAGS"] for uid, data in client.fetch(uids, ["FLAGS"]).items()}
        finally:
            client.logout()

    def recreate_folder(self, user: str, folder: str) -> None:
        """Delete and re-create a folder: its UIDVALIDITY changes."""
        client = self.client(user)
        try:
            client.delete_folder(folder)
            client.create_folder(folder)
        finally:
            client.logout()

    def imap_settings(self, user: str, sealed_password: str | None,
                      folders: list[str] | None = None, **extra: Any) -> dict[str, Any]:
        return {"host": "127.0.0.1", "port": self.port, "security": "none", "username": user,
                "password": sealed_password, "folders": folders or ["INBOX"], **extra}
