"""Real mail servers on 127.0.0.1 for the receiver tests: an SMTP sink and Dovecot IMAP.

`Dovecot` runs a private instance of Debian's dovecot-imapd (`dovecot -F -c <conf>`) with
a generated configuration in a temporary directory: IMAP only, plaintext login allowed
(no TLS) on a free port, users from a passwd-file, Maildirs in the directory. When the
binary is missing the tests fail and say what to install; they are never skipped.
"""

import grp
import os
import pwd
import shutil
import socket
import subprocess
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from aiosmtpd.controller import Controller
from aiosmtpd.smtp import SMTP, Envelope, Session

PASSWORD = "imap-secret"
USERS = 30


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def wait_for_port(port: int, *, seconds: float, alive: Any = None) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if alive is not None and not alive():
            return False
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.5):
                return True
        except OSError:
            time.sleep(0.05)
    return False


@dataclass
class Captured:
    """What the SMTP sink received."""

    envelopes: list[Envelope] = field(default_factory=list)

    async def handle_DATA(self, server: SMTP, session: Session, envelope: Envelope) -> str:
        self.envelopes.append(envelope)
        return "250 OK"


class SmtpSink:
    """An aiosmtpd SMTP server on 127.0.0.1 that keeps every message it is sent."""

    def __init__(self) -> None:
        self.captured = Captured()
        self.port = free_port()
        self.controller = Controller(
            self.captured, hostname="127.0.0.1", port=self.port, server_hostname="sink.test"
        )

    def __enter__(self) -> "SmtpSink":
        self.controller.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.controller.stop()

    @property
    def messages(self) -> list[bytes]:
        return [bytes(envelope.original_content or b"") for envelope in self.captured.envelopes]


class Dovecot:
    """A private Dovecot IMAP server with USERS users named desk0, desk1, ..."""

    def __init__(self) -> None:
        binary = shutil.which("dovecot") or shutil.which("dovecot", path="/usr/sbin:/sbin")
        if binary is None:
            raise RuntimeError(
                "the IMAP tests need Dovecot: install it with "
                "`apt-get install -y dovecot-imapd` (.ci/run does)"
            )
        self.binary = binary
        self.port = free_port()
        # Not under pytest's tmp_path: Dovecot's mail user must be able to enter it.
        self.root = Path(tempfile.mkdtemp(prefix="servicedesk-dovecot-"))
        self.root.chmod(0o755)
        self.process: subprocess.Popen[bytes] | None = None
        self._users = iter(range(USERS))

    def _config(self) -> str:
        mail = self.root / "mail"
        mail.mkdir(mode=0o755)
        if os.geteuid() == 0:
            # Dovecot never delivers mail as root: use its own unprivileged user.
            owner = pwd.getpwnam("dovecot")
            uid, gid = owner.pw_uid, owner.pw_gid
            os.chown(mail, uid, gid)
            accounts = ""
        else:
            # As an ordinary user: every Dovecot process runs as that user.
            uid, gid = os.getuid(), os.getgid()
            name, group = pwd.getpwuid(uid).pw_name, grp.getgrgid(gid).gr_name
            accounts = (
                f"default_login_user = {name}\ndefault_internal_user = {name}\n"
                f"default_internal_group = {group}\n"
                "service imap-login {\n  chroot =\n}\nservice anvil {\n  chroot =\n}\n"
            )
        passwd = self.root / "passwd"
        passwd.write_text("".join(f"desk{n}:{{PLAIN}}{PASSWORD}\n" for n in range(USERS)))
        return f"""
base_dir = {self.root}/run
state_dir = {self.root}/state
log_path = {self.root}/dovecot.log
protocols = imap
listen = 127.0.0.1
ssl = no
disable_plaintext_auth = no
auth_mechanisms = plain login
auth_failure_delay = 0
first_valid_uid = 1
mail_location = maildir:{mail}/%u
{accounts}
passdb {{
  driver = passwd-file
  args = scheme=PLAIN username_format=%u {passwd}
}}
userdb {{
  driver = static
  args = uid={uid} gid={gid} home={mail}/%u
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
"""

    def start(self) -> None:
        conf = self.root / "dovecot.conf"
        conf.write_text(self._config())
        self.process = subprocess.Popen(  # noqa: S603 (our own arguments)
            [self.binary, "-F", "-c", str(conf)],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
        )
        process = self.process
        if not wait_for_port(self.port, seconds=15, alive=lambda: process.poll() is None):
            self.stop()
            raise RuntimeError(f"Dovecot did not start:\n{self.log()}")

    def log(self) -> str:
        parts = []
        if self.process is not None and self.process.stderr is not None and self.process.poll():
            parts.append(self.process.stderr.read().decode("utf-8", "replace"))
        path = self.root / "dovecot.log"
        if path.exists():
            parts.append(path.read_text(errors="replace")[-4000:])
        return "\n".join(parts)

    def new_user(self) -> str:
        return f"desk{next(self._users)}"

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(timeout=5)
        shutil.rmtree(self.root, ignore_errors=True)
