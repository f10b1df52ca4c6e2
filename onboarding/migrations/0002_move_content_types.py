# The content types of the moved models follow them to this app, keeping their ids: the
# activity log's entries (accounts.Activity.target_type) keep pointing at the right model, and
# no stale successplans content type is left behind for remove_stale_contenttypes to trip on.

from django.db import migrations

MODELS = [
    "checklisttemplate",
    "templatephase",
    "templatetask",
    "checklist",
    "checklistphase",
    "task",
    "taskcomment",
    "remindersent",
]


def move_content_types(apps, schema_editor, old_app, new_app):
    ContentType = apps.get_model("contenttypes", "ContentType")
    Activity = apps.get_model("accounts", "Activity")
    db = schema_editor.connection.alias
    for model in MODELS:
        old = ContentType.objects.using(db).filter(app_label=old_app, model=model).first()
        if old is None:
            continue  # a fresh database: post_migrate creates the right ones
        new = ContentType.objects.using(db).filter(app_label=new_app, model=model).first()
        if new is None:
            old.app_label = new_app
            old.save(using=db, update_fields=["app_label"])
        else:
            # Both exist (the new one was made before this ran): keep the new one.
            Activity.objects.using(db).filter(target_type=old).update(target_type=new)
            old.delete()
    # Cached content types still carry the old app label.
    ContentType.objects.clear_cache()
    from django.contrib.contenttypes.models import ContentType as LiveContentType

    LiveContentType.objects.clear_cache()


def forwards(apps, schema_editor):
    move_content_types(apps, schema_editor, "successplans", "onboarding")


def backwards(apps, schema_editor):
    move_content_types(apps, schema_editor, "onboarding", "successplans")


class Migration(migrations.Migration):

    dependencies = [
        ('onboarding', '0001_initial'),
        ('accounts', '0001_initial'),
        ('contenttypes', '0002_remove_content_type_name'),
    ]

    operations = [
        migrations.RunPython(forwards, backwards, elidable=False),
    ]
