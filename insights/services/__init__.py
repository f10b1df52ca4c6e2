"""Every write insights makes, as functions named by their verb (keyword-only ``acting_user``
where a person acts, the activity record inside):

- :mod:`.ingest`: contracts, product users and usage in (the API, the CSV import, the demo);
- :mod:`.imports`: the CSV import: check, keep until confirmed, write, remember;
- :mod:`.api_keys`: issue and revoke keys, and check a request's key;
- :mod:`.partitions`: raw usage by month (PostgreSQL's partitions) and its retention;
- :mod:`.usage`: the usage roll-up;
- :mod:`.nightly`: the nightly roll-up and health scores, one job per chunk of accounts;
- :mod:`.health`: the stored health scores, the CSM's pulse, the health settings;
- :mod:`.upsell`: upsell leads (CSQLs): flag one, close it as won, lost or dismissed.
"""
