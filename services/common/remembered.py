"""What a process keeps, for a few seconds, of records read on every message but rarely changed
(the marketplace's settings, its webhooks, a vendor's address and away message): each read is a
database command per posted message otherwise (README, "Performance").

A change made through this process forgets the value at once; one made through another replica
shows there within the value's lifetime (or at once, where an event announces it). Values are
handed out as copies, so a caller changing its copy changes nothing kept.
"""

import copy
import threading
from collections.abc import Callable, Hashable
from typing import Any, TypeVar

from cachetools import TTLCache

Value = TypeVar("Value")


class Remembered:
    """Values by key, each kept `seconds` at most, `size` of them at most (the oldest go first)."""

    def __init__(self, seconds: float, size: int = 1024) -> None:
        self._kept: TTLCache[Hashable, Any] = TTLCache(maxsize=size, ttl=seconds)
        self._lock = threading.Lock()  # green under eventlet: one worker at a time touches the cache

    def get(self, key: Hashable, load: Callable[[], Value]) -> Value:
        """The value kept for `key`, or `load()`'s, kept from now on."""
        with self._lock:
            found = self._kept.get(key, _MISSING)
        if found is _MISSING:
            found = load()
            with self._lock:
                self._kept[key] = found
        kept: Value = copy.deepcopy(found)
        return kept

    def forget(self, key: Hashable | None = None) -> None:
        """Forget one key's value, or every value (None)."""
        with self._lock:
            if key is None:
                self._kept.clear()
            else:
                self._kept.pop(key, None)


class Memory:
    """A process's (a service container's) Remembered values, by name: a store is made for each
    worker, so what it remembers lives here, made once per container by its dependency provider."""

    def __init__(self) -> None:
        self._named: dict[str, Remembered] = {}
        self._lock = threading.Lock()

    def of(self, name: str, seconds: float, size: int = 1024) -> Remembered:
        with self._lock:
            if name not in self._named:
                self._named[name] = Remembered(seconds, size)
            return self._named[name]


_MISSING = object()
