"""The fixed Hadamard matrices of orders 12, 20, 28 and 40 behind the transforms of
length ``m * 2**k``, built from their constructions (not stored as tables).

They are the matrices of Tri Dao's fast-hadamard-transform (``csrc/code_gen.py``:
``had_12_paley``, ``had_20_will``, ``had_28_will``, ``had_40_tpal``), entry for
entry, so that ``fwht`` reproduces the rotations of ``hadamard_transform_12N`` etc.
(the tests check the match through checksums of that library's matrices):

- 12: Paley's construction II for ``q = 5`` (``q = 1 mod 4``):
  ``C (x) [[1, 1], [1, -1]] + I (x) [[1, -1], [-1, -1]]`` with the symmetric
  conference matrix ``C = [[0, 1^T], [1, Q]]``;
- 20, 28: Williamson's array ``[[A, B, C, D], [-B, A, -D, C], [-C, D, A, -B],
  [-D, -C, B, A]]`` of symmetric circulants of order 5 and 7;
- 40: Sylvester doubling ``[[P, P], [P, -P]]`` of Paley's construction I for
  ``q = 19`` (``q = 3 mod 4``): ``P = I + [[0, -1^T], [1, Q]]``.

``Q[a, b] = chi(a - b)`` is the Jacobsthal matrix of GF(q) (``chi`` the quadratic
character: 1 on nonzero squares, -1 on non-squares, 0 at 0).
"""

from __future__ import annotations

import functools

import numpy as np

ORDERS = (12, 20, 28, 40)

# first rows of the Williamson circulants A, B, C, D (each symmetric)
_WILLIAMSON = {
    20: ("+----", "+----", "++--+", "+-++-"),
    28: ("+------", "++----+", "+-+--+-", "+--++--"),
}


def _jacobsthal(q: int) -> np.ndarray:
    """``Q[a, b] = chi(a - b)`` over the prime field GF(q)."""
    squares = {(i * i) % q for i in range(1, q)}
    chi = np.array([0] + [1 if r in squares else -1 for r in range(1, q)], dtype=np.int64)
    a = np.arange(q)
    return chi[(a[:, None] - a[None, :]) % q]


def _paley2(q: int) -> np.ndarray:
    """Paley's construction II, order ``2 (q + 1)``."""
    C = np.zeros((q + 1, q + 1), dtype=np.int64)
    C[0, 1:] = 1
    C[1:, 0] = 1
    C[1:, 1:] = _jacobsthal(q)
    return np.kron(C, [[1, 1], [1, -1]]) + np.kron(
        np.eye(q + 1, dtype=np.int64), [[1, -1], [-1, -1]]
    )


def _paley1(q: int) -> np.ndarray:
    """Paley's construction I, order ``q + 1``."""
    S = np.zeros((q + 1, q + 1), dtype=np.int64)
    S[0, 1:] = -1
    S[1:, 0] = 1
    S[1:, 1:] = _jacobsthal(q)
    return np.eye(q + 1, dtype=np.int64) + S


def _circulant(row: str) -> np.ndarray:
    r = np.array([1 if c == "+" else -1 for c in row], dtype=np.int64)
    i = np.arange(r.size)
    return r[(i[None, :] - i[:, None]) % r.size]


def _williamson(m: int) -> np.ndarray:
    A, B, C, D = (_circulant(r) for r in _WILLIAMSON[m])
    return np.block([[A, B, C, D], [-B, A, -D, C], [-C, D, A, -B], [-D, -C, B, A]])


@functools.lru_cache(maxsize=8)
def hadamard_matrix(m: int) -> np.ndarray:
    """The Hadamard matrix of order ``m`` (12, 20, 28 or 40; 1 gives ``[[1]]``) used by
    the transforms, as a read-only int8 array."""
    if m == 1:
        H = np.ones((1, 1), dtype=np.int64)
    elif m == 12:
        H = _paley2(5)
    elif m in _WILLIAMSON:
        H = _williamson(m)
    elif m == 40:
        P = _paley1(19)
        H = np.block([[P, P], [P, -P]])
    else:
        raise ValueError(
            f"no Hadamard matrix of order {m}; orders: 1, {', '.join(map(str, ORDERS))}"
        )
    H = H.astype(np.int8)
    H.flags.writeable = False
    return H
