"""Load and fault run: gunicorn against PostgreSQL holding 20,000 events, driven by wrk for 60 s
on five routes, while a Celery worker is killed mid-poll and restarted, PostgreSQL restarts and
Redis stops for 30 s. Afterwards every feed entry must be stored exactly once, no curated record
changed, the app recovered by itself, and while Redis was down every route's p99 stayed within
REDIS_OUTAGE_P99_MS (500 ms; the pages are served from each process's fallback cache).

    .venv/bin/python bench/load_and_faults.py              # about 4 minutes; LOAD_SECONDS=60
    LOAD_SECONDS=20 .venv/bin/python bench/load_and_faults.py   # a shorter rehearsal

Everything runs on 127.0.0.1 in a private PostgreSQL cluster and redis-server on ephemeral
ports (bench/private_stack.py), so the restarts disturb nobody. Needs wrk (apt-get install wrk),
redis-server and PostgreSQL's server binaries. Prints requests/s, latency percentiles and errors
per route, what the health endpoint said during the faults, and each check; exits 1 if a check
fails.
"""
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from private_stack import (  # noqa: E402
    PYTHON, ROOT, PrivatePostgres, PrivateRedis, base_env, celery_beat, celery_worker, free_port, get, gunicorn,
    manage, remove_workdir, report_checks, wait_for,
)

LOAD_SECONDS = int(os.environ.get("LOAD_SECONDS", "60"))
# Few entries: each new report is matched against the 20,000 events inside the poll (about 2 s
# per report on a busy 2-core machine), and the point here is faults, not ingest speed.
FEEDS, ENTRIES = 3, 5
TRICKLE_SECONDS = 3.0  # each feed response is sent slowly, so that a poll can be killed mid-way
REDIS_OUTAGE_SECONDS = 30
# While Redis is down, a probe asks each route in turn, one request at a time, beside wrk's
# load; each route's p99 over those requests must stay within this.
REDIS_OUTAGE_P99_MS = 500

ROUTES = [
    ("timeline page", "/timeline/"),
    ("event page", "/events/b-event-4242/"),
    ("API events, program+dates", "/api/v1/events/?program=b-program-3&date_from=2005&date_to=2015&page_size=50"),
    ("API sources, kind+published", "/api/v1/sources/?kind=original&published_from=2010-01-01"),
    ("API programs, agency tree", "/api/v1/programs/?agency=b-dhs"),
]


def rss(feed_number):
    items = "".join(
        f"<item><title>Bench feed {feed_number} entry {n}</title><link>https://news.example.org/f{feed_number}/{n}</link>"
        f"<guid>bench-f{feed_number}-e{n}</guid><description>Entry {n} of feed {feed_number}.</description>"
        f"<pubDate>Mon, 03 Mar 2025 10:{n % 60:02d}:00 GMT</pubDate></item>"
        for n in range(ENTRIES))
    return (f'<?xml version="1.0"?><rss version="2.0"><channel><title>Bench feed {feed_number}</title>'
            f"<link>https://news.example.org/</link><description>bench</description>{items}</channel></rss>").encode()


class FeedServer:
    """Serves FEEDS feeds, trickling each body over TRICKLE_SECONDS; notes polls in progress."""

    def __init__(self):
        self.in_progress = threading.Event()
        self.requests = 0
        server = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self):
                number = int(self.path.strip("/").split(".")[0].removeprefix("feed"))
                body = rss(number)
                server.requests += 1
                self.send_response(200)
                self.send_header("Content-Type", "application/rss+xml")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                server.in_progress.set()
                chunks = 10
                try:
                    for i in range(chunks):
                        self.wfile.write(body[i * len(body) // chunks:(i + 1) * len(body) // chunks])
                        self.wfile.flush()
                        time.sleep(TRICKLE_SECONDS / chunks)
                except (BrokenPipeError, ConnectionResetError):
                    pass
                finally:
                    server.in_progress.clear()

            def log_message(self, *args):
                pass

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.httpd.daemon_threads = True
        self.port = self.httpd.server_address[1]
        threading.Thread(target=self.httpd.serve_forever, daemon=True).start()

    def url(self, number):
        return f"http://127.0.0.1:{self.port}/feed{number}.xml"


def parse_wrk(output):
    def number(pattern, default=0.0):
        match = re.search(pattern, output)
        return float(match.group(1)) if match else default

    def millis(label):
        match = re.search(rf"{label}%\s+([\d.]+)(us|ms|s)\b", output)
        if not match:
            return float("nan")
        value, unit = float(match.group(1)), match.group(2)
        return value / 1000 if unit == "us" else value * 1000 if unit == "s" else value

    socket_errors = sum(int(x) for x in re.findall(r"(?:connect|read|write|timeout) (\d+)", output))
    return {
        "rps": number(r"Requests/sec:\s+([\d.]+)"),
        "requests": int(number(r"(\d+) requests in")),
        "p50": millis("50"), "p90": millis("90"), "p99": millis("99"),
        "non_2xx": int(number(r"Non-2xx or 3xx responses:\s+(\d+)")),
        "socket_errors": socket_errors,
    }


def percentile(samples, fraction):
    """Nearest-rank percentile of a non-empty list."""
    ordered = sorted(samples)
    return ordered[max(0, min(len(ordered) - 1, int(round(fraction * len(ordered))) - 1))]


def probe_routes(base, until, latencies):
    """Request each route in turn until `until` (monotonic), appending milliseconds per route."""
    while time.monotonic() < until:
        for name, path in ROUTES:
            began = time.monotonic()
            try:
                status, _ = get(base + path, timeout=30)
            except Exception:  # noqa: BLE001 - a failed request counts as the slowest
                status = 0
            elapsed = (time.monotonic() - began) * 1000
            latencies.setdefault(name, []).append(elapsed if status == 200 else float("inf"))


def digest(env):
    data = json.loads(manage(env, "record_digest", "--json"))
    return {label: item for label, item in data.items() if label.startswith("timeline.")}


def report_counts(pg_url):
    import psycopg

    with psycopg.connect(pg_url.replace("postgres://", "postgresql://"), connect_timeout=3) as conn:
        rows = conn.execute(
            "SELECT count(*), count(DISTINCT (feed_id, guid)) FROM sources_report").fetchone()
        per_feed = dict(conn.execute("SELECT feed_id, count(*) FROM sources_report GROUP BY feed_id").fetchall())
    return rows[0], rows[1], per_feed


def main():
    for tool in ("wrk", "redis-server"):
        if not shutil.which(tool):
            sys.exit(f"{tool} is not installed (Debian: apt-get install -y {tool})")
    workdir = Path(tempfile.mkdtemp(prefix="bench-prod-"))
    pg, redis = PrivatePostgres(workdir), PrivateRedis(workdir)
    services = []
    checks = []

    def check(name, ok, detail=""):
        checks.append((name, ok, detail))

    try:
        print(f"[setup] private PostgreSQL and Redis under {workdir}")
        pg.init().start()
        pg.createdb()
        redis.start()
        env = base_env(
            DATABASE_URL=pg.url, CELERY_BROKER_URL=redis.url(0), REDIS_CACHE_URL=redis.url(1),
            FEED_ALLOW_LOOPBACK="1", FEED_QUEUE_INTERVAL="2", CELERY_TASK_TIME_LIMIT="120",
            CELERY_DB_RETRY_BACKOFF="1", CELERY_DB_RETRY_BACKOFF_MAX="8",
            API_ANON_RATE="100000000/minute", API_USER_RATE="100000000/minute",
        )
        started = time.monotonic()
        manage(env, "migrate", "-v0")
        manage(env, "loaddata", "seed_timeline", "-v0")
        build_env = dict(env, BENCH_DATABASE_URL=pg.url, DJANGO_SETTINGS_MODULE="config.settings")
        subprocess.run([PYTHON, "-c", "import sys; sys.path.insert(0, 'bench'); import pages; pages.build()"],
                       cwd=ROOT, env=build_env, check=True)
        feeds = FeedServer()
        manage(env, "shell", "-c", (
            "from datetime import timedelta; from django.utils import timezone; from sources.models import Feed;"
            + "".join(f"Feed.objects.create(url={feeds.url(n)!r}, poll_interval=timedelta(seconds=5), "
                      f"next_poll_at=timezone.now());" for n in range(FEEDS))))
        before = digest(env)
        events = before["timeline.event"]["count"]
        print(f"[setup] {events} events, {FEEDS} feeds of {ENTRIES} entries, in {time.monotonic() - started:.0f}s")

        port = free_port()
        web = gunicorn(env, port, workdir).start()
        worker = celery_worker(env, workdir).start()
        beat = celery_beat(env, workdir).start()
        services += [web, worker, beat]
        base = f"http://127.0.0.1:{port}"
        wait_for(lambda: get(base + "/healthz")[0] == 200, 60, "gunicorn")
        # The worker and beat are warm (one poll done) before the load starts, so that a poll is
        # in flight to be killed soon after.
        wait_for(lambda: feeds.requests >= 1 and not feeds.in_progress.is_set(), 180, "a first poll")
        for _, path in ROUTES:
            status, _ = get(base + path, timeout=30)
            if status != 200:
                raise RuntimeError(f"{path} answered {status} before the load")

        health = []
        stop_sampling = threading.Event()

        def sample_health():
            while not stop_sampling.is_set():
                try:
                    status, body = get(base + "/healthz", timeout=5)
                    state = json.loads(body).get("status", "?")
                except Exception as exc:  # noqa: BLE001 - recorded
                    status, state = 0, type(exc).__name__
                if not health or health[-1][2] != state:
                    health.append((time.monotonic() - t0, status, state))
                time.sleep(0.5)

        faults = []
        outage_latencies, baseline_latencies = {}, {}

        def guarded(inject):
            def run():
                try:
                    inject()
                except Exception as exc:  # noqa: BLE001 - reported as a failed check
                    faults.append((time.monotonic() - t0, f"fault injection failed: {type(exc).__name__}: {exc}"))
            return run

        def kill_worker_mid_poll():
            # A feed response in flight means the worker is inside a poll (fetching, then storing).
            if feeds.in_progress.wait(timeout=max(5, LOAD_SECONDS - 10)):
                time.sleep(0.5)
                worker.kill()
                faults.append((time.monotonic() - t0, "worker killed (SIGKILL) while a feed response was in flight"))
                time.sleep(2)
                worker.start()
                faults.append((time.monotonic() - t0, "worker started again"))
            else:
                faults.append((time.monotonic() - t0, "no poll seen: worker not killed"))

        def restart_database_then_stop_redis():
            # The same probe with Redis up first: what the machine's load alone costs.
            time.sleep(2)
            probe_routes(base, t0 + LOAD_SECONDS * 0.23, baseline_latencies)
            time.sleep(max(0, t0 + LOAD_SECONDS * 0.25 - time.monotonic()))
            began = time.monotonic()
            pg.restart()
            faults.append((began - t0, f"PostgreSQL restarted (pg_ctl restart -m fast, {time.monotonic() - began:.1f}s)"))
            time.sleep(max(0, t0 + LOAD_SECONDS * 0.40 - time.monotonic()))
            redis.stop()
            faults.append((time.monotonic() - t0, "Redis stopped"))
            probe_routes(base, time.monotonic() + REDIS_OUTAGE_SECONDS, outage_latencies)
            redis.start()
            faults.append((time.monotonic() - t0, "Redis started again"))

        t0 = time.monotonic()
        sampler = threading.Thread(target=sample_health, daemon=True)
        injectors = [threading.Thread(target=guarded(kill_worker_mid_poll), daemon=True),
                     threading.Thread(target=guarded(restart_database_then_stop_redis), daemon=True)]
        runs = [subprocess.Popen(["wrk", "-t1", "-c2", f"-d{LOAD_SECONDS}s", "--timeout", "30s", "--latency", base + path],
                                 stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
                for _, path in ROUTES]
        sampler.start()
        for injector in injectors:
            injector.start()
        results = [parse_wrk(run.communicate()[0]) for run in runs]
        for injector in injectors:
            injector.join(timeout=120)
        faults.sort()
        load_seconds = time.monotonic() - t0

        print(f"\n[load] {LOAD_SECONDS}s of wrk (1 thread, 2 connections per route, all routes at once), "
              f"gunicorn 3 sync workers, PostgreSQL with {events} events")
        print(f"{'route':32} {'req/s':>8} {'p50 ms':>8} {'p90 ms':>8} {'p99 ms':>9} {'requests':>9} {'errors':>7}")
        total_errors = 0
        for (name, _), result in zip(ROUTES, results):
            errors = result["non_2xx"] + result["socket_errors"]
            total_errors += errors
            print(f"{name:32} {result['rps']:8.1f} {result['p50']:8.1f} {result['p90']:8.1f} {result['p99']:9.1f} "
                  f"{result['requests']:9d} {errors:7d}")
        print(f"{'all routes':32} {sum(r['rps'] for r in results):8.1f} {'':8} {'':8} {'':9} "
              f"{sum(r['requests'] for r in results):9d} {total_errors:7d}")
        print(f"\n[redis outage] one request at a time per route, beside the load: with Redis up (before the "
              f"database restart), then while Redis was down ({REDIS_OUTAGE_SECONDS}s)")
        print(f"{'route':32} {'up: n':>6} {'p50 ms':>8} {'p99 ms':>8} {'down: n':>8} {'p50 ms':>8} {'p99 ms':>8} "
              f"{'p99 down/up':>11}")
        slow_routes = []
        for name, _ in ROUTES:
            up = baseline_latencies.get(name) or [float("inf")]
            down = outage_latencies.get(name) or [float("inf")]
            p99_up, p99_down = percentile(up, 0.99), percentile(down, 0.99)
            if p99_down > REDIS_OUTAGE_P99_MS:
                slow_routes.append(f"{name} {p99_down:.0f} ms")
            print(f"{name:32} {len(up):6d} {percentile(up, 0.5):8.1f} {p99_up:8.1f} {len(down):8d} "
                  f"{percentile(down, 0.5):8.1f} {p99_down:8.1f} {p99_down / p99_up:11.2f}")
        print("\n[faults] during the load (seconds from its start):")
        for at, what in faults:
            print(f"  {at:6.1f}s  {what}")

        # Recovery: wait for the killed poll to be redone and every feed polled after the faults.
        deadline = time.monotonic() + 300
        counts = (0, 0, {})
        while time.monotonic() < deadline:
            try:
                counts = report_counts(pg.url)
                if counts[0] >= FEEDS * ENTRIES and len(counts[2]) == FEEDS:
                    break
            except Exception:  # noqa: BLE001 - database still coming back
                pass
            time.sleep(2)
        time.sleep(8)  # let any poll in flight finish, so that a duplicate would show
        stop_sampling.set()
        sampler.join(timeout=10)
        print("[health] /healthz transitions:", ", ".join(f"{at:.1f}s {code} {state}" for at, code, state in health))

        total, distinct, per_feed = report_counts(pg.url)
        check("wrk saw no errors (non-2xx responses or socket errors) on any route", total_errors == 0,
              f"{total_errors} errors")
        check(f"every feed entry stored exactly once ({FEEDS} feeds x {ENTRIES} entries)",
              total == distinct == FEEDS * ENTRIES and all(n == ENTRIES for n in per_feed.values()),
              f"{total} reports, {distinct} distinct (feed, guid), per feed {sorted(per_feed.values())}")
        injected = " / ".join(what for _, what in faults)
        check(f"while Redis was down, every route's p99 was within {REDIS_OUTAGE_P99_MS} ms", not slow_routes,
              ", ".join(slow_routes))
        check("all faults injected: worker killed mid-poll and restarted, PostgreSQL restarted, Redis stopped 30s",
              all(word in injected for word in ("worker killed", "worker started", "PostgreSQL restarted",
                                                "Redis stopped", "Redis started")) and "failed" not in injected,
              injected)
        after = digest(env)
        changed = sorted(label for label in before if before[label] != after.get(label))
        check(f"no curated record changed ({sum(i['count'] for i in before.values())} rows in "
              f"{len(before)} timeline tables compared by digest)", not changed, ", ".join(changed))
        status, body = get(base + "/healthz")
        check("the app recovered without a manual step: /healthz ok (database, broker, cache)",
              status == 200 and json.loads(body)["status"] == "ok", body.decode()[:300])
        statuses = [get(base + path, timeout=30)[0] for _, path in ROUTES]
        check("every route answers 200 after the faults", statuses == [200] * len(ROUTES), str(statuses))
        log = (workdir / "gunicorn.log").read_text(errors="replace").splitlines()
        # /healthz answers 503 "down" while the database is away, by design (load balancers read
        # it); whether the health poll lands inside the restart's fraction of a second is chance.
        fives = [line for line in log if re.search(r'" 5\d\d ', line)]
        health_down = [line for line in fives if '"GET /healthz ' in line]
        check("gunicorn's access log has no 5xx (besides /healthz saying the database is down)",
              len(fives) == len(health_down), f"{len(fives) - len(health_down)} responses with 5xx: {fives[:3]}")
        worker_log = (workdir / "worker.log").read_text(errors="replace")
        retries = len(re.findall(r"Retry in \d+", worker_log))
        print(f"[worker] {retries} task retries logged while the database or broker was away; "
              f"{feeds.requests} feed requests served")
        print(f"[time] load and faults {load_seconds:.0f}s, whole run {time.monotonic() - started:.0f}s")
    finally:
        for service in services:
            service.stop()
        redis.stop()
        pg.stop()
        remove_workdir(workdir)
    return report_checks(checks)


if __name__ == "__main__":
    sys.exit(main())
