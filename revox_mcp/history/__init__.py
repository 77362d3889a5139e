"""The versions of assistants the server observed (issue 17): what changed in a configuration, and when.

Each time the server fetches an assistant whose content changed, it records the new version: the
configuration as ingest cleaned it (secrets redacted, texts bounded; never a raw payload, never a
key), its content digest, the assistant's own ``updated_at`` and the time the server saw it, under
the fingerprint of the key that read it.

- ``version``: ``Version``, ``Limits``, ``Health``, ``StoreError``; how a version is encoded and bounded.
- ``store``: the ``Store`` protocol, and ``History``, what the data path calls (``record``,
  ``record_listing``, ``history``, ``health``, ``erase``): bounded in time, never failing a caller.
- ``sqlite`` (the default: a file in the state directory), ``redis`` (team mode: shared by replicas,
  expiring), ``memory`` (the demo and tests); off: no store at all.
- ``diff``: consecutive versions as field-level diffs and as the timeline's ``ConfigChange`` records.
- ``settings``: ``REVOX_MCP_HISTORY``, ``REVOX_MCP_STATE_DIR`` and the bounds; ``open_history``.

Erasing: ``History.erase()`` (every key's versions; ``erase(fingerprint)`` for one key), or stop the
server and delete ``history.sqlite3`` (with its ``-wal`` and ``-shm`` files) from the state directory.

Empty on purpose: importing the package loads nothing until a module is asked for.
"""
