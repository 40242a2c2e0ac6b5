"""A local stand-in for the USAspending and Federal Register APIs on 127.0.0.1.

It answers the documented endpoints from recorded responses (tests/records/recorded/) or from
awards a test or the benchmark builds, filters and pages them as the real APIs document, counts
requests, and plays queued faults (a status, an HTML page, a truncated body, a stall).

    with RecordedAPI() as api:
        api.add_awards(recorded_awards())
        settings.USASPENDING_API_URL = api.url
"""
import copy
import json
import threading
import time
from collections import Counter, deque
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import parse_qs, urlencode, urlsplit

RECORDED = Path(__file__).resolve().parent / "recorded"


def recorded_awards():
    return json.loads((RECORDED / "awards.json").read_text())


def recorded_documents():
    return json.loads((RECORDED / "documents.json").read_text())


def search_row(award):
    """A spending_by_award result row for an award response (the fields records/ asks for)."""
    period = award.get("period_of_performance") or {}
    return {"internal_id": award.get("id"), "Award ID": award.get("piid"),
            "Recipient Name": (award.get("recipient") or {}).get("recipient_name"),
            "Awarding Agency": ((award.get("awarding_agency") or {}).get("toptier_agency") or {}).get("name"),
            "Awarding Sub Agency": ((award.get("awarding_agency") or {}).get("subtier_agency") or {}).get("name"),
            "Award Amount": award.get("total_obligation"), "Start Date": period.get("start_date"),
            "End Date": period.get("end_date"), "Last Modified Date": period.get("last_modified_date"),
            "Description": award.get("description"), "generated_internal_id": award["generated_unique_award_id"]}


class Fault:
    """One queued misbehaviour for requests whose path starts with `prefix`."""

    def __init__(self, prefix, status=200, body=None, content_type="application/json", headers=None, delay=0.0):
        self.prefix, self.status, self.body = prefix, status, body
        self.content_type, self.headers, self.delay = content_type, headers or {}, delay


class RecordedAPI:
    def __init__(self):
        self.awards = {}  # generated id -> award response
        self.documents = []
        self.faults = deque()
        self.requests = Counter()  # "search", "award", "documents"
        self.search_bodies = []
        self.rows_list_dates_only = False  # list "Last Modified Date" as a date, as some rows may
        self.lock = threading.Lock()
        api = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"
            # Headers and body go out as two writes: without this, Nagle's algorithm holds the
            # body until the client's delayed ACK (40 ms on Linux) on every kept-alive request.
            disable_nagle_algorithm = True

            def log_message(self, *args):
                pass

            def do_GET(self):
                api.handle(self, "GET")

            def do_POST(self):
                api.handle(self, "POST")

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.url = f"http://127.0.0.1:{self.server.server_port}"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def __enter__(self):
        self.thread.start()
        return self

    def __exit__(self, *exc):
        self.server.shutdown()
        self.server.server_close()

    def add_awards(self, awards):
        for award in awards:
            self.awards[award["generated_unique_award_id"]] = copy.deepcopy(award)

    def fault(self, prefix, status=200, body=None, **kwargs):
        self.faults.append(Fault(prefix, status, body, **kwargs))

    # --- serving ---------------------------------------------------------------------------

    def handle(self, handler, method):
        path = urlsplit(handler.path).path
        length = int(handler.headers.get("Content-Length") or 0)
        raw = handler.rfile.read(length) if length else b""
        with self.lock:
            fault = next((f for f in self.faults if path.startswith(f.prefix)), None)
            if fault is not None:
                self.faults.remove(fault)
        kind = ("search" if path == "/api/v2/search/spending_by_award/" else
                "award" if path.startswith("/api/v2/awards/") else
                "documents" if path == "/api/v1/documents.json" else "other")
        with self.lock:
            self.requests[kind] += 1
        if fault is not None:
            if fault.delay:
                time.sleep(fault.delay)
            body = fault.body if isinstance(fault.body, bytes) else json.dumps(fault.body or {}).encode()
            return self.send(handler, fault.status, body, fault.content_type, fault.headers)
        if kind == "search" and method == "POST":
            self.search_bodies.append(json.loads(raw))
            return self.send_json(handler, self.search(json.loads(raw)))
        if kind == "award" and method == "GET":
            gid = path[len("/api/v2/awards/"):].strip("/")
            award = self.awards.get(gid)
            if award is None:
                return self.send_json(handler, {"detail": "No Award found"}, 404)
            return self.send_json(handler, award)
        if kind == "documents" and method == "GET":
            return self.send_json(handler, self.documents_page(parse_qs(urlsplit(handler.path).query)))
        return self.send_json(handler, {"detail": "Not found"}, 404)

    def send_json(self, handler, data, status=200):
        self.send(handler, status, json.dumps(data).encode(), "application/json", {})

    def send(self, handler, status, body, content_type, headers):
        handler.send_response(status)
        handler.send_header("Content-Type", content_type)
        handler.send_header("Content-Length", str(len(body)))
        for name, value in headers.items():
            handler.send_header(name, value)
        handler.end_headers()
        handler.wfile.write(body)

    def search(self, request):
        """spending_by_award: filter by the last-modified period, sort oldest first, page."""
        filters = request.get("filters") or {}
        awards = list(self.awards.values())
        for period in filters.get("time_period") or []:
            if period.get("date_type") == "last_modified_date":
                start, end = period["start_date"], period["end_date"]
                awards = [a for a in awards
                          if start <= a["period_of_performance"]["last_modified_date"][:10] <= end]
        recipient = " ".join(filters.get("recipient_search_text") or []).lower()
        awards = [a for a in awards if recipient in a["recipient"]["recipient_name"].lower()]
        awards.sort(key=lambda a: (a["period_of_performance"]["last_modified_date"], a["generated_unique_award_id"]))
        page, limit = int(request.get("page", 1)), int(request.get("limit", 10))
        chunk = awards[(page - 1) * limit: page * limit]
        rows = [search_row(a) for a in chunk]
        if self.rows_list_dates_only:
            for row in rows:
                row["Last Modified Date"] = row["Last Modified Date"][:10]
        return {"limit": limit, "results": rows,
                "page_metadata": {"page": page, "hasNext": page * limit < len(awards)}, "messages": []}

    def documents_page(self, query):
        per_page = int(query.get("per_page", ["20"])[0])
        page = int(query.get("page", ["1"])[0])
        docs = self.documents
        term = query.get("conditions[term]", [""])[0].lower()
        if term:
            docs = [d for d in docs if term in (d["title"] + " " + d["abstract"]).lower()]
        since = query.get("conditions[publication_date][gte]", [""])[0]
        if since:
            docs = [d for d in docs if d["publication_date"] >= since]
        chunk = docs[(page - 1) * per_page: page * per_page]
        data = {"count": len(docs), "total_pages": max(1, -(-len(docs) // per_page)), "results": chunk}
        if page * per_page < len(docs):
            following = {k: v for k, v in query.items() if k != "page"}
            data["next_page_url"] = (f"{self.url}/api/v1/documents.json?"
                                     + urlencode({**following, "page": [str(page + 1)]}, doseq=True))
        return data
