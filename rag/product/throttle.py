"""Failed logins slow down and then lock out further attempts, per user name and per client address.

Each key (a typed user name, a client address) counts its recent failures. The first
``FREE_FAILURES`` cost nothing (typos); after that every further attempt must wait a delay that
doubles with each failure, up to ``MAX_DELAY_S``; at ``lockout_failures`` the key is locked for
``lockout_seconds``, and each failure after that locks it again, until a success (user name only)
or ``FORGET_S`` without a failure. An attempt that comes too early is refused without checking the
password, so it costs no scrypt time and is not counted as a failure.

Addresses get ``ADDRESS_FACTOR`` times the user name's allowance: many people may sign in from one
office address, and a success does not clear an address (else an attacker with one account could
clear his own address between guesses). Counts are kept in memory per app process; the table is
bounded (``MAX_KEYS``), dropping the oldest entries first.
"""

from __future__ import annotations

import threading
import time
from collections import OrderedDict
from dataclasses import dataclass
from typing import Callable

# Three typos in a row are ordinary; the fourth failure starts the delays.
FREE_FAILURES = 3
# Delays 1, 2, 4, 8, 16, 30, 30 … seconds: a person retyping waits a little, a guesser is slowed to
# a couple of tries a minute long before the lockout.
FIRST_DELAY_S = 1.0
MAX_DELAY_S = 30.0
ADDRESS_FACTOR = 5
# A key with no failure for this long starts again from zero.
FORGET_S = 24 * 3600.0
MAX_KEYS = 50_000


@dataclass
class _Failures:
    count: int = 0
    last: float = 0.0
    next_try: float = 0.0


class LoginThrottle:
    """``wait(name, address)`` before checking a password; ``failed`` / ``succeeded`` after.
    ``clock`` is injectable (monotonic seconds) so tests can move time deterministically."""

    def __init__(
        self, lockout_failures: int = 10, lockout_seconds: float = 900.0, clock: Callable[[], float] = time.monotonic
    ) -> None:
        self.lockout_failures = lockout_failures
        self.lockout_seconds = lockout_seconds
        self.clock = clock
        self._keys: OrderedDict[tuple[str, str], _Failures] = OrderedDict()
        self._lock = threading.Lock()

    def wait(self, name: str, address: str) -> float:
        """Seconds until an attempt for ``name`` from ``address`` may be checked; 0.0 when now."""
        now = self.clock()
        with self._lock:
            waits = [self._current(key, now).next_try - now for key in self._keys_of(name, address)]
        return max(0.0, *waits)

    def locked(self, name: str, address: str) -> bool:
        """True when either key has reached its lockout (not just a delay)."""
        now = self.clock()
        with self._lock:
            return any(
                self._current(key, now).count >= self._limit(key) for key in self._keys_of(name, address)
            )

    def failed(self, name: str, address: str) -> None:
        now = self.clock()
        with self._lock:
            for key in self._keys_of(name, address):
                record = self._current(key, now)
                record.count += 1
                record.last = now
                record.next_try = now + self._delay(record.count, self._limit(key))
                self._keys[key] = record
                self._keys.move_to_end(key)
            while len(self._keys) > MAX_KEYS:
                self._keys.popitem(last=False)

    def succeeded(self, name: str, address: str) -> None:
        with self._lock:
            self._keys.pop(("name", name), None)

    def _limit(self, key: tuple[str, str]) -> int:
        return self.lockout_failures * (ADDRESS_FACTOR if key[0] == "address" else 1)

    def _delay(self, count: int, limit: int) -> float:
        if count >= limit:
            return self.lockout_seconds
        free = FREE_FAILURES * (limit // self.lockout_failures)
        if count <= free:
            return 0.0
        return min(FIRST_DELAY_S * 2 ** (count - free - 1), MAX_DELAY_S, self.lockout_seconds)

    def _current(self, key: tuple[str, str], now: float) -> _Failures:
        record = self._keys.get(key)
        if record is None or now - record.last > FORGET_S:
            self._keys.pop(key, None)
            return _Failures()
        return record

    @staticmethod
    def _keys_of(name: str, address: str) -> list[tuple[str, str]]:
        return [("name", name), ("address", address)]
