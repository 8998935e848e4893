"""The cast in pure torch operations, for tensors on devices the numba kernels cannot
reach: the same decision, element by element, as :func:`numerics._core.rounding.
round_one` (and the same random words for stochastic rounding), written with int64
tensor arithmetic. Tested bit for bit against the CPU kernels."""

from __future__ import annotations

import torch
from torch import Tensor

from .._core.containers import F32, F64
from .._core.params import (
    P_BIASC,
    P_EMAX,
    P_EMIN,
    P_HASINF,
    P_HASNAN,
    P_M,
    P_MAXCODE,
    P_MB,
    P_MODE,
    P_NEGZERO,
    P_SAT,
    P_SIGNED,
    P_SRBITS,
    P_SSH,
    P_SUBN,
    P_ZERO,
    RDOWN,
    RNA,
    RNE,
    RODD,
    RSREQ,
    RTZ,
    RUP,
    params,
)
from .._core.random_words import GOLDEN, MIX1, MIX2, seed_key
from ..formats.rounding import as_rounding

_MIN = -(1 << 63)


def _s64(v: int) -> int:
    """A uint64 constant as the int64 with the same bits."""
    v &= (1 << 64) - 1
    return v - (1 << 64) if v >= 1 << 63 else v


_GOLDEN = _s64(int(GOLDEN))
_MIX1 = _s64(int(MIX1))
_MIX2 = _s64(int(MIX2))


def _srl(z: Tensor, k: int) -> Tensor:
    """Logical right shift of int64 bits."""
    return (z >> k) & ((1 << (64 - k)) - 1)


def _mix64(z: Tensor) -> Tensor:
    z = (z ^ _srl(z, 30)) * _MIX1
    z = (z ^ _srl(z, 27)) * _MIX2
    return z ^ _srl(z, 31)


def random_words(key: int | Tensor, n: int, device, offset: int = 0) -> Tensor:
    """``random64(key, i)`` for ``offset <= i < offset + n``, as int64 bits (``key``: an
    int, or an int64 tensor holding its bits)."""
    i = torch.arange(offset + 1, offset + n + 1, dtype=torch.int64, device=device)
    k = key.to(device) if isinstance(key, Tensor) else _s64(key)
    return _mix64(k + i * _GOLDEN)


def counter_seed_tensor(seed: Tensor, step: Tensor, call: int) -> Tensor:
    """:func:`numerics.torch.counter_seed` in int64 tensor arithmetic (the same value),
    so counters kept as tensors flow through ``torch.compile`` graphs unspecialised."""
    z = _mix64(seed.to(torch.int64) * _GOLDEN + 1)
    z = _mix64((z ^ step.to(torch.int64)) * _GOLDEN)
    z = _mix64((z ^ call) * _GOLDEN)
    return _srl(z, 1)


def pow2(e: Tensor) -> Tensor:
    """``2**e`` as float64 for int64 ``e`` in [-1074, 1023], exactly: built from its bits,
    since ``torch.ldexp`` goes through ``pow``, which a device's math library need not
    compute exactly."""
    normal = ((e.clamp(-1022, 1023) + 1023) << 52).view(torch.float64)
    sub = (torch.ones_like(e) << (e.clamp(-1074, -1023) + 1074)).view(torch.float64)
    return torch.where(e >= -1022, normal, sub)


def _ult(a: Tensor, b: Tensor) -> Tensor:
    """Unsigned ``a < b`` on int64 bits."""
    return (a ^ _MIN) < (b ^ _MIN)


# Elements per pass: the cast keeps a few dozen int64 temporaries per element alive,
# so large tensors go through in chunks (the random word of element i stays i's).
CHUNK = 1 << 22


def cast_torch(
    x: Tensor, fmt, mode, *, saturate: bool, seed: int | None, sr_bits: int | None = None
) -> Tensor:
    """``x`` (float32 or float64, any device) rounded into ``fmt``, in ``x``'s dtype."""
    c = F64 if x.dtype == torch.float64 else F32
    mode = as_rounding(mode)
    P = [
        int(v)
        for v in params(fmt, mode, saturate=saturate, subnormals=True, sr_bits=sr_bits, container=c)
    ]
    key = seed_key(seed) if mode.is_stochastic else 0  # once: seed=None draws a fresh one
    flat = x.detach().contiguous().reshape(-1)
    n = flat.numel()
    if n <= CHUNK:
        return _cast_flat(flat, P, key, c, 0).reshape(x.shape)
    out = torch.empty_like(flat)
    for lo in range(0, n, CHUNK):
        hi = min(n, lo + CHUNK)
        out[lo:hi] = _cast_flat(flat[lo:hi], P, key, c, lo)
    return out.reshape(x.shape)


def _cast_flat(flat: Tensor, P: list[int], key: int, c, offset: int) -> Tensor:
    """The cast of the 1-D ``flat`` (elements ``offset``, ``offset + 1``, ... of the
    tensor) by the parameter block ``P``."""
    m, emin, emax, maxcode = P[P_M], P[P_EMIN], P[P_EMAX], P[P_MAXCODE]
    zero, signed, sat, md = P[P_ZERO], P[P_SIGNED], P[P_SAT], P[P_MODE]
    MB, BIASC, SSH = P[P_MB], P[P_BIASC], P[P_SSH]
    dev = flat.device
    if c is F64:
        b = flat.view(torch.int64)
    else:
        b = flat.view(torch.int32).to(torch.int64) & 0xFFFFFFFF
    neg = ((b >> SSH) & 1) == 1
    ab = b & ((1 << SSH) - 1)
    field = ab >> MB
    mant = ab & ((1 << MB) - 1)
    maxfield = (1 << (SSH - MB)) - 1
    isnan_in = (field == maxfield) & (mant != 0)
    isinf_in = (field == maxfield) & (mant == 0)
    iszero_in = ab == 0

    sub = field == 0
    sig = torch.where(sub, mant, mant | (1 << MB))
    lsb = torch.where(sub, torch.full_like(field, 1 - BIASC - MB), field - BIASC - MB)
    flog = torch.frexp(sig.to(torch.float64))[1].to(torch.int64) - 1
    E = torch.where(sub, lsb + flog, field - BIASC)

    ftz = zero and P[P_SUBN] == 0
    e_eff = E if ftz else torch.clamp(E, min=emin)
    d = e_eff - m - lsb
    dc = torch.clamp(d, 1, 63)
    kept = torch.where(d <= 0, sig << torch.clamp(-d, 0, 62), sig >> dc)
    rem = torch.where(d <= 0, torch.zeros_like(sig), sig & ((1 << dc) - 1))
    code = ((e_eff - emin) << m) + kept
    if not zero:
        code = code - (1 << m)
    parity = code & 1
    half = 1 << (dc - 1)
    nz = rem != 0
    if md == RNE:
        up = (rem > half) | ((rem == half) & (parity == 1))
    elif md == RNA:
        up = rem >= half
    elif md == RTZ:
        up = torch.zeros_like(nz)
    elif md == RUP:
        up = nz & ~neg
    elif md == RDOWN:
        up = nz & neg
    elif md == RODD:
        up = nz & (parity == 0)
    else:
        R = random_words(key, flat.numel(), dev, offset)
        if md == RSREQ:
            up = nz & (R < 0)
        else:
            t = torch.where(
                d <= 64, rem << torch.clamp(64 - d, 0, 63), rem >> torch.clamp(d - 64, 0, 63)
            )
            srb = P[P_SRBITS]
            if srb < 64:
                t = t & ~((1 << (64 - srb)) - 1)
            up = nz & (t != 0) & ~_ult(R, -t)
    up = up.to(torch.int64)
    code = code + up
    kept = kept + up
    if ftz:
        flushed = torch.where((E == emin - 1) & (kept == (2 << m)), 1 << m, 0)
        code = torch.where(E < emin, flushed, code)
    code = torch.where(E > emax, maxcode + 1, code)
    if not zero:
        code = torch.where(E < emin, 0, code)

    # overflow
    toward0 = {RTZ: True, RODD: True}.get(md, False)
    over = code > maxcode
    nan_out = isnan_in.clone()
    inf_out = torch.zeros_like(over)
    if sat:
        code = torch.where(over, maxcode, code)
    else:
        clamp_dir = torch.full_like(over, toward0)
        if md == RUP:
            clamp_dir = neg
        elif md == RDOWN:
            clamp_dir = ~neg
        to_max = over & clamp_dir
        rest = over & ~clamp_dir
        code = torch.where(to_max, maxcode, code)
        if P[P_HASINF]:
            inf_out = rest
        elif P[P_HASNAN]:
            nan_out = nan_out | rest
        else:
            code = torch.where(rest, maxcode, code)
    # infinite inputs: Inf if the format has it (and no saturation), else NaN or max
    if not sat and P[P_HASINF]:
        inf_out = inf_out | isinf_in
    elif not sat and P[P_HASNAN]:
        nan_out = nan_out | isinf_in
    else:
        code = torch.where(isinf_in, maxcode, code)
    inf_out = inf_out & ~isnan_in
    # zeros
    if zero:
        code = torch.where(iszero_in, 0, code)
        keep_sign = neg & bool(P[P_NEGZERO])
    else:
        code = torch.where(iszero_in, 0, code)
        if P[P_HASNAN] and not sat:
            nan_out = nan_out | iszero_in
        keep_sign = neg
    # signs and unsigned formats
    out_neg = neg & bool(signed)
    if not signed:
        bad = neg & ((code != 0) | (not zero)) & ~isnan_in
        inf_out = inf_out & ~bad
        if sat or not P[P_HASNAN]:
            code = torch.where(bad, 0, code)
        else:
            nan_out = nan_out | bad
    if zero:
        out_neg = torch.where(code == 0, keep_sign & bool(signed), out_neg)

    # value of the code
    e_field = code >> m
    frac = code & ((1 << m) - 1)
    if zero:
        sig_out = torch.where(e_field == 0, frac, frac | (1 << m))
        ex = torch.where(e_field == 0, emin - m, e_field - 1 + emin - m)
    else:
        sig_out = frac | (1 << m)
        ex = e_field + emin - m
    v = sig_out.to(torch.float64) * pow2(ex)
    v = torch.where(inf_out, torch.inf, v)
    v = torch.where(nan_out, torch.nan, v)
    v = torch.where(out_neg, -v, v)
    return v.to(flat.dtype)
