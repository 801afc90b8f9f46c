"""Code that both runtimes import: the Rasa process (Python 3.10) and the app processes (Python 3.11+).

Standard library only, so it loads in either environment without new dependencies. Today: the secret policy
(``shared.secret_policy``).
"""
