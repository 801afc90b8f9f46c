"""Developer and CI tools. A package so tests can import them (``from scripts.stack import start_stack``)."""
