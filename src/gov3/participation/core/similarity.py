"""Alike petitions: MinHash signatures of character 3-grams (datasketch) and LSH bands.

A petition's text is normalised (NFKC, lower case, punctuation dropped), cut into
overlapping 3-character shingles, and summarised by a 64-value MinHash signature; the share
of equal values between two signatures estimates the Jaccard similarity of their shingle sets.
The signature is cut into 16 bands of 4 values: two petitions with a Jaccard similarity of
0.75 (the kr pack's threshold) share at least one band with probability
1 - (1 - 0.75⁴)¹⁶ ≈ 0.998, so looking up only petitions that share a band (an indexed column
in the database) finds the alike ones without comparing every pair.
"""

from __future__ import annotations

import hashlib
import re
import unicodedata
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

import numpy as np
from datasketch import MinHash  # type: ignore[import-untyped]

NUM_PERM = 64
BANDS = 16
ROWS = NUM_PERM // BANDS
SEED = 20261206
_NOT_WORD = re.compile(r"[\W_]+")
_MIX = np.uint64(0x9E3779B97F4A7C15)


def normalise(text: str) -> str:
    """What similarity looks at: letters and digits, lower case, single spaces."""
    return _NOT_WORD.sub(" ", unicodedata.normalize("NFKC", text).lower()).strip()


def shingles(text: str) -> list[int]:
    """The distinct 32-bit hashes of the text's overlapping 3-character pieces."""
    codes = np.frombuffer(normalise(text).encode("utf-32-le"), dtype=np.uint32).astype(np.uint64)
    if len(codes) < 3:
        codes = np.concatenate([codes, np.zeros(3 - len(codes), dtype=np.uint64)])
    grams = (codes[:-2] << np.uint64(42)) ^ (codes[1:-1] << np.uint64(21)) ^ codes[2:]
    mixed = grams * _MIX
    folded = (mixed >> np.uint64(32)) ^ (mixed & np.uint64(0xFFFFFFFF))
    return np.unique(folded).tolist()  # type: ignore[no-any-return]


def _identity(value: int) -> int:
    return value


def signatures(texts: Iterable[str]) -> np.ndarray:
    """One row of ``NUM_PERM`` uint32 values per text."""
    rows = [
        m.hashvalues
        for m in MinHash.generator(
            (shingles(t) for t in texts), num_perm=NUM_PERM, seed=SEED, hashfunc=_identity
        )
    ]
    if not rows:
        return np.zeros((0, NUM_PERM), dtype=np.uint32)
    return np.asarray(np.vstack(rows), dtype=np.uint32)


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


def group(sigs: np.ndarray, blocks: Sequence[str], threshold: float) -> list[int]:
    """Group alike petitions, in filing order: each joins the group of its most alike earlier
    petition in the same block (agency) at or above ``threshold``, else starts its own.
    Returns each petition's group, as the index of the group's first petition."""
    buckets: dict[tuple[str, int], list[int]] = defaultdict(list)
    leaders: list[int] = []
    for index, sig in enumerate(sigs):
        keys = band_keys(sig)
        seen: set[int] = set()
        for key in keys:
            seen.update(buckets.get((blocks[index], key), ()))
        leader = index
        if seen:
            found = best_match(sig, [(c, sigs[c]) for c in sorted(seen)], threshold)
            if found is not None:
                leader = leaders[int(found.key)]  # type: ignore[call-overload]
        leaders.append(leader)
        for key in keys:
            buckets[(blocks[index], key)].append(index)
    return leaders
