"""A private stack on 127.0.0.1 for the load, fault and abuse runs: its own PostgreSQL cluster
(initdb + pg_ctl from Debian's binaries), its own redis-server, gunicorn, a Celery worker and
beat, each on an ephemeral port, so that restarting them disturbs no one else on the machine.
"""
import glob
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PYTHON = str(ROOT / ".venv" / "bin" / "python")
BIN = ROOT / ".venv" / "bin"


def free_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def wait_for(check, seconds, what):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            if check():
                return
        except Exception:  # noqa: BLE001 - not up yet
            pass
        time.sleep(0.2)
    raise RuntimeError(f"{what} did not come up within {seconds}s")


def _as_postgres_user(argv):
    """PostgreSQL refuses to run as root: run its tools as the postgres user then."""
    if os.geteuid() == 0:
        return ["runuser", "-u", "postgres", "--", *argv]
    return argv


class PrivatePostgres:
    def __init__(self, workdir):
        bins = sorted(glob.glob("/usr/lib/postgresql/*/bin/pg_ctl"), key=lambda p: int(p.split("/")[4]))
        if not bins:
            raise RuntimeError("PostgreSQL server binaries not found (apt-get install postgresql)")
        self.bin = Path(bins[-1]).parent
        self.dir = Path(workdir) / "pgdata"
        self.port = free_port()
        self.log = Path(workdir) / "postgres.log"

    @property
    def url(self):
        return f"postgres://postgres@127.0.0.1:{self.port}/timeline"

    def _ctl(self, *args):
        return subprocess.run(_as_postgres_user([str(self.bin / "pg_ctl"), "-D", str(self.dir), *args]),
                              capture_output=True, text=True, check=True)

    def init(self):
        self.dir.parent.mkdir(parents=True, exist_ok=True)
        self.dir.mkdir()
        self.log.touch()
        if os.geteuid() == 0:
            shutil.chown(self.dir.parent, "postgres")
            shutil.chown(self.dir, "postgres")
            shutil.chown(self.log, "postgres")
        subprocess.run(_as_postgres_user([str(self.bin / "initdb"), "-D", str(self.dir), "-U", "postgres",
                                          "-A", "trust", "-E", "UTF8", "--no-sync"]),
                       capture_output=True, text=True, check=True)
        return self

    def start(self):
        options = (f"-p {self.port} -c listen_addresses=127.0.0.1 -c unix_socket_directories='{self.dir.parent}' "
                   f"-c fsync=off -c synchronous_commit=off -c full_page_writes=off -c max_connections=100")
        self._ctl("-l", str(self.log), "-o", options, "-w", "-t", "60", "start")
        return self

    def restart(self):
        # -l again: without a log file the new postmaster would hold our output pipes open.
        self._ctl("-l", str(self.log), "-m", "fast", "-w", "-t", "60", "restart")

    def stop(self):
        try:
            self._ctl("-m", "immediate", "-w", "stop")
        except subprocess.CalledProcessError:
            pass

    def createdb(self, name="timeline"):
        subprocess.run([str(self.bin / "createdb"), "-h", "127.0.0.1", "-p", str(self.port), "-U", "postgres", name],
                       check=True, capture_output=True)


class PrivateRedis:
    def __init__(self, workdir):
        self.dir = Path(workdir) / "redis"
        self.dir.mkdir(parents=True, exist_ok=True)
        self.port = free_port()
        self.process = None

    def url(self, db=0):
        return f"redis://127.0.0.1:{self.port}/{db}"

    def start(self):
        # Append-only persistence, as in docker-compose: queued messages survive a restart.
        self.process = subprocess.Popen(
            ["redis-server", "--bind", "127.0.0.1", "--port", str(self.port), "--dir", str(self.dir),
             "--appendonly", "yes", "--save", ""],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        wait_for(lambda: socket.create_connection(("127.0.0.1", self.port), timeout=0.2).close() is None, 15, "redis")
        return self

    def stop(self):
        if self.process is not None:
            self.process.terminate()
            self.process.wait(15)
            self.process = None


class Service:
    """A process we started (in its own process group, so it can be killed with its children)."""

    def __init__(self, name, argv, env, log_path):
        self.name, self.argv, self.env, self.log_path = name, argv, env, Path(log_path)
        self.process = None

    def start(self):
        log = open(self.log_path, "ab")
        self.process = subprocess.Popen(self.argv, cwd=ROOT, env=self.env, stdout=log, stderr=subprocess.STDOUT,
                                        start_new_session=True)
        return self

    def kill(self):
        """SIGKILL the whole process group: no chance to finish or acknowledge anything."""
        if self.process is not None:
            try:
                os.killpg(self.process.pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
            self.process.wait(15)
            self.process = None

    def stop(self):
        if self.process is not None:
            try:
                os.killpg(self.process.pid, signal.SIGTERM)
                self.process.wait(20)
            except (ProcessLookupError, subprocess.TimeoutExpired):
                self.kill()
            self.process = None


def manage(env, *args, capture=True):
    result = subprocess.run([PYTHON, "manage.py", *args], cwd=ROOT, env=env, capture_output=capture, text=True)
    if result.returncode:
        raise RuntimeError(f"manage.py {' '.join(args)} failed:\n{result.stdout}\n{result.stderr}")
    return result.stdout


def gunicorn(env, port, workdir, workers=3):
    return Service("gunicorn", [str(BIN / "gunicorn"), "config.wsgi:application", "--bind", f"127.0.0.1:{port}",
                                "--workers", str(workers), "--timeout", "60", "--graceful-timeout", "5",
                                "--access-logfile", "-"],
                   env, Path(workdir) / "gunicorn.log")


def celery_worker(env, workdir):
    return Service("worker", [str(BIN / "celery"), "-A", "config", "worker", "--loglevel", "INFO",
                              "--concurrency", "1", "--without-gossip", "--without-mingle", "-n", "bench@%h"],
                   env, Path(workdir) / "worker.log")


def celery_beat(env, workdir):
    return Service("beat", [str(BIN / "celery"), "-A", "config", "beat", "--loglevel", "INFO",
                            "--schedule", str(Path(workdir) / "beat-schedule")],
                   env, Path(workdir) / "beat.log")


def get(url, timeout=10):
    try:
        with urllib.request.urlopen(url, timeout=timeout) as response:
            return response.status, response.read()
    except urllib.error.HTTPError as error:
        return error.code, error.read()


def base_env(**extra):
    env = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "CELERY_BROKER_URL", "REDIS_CACHE_URL",
                                                            "PROCESS_ROLE", "DEBUG")}
    env.update(
        DJANGO_SETTINGS_MODULE="config.production",
        SECRET_KEY="bench-" + "x7Qp2Lm9Vt4Rk8Zw1Hs6Jd3Nf5Gb0Yc" * 2,
        ALLOWED_HOSTS="127.0.0.1,localhost",
        SECURE_SSL_REDIRECT="0",  # plain HTTP on 127.0.0.1; TLS is the proxy's job
        PYTHONUNBUFFERED="1",
    )
    env.update(extra)
    return env


if __name__ == "__main__":
    sys.exit("import this module from bench/load_and_faults.py or bench/abuse.py")


def remove_workdir(workdir):
    """Delete a run's scratch folder, or keep it (and say where) when KEEP_BENCH_DIR is set."""
    if os.environ.get("KEEP_BENCH_DIR"):
        print(f"[logs] kept in {workdir}")
    else:
        shutil.rmtree(workdir, ignore_errors=True)


def report_checks(checks):
    """Print each (name, ok, detail) check as PASS/FAIL; return the exit code (0 when all passed)."""
    print("\n[checks]")
    for name, ok, detail in checks:
        print(f"  {'PASS' if ok else 'FAIL'}  {name}" + (f"  ({detail})" if detail and not ok else ""))
    return 0 if checks and all(ok for _, ok, _ in checks) else 1
