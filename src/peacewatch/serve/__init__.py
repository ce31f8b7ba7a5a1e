"""peacewatch serve: a read-only HTTP API and a web dashboard over one store (docs/serve.md).

The app is built by :func:`peacewatch.serve.app.create_app` from a :class:`ServeConfig`; the JSON API
lives in ``serve/api`` and the dashboard's pages in ``serve/pages``. Like cli/, this layer is thin: it
parses a request, calls the Python API (peacewatch.api) and renders its payload.
"""

from peacewatch.serve.config import ServeConfig

__all__ = ["ServeConfig"]
