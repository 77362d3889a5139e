"""The time axis of an assistant's calls (issue 17). Pure: no I/O, ``now`` and data passed in.

- ``period``: since/until or the last N days, checked; hour or day buckets.
- ``observation``: ``CallObservation``, the facts of one call that are counted over time.
- ``series``: a row per bucket (counts, top categories, latency percentiles).
- ``config``: prompt and model changes dated from the calls; the record stored versions share.
- ``stats``: the tests (two proportions, Fisher's exact, Mann-Whitney U, Holm) in plain Python.
- ``change``: change points per metric, with corrected p-values; ``cause``: what came just before.
- ``analysis``: all of it in one ``Timeline``.

Empty on purpose: importing the package loads nothing until a module is asked for.
"""
