"""Deletion is soft and reversible for every curated record; restoring is an attributed edit."""
import pytest
from django.contrib import admin

from tests.admin_forms import change_form_data
from timeline.admin_curation import CurationSafetyMixin, SoftDeleteInlineMixin
from timeline.models import Curated, Event, LifecycleTransition, Program, Statement


def test_every_curated_model_and_inline_in_the_admin_deletes_softly():
    curated = [m for m in admin.site._registry if issubclass(m, Curated)]
    assert len(curated) >= 10
    for model in curated:
        model_admin = admin.site._registry[model]
        assert isinstance(model_admin, CurationSafetyMixin), model
        for inline in model_admin.inlines:
            if issubclass(inline.model, Curated):
                assert issubclass(inline, SoftDeleteInlineMixin), (model, inline)


def test_an_editor_deletes_an_event_softly_and_restores_it_with_attribution(client, seed, editor):
    client.force_login(editor)
    event = Event.objects.get(slug="anzalduas-vehicle-face-test-results")
    confirm = client.get(f"/admin/timeline/event/{event.pk}/delete/")
    assert "restorable by an editor" in confirm.content.decode()
    response = client.post(f"/admin/timeline/event/{event.pk}/delete/", {"post": "yes"})
    assert response.status_code == 302

    event.refresh_from_db()
    assert event.deleted_at is not None
    deleted = event.history.latest()
    assert (deleted.history_user, deleted.history_change_reason) == (editor, "Deleted in the admin")
    assert client.get(event.get_absolute_url()).status_code == 410

    # Hidden from the list by default; shown under the "deleted" filter.
    listed = client.get("/admin/timeline/event/").context["cl"].result_list
    assert event not in listed and len(listed) == Event.objects.alive().count()
    assert list(client.get("/admin/timeline/event/?deleted=yes").context["cl"].result_list) == [event]
    assert event in client.get("/admin/timeline/event/?deleted=all").context["cl"].result_list

    response = client.post("/admin/timeline/event/?deleted=yes",
                           {"action": "restore", "_selected_action": [event.pk]})
    assert response.status_code == 302
    event.refresh_from_db()
    assert event.deleted_at is None
    restored = event.history.latest()
    assert (restored.history_user, restored.history_change_reason) == (editor, "Restored in the admin")
    assert client.get(event.get_absolute_url()).status_code == 200


def test_the_bulk_delete_action_is_soft_too(client, seed, editor):
    client.force_login(editor)
    ids = list(Event.objects.values_list("pk", flat=True)[:3])
    response = client.post("/admin/timeline/event/", {"action": "delete_selected", "_selected_action": ids, "post": "yes"})
    assert response.status_code == 302
    assert Event.objects.filter(pk__in=ids, deleted_at__isnull=False).count() == 3


def test_a_curator_may_neither_delete_nor_restore(client, seed, curator):
    event = Event.objects.first()
    event.soft_delete()
    client.force_login(curator)
    actions = client.get("/admin/timeline/event/?deleted=yes").context["action_form"].fields["action"].choices
    assert "restore" not in [name for name, _ in actions]
    client.post("/admin/timeline/event/?deleted=yes", {"action": "restore", "_selected_action": [event.pk]})
    event.refresh_from_db()
    assert event.deleted_at is not None


def test_deleting_an_inline_statement_is_soft(client, seed, editor):
    client.force_login(editor)
    statement = Statement.objects.exclude(event=None).first()
    url = f"/admin/timeline/event/{statement.event_id}/change/"
    data = change_form_data(client.get(url))
    prefix = next(k[: -len("-id")] for k, v in data.items() if k.endswith("-id") and str(v) == str(statement.pk)
                  and k.startswith("statements"))
    data[f"{prefix}-DELETE"] = "on"
    response = client.post(url, data)
    assert response.status_code == 302, response.context["adminform"].form.errors
    statement.refresh_from_db()
    assert statement.deleted_at is not None
    assert str(statement.pk) not in [str(v) for k, v in change_form_data(client.get(url)).items() if k.endswith("-id")]


def test_a_soft_deleted_lifecycle_transition_no_longer_sets_the_status(seed):
    program = Program.objects.exclude(status="").first()
    current = program.current_transition()
    current.soft_delete()
    program.refresh_from_db()
    remaining = [t for t in program.lifecycle.all() if t.deleted_at is None]
    expected = max(remaining, key=LifecycleTransition.order_key).status if remaining else ""
    assert program.status == expected


@pytest.mark.parametrize("model", ["agency", "program", "source", "claim", "statement"])
def test_delete_and_restore_work_for_each_curated_model(client, seed, editor, model):
    from django.apps import apps

    client.force_login(editor)
    obj = apps.get_model("timeline", model).objects.first()
    assert client.post(f"/admin/timeline/{model}/{obj.pk}/delete/", {"post": "yes"}).status_code == 302
    obj.refresh_from_db()
    assert obj.deleted_at is not None
    client.post(f"/admin/timeline/{model}/?deleted=yes", {"action": "restore", "_selected_action": [obj.pk]})
    obj.refresh_from_db()
    assert obj.deleted_at is None
