"""export_dump writes every published record as gzipped JSON Lines and CSV, with a manifest."""
import csv
import gzip
import hashlib
import json

import pytest
from django.core.management import CommandError, call_command
from django.test import override_settings
from django.utils import timezone

from timeline.models import Event

pytestmark = pytest.mark.django_db


@override_settings(DATA_LICENSE="CC BY 4.0 (test)", SITE_URL="https://timeline.example")
def test_it_writes_every_published_record_with_a_manifest(seed, tmp_path):
    Event.objects.filter(slug="vermont-airtag-vehicle-tracking-2024").update(state="draft")
    Event.objects.filter(slug="dhs-1000-self-deportation-payment").update(deleted_at=timezone.now())
    before = timezone.now()
    call_command("export_dump", str(tmp_path / "dump"), stdout=open("/dev/null", "w"))

    manifest = json.loads((tmp_path / "dump" / "manifest.json").read_text())
    assert manifest["license"] == "CC BY 4.0 (test)"
    assert manifest["generated_at"] >= before.isoformat()[:19]
    counts = {name: entry["count"] for name, entry in manifest["resources"].items()}
    assert counts == {"agencies": 4, "organizations": 1, "people": 1, "programs": 6, "events": 8, "contracts": 1,
                      "statements": 3, "sources": 27, "claims": 15, "reports": 0}

    events_file = tmp_path / "dump" / "events.jsonl.gz"
    with gzip.open(events_file, "rt") as handle:
        events = [json.loads(line) for line in handle]
    assert {e["slug"] for e in events}.isdisjoint({"vermont-airtag-vehicle-tracking-2024",
                                                    "dhs-1000-self-deportation-payment"})
    detail = next(e for e in events if e["slug"] == "cbp-outbound-vehicle-photo-plan-disclosed")
    assert detail["url"] == "https://timeline.example/api/v1/events/cbp-outbound-vehicle-photo-plan-disclosed/"
    assert [c["source"] for c in detail["citations"]][:2] == [1, 2]  # WIRED and PCMag, then the copies
    assert manifest["resources"]["events"]["files"]["jsonl"]["sha256"] == hashlib.sha256(
        events_file.read_bytes()).hexdigest()

    with gzip.open(tmp_path / "dump" / "programs.csv.gz", "rt", newline="") as handle:
        programs = list(csv.DictReader(handle))
    assert len(programs) == 6
    assert {p["slug"]: p["lifecycle"] for p in programs}["immigrationos"] == "2025-04-01 contracted"


def test_it_refuses_a_directory_it_cannot_create(tmp_path):
    blocker = tmp_path / "file"
    blocker.write_text("")
    with pytest.raises(CommandError, match="Cannot create"):
        call_command("export_dump", str(blocker / "dump"), site_url="https://timeline.example")


@override_settings(SITE_URL="")
def test_it_refuses_to_write_addresses_without_a_public_base_url(tmp_path):
    with pytest.raises(CommandError, match="set SITE_URL or pass --site-url"):
        call_command("export_dump", str(tmp_path / "dump"))
    assert not (tmp_path / "dump").exists()


@override_settings(SITE_URL="")
def test_the_site_url_option_sets_the_manifest_addresses(db, tmp_path):
    call_command("export_dump", str(tmp_path), site_url="http://127.0.0.1:9000/", stdout=open("/dev/null", "w"))
    manifest = json.loads((tmp_path / "manifest.json").read_text())
    assert (manifest["site_url"], manifest["api"]) == ("http://127.0.0.1:9000", "http://127.0.0.1:9000/api/v1/")
