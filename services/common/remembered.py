"""What a process keeps, for a few seconds, of records read on every message but rarely changed
(the marketplace's settings, its webhooks, a vendor's address and away message): each read is a
database command per posted message otherwise (README, "Performance").

A change made through this process forgets the value at once; one made through another replica
shows there within the value's lifetime (or at once, where an event announces it). Values are
handed out as copies, so a caller changing its copy changes nothing kept.
"""

import copy
import threading

from cachetools import TTLCache


class Remembered:
    """Values by key, each kept `seconds` at most, `size` of them at most (the oldest go first)."""

    def __init__(self, seconds: float, size: int = 1024):
        self._kept: TTLCache = TTLCache(maxsize=size, ttl=seconds)
        self._lock = threading.Lock()  # green under eventlet: one worker at a time touches the cache

    def get(self, key, load):
        """The value kept for `key`, or `load()`'s, kept from now on."""
        with self._lock:
            found = self._kept.get(key, _MISSING)
        if found is _MISSING:
            found = load()
            with self._lock:
                self._kept[key] = found
        return copy.deepcopy(found)

    def forget(self, key=None) -> None:
        """Forget one key's value, or every value (None)."""
        with self._lock:
            if key is None:
                self._kept.clear()
            else:
                self._kept.pop(key, None)


class Memory:
    """A process's (a service container's) Remembered values, by name: a store is made for each
    worker, so what it remembers lives here, made once per container by its dependency provider."""

    def __init__(self):
        self._named = {}
        self._lock = threading.Lock()

    def of(self, name: str, seconds: float, size: int = 1024) -> Remembered:
        with self._lock:
            if name not in self._named:
                self._named[name] = Remembered(seconds, size)
            return self._named[name]


_MISSING = object()
