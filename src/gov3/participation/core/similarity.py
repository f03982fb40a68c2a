"""Alike petitions: MinHash signatures of character 3-grams and LSH bands, for many texts at
once with NumPy.

A petition's text is normalised (NFKC, lower case, punctuation dropped), cut into
overlapping 3-character shingles, and summarised by a 64-value MinHash signature; the share
of equal values between two signatures estimates the Jaccard similarity of their shingle sets.
The signature is cut into 16 bands of 4 values: two petitions with a Jaccard similarity of
0.75 (the kr pack's threshold) share at least one band with probability
1 - (1 - 0.75⁴)¹⁶ ≈ 0.998, so looking up only petitions that share a band (an indexed column
in the database) finds the alike ones without comparing every pair.

The permutations are datasketch's (``MinHash(num_perm=64, seed=SEED)``), applied here to every
shingle of a batch of texts in one NumPy expression, a cache-sized chunk at a time (the
signatures equal datasketch's exactly: a test checks it); the modulus by the Mersenne prime
2⁶¹ - 1 is taken by shift and add. Grouping a whole batch (`group`) finds the candidate
pairs band by band with sorts instead of a dictionary walk per petition (ADR 0031).
"""

from __future__ import annotations

import functools
import hashlib
import re
import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

NUM_PERM = 64
BANDS = 16
ROWS = NUM_PERM // BANDS
SEED = 20261206
_NOT_WORD = re.compile(r"[\W_]+")
_MIX = np.uint64(0x9E3779B97F4A7C15)
_PRIME = np.uint64((1 << 61) - 1)
_LOW32 = np.uint64((1 << 32) - 1)
_SHIFT = np.uint64(61)
#: Shingles hashed at a time: a chunk's 64 columns of uint64 stay within a CPU cache.
CHUNK = 2048

NDArray = np.ndarray[Any, Any]


@functools.cache
def _permutations() -> tuple[NDArray, NDArray]:
    """datasketch's permutation parameters (a, b) for the seed: h(x) = (a·x + b) mod p, 32 bits.

    Read from datasketch when first needed: it imports SciPy, a second of start-up that every
    process serving the participation pages would otherwise pay."""
    from datasketch import MinHash  # type: ignore[import-untyped]  # noqa: PLC0415

    a, b = MinHash(num_perm=NUM_PERM, seed=SEED).permutations
    return a, b


def normalise(text: str) -> str:
    """What similarity looks at: letters and digits, lower case, single spaces."""
    return _NOT_WORD.sub(" ", unicodedata.normalize("NFKC", text).lower()).strip()


def _sorted_distinct(values: NDArray) -> NDArray:
    """The distinct values, sorted (by sorting: NumPy's hashing unique is slower here)."""
    values = np.sort(values)
    keep = np.ones(len(values), dtype=bool)
    keep[1:] = values[1:] != values[:-1]
    return values[keep]


def shingle_sets(texts: Sequence[str]) -> tuple[NDArray, NDArray]:
    """Every text's distinct 32-bit shingle hashes, one after another, and where each text's
    begin (a text shorter than 3 characters is padded with zeros)."""
    encoded = []
    for text in texts:
        data = normalise(text).encode("utf-32-le")
        encoded.append(data + b"\0" * (12 - len(data)) if len(data) < 12 else data)
    lengths = np.fromiter((len(e) // 4 for e in encoded), dtype=np.int64, count=len(encoded))
    codes = np.frombuffer(b"".join(encoded), dtype="<u4").astype(np.uint64)
    owner = np.repeat(np.arange(len(encoded), dtype=np.uint64), lengths)
    grams = (codes[:-2] << np.uint64(42)) ^ (codes[1:-1] << np.uint64(21)) ^ codes[2:]
    within = owner[:-2] == owner[2:]  # no shingle across two texts
    mixed = grams[within] * _MIX
    folded = (mixed >> np.uint64(32)) ^ (mixed & _LOW32)
    keyed = _sorted_distinct((owner[:-2][within] << np.uint64(32)) | folded)
    starts = np.searchsorted(keyed >> np.uint64(32), np.arange(len(encoded), dtype=np.uint64))
    return keyed & _LOW32, starts


def shingles(text: str) -> list[int]:
    """The distinct 32-bit hashes of the text's overlapping 3-character pieces."""
    values, _ = shingle_sets([text])
    return values.tolist()  # type: ignore[no-any-return]


def _min_hashes(values: NDArray, starts: NDArray) -> NDArray:
    """The MinHash of each run of ``values`` beginning at ``starts`` (every run non-empty)."""
    a, b = _permutations()
    x = np.multiply(values[:, None], a)  # wraps modulo 2⁶⁴, as datasketch's does
    x += b
    high = x >> _SHIFT  # x mod (2⁶¹ - 1) = (x & p) + (x >> 61), less p once if ≥ p
    np.bitwise_and(x, _PRIME, out=x)
    x += high
    x[x >= _PRIME] -= _PRIME
    np.bitwise_and(x, _LOW32, out=x)
    return np.minimum.reduceat(x, starts, axis=0)


def signatures(texts: Iterable[str]) -> NDArray:
    """One row of ``NUM_PERM`` uint32 values per text."""
    values, starts = shingle_sets(list(texts))
    count = len(starts)
    out = np.empty((count, NUM_PERM), dtype=np.uint32)
    ends = np.append(starts[1:], len(values))
    first = 0
    while first < count:
        last = max(int(np.searchsorted(starts, starts[first] + CHUNK)), first + 1)
        low, high = int(starts[first]), int(ends[last - 1])
        out[first:last] = _min_hashes(values[low:high], starts[first:last] - low)
        first = last
    return out


def signature(text: str) -> np.ndarray:
    return np.asarray(signatures([text])[0])


def to_bytes(sig: np.ndarray) -> bytes:
    return sig.astype("<u4").tobytes()


def from_bytes(data: bytes) -> np.ndarray:
    return np.frombuffer(bytes(data), dtype="<u4").astype(np.uint32)


def band_keys(sig: np.ndarray) -> list[int]:
    """One signed 64-bit key per band (fits a database BIGINT)."""
    raw = sig.astype("<u4").tobytes()
    keys = []
    for band in range(BANDS):
        piece = bytes([band]) + raw[band * ROWS * 4 : (band + 1) * ROWS * 4]
        digest = hashlib.blake2b(piece, digest_size=8).digest()
        keys.append(int.from_bytes(digest, "little", signed=True))
    return keys


def similarity(a: np.ndarray, b: np.ndarray) -> float:
    """The estimated Jaccard similarity of two signatures (0 to 1)."""
    return float(np.count_nonzero(a == b)) / NUM_PERM


@dataclass(frozen=True)
class Match:
    key: object
    score: float


def best_match(
    sig: np.ndarray, candidates: Sequence[tuple[object, np.ndarray]], threshold: float
) -> Match | None:
    """The most alike candidate at or above ``threshold`` (the earliest on a tie), or None."""
    if not candidates:
        return None
    matrix = np.vstack([c for _, c in candidates])
    scores = np.count_nonzero(matrix == sig, axis=1) / NUM_PERM
    best = int(np.argmax(scores))
    if scores[best] < threshold:
        return None
    return Match(candidates[best][0], float(scores[best]))


def _runs(tiebreak: NDArray, *keys: NDArray) -> tuple[NDArray, NDArray]:
    """The order sorting rows by ``keys`` (the last one first), then by ``tiebreak``, and a
    mask of the rows in that order that begin a run of equal keys."""
    order = np.lexsort((tiebreak, *keys))
    begins = np.zeros(len(order), dtype=bool)
    if len(order):
        begins[0] = True
        for key in keys:
            ordered = key[order]
            begins[1:] |= ordered[1:] != ordered[:-1]
    return order, begins


def _band_pairs(rows: NDArray, words: NDArray, blocks: NDArray, band: int, count: int) -> NDArray:
    """Every (later, earlier) pair of ``rows`` in one block sharing ``band``, as
    later · count + earlier."""
    order, begins = _runs(rows, words[:, 2 * band + 1], words[:, 2 * band], blocks)
    firsts = np.flatnonzero(begins)
    sizes = np.diff(np.append(firsts, len(order)))
    rank = np.arange(len(order)) - np.repeat(firsts, sizes)  # earlier rows in its bucket
    total = int(rank.sum())
    if total == 0:
        return np.zeros(0, dtype=np.int64)
    later = np.repeat(np.arange(len(order)), rank)
    step = np.arange(total) - np.repeat(np.cumsum(rank) - rank, rank)
    earlier = np.repeat(np.repeat(firsts, sizes), rank) + step
    ranked = rows[order].astype(np.int64)
    return ranked[later] * count + ranked[earlier]  # type: ignore[no-any-return]


def group(sigs: NDArray, blocks: Sequence[str], threshold: float) -> list[int]:
    """Group alike petitions, in filing order: each joins the group of its most alike earlier
    petition in the same block (agency) that shares a band, at or above ``threshold`` (the
    earliest on a tie), else starts its own. Returns each petition's group, as the index of
    the group's first petition.

    For a whole batch at once: petitions with identical signatures join the first of them
    (nothing is more alike); the others' candidate pairs come band by band from sorting, are
    scored together, and each keeps its best."""
    count = len(sigs)
    if count == 0:
        return []
    sigs = np.ascontiguousarray(sigs, dtype=np.uint32)
    words = sigs.view(np.uint64)  # two values a word: a band is two words
    numbers: dict[str, int] = {}
    block_ids = np.fromiter(
        (numbers.setdefault(block, len(numbers)) for block in blocks), dtype=np.int64, count=count
    )
    index = np.arange(count, dtype=np.int64)
    best = np.full(count, -1, dtype=np.int64)

    columns = [words[:, c] for c in range(words.shape[1] - 1, -1, -1)]
    order, begins = _runs(index, *columns, block_ids)
    run = np.cumsum(begins) - 1
    best[order[~begins]] = order[begins][run][~begins]
    firsts = np.sort(order[begins])  # one petition per distinct signature, in filing order

    pairs = [
        _band_pairs(firsts, words[firsts], block_ids[firsts], band, count) for band in range(BANDS)
    ]
    codes = _sorted_distinct(np.concatenate(pairs))
    later, earlier = codes // count, codes % count
    equal = np.empty(len(codes), dtype=np.int64)
    for low in range(0, len(codes), 65536):
        high = low + 65536
        equal[low:high] = np.count_nonzero(sigs[later[low:high]] == sigs[earlier[low:high]], axis=1)
    alike = equal / NUM_PERM >= threshold
    later, earlier, equal = later[alike], earlier[alike], equal[alike]
    pick = np.lexsort((earlier, -equal, later))  # per later: most alike, then earliest
    chosen = later[pick]
    first = np.ones(len(chosen), dtype=bool)
    first[1:] = chosen[1:] != chosen[:-1]
    best[chosen[first]] = earlier[pick][first]

    leaders = index.copy()
    for number in np.flatnonzero(best >= 0).tolist():  # best < number: already placed
        leaders[number] = leaders[best[number]]
    return [int(leader) for leader in leaders]
