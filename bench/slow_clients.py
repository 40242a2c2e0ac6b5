"""Slow clients: with ten connections trickling one header line a second, ordinary requests still
answer within a second, because nginx (deploy/nginx/timeline.conf.template, the same file
docker-compose.yml uses) holds them instead of gunicorn's sync workers.

    .venv/bin/python bench/slow_clients.py        # about a minute; needs nginx, openssl, redis-server

Runs on 127.0.0.1: Debian's nginx with the repository's template (TLS with a throwaway
self-signed certificate, the static files), gunicorn with the production settings and
config/gunicorn.py (2 sync workers), a private redis-server as the shared cache, and a SQLite
database holding the seed timeline. First the ten slow clients go straight to gunicorn (the
problem: an ordinary request waits), then to nginx (the check). Prints each ordinary request's
time both ways and exits 1 if any through nginx took a second or more, or if the plain-HTTP
redirect, the static files or the scheme seen by the app are wrong.
"""
import http.client
import os
import shutil
import socket
import ssl
import string
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from private_stack import BIN, PYTHON, ROOT, PrivateRedis, free_port, remove_workdir, report_checks, wait_for  # noqa: E402

TEMPLATE = ROOT / "deploy" / "nginx" / "timeline.conf.template"
SLOW_CLIENTS = 10
LIMIT_SECONDS = 1.0
ORDINARY = ["/", "/timeline/", "/about/", "/api/v1/events/", "/static/timeline/site.css", "/healthz"]
ROUNDS = 3


def render_template(values):
    """Fill the template's ${NGINX_...} placeholders, leaving nginx's own $variables alone."""
    return string.Template(TEMPLATE.read_text()).safe_substitute(values)


def nginx_main_config(workdir, site_config):
    """A whole nginx.conf around the site's server blocks, with every path inside workdir."""
    return f"""
worker_processes 1;
pid {workdir}/nginx.pid;
error_log {workdir}/nginx-error.log warn;
events {{ worker_connections 1024; }}
http {{
    include /etc/nginx/mime.types;
    default_type application/octet-stream;
    access_log {workdir}/nginx-access.log;
    client_body_temp_path {workdir}/client_body;
    proxy_temp_path {workdir}/proxy;
    fastcgi_temp_path {workdir}/fastcgi;
    uwsgi_temp_path {workdir}/uwsgi;
    scgi_temp_path {workdir}/scgi;
{site_config}
}}
"""


class SlowClient(threading.Thread):
    """Open a connection and send one header line a second until told to stop."""

    def __init__(self, port, use_tls, stop):
        super().__init__(daemon=True)
        self.port, self.use_tls, self.stop = port, use_tls, stop

    def run(self):
        sock = None
        try:
            sock = socket.create_connection(("127.0.0.1", self.port), timeout=5)
            if self.use_tls:
                sock = insecure_tls().wrap_socket(sock, server_hostname="localhost")
            sock.sendall(b"GET / HTTP/1.1\r\nHost: localhost\r\n")
            line = 0
            while not self.stop.wait(1.0):
                line += 1
                sock.sendall(f"X-Slow-{line}: {line}\r\n".encode())
        except OSError:
            pass  # the server gave up on us: that is what a good server does
        finally:
            if sock is not None:
                sock.close()


def insecure_tls():
    context = ssl.create_default_context()
    context.check_hostname = False
    context.verify_mode = ssl.CERT_NONE  # the throwaway self-signed certificate of this run
    return context


def timed_get(port, path, use_tls, timeout=5.0):
    """Return (status or an error name, seconds, response headers)."""
    began = time.monotonic()
    if use_tls:
        connection = http.client.HTTPSConnection("127.0.0.1", port, timeout=timeout, context=insecure_tls())
    else:
        connection = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout)
    try:
        connection.request("GET", path, headers={"Host": "localhost"})
        response = connection.getresponse()
        response.read()
        return response.status, time.monotonic() - began, dict(response.getheaders())
    except OSError as exc:
        return type(exc).__name__, time.monotonic() - began, {}
    finally:
        connection.close()


def under_attack(port, use_tls):
    """Ordinary requests' (path, status, seconds) while ten slow clients hold connections."""
    stop = threading.Event()
    clients = [SlowClient(port, use_tls, stop) for _ in range(SLOW_CLIENTS)]
    for client in clients:
        client.start()
    time.sleep(2.0)  # the slow clients are connected and trickling
    results = []
    try:
        for _ in range(ROUNDS):
            for path in ORDINARY:
                status, seconds, _ = timed_get(port, path, use_tls, timeout=3.0)
                results.append((path, status, seconds))
    finally:
        stop.set()
        for client in clients:
            client.join(5)
    return results


def start(args, env, log):
    return subprocess.Popen(args, cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT)


def main():
    for tool in ("nginx", "openssl", "redis-server"):
        if not shutil.which(tool) and not Path(f"/usr/sbin/{tool}").exists():
            sys.exit(f"{tool} is not installed (Debian: apt-get install -y {tool})")
    nginx = shutil.which("nginx") or "/usr/sbin/nginx"
    workdir = Path(tempfile.mkdtemp(prefix="bench-slow-clients-"))
    workdir.chmod(0o755)  # nginx's workers (an unprivileged user) read the static files in it
    redis = PrivateRedis(workdir)
    processes = []
    checks = []
    try:
        redis.start()
        static_root = workdir / "static"
        env = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "CELERY_BROKER_URL", "DEBUG")}
        env.update(
            DJANGO_SETTINGS_MODULE="config.production",
            SECRET_KEY="slow-clients-" + "k3yabcdefghijklmnopqrstuvwxyz0123456789" * 2,
            ALLOWED_HOSTS="localhost,127.0.0.1", VAR_DIR=str(workdir), STATIC_ROOT=str(static_root),
            DATABASE_URL=f"sqlite:///{workdir / 'timeline.sqlite3'}", REDIS_CACHE_URL=redis.url(1),
            TRUSTED_PROXY_COUNT="1", SECURE_SSL_REDIRECT="1", WEB_CONCURRENCY="2",
        )
        for command in (["migrate", "-v0"], ["loaddata", "seed_timeline", "-v0"], ["collectstatic", "--noinput", "-v0"]):
            subprocess.run([PYTHON, "manage.py", *command], cwd=ROOT, env=env, check=True)
        subprocess.run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1", "-subj", "/CN=localhost",
                        "-keyout", str(workdir / "key.pem"), "-out", str(workdir / "cert.pem")],
                       check=True, capture_output=True)

        app_port, http_port, https_port = free_port(), free_port(), free_port()
        web_log = open(workdir / "gunicorn.log", "w")
        processes.append(start([str(BIN / "gunicorn"), "-c", "config/gunicorn.py", "config.wsgi:application"],
                               dict(env, GUNICORN_BIND=f"127.0.0.1:{app_port}"), web_log))
        site = render_template({
            "NGINX_HTTP_PORT": f"127.0.0.1:{http_port}", "NGINX_HTTPS_PORT": f"127.0.0.1:{https_port}",
            "NGINX_HTTPS_PORT_SUFFIX": f":{https_port}", "NGINX_SERVER_NAME": "_",
            "NGINX_TLS_CERT": str(workdir / "cert.pem"), "NGINX_TLS_KEY": str(workdir / "key.pem"),
            "NGINX_UPSTREAM": f"127.0.0.1:{app_port}", "NGINX_STATIC_ROOT": str(static_root),
        })
        config = workdir / "nginx.conf"
        config.write_text(nginx_main_config(workdir, site))
        subprocess.run([nginx, "-t", "-c", str(config), "-e", str(workdir / "nginx-error.log")],
                       check=True, capture_output=True)
        nginx_log = open(workdir / "nginx.log", "w")
        processes.append(start([nginx, "-c", str(config), "-e", str(workdir / "nginx-error.log"),
                                "-g", "daemon off;"], env, nginx_log))
        wait_for(lambda: timed_get(app_port, "/healthz", False)[0] == 200, 60, "gunicorn")
        wait_for(lambda: timed_get(https_port, "/healthz", True)[0] == 200, 30, "nginx")
        for _ in range(4):  # warm both workers: first renders, lazy imports, the page cache
            for path in ORDINARY:
                timed_get(https_port, path, True, timeout=30)

        # Through nginx first: straight to gunicorn, the slow clients hold its workers until
        # gunicorn's timeout kills them, and fresh workers start cold.
        proxied = under_attack(https_port, use_tls=True)
        direct = under_attack(app_port, use_tls=False)

        print(f"[slow clients] {SLOW_CLIENTS} connections sending one header line a second; gunicorn with "
              f"2 sync workers (production settings); {ROUNDS} rounds of ordinary requests")
        print(f"{'path':28} {'straight to gunicorn':>24} {'through nginx':>16}")
        for (path, d_status, d_seconds), (_, p_status, p_seconds) in zip(direct, proxied):
            print(f"{path:28} {str(d_status):>10} {d_seconds:8.3f} s {str(p_status):>6} {p_seconds:7.3f} s")
        slowest = max(seconds for _, _, seconds in proxied)
        slowest_direct = max(seconds for _, _, seconds in direct)
        print(f"[slow clients] slowest ordinary request: {slowest_direct:.3f} s straight to gunicorn "
              f"(3 s client timeout), {slowest:.3f} s through nginx; ratio to the 1 s limit {slowest / LIMIT_SECONDS:.3f}")
        checks.append((f"through nginx every ordinary request answered 200 within {LIMIT_SECONDS:.0f} s",
                       all(status == 200 and seconds < LIMIT_SECONDS for _, status, seconds in proxied),
                       str([(p, s, round(t, 3)) for p, s, t in proxied if s != 200 or t >= LIMIT_SECONDS])))

        status, _, headers = timed_get(http_port, "/about/?x=1", False)
        expected = f"https://localhost:{https_port}/about/?x=1"
        checks.append(("plain HTTP answers 301 to HTTPS on the same public port",
                       status == 301 and headers.get("Location") == expected, f"{status} {headers.get('Location')}"))
        status, _, headers = timed_get(https_port, "/static/timeline/site.css", True)
        checks.append(("nginx serves the static files", status == 200 and "Django" not in headers.get("Server", "")
                       and "max-age" in headers.get("Cache-Control", ""), f"{status} {headers}"))
        status, _, headers = timed_get(https_port, "/about/", True)
        checks.append(("behind nginx the app sees HTTPS (no redirect loop) and sends HSTS",
                       status == 200 and "max-age" in headers.get("Strict-Transport-Security", ""),
                       f"{status} {headers.get('Location')}"))
    finally:
        for process in reversed(processes):
            process.terminate()
            try:
                process.wait(10)
            except subprocess.TimeoutExpired:
                process.kill()
        redis.stop()
        remove_workdir(workdir)
    return report_checks(checks)


if __name__ == "__main__":
    sys.exit(main())
