"""/data/: the latest export_dump, listed and served."""
import hashlib
import json

import pytest
from django.core.management import call_command

from tests.timeline.page_helpers import fresh_cache  # noqa: F401

pytestmark = pytest.mark.usefixtures("fresh_cache")


@pytest.fixture
def dump_dir(settings, tmp_path):
    settings.DUMP_DIR = tmp_path / "dump"
    settings.SITE_URL = "https://timeline.example"
    return settings.DUMP_DIR


def test_it_lists_the_latest_dump_with_counts_sizes_checksums_and_licence(client, seed, dump_dir):
    call_command("export_dump", stdout=open("/dev/null", "w"))  # DUMP_DIR by default
    manifest = json.loads((dump_dir / "manifest.json").read_text())
    html = client.get("/data/").content.decode()
    events = manifest["resources"]["events"]["files"]["jsonl"]
    assert f'href="/data/{events["name"]}"' in html and events["sha256"] in html
    assert "<td>10</td>" in html  # ten events
    assert manifest["generated_at"] in html and "CC BY 4.0" in html


def test_it_serves_the_files_the_manifest_names(client, seed, dump_dir):
    call_command("export_dump", stdout=open("/dev/null", "w"))
    manifest = json.loads((dump_dir / "manifest.json").read_text())
    entry = manifest["resources"]["sources"]["files"]["csv"]
    response = client.get(f"/data/{entry['name']}")
    assert response.status_code == 200
    assert hashlib.sha256(b"".join(response.streaming_content)).hexdigest() == entry["sha256"]
    assert json.loads(b"".join(client.get("/data/manifest.json").streaming_content)) == manifest


def test_it_serves_nothing_else(client, seed, dump_dir):
    call_command("export_dump", stdout=open("/dev/null", "w"))
    (dump_dir / "secret.txt").write_text("no")
    assert client.get("/data/secret.txt").status_code == 404
    assert client.get("/data/..%2Fdb.sqlite3").status_code == 404


def test_without_a_dump_it_says_how_one_is_made(client, db, dump_dir):
    html = client.get("/data/").content.decode()
    assert "No dump has been published here yet" in html
    assert client.get("/data/manifest.json").status_code == 404


def test_an_unreadable_manifest_is_a_clear_503(client, db, dump_dir):
    dump_dir.mkdir()
    (dump_dir / "manifest.json").write_text("{not json")
    response = client.get("/data/")
    assert response.status_code == 503
    assert "cannot be listed" in response.content.decode()


def test_the_data_page_does_no_queries(client, db, dump_dir, django_assert_num_queries):
    with django_assert_num_queries(0):
        assert client.get("/data/").status_code == 200
