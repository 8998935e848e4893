"""The vectorised float64 reference agrees with the Fraction reference."""

import numpy as np
import pytest
import reference as R
from helpers import DETERMINISTIC, SMALL_FORMATS, assert_same


@pytest.mark.parametrize("name", SMALL_FORMATS[::3] + ["float8_e8m0fnu", "ue4m3"])
def test_vectorised_reference_equals_fraction_reference(name):
    import numerics as nm

    fmt = nm.get_format(name)
    rng = np.random.default_rng(3)
    v = fmt.values()
    x = np.concatenate(
        [
            v,
            (v[1:] + v[:-1]) / 2,
            rng.uniform(fmt.min, fmt.max, 200) * 1.2,
            [0.0, -0.0, np.inf, -np.inf, np.nan, fmt.max * 1.07, -fmt.max * 1.04],
        ]
    )
    for mode in DETERMINISTIC:
        for sat in (False, True):
            scalar = [R.round_scalar(float(t), fmt, mode, sat) for t in x]
            assert_same(R.round_array(x, fmt, mode, sat), scalar, x, f"{name} {mode} {sat}")
