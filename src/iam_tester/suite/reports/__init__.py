"""Reporters: they only read :class:`~iam_tester.suite.results.RunResult` and the evaluator's results.

Each reporter lives in its own module and is imported only when its format is asked for, so
``check --format json`` never loads rich.
"""
