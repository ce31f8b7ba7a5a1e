"""Live sources: keep a store current from ACLED's, UCDP's and GDELT's services.

The interface every service module follows (sync/acled.py is the first):

- ``pull(*, <credentials>, <filters>, cursor=None, base_url=..., dataset_id=None, client=None) ->
  Pull`` (sync/pages.py): a :class:`~peacewatch.sync.pages.Pull` whose ``pages`` iterator requests
  the service lazily, yielding :class:`~peacewatch.sync.pages.Page` s (the request, the raw answer,
  its rows as a ``ReadPlan`` over an in-memory table from ``sync.pages.text_table``, and any deleted
  source ids), and sets ``pull.cursor`` (JSON-able: a timestamp, a page, a file) when it ends.
  ``cursor`` is the one ``Store.last_sync(source, dataset_id)["cursor"]`` returns.
- HTTP through :class:`~peacewatch.sync.http.ServiceClient` (retries with backoff on timeouts,
  broken connections, 429 with Retry-After and 5xx; malformed JSON is a SyncError naming the request)
  and secrets registered with its :class:`~peacewatch.sync.http.Redactor` before any request.
- Credentials from :func:`peacewatch.sync.credentials.credentials` (environment, else
  ``peacewatch login``).

The command (cli/sync_cmds.py) reads the cursor from the store, builds the pull and calls
``Store.sync(pull)``, which applies it as one snapshot (store/syncs.py). sync/ imports no store.
"""
