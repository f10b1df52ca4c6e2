"""Every unread playbook notice becomes an item in its person's inbox (kind "account", linking
to the playbook run that asked, or the account's page), before the notices go."""

from django.db import migrations


def notices_into_the_inbox(apps, schema_editor):
    Notice = apps.get_model("playbooks", "Notice")
    Notification = apps.get_model("accounts", "Notification")
    unread = Notice.objects.filter(read_at__isnull=True).select_related("account", "user")
    items = []
    for notice in unread.iterator(chunk_size=1000):
        # The paths of "playbook_run" and "account_home" as they are now (frozen here, as a
        # migration should be, rather than reversed by names that may change).
        url = f"/a/{notice.account.slug}/"
        if notice.run_id is not None:
            url += f"playbooks/runs/{notice.run_id}/"
        items.append(
            Notification(
                user_id=notice.user_id,
                kind="account",
                account_id=notice.account_id,
                title=notice.text[:300],
                url=url[:500],
                created_at=notice.created_at,
            )
        )
    Notification.objects.bulk_create(items, batch_size=1000)


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0007_inbox_email_choices"),
        ("playbooks", "0008_more_event_kinds"),
    ]

    operations = [
        migrations.RunPython(notices_into_the_inbox, migrations.RunPython.noop, elidable=True),
    ]
