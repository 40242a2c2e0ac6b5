"""Benchmark the events list endpoint (100 events) warm, cold, and against its floors.

    .venv/bin/python bench/api.py [--events 20000] [--rounds 4] [--duration 5] [--workers 1]

1. Builds a fresh SQLite database (under var/bench/) with 20,000 published events, each linked
   to programs, agencies, an organization and a person and citing two sources
   (`--database-url postgres://...timeline_api_bench` builds it in PostgreSQL instead).
2. Serves it with two gunicorns of `--workers` each: one as configured, whose API answers a
   repeated list from the response cache (warm); one with API_CACHE_SECONDS=0, whose every list
   is built live with links and citations, as the first read after a change is (cold). Datasette
   serves a copy of the data (`--setting suggest_facets off`, one process).
3. Alternates wrk runs over the URLs `--rounds` times, prints each requests/s and the medians,
   then the three ratios of issue 19, and ends with them as one JSON line:
   warm_vs_hello (goal >= 0.5: a "hello" view through the same middleware is the framework's
   floor), warm_vs_datasette (goal >= 2), cold_vs_plain (goal >= 0.5: the plain view is one
   `Event.objects.values()[:100]` query, no links or citations).
Load goes only to 127.0.0.1, on ephemeral ports; every server is stopped at the end.
"""
import argparse
import datetime
import os
import re
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PYTHON = sys.executable
WRK_PREFIX = []
BIN = Path(PYTHON).parent


def free_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def recreate_postgres_database(url):
    """Drop and create the benchmark's own PostgreSQL database (never another one)."""
    import psycopg
    from urllib.parse import urlsplit, urlunsplit

    parts = urlsplit(url)
    name = parts.path.lstrip("/")
    if not name.startswith("timeline_") or not name.endswith("bench"):
        raise SystemExit(f"refusing to recreate database {name!r}: use a name like timeline_api_bench")
    admin_url = urlunsplit(parts._replace(path="/postgres"))
    with psycopg.connect(admin_url, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}"')
        conn.execute(f'CREATE DATABASE "{name}"')


def build_database(url, count):
    """Create the schema and bulk-load `count` events (deterministic) in a child process."""
    env = bench_env(url)
    subprocess.run([PYTHON, "manage.py", "migrate", "-v0"], cwd=ROOT, env=env, check=True)
    subprocess.run([PYTHON, __file__, "--load-into", url, "--events", str(count)], cwd=ROOT, env=env, check=True)


def load_rows(count):
    """Bulk-load the events with their links and citations (run in the child process)."""
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()
    from django.contrib.contenttypes.models import ContentType
    from django.db import transaction

    from timeline.models import Agency, Citation, Event, Organization, Person, Program, Source

    pub = {"state": "published"}
    with transaction.atomic():
        agencies = Agency.objects.bulk_create([Agency(slug=f"agency-{i}", name=f"Agency {i}", **pub) for i in range(40)])
        orgs = Organization.objects.bulk_create([Organization(slug=f"org-{i}", name=f"Org {i}", **pub) for i in range(80)])
        people = Person.objects.bulk_create([Person(slug=f"person-{i}", name=f"Person {i}", **pub) for i in range(200)])
        programs = Program.objects.bulk_create([Program(slug=f"program-{i}", name=f"Program {i}", **pub) for i in range(150)])
        sources = Source.objects.bulk_create([
            Source(url=f"https://news.example/{i}", outlet=f"Outlet {i % 30}", headline=f"Headline {i}", **pub)
            for i in range(3000)])
        start = datetime.date(2015, 1, 1)
        events = Event.objects.bulk_create([
            Event(slug=f"event-{i}", title=f"Event number {i}", kind="other", summary=f"What happened in event {i}. " * 4,
                  date=start + datetime.timedelta(days=i % 3650), date_end=start + datetime.timedelta(days=i % 3650),
                  **pub)
            for i in range(count)], batch_size=2000)
        links = {
            "programs": [(e.pk, programs[i % 150].pk) for i, e in enumerate(events)]
            + [(e.pk, programs[(i + 7) % 150].pk) for i, e in enumerate(events)],
            "agencies": [(e.pk, agencies[i % 40].pk) for i, e in enumerate(events)],
            "organizations": [(e.pk, orgs[i % 80].pk) for i, e in enumerate(events)],
            "people": [(e.pk, people[i % 200].pk) for i, e in enumerate(events)],
        }
        for name, pairs in links.items():
            field = Event._meta.get_field(name)
            through, target = field.remote_field.through, field.m2m_reverse_field_name()
            through.objects.bulk_create([through(event_id=a, **{f"{target}_id": b}) for a, b in pairs], batch_size=5000)
        ct = ContentType.objects.get_for_model(Event)
        Citation.objects.bulk_create(
            [Citation(source=sources[i % 3000], content_type=ct, object_id=e.pk) for i, e in enumerate(events)]
            + [Citation(source=sources[(i + 1) % 3000], content_type=ct, object_id=e.pk) for i, e in enumerate(events)],
            batch_size=5000)
    from django.db import connection

    # Planner statistics, as autovacuum (PostgreSQL) or a maintenance job (SQLite) would have them.
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")


def bench_env(url):
    env = dict(os.environ)
    env.update({"DJANGO_SETTINGS_MODULE": "bench.settings", "DATABASE_URL": url,
                "VAR_DIR": str(ROOT / "var" / "bench"), "DEBUG": "0"})
    return env


def wait_for(url, process, timeout=30):
    deadline = time.time() + timeout
    while time.time() < deadline:
        if process.poll() is not None:
            raise SystemExit(f"server for {url} exited with {process.returncode}")
        try:
            with urllib.request.urlopen(url, timeout=5) as response:
                if response.status == 200:
                    return response.read()
        except OSError:
            time.sleep(0.3)
    raise SystemExit(f"{url} did not answer in {timeout}s")


def wrk(url, duration, connections):
    """Return requests/s measured by wrk (non-2xx responses make the run fail)."""
    out = subprocess.run([*WRK_PREFIX, "wrk", "-t1", f"-c{connections}", f"-d{duration}s", "--latency", url],
                         capture_output=True, text=True, check=True).stdout
    if "Non-2xx" in out:
        raise SystemExit(f"non-2xx responses from {url}:\n{out}")
    return float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))


def ensure_wrk():
    if shutil.which("wrk"):
        return
    print("wrk not found; installing it from Debian's packages", flush=True)
    subprocess.run(["apt-get", "install", "-y", "-q", "wrk"], check=False, stdout=subprocess.DEVNULL)
    if not shutil.which("wrk"):
        raise SystemExit("bench/api.py needs wrk (apt-get install wrk)")


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--events", type=int, default=20000)
    parser.add_argument("--database-url", default="",
                        help="where the API and the plain view read (default: SQLite under var/bench/); a "
                             "PostgreSQL database named timeline_*bench is dropped and recreated")
    parser.add_argument("--load-into", default="", help=argparse.SUPPRESS)
    parser.add_argument("--rounds", type=int, default=4)
    parser.add_argument("--duration", type=int, default=5, help="seconds per wrk run")
    parser.add_argument("--connections", type=int, default=4)
    parser.add_argument("--workers", type=int, default=1, help="gunicorn workers (Datasette is one process)")
    parser.add_argument("--server-cpus", default="",
                        help="pin every server to these CPUs (taskset list, e.g. 0) and wrk to the others, so a "
                             "multi-threaded server cannot use more cores than the gunicorn workers")
    args = parser.parse_args()
    if args.load_into:
        sys.path.insert(0, str(ROOT))
        load_rows(args.events)
        return
    ensure_wrk()

    work = ROOT / "var" / "bench"
    shutil.rmtree(work, ignore_errors=True)
    work.mkdir(parents=True)
    database = args.database_url or f"sqlite:///{work / 'bench.sqlite3'}"
    copy_dir = work / "datasette"
    copy_dir.mkdir()
    print(f"building {database} with {args.events} events ...", flush=True)
    if database.startswith("postgres"):
        recreate_postgres_database(database)
        build_database(database, args.events)
        print("building the SQLite copy for Datasette (the same rows) ...", flush=True)
        build_database(f"sqlite:///{copy_dir / 'db.db'}", args.events)
    else:
        build_database(database, args.events)
        shutil.copy(work / "bench.sqlite3", copy_dir / "db.db")

    pin, wrk_pin = [], []
    if args.server_cpus:
        cpus = set(range(os.cpu_count()))
        chosen = {int(c) for c in args.server_cpus.split(",")}
        pin = ["taskset", "-c", args.server_cpus]
        others = sorted(cpus - chosen) or sorted(cpus)
        wrk_pin = ["taskset", "-c", ",".join(map(str, others))]
    global WRK_PREFIX
    WRK_PREFIX = wrk_pin
    servers = []
    try:
        django_port, cold_port, datasette_port = free_port(), free_port(), free_port()
        gunicorn = [*pin, str(BIN / "gunicorn"), "config.wsgi:application", "--workers", str(args.workers),
                    "--log-level", "warning", "--bind"]
        servers.append(subprocess.Popen([*gunicorn, f"127.0.0.1:{django_port}"], cwd=ROOT, env=bench_env(database)))
        servers.append(subprocess.Popen([*gunicorn, f"127.0.0.1:{cold_port}"], cwd=ROOT,
                                        env={**bench_env(database), "API_CACHE_SECONDS": "0"}))
        servers.append(subprocess.Popen(
            [*pin, str(BIN / "datasette"), "serve", str(copy_dir / "db.db"), "--host", "127.0.0.1", "--port",
             str(datasette_port), "--setting", "suggest_facets", "off"],
            cwd=work, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL))
        urls = {
            "warm": f"http://127.0.0.1:{django_port}/api/v1/events/?page_size=100",
            "cold": f"http://127.0.0.1:{cold_port}/api/v1/events/?page_size=100",
            "hello": f"http://127.0.0.1:{django_port}/bench/hello/",
            "plain": f"http://127.0.0.1:{django_port}/bench/plain-events/",
            "datasette": f"http://127.0.0.1:{datasette_port}/db/timeline_event.json?_size=100&_sort=date",
        }
        server_of = {"cold": 1, "datasette": 2}
        import json

        for name, url in urls.items():
            body = wait_for(url, servers[server_of.get(name, 0)], 60)
            if name == "hello":
                continue
            body = json.loads(body)
            rows = body["results"] if name in ("warm", "cold") else body if name == "plain" else body["rows"]
            assert len(rows) == 100, (name, len(rows))
        for url in urls.values():  # warm-up
            wrk(url, 1, args.connections)
        results = {name: [] for name in urls}
        for round_number in range(1, args.rounds + 1):
            for name, url in urls.items():
                results[name].append(wrk(url, args.duration, args.connections))
            print(f"round {round_number}: " + ", ".join(f"{n} {results[n][-1]:.0f} req/s" for n in urls), flush=True)
    finally:
        for server in servers:
            server.send_signal(signal.SIGTERM)
        for server in servers:
            try:
                server.wait(10)
            except subprocess.TimeoutExpired:
                server.kill()

    medians = {name: statistics.median(values) for name, values in results.items()}
    print()
    print(f"database: {database.split('@')[-1]}; Datasette: SQLite copy {copy_dir / 'db.db'}")
    print(f"medians over {args.rounds} alternating rounds of {args.duration}s, wrk -t1 -c{args.connections}, "
          f"gunicorn --workers {args.workers}, {args.events} events"
          + (f", servers pinned to CPU {args.server_cpus}" if args.server_cpus else "") + ":")
    for name, value in medians.items():
        print(f"  {name:10s} {value:8.1f} req/s   {urls[name]}")
    ratios = {
        "warm_vs_hello": round(medians["warm"] / medians["hello"], 2),
        "warm_vs_datasette": round(medians["warm"] / medians["datasette"], 2),
        "cold_vs_plain": round(medians["cold"] / medians["plain"], 2),
    }
    print(f"warm list / hello view = {ratios['warm_vs_hello']:.2f}   (goal >= 0.5)")
    print(f"warm list / Datasette  = {ratios['warm_vs_datasette']:.2f}   (goal >= 2)")
    print(f"cold list / plain view = {ratios['cold_vs_plain']:.2f}   (goal >= 0.5)")
    print(json.dumps(ratios))


if __name__ == "__main__":
    main()
