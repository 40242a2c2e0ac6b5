import pytest


@pytest.fixture(autouse=True)
def _fast_password_hasher(settings):
    """Hash test users' passwords with MD5: PBKDF2's deliberate slowness spent most of the suite's time."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def seed(db):
    """Load the seed timeline (fixtures/seed_timeline.json), each event's matching document
    built once at the end rather than after every row."""
    from django.core.management import call_command

    from sources.event_documents import refreshing_once

    with refreshing_once():
        call_command("loaddata", "seed_timeline", verbosity=0)


@pytest.fixture
def editor(db, django_user_model):
    """A staff user in the Editors group (not a superuser: permissions come from the group)."""
    from django.contrib.auth.models import Group

    user = django_user_model.objects.create_user("editor", "editor@example.invalid", "pw-editor-1", is_staff=True)
    user.groups.add(Group.objects.get(name="Editors"))
    return user


@pytest.fixture
def curator(db, django_user_model):
    from django.contrib.auth.models import Group

    user = django_user_model.objects.create_user("curator", "curator@example.invalid", "pw-curator-1", is_staff=True)
    user.groups.add(Group.objects.get(name="Curators"))
    return user


@pytest.fixture(autouse=True)
def _tasks_run_in_process(request):
    """Run Celery tasks in-process, except in tests that need the real worker (marked `worker`).

    .ci/run sets CELERY_BROKER_URL for the PostgreSQL run; ordinary tests must not leave
    messages on that broker, so eager mode is forced around them.
    """
    from config.celery import app

    if request.node.get_closest_marker("worker"):
        import os

        if not os.environ.get("CELERY_BROKER_URL"):
            pytest.skip("needs a Redis broker and a Celery worker: set CELERY_BROKER_URL (as .ci/run does)")
        yield
        return
    previous = app.conf.task_always_eager
    app.conf.task_always_eager = True
    yield
    app.conf.task_always_eager = previous
