"""The shipped deploy/nginx.conf, run by Debian's nginx on loopback ports in front of gunicorn.

Used by tests/system/test_proxy.py and tests/perf/bench_pages.py. The site file is rendered as an operator
would fill it in, with plain HTTP on loopback ports in place of TLS (no certificate here): each line that changes
is named below, and rendering fails if one is missing, so the file and its test cannot drift apart silently.
"""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import time
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
SITE_FILE = ROOT / "deploy" / "nginx.conf"
MIME_TYPES = Path("/etc/nginx/mime.types")


def find_nginx() -> str | None:
    return shutil.which("nginx") or next((p for p in ("/usr/sbin/nginx",) if os.access(p, os.X_OK)), None)


def render_site(*, server_name: str, upstream: str, cache_path: Path, port: int, http_port: int) -> str:
    """deploy/nginx.conf with its placeholders filled in, serving on 127.0.0.1:``port`` (the TLS site) and
    127.0.0.1:``http_port`` (the redirect to https) instead of 443 and 80."""
    text = SITE_FILE.read_text()
    for placeholder, value in (
        ("@SERVER_NAME@", server_name),
        ("@UPSTREAM@", upstream),
        ("@CACHE_PATH@", str(cache_path)),
        ("@APP_DIR@", str(ROOT)),
    ):
        if placeholder not in text:
            raise AssertionError(f"{SITE_FILE.name}: no {placeholder} placeholder")
        text = text.replace(placeholder, value)
    lines = {
        "listen 443 ssl;": f"listen 127.0.0.1:{port};",
        "listen 443 ssl default_server;": f"listen 127.0.0.1:{port} default_server;",
        "listen 80;": f"listen 127.0.0.1:{http_port};",
        "listen 80 default_server;": f"listen 127.0.0.1:{http_port} default_server;",
        "listen [::]:443 ssl;": "",
        "listen [::]:443 ssl default_server;": "",
        "listen [::]:80;": "",
        "listen [::]:80 default_server;": "",
        f"ssl_certificate     /etc/letsencrypt/live/{server_name}/fullchain.pem;": "",
        f"ssl_certificate_key /etc/letsencrypt/live/{server_name}/privkey.pem;": "",
    }
    rendered, seen = [], set()
    for line in text.splitlines():
        key = line.split("#", 1)[0].strip()
        if key in lines:
            seen.add(key)
            line = line.replace(key, lines[key])
        rendered.append(line)
    if missing := set(lines) - seen:
        raise AssertionError(f"{SITE_FILE.name} no longer has: {sorted(missing)}")
    return "\n".join(rendered) + "\n"


def main_conf(prefix: Path, site: Path, *, workers: int = 1, access_log: bool = True) -> str:
    """What Debian's /etc/nginx/nginx.conf gives a site file: an http {} block, here with every path in
    ``prefix``."""
    user = "user root;\n" if os.geteuid() == 0 else ""  # workers must reach the test's private temp directory
    mime = f"include {MIME_TYPES};" if MIME_TYPES.exists() else ""
    log = f"access_log {prefix}/access.log;" if access_log else "access_log off;"
    return (
        f"{user}worker_processes {workers};\n"
        f"pid {prefix}/nginx.pid;\n"
        f"error_log {prefix}/error.log warn;\n"
        "events { worker_connections 1024; }\n"
        "http {\n"
        f"    {mime}\n    default_type application/octet-stream;\n    sendfile on;\n    {log}\n"
        + "".join(
            f"    {kind}_temp_path {prefix}/{kind}_temp;\n"
            for kind in ("client_body", "proxy", "fastcgi", "uwsgi", "scgi")
        )
        + f"    include {site};\n"
        "}\n"
    )


@dataclass
class Nginx:
    """Debian's nginx, not daemonised, with deploy/nginx.conf in front of gunicorn at ``upstream``."""

    binary: str
    prefix: Path
    upstream: str
    server_name: str = "127.0.0.1"
    port: int = 0
    http_port: int = 0
    workers: int = 1
    access_log: bool = True
    process: subprocess.Popen | None = None

    def start(self) -> Nginx:
        from tests.system.cluster import free_port

        self.port = self.port or free_port()
        self.http_port = self.http_port or free_port()
        self.prefix.mkdir(parents=True, exist_ok=True)
        site = self.prefix / "site.conf"
        site.write_text(
            render_site(
                server_name=self.server_name,
                upstream=self.upstream,
                cache_path=self.prefix / "cache",
                port=self.port,
                http_port=self.http_port,
            )
        )
        conf = self.prefix / "nginx.conf"
        conf.write_text(main_conf(self.prefix, site, workers=self.workers, access_log=self.access_log))
        argv = [
            self.binary,
            "-p",
            f"{self.prefix}/",
            "-c",
            str(conf),
            "-e",
            str(self.prefix / "error.log"),
            "-g",
            "daemon off;",
        ]
        checked = subprocess.run([*argv[:-2], "-t"], check=False, capture_output=True, text=True, timeout=30)
        if checked.returncode != 0:
            raise RuntimeError(f"nginx -t refused the rendered deploy/nginx.conf:\n{checked.stderr}")
        with open(self.prefix / "nginx.out", "wb") as out:
            self.process = subprocess.Popen(
                argv, stdout=out, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL, start_new_session=True
            )
        self.wait_ready()
        return self

    def wait_ready(self, timeout: float = 15) -> None:
        import socket

        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"nginx exited with {self.process.returncode}:\n{self.errors()}")
            try:
                socket.create_connection(("127.0.0.1", self.port), timeout=1).close()
                return
            except OSError:
                time.sleep(0.05)
        raise RuntimeError(f"nginx not listening after {timeout} s:\n{self.errors()}")

    def errors(self) -> str:
        path = self.prefix / "error.log"
        return path.read_text(errors="replace")[-3000:] if path.exists() else ""

    def stop(self) -> None:
        if self.process is None or self.process.poll() is not None:
            return
        self.process.send_signal(signal.SIGQUIT)  # graceful: the master stops its workers
        try:
            self.process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            os.killpg(self.process.pid, signal.SIGKILL)  # the session this test started, and nothing else
            self.process.wait(timeout=10)
