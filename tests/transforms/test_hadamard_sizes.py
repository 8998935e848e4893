"""The Walsh-Hadamard transform of lengths m * 2**k (m = 12, 20, 28, 40) against dense
matrices built here independently (Paley's constructions from the quadratic residues,
Williamson's array, Sylvester's doubling, Kronecker products), and its emulation
against a scalar Fraction transcription that rounds every operation."""

import hashlib
import math
from fractions import Fraction

import numpy as np
import pytest
import scipy.linalg as sl
from reference import round_scalar

import numerics as nm
from numerics import transforms as T

RNG = np.random.default_rng(2024)
MODES = ("nearest_even", "nearest_away", "toward_zero", "up", "down", "odd")

# sha256 of the int8 +-1 matrices had_12_paley, had_20_will, had_28_will, had_40_tpal
# of Tri Dao's fast-hadamard-transform (csrc/code_gen.py), row by row
DAO_SHA256 = {
    12: "862ec4fbae3ba2a8c82afa675136e5886c4caeec817da633b5a2eb9dc2b0d658",
    20: "9fb6a69379ab64f795f7b1b13b6fffb56f96e766001536900242ba1b1643e530",
    28: "43bce2e98e9fcf6e6ed8456432fc25cc1b038c87d7a0bebb8445b082b88267e7",
    40: "b36c95bcae918f982ba87b8a98828c6ee5232919436228600c0714b67fe82036",
}


def legendre(a, q):
    a %= q
    if a == 0:
        return 0
    return 1 if pow(a, (q - 1) // 2, q) == 1 else -1  # Euler's criterion


def paley_q(q):
    return np.array([[legendre(i - j, q) for j in range(q)] for i in range(q)])


def paley_one(q):
    """Order q + 1 (q = 3 mod 4): I + [[0, -1...], [1, Q]]."""
    H = np.eye(q + 1, dtype=int)
    H[0, 1:] -= 1
    H[1:, 0] += 1
    H[1:, 1:] += paley_q(q)
    return H


def paley_two(q):
    """Order 2 (q + 1) (q = 1 mod 4), from the symmetric conference matrix."""
    C = np.zeros((q + 1, q + 1), dtype=int)
    C[0, 1:] = C[1:, 0] = 1
    C[1:, 1:] = paley_q(q)
    out = np.zeros((2 * q + 2, 2 * q + 2), dtype=int)
    for i in range(q + 1):
        for j in range(q + 1):
            blk = [[1, -1], [-1, -1]] if i == j else np.multiply(C[i, j], [[1, 1], [1, -1]])
            out[2 * i : 2 * i + 2, 2 * j : 2 * j + 2] = blk
    return out


def williamson(rows):
    A, B, C, D = (
        np.array([np.roll([1 if c == "+" else -1 for c in r], i) for i in range(len(r))])
        for r in rows
    )
    return np.block([[A, B, C, D], [-B, A, -D, C], [-C, D, A, -B], [-D, -C, B, A]])


DENSE = {
    12: paley_two(5),
    20: williamson(("+----", "+----", "++--+", "+-++-")),
    28: williamson(("+------", "++----+", "+-+--+-", "+--++--")),
    40: np.kron([[1, 1], [1, -1]], paley_one(19)),
}


def dense(n, order=None):
    m = order or next(m for m in (1, 12, 20, 28) if n % m == 0 and not (n // m) & (n // m - 1))
    Hm = np.ones((1, 1)) if m == 1 else DENSE[m]
    return np.kron(Hm, sl.hadamard(n // m)).astype(float), m


@pytest.mark.parametrize("m", [12, 20, 28, 40])
def test_matrices_are_hadamard_and_match_fast_hadamard_transform(m):
    H = DENSE[m]
    assert np.array_equal(H @ H.T, m * np.eye(m))
    assert hashlib.sha256(H.astype(np.int8).tobytes()).hexdigest() == DAO_SHA256[m]
    # the transform of the identity is H^T, with H H^T = n I
    for k in (0, 2):
        n = m << k
        Y = T.fwht(np.eye(n), order=m)
        Hn = dense(n, m)[0]
        assert np.array_equal(Y, Hn.T)
        assert np.array_equal(Y @ Y.T, n * np.eye(n))


@pytest.mark.parametrize(
    "n, block, order",
    [
        (12, None, None),
        (48, None, None),
        (96, 24, None),
        (96, 32, None),
        (20, None, None),
        (160, None, None),
        (80, 40, 40),
        (28, None, None),
        (224, 56, None),
        (40, None, 40),
        (320, None, 40),
    ],
)
@pytest.mark.parametrize("normalize", [False, True])
@pytest.mark.parametrize("dtype", [np.float64, np.float32])
def test_native_matches_dense(n, block, order, normalize, dtype):
    b = n if block is None else block
    Hb, _ = dense(b, order)
    Hb = Hb / (math.sqrt(b) if normalize else 1)
    M = np.kron(np.eye(n // b), Hb)
    x = RNG.standard_normal((3, n))
    signs = RNG.choice([-1, 1], size=n)
    tol = 1e-12 if dtype == np.float64 else 1e-5
    y = x.astype(dtype)
    assert T.fwht(y, normalize, signs, block, order=order) is y
    assert np.abs(y - x @ np.diag(signs) @ M.T).max() <= tol * max(np.abs(x).max(), 1) * b
    y = x.astype(dtype)
    T.fwht(y, normalize, None, block, order=order, scale=True)
    expect = x @ M.T
    expect = expect if normalize else expect / b
    assert np.abs(y - expect).max() <= tol * max(np.abs(x).max(), 1) * b
    y = x.astype(dtype)
    T.fwht(y, normalize, None, block, order=order, transpose=True)
    assert np.abs(y - x @ M).max() <= tol * max(np.abs(x).max(), 1) * b


def _ref(x, fmt, mode, m, normalize=False):
    """Sylvester butterflies on the rows of the m x s layout, then H_m on every column,
    left to right, each addition rounded; then the rounded 1/sqrt(n)."""
    f = nm.get_format(fmt)
    n = len(x)
    s = n // m

    def r(v):
        return Fraction(round_scalar(v, f, mode))

    x = [Fraction(round_scalar(Fraction(float(v)), f, "nearest_even")) for v in x]
    h = 1
    while h < s:
        for i in range(0, n, 2 * h):
            for j in range(i, i + h):
                a, b = x[j], x[j + h]
                x[j], x[j + h] = r(a + b), r(a - b)
        h *= 2
    H = DENSE[m]
    out = list(x)
    for b in range(s):
        col = [x[a * s + b] for a in range(m)]
        for a in range(m):
            acc = H[a, 0] * col[0]
            for j in range(1, m):
                acc = r(acc + H[a, j] * col[j])
            out[a * s + b] = acc
    if normalize:
        g = Fraction(round_scalar(Fraction(1 / math.sqrt(n)), f, "nearest_even"))
        out = [r(v * g) for v in out]
    return np.array([float(v) for v in out])


@pytest.mark.parametrize("mode", MODES)
@pytest.mark.parametrize("n, m", [(24, 12), (20, 20), (56, 28), (40, 40)])
def test_emulated_rounds_every_operation(mode, n, m):
    x = RNG.standard_normal(n)
    y = x.copy()
    T.fwht(y, order=m, fmt="float8_e5m2", rounding=mode)
    assert np.array_equal(y, _ref(x, "float8_e5m2", mode, m))
    y = x.copy()
    T.fwht(y, True, order=m, fmt="bfloat16", rounding=mode)
    assert np.array_equal(y, _ref(x, "bfloat16", mode, m, normalize=True))


@pytest.mark.parametrize(
    "n, opts",
    [
        (48, {}),
        (80, {"normalize": True}),
        (112, {"scale": True}),
        (160, {"order": 40, "normalize": True, "scale": True}),
        (96, {"block": 24, "normalize": True}),
    ],
)
@pytest.mark.parametrize("fmt", ["bfloat16", "float8_e5m2"])
@pytest.mark.parametrize("mode", ["nearest_even", "stochastic", "toward_zero"])
def test_contributions_sum_to_the_rounding_error(n, opts, fmt, mode):
    x = RNG.standard_normal((2, n))
    r = T.error_report("fwht", x, fmt, mode, seed=7, **opts)
    assert r.summary["contributions mismatch"] <= 1e-12
    assert r.summary["normwise / u"] <= r.summary["bound / u"]
    assert any(lab.startswith("H_") for lab in r.column("stage"))
    y = x.copy()
    T.fwht(y, fmt=fmt, rounding=mode, seed=7, **opts)
    assert np.array_equal(y, r.output)
    assert np.array_equal(nm.cast(y, fmt, saturate=True), y)


def test_float64_emulation_equals_native_and_stochastic_is_reproducible():
    x = RNG.standard_normal((3, 80))
    a, b = x.copy(), x.copy()
    T.fwht(a, True)
    T.fwht(b, True, fmt="float64")
    assert np.array_equal(a, b)
    runs = []
    for seed in (3, 3, 4):
        y = x.copy()
        T.fwht(y, fmt="bfloat16", rounding="stochastic", seed=seed)
        runs.append(y)
    assert np.array_equal(runs[0], runs[1]) and not np.array_equal(runs[0], runs[2])


@pytest.mark.parametrize(
    "call, err, words",
    [
        (lambda: T.fwht(np.ones(36)), ValueError, "12 * 2**k"),
        (lambda: T.fwht(np.ones(3)), ValueError, "28 * 2**k"),
        (lambda: T.fwht(np.ones(48), block=36), ValueError, "dividing 48"),
        (lambda: T.fwht(np.ones(48), block=40), ValueError, "dividing 48"),
        (lambda: T.fwht(np.ones(24), order=40), ValueError, "40 * 2**k"),
        (lambda: T.fwht(np.ones(24), order=7), ValueError, "order must be"),
        (lambda: T.fwht(np.ones(24), order=True), TypeError, "order must be"),
        (lambda: T.fwht(np.ones(24, dtype=np.int64)), TypeError, "float32 or float64"),
        (lambda: T.error_report("fwht", np.ones(36), "bfloat16"), ValueError, "2**k"),
    ],
)
def test_bad_sizes_are_rejected_naming_the_sizes(call, err, words):
    with pytest.raises(err, match=words.replace("*", r"\*")):
        call()


def test_rejected_input_is_untouched():
    x = RNG.standard_normal(48)
    y = x.copy()
    with pytest.raises(ValueError):
        T.fwht(y, block=36)
    with pytest.raises(ValueError):
        T.fwht(y, signs=np.ones(24))
    assert np.array_equal(x, y)


def test_torch_op_takes_the_new_sizes_with_the_adjoint_gradient():
    torch = pytest.importorskip("torch")
    from numerics.torch import fwht

    for n, block in ((80, None), (96, 24), (56, None)):
        x = torch.randn(2, n, dtype=torch.float64, requires_grad=True)
        y = fwht(x, True, block=block)
        b = n if block is None else block
        M = torch.tensor(np.kron(np.eye(n // b), dense(b)[0] / math.sqrt(b)))
        assert torch.allclose(y, x @ M.T, atol=1e-12)
        g = torch.randn(2, n, dtype=torch.float64)
        y.backward(g)
        assert torch.allclose(x.grad, g @ M, atol=1e-12)
