"""The latest bulk dump (manage.py export_dump) as /data/ lists and serves it.

The dump lives in settings.DUMP_DIR with its manifest.json; only the files the manifest names
are served, so no other path under the directory (or outside it) can be asked for.
"""
import json
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings


class DumpUnreadable(Exception):
    """The manifest exists but cannot be read as an export_dump manifest."""


@dataclass
class DumpFile:
    resource: str
    format: str
    name: str
    bytes: int
    sha256: str
    count: int


@dataclass
class Dump:
    generated_at: str
    license: str
    site_url: str
    files: list

    def file_named(self, name):
        return next((f for f in self.files if f.name == name), None)


def dump_dir():
    return Path(settings.DUMP_DIR)


def latest_dump():
    """Return the Dump in DUMP_DIR, None when there is none, or raise DumpUnreadable."""
    path = dump_dir() / "manifest.json"
    try:
        manifest = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        return None
    except (OSError, ValueError) as error:
        raise DumpUnreadable(f"{path.name} cannot be read: {error}") from None
    try:
        files = [
            DumpFile(resource, fmt, entry["name"], int(entry["bytes"]), entry["sha256"], int(resource_entry["count"]))
            for resource, resource_entry in manifest["resources"].items()
            for fmt, entry in resource_entry["files"].items()
        ]
        return Dump(manifest["generated_at"], manifest["license"], manifest.get("site_url", ""), files)
    except (KeyError, TypeError, ValueError, AttributeError) as error:
        raise DumpUnreadable(f"{path.name} is not an export_dump manifest (missing {error}).") from None
