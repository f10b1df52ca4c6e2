"""Every write the playbooks app makes, as functions named by their verb (keyword-only
``acting_user`` where a person acts, the activity record inside):

- :mod:`.events`: record what happened to an account, once;
- :mod:`.runs`: fire the enabled playbooks on an event, run their steps now or when due,
  stop, retry, pause an account;
- :mod:`.playbooks`: enable, pause, create and edit playbooks; the built-in templates;
- :mod:`.csm_tasks`: the CSM's tasks: create, complete, snooze, reassign, note.
"""
