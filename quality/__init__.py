"""Quality gates for Wegwijzer's content and NLU: readability of the Dutch answers, the content report
and the held-out NLU evaluation.

Kept out of ``knowledge/`` on purpose: the readability code needs textstat and wordfreq, which live only
in the app environment, while ``knowledge/`` must stay importable in both environments.
"""
