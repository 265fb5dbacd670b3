# ruff: noqa: E501 - Postfix configuration lines are kept whole
"""A real Postfix (Debian's package) with its own config and queue directories, on loopback addresses.

One master process serves every scenario: each scenario is an smtpd (or postscreen) listener on its own
127.0.0.x address, all on one unprivileged port (like port 25 on real hosts), with its restrictions given
as `-o` overrides in master.cf. Nothing is installed as a service and nothing listens on port 25.
postgrey runs beside it as the greylisting policy server. Postfix does no DNS lookups (peer names and the
SMTP client's lookups are off; verification probes go to a bracketed loopback address).
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

from tests.servers.smtp import free_port_on_all

POSTFIX = "/usr/sbin/postfix"
POSTGREY = "/usr/sbin/postgrey"
DOMAIN = "pf.test"  # the protected domain: relayed to its (absent) mailbox server, recipients listed
VALID = f"valid@{DOMAIN}"
GREYLISTED = f"greylisted@{DOMAIN}"
VERIFY_DOMAIN = "verify.test"  # recipients verified at a next hop that is down (connection refused)
NEXT_HOP_DOWN = "127.0.0.139"  # nothing listens here
HELO_STRICT = "reject_non_fqdn_helo_hostname"
PROBE_HELO = "portal.diag.test"  # the suite's DIAG_HELO_NAME (helo-blocklisted refuses it)

# address -> (scenario, master.cf service type, -o overrides). Every listener relays for nobody unless noted.
LISTENERS: dict[str, tuple[str, str, dict[str, str]]] = {
    "127.0.0.121": ("relay-denied", "smtpd", {"smtpd_relay_restrictions": "$reject_relay"}),
    "127.0.0.132": ("relay-deferred", "smtpd", {}),  # Postfix's default: defer_unauth_destination (454)
    "127.0.0.133": (
        "too-many-errors",  # disconnects with 421 after one error
        "smtpd",
        {"smtpd_relay_restrictions": "$reject_relay", "smtpd_hard_error_limit": "1"},
    ),
    "127.0.0.122": ("open-relay", "smtpd", {"mynetworks": "127.0.0.0/8"}),
    "127.0.0.123": (
        "helo-rejected",  # relays for clients with a fully qualified HELO name; rejects the others at RCPT
        "smtpd",
        {"mynetworks": "127.0.0.0/8", "smtpd_helo_required": "yes", "smtpd_helo_restrictions": HELO_STRICT},
    ),
    "127.0.0.124": ("sender-rejected", "smtpd", {"smtpd_sender_restrictions": "$sender_blocklist"}),
    "127.0.0.125": ("starttls-required", "smtpd", {"smtpd_tls_security_level": "encrypt"}),
    "127.0.0.126": (
        "starttls-old-only",  # requires TLS but speaks only TLS 1.0: the probe's handshake fails
        "smtpd",
        {"smtpd_tls_security_level": "encrypt", "smtpd_tls_mandatory_protocols": "$tls1_only"},
    ),
    "127.0.0.127": ("greylisting", "smtpd", {"smtpd_recipient_restrictions": "$greylisting"}),
    "127.0.0.128": ("unverified-next-hop-down", "smtpd", {"smtpd_recipient_restrictions": "$verify_recipients"}),
    "127.0.0.129": ("accept-all", "smtpd", {"smtpd_reject_unlisted_recipient": "no"}),
    "127.0.0.130": ("client-rejected", "smtpd", {"smtpd_client_restrictions": "$client_blocklist"}),
    "127.0.0.131": ("postscreen", "postscreen", {"smtpd_service_name": "plainsmtpd"}),
    "127.0.0.134": ("helo-blocklisted", "smtpd", {"smtpd_helo_restrictions": "$helo_blocklist"}),
    "127.0.0.135": ("valid-blocked", "smtpd", {"smtpd_recipient_restrictions": "$valid_blocked"}),
    "127.0.0.136": (
        "postscreen-drop",  # the portal's address is on postscreen's access list: 521 greeting, then hang up
        "postscreen",
        {"postscreen_access_list": "$postscreen_denylist", "postscreen_denylist_action": "drop"},
    ),
}
ADDRESS = {scenario: address for address, (scenario, _, _) in LISTENERS.items()}

MAIN_CF = """
compatibility_level = 3.6
queue_directory = {root}/queue
data_directory = {root}/data
mail_owner = postfix
setgid_group = postdrop
maillog_file = {root}/maillog
maillog_file_prefixes = {root}
myhostname = mx.{domain}
mydomain = {domain}
myorigin = $myhostname
mydestination =
local_recipient_maps =
alias_maps =
alias_database =
inet_interfaces = 127.0.0.1
inet_protocols = ipv4
mynetworks = 127.0.0.250/32
relay_domains = {domain}, {verify_domain}
relay_recipient_maps = inline:{{ {valid}=ok, {greylisted}=ok, postmaster@{domain}=ok }}
transport_maps = inline:{{ {domain}=discard:, {verify_domain}=smtp:[{next_hop}]:{port} }}
smtpd_banner = $myhostname ESMTP
smtpd_peername_lookup = no
smtp_dns_support_level = disabled
smtp_connect_timeout = 2s
smtpd_tls_cert_file = {cert}
smtpd_tls_key_file = {key}
smtpd_tls_security_level = may
address_verify_poll_count = 1
postscreen_greet_banner = $smtpd_banner (postscreen)
postscreen_greet_wait = 1s
postscreen_greet_action = enforce
postscreen_cache_map =
sender_blocklist = check_sender_access inline:{{ <>=REJECT, {{ portal.diag.test = REJECT Not accepted from this domain }} }}
client_blocklist = check_client_access inline:{{ 127.0.0.1=REJECT }}
tls1_only = !SSLv2, !SSLv3, !TLSv1.1, !TLSv1.2, !TLSv1.3
greylisting = reject_unauth_destination, reject_unlisted_recipient, check_policy_service inet:127.0.0.1:{postgrey}
reject_relay = permit_mynetworks, reject_unauth_destination
helo_blocklist = check_helo_access inline:{{ {helo}=REJECT }}
valid_blocked = check_recipient_access inline:{{ {valid}=REJECT }}, reject_unauth_destination
postscreen_denylist = cidr:{root}/conf/postscreen_access.cidr
verify_recipients = reject_unauth_destination, reject_unverified_recipient
"""

MASTER_CF_SERVICES = """
pickup    unix  n       -       n       60      1       pickup
cleanup   unix  n       -       n       -       0       cleanup
qmgr      unix  n       -       n       300     1       qmgr
tlsmgr    unix  -       -       n       1000?   1       tlsmgr
rewrite   unix  -       -       n       -       -       trivial-rewrite
bounce    unix  -       -       n       -       0       bounce
defer     unix  -       -       n       -       0       bounce
trace     unix  -       -       n       -       0       bounce
verify    unix  -       -       n       -       1       verify
flush     unix  n       -       n       1000?   0       flush
proxymap  unix  -       -       n       -       -       proxymap
smtp      unix  -       -       n       -       -       smtp
relay     unix  -       -       n       -       -       smtp
error     unix  -       -       n       -       -       error
retry     unix  -       -       n       -       -       error
discard   unix  -       -       n       -       -       discard
anvil     unix  -       -       n       -       1       anvil
scache    unix  -       -       n       -       1       scache
postlog   unix-dgram n  -       n       -       1       postlogd
smtpd     pass  -       -       n       -       -       smtpd
plainsmtpd pass -       -       n       -       -       smtpd -o smtpd_tls_security_level=none -o smtpd_relay_restrictions=$reject_relay
dnsblog   unix  -       -       n       -       0       dnsblog
tlsproxy  unix  -       -       n       -       0       tlsproxy
"""


LAB = "lab.test"  # every listener is <scenario>.lab.test in the suite's DNS


def make_certificate(directory: Path) -> Path:
    """A self-signed certificate and key for *.lab.test (cert.pem, key.pem)."""
    openssl = shutil.which("openssl")
    if not openssl:
        raise RuntimeError("the openssl binary is needed to make Postfix's certificate (apt-get install openssl)")
    key, cert = directory / "key.pem", directory / "cert.pem"
    subprocess.run(  # noqa: S603 - fixed arguments, local binary
        [openssl, "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes",
         "-keyout", str(key), "-out", str(cert), "-days", "1", "-subj", f"/CN=*.{LAB}",
         "-addext", f"subjectAltName=DNS:*.{LAB}"],
        check=True, capture_output=True, timeout=30,
    )  # fmt: skip
    key.chmod(0o600)
    return cert


def installed() -> str:
    """Why the suite cannot run here ("" when it can): Postfix and postgrey must be installed, run as root."""
    missing = [path for path in (POSTFIX, POSTGREY) if not os.path.exists(path)]
    if missing:
        return f"{', '.join(missing)} missing (apt-get install postfix postgrey)"
    if os.geteuid() != 0:
        return "Postfix's master daemon must be started as root"
    return ""


def wait_for_port(address: str, port: int, seconds: float = 10.0, *, greeting: bool = False) -> None:
    """Until `address:port` accepts a connection (and with `greeting`, until the server sends its first bytes: a
    listener whose process is not serving yet accepts the connection but says nothing)."""
    end = time.monotonic() + seconds
    error: OSError | None = None
    while time.monotonic() < end:
        try:
            with socket.create_connection((address, port), timeout=2) as sock:
                if not greeting or sock.recv(3):
                    return
        except OSError as exception:
            error = exception
        time.sleep(0.05)
    raise TimeoutError(f"{address}:{port} is not serving after {seconds} s") from error


def alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    return True


class Postfix:
    """The Postfix instance and its postgrey, started by `start()` and stopped by `stop()`."""

    def __init__(self) -> None:
        self.root = Path(tempfile.mkdtemp(prefix="diag-postfix-"))
        self.root.chmod(0o755)  # Postfix's daemons run as the postfix user and open paths under it
        self.port = free_port_on_all([*LISTENERS, NEXT_HOP_DOWN])
        self.postgrey_port = free_port_on_all(["127.0.0.1"])
        self.postgrey: subprocess.Popen | None = None
        self.started = False

    def path(self, name: str) -> Path:
        return self.root / name

    def write_config(self) -> None:
        tls = self.path("tls")
        tls.mkdir()
        cert = self.cert = make_certificate(tls)
        conf = self.path("conf")
        conf.mkdir()
        main = MAIN_CF.format(
            root=self.root,
            domain=DOMAIN,
            verify_domain=VERIFY_DOMAIN,
            valid=VALID,
            greylisted=GREYLISTED,
            next_hop=NEXT_HOP_DOWN,
            port=self.port,
            postgrey=self.postgrey_port,
            helo=PROBE_HELO,
            cert=cert,
            key=tls / "key.pem",
        )
        (conf / "main.cf").write_text(main)
        (conf / "postscreen_access.cidr").write_text("127.0.0.1/32 reject\n")
        lines = [MASTER_CF_SERVICES.strip()]
        for address, (_, service, overrides) in LISTENERS.items():
            options = "".join(f" -o {name}={value}" for name, value in overrides.items())
            lines.append(f"{address}:{self.port} inet n - n - 1 {service}{options}")
        (conf / "master.cf").write_text("\n".join(lines) + "\n")
        for directory in ("data", "postgrey", "queue"):
            self.path(directory).mkdir()
        postfix_user = pwd.getpwnam("postfix")
        os.chown(self.path("data"), postfix_user.pw_uid, postfix_user.pw_gid)
        postgrey_user = pwd.getpwnam("postgrey")
        os.chown(self.path("postgrey"), postgrey_user.pw_uid, postgrey_user.pw_gid)

    def postfix(self, *args: str) -> subprocess.CompletedProcess:
        return subprocess.run(  # noqa: S603 - fixed binary, our own arguments
            [POSTFIX, "-c", str(self.path("conf")), *args], capture_output=True, text=True, timeout=60, check=False
        )

    def start(self) -> Postfix:
        self.write_config()
        self.postgrey = subprocess.Popen(  # noqa: S603
            [POSTGREY, f"--inet=127.0.0.1:{self.postgrey_port}", f"--dbdir={self.path('postgrey')}",
             "--delay=1", "--max-age=1", f"--pidfile={self.path('postgrey.pid')}", "--auto-whitelist-clients=0",
             "--whitelist-clients=/dev/null", "--whitelist-recipients=/dev/null"],
            stdout=subprocess.DEVNULL, stderr=open(self.path("postgrey.log"), "w"),  # noqa: SIM115
        )  # fmt: skip
        done = self.postfix("start")
        if done.returncode != 0:
            raise RuntimeError(f"postfix start failed: {done.stdout}{done.stderr}{self.log()}")
        self.started = True
        for address in LISTENERS:
            wait_for_port(address, self.port, greeting=True)
        wait_for_port("127.0.0.1", self.postgrey_port)
        return self

    def stop(self) -> None:
        if self.started:
            pid = int(self.path("queue/pid/master.pid").read_text().split()[0])
            self.postfix("stop")
            end = time.monotonic() + 10
            while alive(pid) and time.monotonic() < end:
                time.sleep(0.05)
        if self.postgrey is not None:
            self.postgrey.terminate()
            self.postgrey.wait(10)
        shutil.rmtree(self.root, ignore_errors=True)

    def log(self) -> str:
        path = self.path("maillog")
        return path.read_text(errors="replace") if path.exists() else ""
