"""The curation groups and what each may do, shared by the migrations that create them."""

CURATORS = "Curators"
EDITORS = "Editors"

# Curators add and edit records but cannot delete them; editors can also delete.
CURATOR_ACTIONS = ("view", "add", "change")
EDITOR_ACTIONS = ("view", "add", "change", "delete")


def grant_curation_permissions(apps, app_label, extra_codenames=()):
    """Create the two groups if needed and grant them the permissions on every model of an app.

    Run from a data migration; creates any missing permission rows first, since Django only
    creates them after all migrations have run.
    """
    from django.contrib.auth.management import create_permissions

    app_config = apps.get_app_config(app_label)
    # create_permissions skips app configs without a models module; the migration state's
    # stub has none, so mark it for the duration of the call.
    app_config.models_module = True
    try:
        create_permissions(app_config, apps=apps, verbosity=0)
    finally:
        app_config.models_module = None

    assign_curation_permissions(apps.get_model("auth", "Group"), apps.get_model("auth", "Permission"),
                                app_label, extra_codenames)


CURATED_APPS = ("timeline", "sources")


def ensure_curation_groups(sender, **kwargs):
    """post_migrate receiver: keep the groups and their permissions after a database flush.

    The migrations create the groups once; a flush (as transactional tests do between tests)
    empties them, and Django recreates permissions but not groups. Idempotent.
    """
    from django.contrib.auth.models import Group, Permission

    if sender.label not in CURATED_APPS:
        return
    assign_curation_permissions(Group, Permission, sender.label)


def assign_curation_permissions(Group, Permission, app_label, extra_codenames=()):
    """Create the two groups if needed and give them the app's permissions (see the top)."""
    perms = Permission.objects.filter(content_type__app_label=app_label)
    curators, _ = Group.objects.get_or_create(name=CURATORS)
    editors, _ = Group.objects.get_or_create(name=EDITORS)
    for perm in perms:
        action = perm.codename.split("_", 1)[0]
        if perm.codename in extra_codenames:
            curators.permissions.add(perm)
            editors.permissions.add(perm)
            continue
        if action in CURATOR_ACTIONS:
            curators.permissions.add(perm)
        if action in EDITOR_ACTIONS:
            editors.permissions.add(perm)
