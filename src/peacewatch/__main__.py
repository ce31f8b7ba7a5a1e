"""``python -m peacewatch``: the same command as the ``peacewatch`` console script."""

from peacewatch.cli.app import run

run()
