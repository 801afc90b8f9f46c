"""NLU components that run inside the Rasa process (Python 3.10), named in config.yml."""
