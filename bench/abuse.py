"""Bad input at scale, in one job: Schemathesis with every check against the live API while the
whole feedparser corpus (../shared/corpora/feedparser-tests, 2,100 hostile and odd feeds) is
ingested into the same PostgreSQL database. Passes when the server answered no 5xx (Schemathesis'
not_a_server_error check and gunicorn's access log agree) and the corpus ingest raised nothing.

    .venv/bin/python bench/abuse.py            # about 3 minutes; SCHEMATHESIS_MAX_EXAMPLES=10

Failures of Schemathesis' other checks (status codes or headers the schema does not document,
for example) are listed for the API's authors but do not fail the job: the requirement here is
that no input, from a client or a feed, makes the server fail.
"""
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from private_stack import (  # noqa: E402
    BIN, PYTHON, ROOT, PrivatePostgres, PrivateRedis, base_env, free_port, get, gunicorn, manage, wait_for,
)

CORPUS = Path(os.environ.get("FEEDPARSER_CORPUS") or ROOT.parent / "shared" / "corpora" / "feedparser-tests")

INGEST_CORPUS = r"""
import json, sys, traceback
from pathlib import Path
import django
django.setup()
from sources.ingest import UnusableDocument, ingest_feed_document
from sources.models import Feed
corpus = Path(sys.argv[1])
paths = sorted(p for p in corpus.rglob("*") if p.suffix in (".xml", ".json") and p.is_file())
feeds = Feed.objects.bulk_create(Feed(url=f"http://corpus.example/{p.relative_to(corpus).as_posix()}", enabled=False)
                                 for p in paths)
crashed, refused, stored = [], 0, 0
for path, feed in zip(paths, feeds):
    try:
        stored += ingest_feed_document(feed, path.read_bytes()).created
    except UnusableDocument:
        refused += 1
    except Exception:
        crashed.append(f"{path.relative_to(corpus)}: {traceback.format_exc(limit=3)}")
print(json.dumps({"files": len(paths), "stored": stored, "refused": refused, "crashed": crashed[:20],
                  "crash_count": len(crashed)}))
"""


def main():
    if not CORPUS.is_dir():
        sys.exit(f"the feedparser corpus is not at {CORPUS}; set FEEDPARSER_CORPUS")
    workdir = Path(tempfile.mkdtemp(prefix="bench-abuse-"))
    pg, redis = PrivatePostgres(workdir), PrivateRedis(workdir)
    web = None
    try:
        pg.init().start()
        pg.createdb()
        redis.start()
        env = base_env(DATABASE_URL=pg.url, REDIS_CACHE_URL=redis.url(1),
                       API_ANON_RATE="100000000/minute", API_USER_RATE="100000000/minute",
                       API_EXPORT_RATE="100000000/minute")
        manage(env, "migrate", "-v0")
        manage(env, "loaddata", "seed_timeline", "-v0")
        port = free_port()
        web = gunicorn(env, port, workdir, workers=2).start()
        base = f"http://127.0.0.1:{port}"
        wait_for(lambda: get(base + "/healthz")[0] == 200, 60, "gunicorn")

        started = time.monotonic()
        ingest = subprocess.Popen([PYTHON, "-c", INGEST_CORPUS, str(CORPUS)], cwd=ROOT, env=env,
                                  stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        report_dir = ROOT / "artifacts" / "schemathesis-abuse"
        fuzz = subprocess.Popen(
            [str(BIN / "schemathesis"), "run", f"{base}/api/v1/schema/?format=json", "--checks", "all",
             "--max-examples", os.environ.get("SCHEMATHESIS_MAX_EXAMPLES", "10"), "--seed", "7", "--workers", "2",
             "--no-color", "--generation-database", "none", "--request-timeout", "30",
             "--report", "junit", "--report-dir", str(report_dir)],
            # In the scratch directory: Schemathesis keeps a cache of what it found in its cwd.
            cwd=workdir, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
        fuzz_output = fuzz.communicate()[0]
        ingest_out, ingest_err = ingest.communicate()
        elapsed = time.monotonic() - started
    finally:
        if web is not None:
            web.stop()
        redis.stop()
        pg.stop()

    log = (workdir / "gunicorn.log").read_text(errors="replace")
    requests = len(re.findall(r'" \d{3} ', log))
    server_errors = re.findall(r'"([A-Z]+ [^"]+)" (5\d\d) ', log)
    try:
        corpus = json.loads(ingest_out.strip().splitlines()[-1])
    except (IndexError, json.JSONDecodeError):
        corpus = {"files": 0, "stored": 0, "refused": 0, "crash_count": -1, "crashed": [ingest_err[-2000:]]}
    lines = fuzz_output.splitlines()
    # Schemathesis' closing summary: the failures by check, then the number of test cases.
    start = next((i for i, line in enumerate(lines) if line.strip() == "Failures:"), len(lines))
    summary = [line for line in lines[start:] if re.search(r"^\s+\S+ ST\d+|generated|^Failures:", line)]
    shutil.rmtree(workdir, ignore_errors=True)

    print(f"[abuse] {elapsed:.0f}s: Schemathesis (all checks) and the corpus ingest ran together against "
          f"gunicorn + PostgreSQL")
    print(f"[schemathesis] {requests} requests served; its findings (only a server error fails this job):")
    for line in summary[:25]:
        print("   ", line)
    print(f"[corpus] {corpus['files']} files: {corpus['stored']} reports stored, {corpus['refused']} refused with a "
          f"clear error, {corpus['crash_count']} unhandled exceptions")
    ok = not server_errors and corpus["crash_count"] == 0 and requests > 100
    print("\n[checks]")
    print(f"  {'PASS' if not server_errors else 'FAIL'}  0 server errors (5xx) in gunicorn's access log "
          f"({len(server_errors)} found{': ' + ', '.join(f'{c} {r}' for r, c in server_errors[:5]) if server_errors else ''})")
    print(f"  {'PASS' if corpus['crash_count'] == 0 else 'FAIL'}  the corpus ingest raised no unhandled exception")
    print(f"  {'PASS' if requests > 100 else 'FAIL'}  Schemathesis actually exercised the API ({requests} requests)")
    if corpus["crashed"]:
        print("\n".join(corpus["crashed"][:5]))
    if not ok:
        print(fuzz_output[-6000:])
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
