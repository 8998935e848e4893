"""BitNet ternary and the {+1, +i, -1, -i} codebook: boundaries, scales, round trips."""

import math

import numpy as np
import pytest

import numerics as nm


def test_ternary_matches_bitnet_formula():
    rng = np.random.default_rng(0)
    w = rng.standard_normal((8, 16)).astype(np.float32)
    q = nm.quantize_ternary(w)
    gamma = np.float32(np.abs(w.astype(np.float64)).mean())
    assert q.scales.item() == gamma and q.codes.dtype == np.int8
    np.testing.assert_array_equal(q.codes, np.clip(np.round(w / np.float64(gamma)), -1, 1))
    np.testing.assert_array_equal(q.dequantize(), q.codes * gamma)
    assert q.nbytes == 8 * 16 * 2 // 8 + 4


def test_ternary_boundaries_and_channels():
    g = 0.5  # mean |w| of the row below
    w = np.array([[0.25, -0.25, 0.75, -0.75, 0.0, -0.0, 1.0, 1.0]], np.float32)
    assert np.abs(w).mean() == g
    q = nm.quantize_ternary(w, stats=True)
    # w / g = 0.5 and 1.5 are ties: to even, so 0 and +-2 clipped to +-1
    assert q.codes.tolist() == [[0, 0, 1, -1, 0, 0, 1, 1]]
    assert q.num_clipped == 4  # |w / g| > 1: 0.75, -0.75, 1.0, 1.0
    c = nm.quantize_ternary(np.array([[1.0, -3.0], [0.01, 0.0]]), channel_axis=0)
    assert c.scales.ravel().tolist() == [2.0, float(np.float32(0.005))]
    assert c.codes.tolist() == [[0, -1], [1, 0]]
    z = nm.quantize_ternary(np.zeros(4))  # eps keeps the scale positive
    assert z.scales.item() == float(np.float32(1e-5)) and (z.codes == 0).all()
    with pytest.raises(ValueError, match="eps"):
        nm.quantize_ternary(w, eps=0)
    with pytest.raises(ValueError, match="NaN"):
        nm.quantize_ternary([np.nan])


def test_ternary_stochastic_rounding_is_unbiased():
    w = np.full(40000, 0.3)
    w[0] = 40000 * 0.3 * 4  # fixes gamma = 0.6 ... approximately
    q = nm.quantize_ternary(w, rounding="stochastic", seed=1)
    ratio = 0.3 / q.scales.item()
    assert abs(q.codes[1:].mean() - ratio) < 0.01


def phase_sector(z: complex) -> int:
    """The sector of the phase, from the angle itself (for points off the boundaries)."""
    phi = math.atan2(z.imag, z.real)
    if -math.pi / 4 <= phi < math.pi / 4:
        return 0
    if math.pi / 4 <= phi < 3 * math.pi / 4:
        return 1
    if -3 * math.pi / 4 <= phi < -math.pi / 4:
        return 3
    return 2


def test_pm1i_sectors_against_the_angle():
    rng = np.random.default_rng(1)
    z = rng.standard_normal(5000) + 1j * rng.standard_normal(5000)
    q = nm.quantize_pm1i(z)
    np.testing.assert_array_equal(q.codes, [phase_sector(v) for v in z])


def test_pm1i_boundaries_exactly():
    # phase exactly +-pi/4 and +-3pi/4 (|re| == |im|), the axes, and zero
    z = np.array([1 + 1j, 1 - 1j, -1 + 1j, -1 - 1j, 2, 2j, -2, -2j, 0, -0.0 - 0.0j])
    q = nm.quantize_pm1i(z)
    assert q.codes.tolist() == [1, 0, 2, 3, 0, 1, 2, 3, 0, 0]


def test_pm1i_scales_and_dequantize():
    z = np.array([3 + 1j, -1 + 0.5j, 0.2 + 2j, 0.5 - 4j], np.complex64)
    q = nm.quantize_pm1i(z)
    assert q.codes.tolist() == [0, 2, 1, 3]
    assert q.scales.item() == 2.0  # mean |re| over the +-1 codes: (3 + 1) / 2
    assert q.scales_imag.item() == 3.0  # mean |im| over the +-i codes: (2 + 4) / 2
    d = q.dequantize()
    assert d.dtype == np.complex64
    assert d.tolist() == [2 + 0j, -2 + 0j, 3j, -3j]
    np.testing.assert_array_equal(q.elements(), [1, -1, 1j, -1j])
    # pairs give the same as complex data
    p = nm.quantize_pm1i(z.real.copy(), z.imag.copy())
    np.testing.assert_array_equal(p.codes, q.codes)
    assert p.scales.item() == q.scales.item()
    # a codebook without imaginary codes keeps eps as its imaginary scale
    r = nm.quantize_pm1i([1 + 0j, -2 + 0j])
    assert r.scales_imag.item() == float(np.float32(1e-5))


def test_pm1i_channels_and_errors():
    z = np.array([[1 + 0j, 3 + 0j], [2j, -1j]])
    q = nm.quantize_pm1i(z, channel_axis=0)
    assert q.scales.ravel().tolist() == [2.0, float(np.float32(1e-5))]
    assert q.scales_imag.ravel().tolist() == [float(np.float32(1e-5)), 1.5]
    np.testing.assert_array_equal(q.dequantize(), [[2, 2], [1.5j, -1.5j]])
    with pytest.raises(TypeError, match="complex"):
        nm.quantize_pm1i(np.ones(3))
    with pytest.raises(ValueError, match="one shape"):
        nm.quantize_pm1i(np.ones(3), np.ones(4))
    with pytest.raises(ValueError, match="NaN"):
        nm.quantize_pm1i([complex(np.nan, 0)])


def test_codebooks_refuse_inf_and_infinite_eps():
    # both ended in "scale must be positive and finite", naming neither
    with pytest.raises(ValueError, match="Inf.*absmean"):
        nm.quantize_ternary([np.inf, 1.0])
    with pytest.raises(ValueError, match="eps must be a positive finite number, got inf"):
        nm.quantize_ternary([2.0, 1.0], eps=np.inf)
    with pytest.raises(ValueError, match="Inf"):
        nm.quantize_pm1i(np.array([complex(np.inf, 0), 1j]))
    with pytest.raises(ValueError, match="eps must be a positive finite number"):
        nm.quantize_pm1i(np.array([1 + 1j]), eps=np.inf)
