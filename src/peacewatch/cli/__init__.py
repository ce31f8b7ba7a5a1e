"""The command-line interface: thin commands that parse, call the Python API, render and exit."""
