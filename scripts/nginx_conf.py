"""Write deploy/nginx.conf's template out for one nginx instance, and start or stop that instance.

    python scripts/nginx_conf.py PREFIX --listen 127.0.0.1:8000 --upstream 127.0.0.1:8001 [--daemon]
        [--certificate FILE --key FILE] [--static-root DIR] [--read-timeout 60s]
        [--upstream-keepalive 16]

writes PREFIX/nginx.conf (with PREFIX/logs and PREFIX/tmp) and prints the command that starts nginx with it.
`make serve`, scripts/loadlib.py and tests/deploy/ use it; in production the same file is written once.
"""

from __future__ import annotations

import argparse
import os
import pwd
import shutil
import sys
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
TEMPLATE = ROOT / "deploy" / "nginx.conf"


@dataclass(frozen=True)
class NginxSite:
    listen: str  # "127.0.0.1:8000", "[::]:443" ...
    upstream: str  # gunicorn: "127.0.0.1:8001" or "unix:/run/portal/gunicorn.sock"
    static_root: Path = ROOT / "staticfiles"
    certificate: Path | None = None  # TLS at nginx when both are given
    key: Path | None = None
    daemon: bool = False  # in the foreground by default (make serve, tests); a service manager may want "on"
    read_timeout: str = "60s"
    upstream_keepalive: int = 16  # idle connections to gunicorn kept per nginx worker; 0: one per request
    access_log: str = "logs/access.log"
    error_log: str = "stderr"

    def render(self) -> str:
        tls = ""
        listen = self.listen
        if self.certificate and self.key:
            listen += " ssl"
            tls = (
                f"ssl_certificate {self.certificate};\n        ssl_certificate_key {self.key};\n"
                "        ssl_protocols TLSv1.2 TLSv1.3;\n        ssl_session_cache shared:portal_tls:10m;"
            )
        values = {
            "user": worker_user(),
            "daemon": "on" if self.daemon else "off",
            "error_log": self.error_log,
            "access_log": self.access_log,
            "upstream": self.upstream,
            "listen": listen,
            "tls": tls,
            "static_root": str(Path(self.static_root).resolve()),
            "read_timeout": self.read_timeout,
            "upstream_keepalive": self.keepalive_directives(),
            "deploy_dir": str(TEMPLATE.parent),
        }
        text = TEMPLATE.read_text(encoding="utf-8")
        for name, value in values.items():
            text = text.replace("{{ " + name + " }}", value)
        if "{{" in text:
            raise ValueError(f"{TEMPLATE} has a value nobody filled in: {text[text.index('{{') :][:40]}")
        return text

    def keepalive_directives(self) -> str:
        if self.upstream_keepalive <= 0:
            return ""
        return f"keepalive {self.upstream_keepalive};\n        keepalive_timeout 30s;"

    def write(self, prefix: Path) -> Path:
        """PREFIX/nginx.conf, with the directories nginx writes to; the path of the file."""
        for directory in (prefix, prefix / "logs", prefix / "tmp"):
            directory.mkdir(parents=True, exist_ok=True)
        path = prefix / "nginx.conf"
        path.write_text(self.render(), encoding="utf-8")
        return path


def worker_user() -> str:
    """nginx started as root runs its workers as `nobody`, who may not read a checkout under a private home or
    temporary directory: there they run as the checkout's owner instead. Started as another user, nothing."""
    if os.geteuid() != 0:
        return ""
    return f"user {pwd.getpwuid(TEMPLATE.stat().st_uid).pw_name};"


def nginx_binary() -> str | None:
    return shutil.which("nginx") or next((p for p in ("/usr/sbin/nginx",) if os.access(p, os.X_OK)), None)


def command(prefix: Path) -> list[str]:
    binary = nginx_binary()
    if binary is None:
        raise SystemExit("nginx is not installed (Debian: apt-get install nginx)")
    prefix = prefix.resolve()
    return [binary, "-e", "stderr", "-p", f"{prefix}/", "-c", str(prefix / "nginx.conf")]


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("prefix", type=Path)
    parser.add_argument("--listen", required=True)
    parser.add_argument("--upstream", required=True)
    parser.add_argument("--static-root", type=Path, default=ROOT / "staticfiles")
    parser.add_argument("--certificate", type=Path)
    parser.add_argument("--key", type=Path)
    parser.add_argument("--daemon", action="store_true")
    parser.add_argument("--read-timeout", default="60s")
    parser.add_argument("--upstream-keepalive", type=int, default=NginxSite.upstream_keepalive)
    args = parser.parse_args(argv)
    site = NginxSite(
        listen=args.listen,
        upstream=args.upstream,
        static_root=args.static_root,
        certificate=args.certificate,
        key=args.key,
        daemon=args.daemon,
        read_timeout=args.read_timeout,
        upstream_keepalive=args.upstream_keepalive,
    )
    site.write(args.prefix)
    print(" ".join(command(args.prefix)))


if __name__ == "__main__":
    sys.exit(main())
