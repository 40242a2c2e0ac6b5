"""Benchmark the events list endpoint against a plain Django view and against Datasette.

    .venv/bin/python bench/api.py [--events 20000] [--rounds 4] [--duration 5] [--workers 1]

1. Builds a fresh SQLite database (under var/bench/) with 20,000 published events, each linked
   to programs, agencies, an organization and a person and citing two sources.
2. Serves it with gunicorn (same worker count for both Django URLs) and serves a copy of the
   file with Datasette (`--setting suggest_facets off`, one process).
3. Alternates wrk runs over the URLs `--rounds` times and prints each requests/s, the
   medians and the ratios: API / plain view (goal >= 0.7) and API / Datasette (goal >= 1.5).
   On PostgreSQL the API reads list rows from its row cache (timeline.api.row_cache), warm after
   the first request; a second gunicorn serves the same API with the cache off (API_ROW_CACHE=0),
   as a reference line for the first read after a change, when every row is built live.
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
        django_port, datasette_port, live_port = free_port(), free_port(), free_port()
        servers.append(subprocess.Popen(
            [*pin, str(BIN / "gunicorn"), "config.wsgi:application", "--bind", f"127.0.0.1:{django_port}",
             "--workers", str(args.workers), "--log-level", "warning"],
            cwd=ROOT, env=bench_env(database)))
        servers.append(subprocess.Popen(
            [*pin, str(BIN / "datasette"), "serve", str(copy_dir / "db.db"), "--host", "127.0.0.1", "--port",
             str(datasette_port), "--setting", "suggest_facets", "off"],
            cwd=work, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL))
        urls = {
            "api": f"http://127.0.0.1:{django_port}/api/v1/events/?page_size=100",
            "plain": f"http://127.0.0.1:{django_port}/bench/plain-events/",
            "datasette": f"http://127.0.0.1:{datasette_port}/db/timeline_event.json?_size=100&_sort=date",
            # A reference line, not a goal: a Django view answering "hello" through the same
            # middleware on the same server, the most any Django URL here can reach.
            "hello": f"http://127.0.0.1:{django_port}/bench/hello/",
        }
        postgres = database.startswith("postgres")
        if postgres:
            servers.append(subprocess.Popen(
                [*pin, str(BIN / "gunicorn"), "config.wsgi:application", "--bind", f"127.0.0.1:{live_port}",
                 "--workers", str(args.workers), "--log-level", "warning"],
                cwd=ROOT, env={**bench_env(database), "API_ROW_CACHE": "0"}))
            urls["api-live"] = f"http://127.0.0.1:{live_port}/api/v1/events/?page_size=100"
        import json

        for name, url in urls.items():
            body = wait_for(url, servers[{"datasette": 1, "api-live": 2}.get(name, 0)], 60)
            if name == "hello":
                continue
            body = json.loads(body)
            rows = body["results"] if name.startswith("api") else body if name == "plain" else body["rows"]
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
    print(f"API / plain view = {medians['api'] / medians['plain']:.2f}   (goal >= 0.7)")
    print(f"API / Datasette  = {medians['api'] / medians['datasette']:.2f}   (goal >= 1.5)")
    if "api-live" in medians:
        print(f"reference, row cache off (every row built live, as on the first read after a change): "
              f"/ plain view = {medians['api-live'] / medians['plain']:.2f}, "
              f"/ Datasette = {medians['api-live'] / medians['datasette']:.2f}")


if __name__ == "__main__":
    main()
