"""What sync_awards and sync_federal_register share: which stored watches a run takes, and
running each sync with a progress bar, printing its result and problems."""
from django.core.management.base import CommandError
from tqdm import tqdm


def stored_watches(model, watch_id, what):
    """The watch `watch_id`, or every enabled watch when it is None; a CommandError if it is unknown."""
    watches = model.objects.select_related("program")
    watches = list(watches.filter(pk=watch_id) if watch_id is not None else watches.filter(enabled=True))
    if watch_id is not None and not watches:
        raise CommandError(f"no {what} with id {watch_id}")
    return watches


def run_syncs(command, runs, sync, unit):
    """Run `sync(query, watch=..., progress=...)` for each (label, query, stored watch or None) of
    `runs`; raise CommandError at the end if any failed (the watch records it too)."""
    failed = False
    for label, query, stored in runs:
        with tqdm(desc=label[:40], unit=unit, file=command.stderr._out) as bar:
            result = sync(query, watch=stored, progress=bar.update)
        command.stdout.write(f"{label}: {result}")
        for problem in result.problems:
            command.stdout.write(f"  skipped: {problem}")
        failed = failed or result.outcome == "failed"
    if failed:
        raise CommandError("a sync failed (see above; the watch records it too)")
