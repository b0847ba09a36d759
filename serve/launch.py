"""Serve the dashboard to a class: N `streamlit run app.py` workers on local ports, nginx in front of them on one
public port with sticky sessions and websocket proxying, all under supervisord, which restarts whatever exits and
(through superlance's httpok) a worker whose /_stcore/health stops answering.

    python -m serve --workers 2 --port 8500          # what `make serve WORKERS=2 PORT=8500` runs

Writes nginx.conf and supervisord.conf from the templates beside this file into the run folder (logs and the
supervisor's socket go there too), then becomes supervisord. Stop it with Ctrl-C (or SIGTERM): supervisord stops
nginx and every worker. `supervisorctl -c RUN/supervisord.conf status` lists them.
"""
import argparse
import os
import secrets
import shutil
import sys
from dataclasses import dataclass
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
FIRST_WORKER_PORT = 8601
WORKER_BLOCK = """
[program:{name}]
command={python} -m streamlit run app.py --server.headless true --server.address 127.0.0.1 --server.port {port}
directory={root}
environment=STREAMLIT_SERVER_COOKIE_SECRET="{secret}",DASHBOARD_THREADS="{threads}"
autorestart=true
startsecs=5
stopwaitsecs=15
stopasgroup=true
killasgroup=true
stdout_logfile={run}/{name}.log
redirect_stderr=true

[eventlistener:{name}_health]
command={httpok} -p {name} -t 30 http://127.0.0.1:{port}/_stcore/health
events=TICK_60
stderr_logfile={run}/{name}-health.log
"""


def cores() -> int:
    return len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else (os.cpu_count() or 1)


@dataclass(frozen=True)
class Layout:
    """Where everything listens and writes."""
    host: str  # nginx's public address
    port: int  # nginx's public port
    worker_ports: tuple[int, ...]
    run: Path  # configs, logs, pid files, the supervisor's socket

    @property
    def workers(self) -> list[tuple[str, int]]:
        """(name, port) of each worker; the name is what the cookie `dashboard_worker` carries."""
        return [(f"worker{i + 1}", port) for i, port in enumerate(self.worker_ports)]

    @property
    def supervisord_conf(self) -> Path:
        return self.run / "supervisord.conf"


def fill(template: str, **parts: str) -> str:
    for name, text in parts.items():
        template = template.replace(f"@{name}@", text)
    return template


def nginx_conf(layout: Layout) -> str:
    servers = [f"127.0.0.1:{port}" for _, port in layout.workers]
    groups = []
    for name, port in layout.workers:
        own = f"127.0.0.1:{port}"
        lines = [f"        server {own} max_fails=1 fail_timeout=5s;"]
        lines += [f"        server {s} backup;" for s in servers if s != own]
        groups.append(f"    upstream {name} {{\n        zone {name} 64k;\n" + "\n".join(lines) + "\n    }")
    return fill(
        (HERE / "nginx.conf.template").read_text(),
        RUN=str(layout.run),
        USER="user nobody nogroup;" if os.geteuid() == 0 else "",  # as root, the workers drop to nobody
        LISTEN=f"{layout.host}:{layout.port}",
        CLASS_SERVERS="\n".join(f"        server {s} max_fails=1 fail_timeout=5s;" for s in servers),
        WORKER_UPSTREAMS="\n".join(groups),
        COOKIE_MAP="\n".join(f"        {name} {name};" for name, _ in layout.workers),
        ANSWER_MAP="\n".join(f'        "~(^|\\s)127\\.0\\.0\\.1:{port}$" {name};' for name, port in layout.workers),
    )


def supervisord_conf(layout: Layout, cookie_secret: str) -> str:
    """The cookie secret is shared, so the cookies Streamlit signs with it (its session cookie, a login) stay valid
    for a browser moved to another worker."""
    bindir = Path(sys.executable).parent
    threads = max(1, cores() // len(layout.worker_ports))  # torch threads per worker: the cores shared out
    blocks = [WORKER_BLOCK.format(name=name, port=port, python=sys.executable, root=ROOT, run=layout.run,
                                  secret=cookie_secret, threads=threads, httpok=bindir / "httpok")
              for name, port in layout.workers]
    nginx = shutil.which("nginx") or shutil.which("nginx", path="/usr/sbin:/sbin")
    if nginx is None:
        raise SystemExit("nginx is not installed: `make install` installs it (Debian package nginx).")
    return fill((HERE / "supervisord.conf.template").read_text(), RUN=str(layout.run), ROOT=str(ROOT),
                NGINX=nginx, WORKERS="".join(blocks))


def write(layout: Layout) -> Path:
    """Write both configurations into the run folder; returns supervisord's."""
    layout.run.mkdir(parents=True, exist_ok=True)
    os.chmod(layout.run, 0o755)  # nginx's workers (nobody, when started as root) create their temp folders inside
    (layout.run / "nginx-tmp").mkdir(exist_ok=True)
    os.chmod(layout.run / "nginx-tmp", 0o755)
    (layout.run / "nginx.conf").write_text(nginx_conf(layout))
    conf = layout.supervisord_conf
    conf.touch(mode=0o600)
    conf.chmod(0o600)  # it holds the cookie secret
    conf.write_text(supervisord_conf(layout, secrets.token_hex(32)))
    return conf


def parse(argv=None) -> Layout:
    ap = argparse.ArgumentParser(prog="python -m serve", description=__doc__,
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--workers", type=int, default=cores(), help="worker processes (default: one per core)")
    ap.add_argument("--host", default="0.0.0.0", help="nginx's public address (default: every interface)")
    ap.add_argument("--port", type=int, default=8500, help="nginx's public port")
    ap.add_argument("--worker-ports", type=lambda s: tuple(int(p) for p in s.split(",")),
                    help=f"comma-separated worker ports (default: {FIRST_WORKER_PORT}, {FIRST_WORKER_PORT + 1}, …)")
    ap.add_argument("--run-dir", type=Path, help="configs, logs and sockets (default: /tmp/dashboard-serve-PORT)")
    a = ap.parse_args(argv)
    ports = a.worker_ports or tuple(range(FIRST_WORKER_PORT, FIRST_WORKER_PORT + a.workers))
    if not ports or min(ports) < 1:
        ap.error("at least one worker")
    return Layout(a.host, a.port, ports, (a.run_dir or Path(f"/tmp/dashboard-serve-{a.port}")).resolve())


def main(argv=None) -> None:
    layout = parse(argv)
    conf = write(layout)
    print(f"Serving {len(layout.worker_ports)} workers at http://{layout.host}:{layout.port}/ "
          f"(logs and configs: {layout.run})", flush=True)
    supervisord = Path(sys.executable).parent / "supervisord"
    os.execv(supervisord, [str(supervisord), "-c", str(conf)])
