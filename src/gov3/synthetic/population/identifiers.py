"""Identifiers drawn column-wise with NumPy: public ids (UUIDs that rise with the rows), Korean
resident registration number check digits and unique passport numbers in the pack's format.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from gov3.core.errors import ValidationFailedError


def _public_ids(rng: np.random.Generator, row_ids: np.ndarray) -> list[str]:
    """One UUID (version 4 layout) per row, as 32 hex digits, from the seeded generator.

    The first 48 bits are the row's id, the other 74 free bits random: ids rise with the
    rows, so the unique index grows at its end (like UUIDv7) instead of taking every insert at
    a random place, which is what made the SQLite load slow. 74 random bits still make a
    neighbour's public id impossible to guess.
    """
    n = len(row_ids)
    raw = rng.integers(0, 256, size=(n, 16), dtype=np.uint8)
    prefix = row_ids.astype(">u8").view(np.uint8).reshape(n, 8)[:, 2:]
    raw[:, :6] = prefix
    raw[:, 6] = (raw[:, 6] & 0x0F) | 0x40
    raw[:, 8] = (raw[:, 8] & 0x3F) | 0x80
    text = raw.tobytes().hex().encode("ascii")
    return _ascii_strings(np.frombuffer(text, dtype=np.uint8).reshape(n, 32))


def _ascii_strings(chars: np.ndarray) -> list[str]:
    """Rows of a 2-D array of ASCII codes as a list of str (one per row), without a Python loop."""
    n, width = chars.shape
    if n == 0:
        return []
    packed = np.ascontiguousarray(chars, dtype=np.uint8).view(f"S{width}").ravel()
    out: list[str] = packed.astype(f"U{width}").tolist()
    return out


def _digits(values: np.ndarray, width: int) -> np.ndarray:
    """The decimal digits of non-negative ints, zero-padded to ``width``: shape (n, width)."""
    out = np.empty((len(values), width), dtype=np.int64)
    rest = values.astype(np.int64)
    for position in range(width - 1, -1, -1):
        rest, out[:, position] = np.divmod(rest, 10)
    return out


RRN_WEIGHTS = np.array([2, 3, 4, 5, 6, 7, 8, 9, 2, 3, 4, 5], dtype=np.int64)


def rrn_check_digits(bodies: np.ndarray) -> np.ndarray:
    """Korean RRN check digits for an (n, 12) array of digits, as python-stdnum computes them."""
    return (11 - (bodies @ RRN_WEIGHTS) % 11) % 10


class _PassportNumbers:
    """Unique passport numbers in the pack's format, in a seeded order that looks random.

    Index i maps to ``(multiplier * (offset + i)) mod space`` with a multiplier coprime to the
    space, which visits every number once before repeating.
    """

    def __init__(self, pattern: str, rng: np.random.Generator, taken: set[str]) -> None:
        self.pattern = pattern
        self.radices = [10 if ch == "#" else 26 for ch in pattern if ch in "#@"]
        self.space = math.prod(self.radices)
        self.multiplier = 2_654_435_761
        while math.gcd(self.multiplier, self.space) != 1:
            self.multiplier += 2
        self.offset = int(rng.integers(0, self.space))
        self.taken = taken
        self.next_index = 0
        # int64 arithmetic is exact while space² fits; otherwise Python ints (object arrays).
        self.dtype: Any = np.int64 if self.space < 3_000_000_000 else object

    def take(self, count: int) -> list[str]:
        """The next ``count`` numbers not already taken."""
        out: list[str] = []
        while len(out) < count:
            need = count - len(out)
            if self.next_index + need > self.space:
                raise ValidationFailedError("The passport number format has no numbers left.")
            index = np.arange(self.next_index, self.next_index + need, dtype=np.int64)
            self.next_index += need
            base = (index.astype(self.dtype) + self.offset) % self.space
            values = ((self.multiplier % self.space) * base) % self.space
            numbers = self._format(values)
            if self.taken:
                numbers = [n for n in numbers if n not in self.taken]
            out.extend(numbers)
        return out

    def _format(self, values: np.ndarray) -> list[str]:
        chars = np.empty((len(values), len(self.pattern)), dtype=np.uint8)
        slots = [i for i, ch in enumerate(self.pattern) if ch in "#@"]
        for i, ch in enumerate(self.pattern):
            if ch not in "#@":
                chars[:, i] = ord(ch)
        rest = values
        for position, radix in zip(reversed(slots), reversed(self.radices), strict=True):
            digit = (rest % radix).astype(np.int64)
            rest = rest // radix
            chars[:, position] = digit + (48 if radix == 10 else 65)
        return _ascii_strings(chars)
