"""Dequantization decodes every code of every element format exactly.

The kernel decodes float codes arithmetically (significand times a power of two) and
reads the value table only for NaN and Inf codes; the reference here is the table
itself (:func:`numerics.formats.codes.value_table`, built from :func:`decode`'s exact
float64 arithmetic), times the scale, rounded once into the output dtype by numpy.
"""

import dataclasses

import numpy as np
import pytest

import numerics as nm
from numerics.formats.codes import value_table

SMALL = [n for n in nm.format_names() if nm.get_format(n).bits <= 8]


@pytest.mark.parametrize("name", SMALL)
@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("scale", [1.0, 2.0**-7, 3.0, 2.0**-140])
# 256 codes decode in numpy, 10240 in the kernel
@pytest.mark.parametrize("copies", [1, 40])
def test_every_code_dequantizes_to_its_table_value(name, dtype, scale, copies):
    fmt = nm.get_format(name)
    if fmt.max * scale > np.finfo(dtype).max:
        pytest.skip("the format's values times the scale overflow the dtype")
    codes = np.tile(np.arange(2**fmt.bits), copies * 256 // 2**fmt.bits)
    # a per-tensor scaled Quantized of the right shape, then every code in it
    q = nm.quantize(np.ones(codes.size, dtype), fmt, scale=scale)
    q = dataclasses.replace(q, codes=codes.astype(q.codes.dtype))
    want = (value_table(fmt)[codes] * scale).astype(dtype)
    got = q.dequantize()
    np.testing.assert_array_equal(got, want)
    assert np.array_equal(np.signbit(got), np.signbit(want))
