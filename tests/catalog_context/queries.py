"""Counting the commands a service sends to MongoDB, with pymongo's own command monitoring.

The listener is registered when this module is imported, so it hears every client made
afterwards, the services' ones included; counts are kept per database, and every test has a
database of its own.
"""

from collections import Counter
from contextlib import contextmanager

from pymongo import monitoring


class CommandCounter(monitoring.CommandListener):
    def __init__(self):
        self.windows = []

    def started(self, event):
        for database, counts in self.windows:
            if event.database_name == database:
                counts[event.command_name] += 1

    def succeeded(self, event):
        pass

    def failed(self, event):
        pass

    @contextmanager
    def counting(self, database):
        window = Counted()
        self.windows.append((database, window.counts))
        try:
            yield window
        finally:
            self.windows.remove((database, window.counts))


class Counted:
    def __init__(self):
        self.counts = Counter()

    def commands(self, name):
        return self.counts[name]


QUERIES = CommandCounter()
monitoring.register(QUERIES)
