"""Tests of numerics.arith.tensor_core: against MMA-Sim (bit for bit, every generation
and operand type it models), against the scalar transcription in mma_reference.py,
MMA-Sim's targeted experiments (as fixed bit patterns, so they run without mmasim),
and the DeepSeek-V3 and SageAttention reproductions."""

from __future__ import annotations

import zlib

import mma_reference as ref
import numpy as np
import pytest

from numerics import Format, cast, decode
from numerics.arith import TensorCore, tc_matmul

# ----- data --------------------------------------------------------------------------

# name: (numerics format, code bits, exponent bits, fraction bits, special codes)
FMTS = {
    "f16": ("float16", 16, 5, 10, (0x7C00, 0xFC00, 0x7E00)),
    "bf16": ("bfloat16", 16, 8, 7, (0x7F80, 0xFF80, 0x7FC0)),
    "tf32": ("tf32", 32, 8, 23, (0x7F800000, 0xFF800000, 0x7FC00000, 0x7F800001, 0xFFFFFFFF)),
    "f32": ("float32", 32, 8, 23, (0x7F800000, 0xFF800000, 0x7FC00000)),
    "e4m3": ("e4m3", 8, 4, 3, (0x7F, 0xFF)),
    "e5m2": ("e5m2", 8, 5, 2, (0x7C, 0xFC, 0x7E)),
    "e3m2": ("e3m2", 6, 3, 2, ()),
    "e2m3": ("e2m3", 6, 2, 3, ()),
    "e2m1": ("e2m1", 4, 2, 1, ()),
    "ue8m0": ("e8m0", 8, 8, 0, (0xFF,)),
    "ue4m3": ("ue4m3", 8, 4, 3, (0x7F,)),
}
IEEE_TOP = {"f16", "bf16", "tf32", "f32", "e5m2"}  # all-ones exponent: Inf/NaN


def rand_codes(rng, fmt, shape, special=0.0, centre=0, spread=3, zero=0.12):
    """Bit codes: zeros, uniformly random codes (subnormals and extreme exponents),
    moderate values around 2^centre, and (with probability ``special``) Inf/NaN."""
    _, nb, E, M, specials = FMTS[fmt]
    signed = fmt not in ("ue8m0", "ue4m3")
    n = int(np.prod(shape))
    r = rng.random(n)
    uni = rng.integers(0, 2**nb, n, dtype=np.int64)
    if fmt in IEEE_TOP:
        top = ((uni >> M) & (2**E - 1)) == 2**E - 1
        uni[top] ^= 1 << M
    if fmt in ("e4m3", "ue4m3"):
        uni[(uni & 0x7F) == 0x7F] ^= 1
    if fmt == "ue8m0":
        uni[uni == 0xFF] = 0xFE
        near = rng.random(n) < 0.5
        uni[near] = 127 + rng.integers(-8, 9, near.sum())
    if fmt == "ue4m3":
        uni &= 0x7F
    bias = 2 ** (E - 1) - 1
    top_e = 2**E - 2 if fmt in IEEE_TOP else 2**E - 1
    ctr = 0 if fmt in ("ue8m0", "ue4m3", "f32") else centre
    ef = np.clip(bias + ctr + rng.integers(-spread, spread + 1, n), 0, top_e)
    mod = (ef << M) | rng.integers(0, 2**M, n) if M else ef << M
    if fmt in ("e4m3", "ue4m3"):
        mod[(mod & 0x7F) == 0x7F] ^= 1
    if fmt == "ue8m0":
        mod = 127 + rng.integers(-6, 7, n)
    if signed:
        mod |= rng.integers(0, 2, n) << (nb - 1)
    codes = np.where(r < 0.55, uni, mod)
    zeros = rng.integers(0, 2, n) << (nb - 1) if signed else np.zeros(n, np.int64)
    codes = np.where(r < zero, zeros, codes)
    if specials and special:
        sp = (r >= zero) & (r < zero + special)
        codes[sp] = rng.choice(np.array(specials), sp.sum())
    return codes.reshape(shape)


def values(codes, fmt):
    """float64 values of codes (tf32: float32 values, NaN payloads and low bits kept)."""
    if fmt == "tf32":
        return codes.astype(np.uint32).view(np.float32)
    if fmt == "f32":
        return codes.astype(np.uint32).view(np.float32).astype(np.float64)
    return decode(codes, FMTS[fmt][0], dtype=np.float64)


def gen(rng, M, K, N, fa, fb, fc, special=0.0, centre=0, czero=0.0):
    A = rand_codes(rng, fa, (M, K), special, centre)
    B = rand_codes(rng, fb, (K, N), special, centre)
    C = rand_codes(rng, fc, (M, N), special)
    C[rng.random((M, N)) < czero] = 0
    # cancelling rows: the second half of k is the negated first half
    if K % 2 == 0:
        h = K // 2
        rows = np.flatnonzero(rng.random(M) < 0.3)
        A[rows, h:] = A[rows, :h] ^ (1 << (FMTS[fa][1] - 1))
        if rows.size:
            B[h:] = B[:h]
    return A, B, C


def bits(x):
    x = np.asarray(x)
    return x.view(np.uint16 if x.dtype == np.float16 else np.uint32)


def fp32(*codes):
    return np.array(codes, np.uint32).view(np.float32)


# ----- MMA-Sim ----------------------------------------------------------------------

# arch, a, b, acc (c and d), mmasim class, instruction, K values
CASES = [
    tuple(line.split())
    for line in """
volta f16 f16 f32 MMA m8n8k4.f32.f16.f16.f32 8,6
volta f16 f16 f16 MMA m8n8k4.f16.f16.f16.f16 8
turing f16 f16 f32 MMA m16n8k8.f32.f16.f16.f32 16,12
turing f16 f16 f16 MMA m16n8k8.f16.f16.f16.f16 16
ampere f16 f16 f32 MMA m16n8k16.f32.f16.f16.f32 32,20
ampere f16 f16 f16 MMA m16n8k16.f16.f16.f16.f16 24
ampere bf16 bf16 f32 MMA m16n8k16.f32.bf16.bf16.f32 32
ampere tf32 tf32 f32 MMA m16n8k8.f32.tf32.tf32.f32 10
ada f16 f16 f32 MMA m16n8k16.f32.f16.f16.f32 16
ada bf16 bf16 f32 MMA m16n8k16.f32.bf16.bf16.f32 16
ada tf32 tf32 f32 MMA m16n8k8.f32.tf32.tf32.f32 8
ada e4m3 e5m2 f32 MMA m16n8k32.f32.e4m3.e5m2.f32 48,32
ada e5m2 e4m3 f32 MMA m16n8k32.f32.e5m2.e4m3.f32 32
ada e5m2 e5m2 f16 MMA m16n8k32.f16.e5m2.e5m2.f16 32
hopper e4m3 e4m3 f32 WGMMA m64n8k32.f32.e4m3.e4m3 64,40
hopper e5m2 e4m3 f32 WGMMA m64n8k32.f32.e5m2.e4m3 40
hopper e4m3 e5m2 f32 WGMMA m64n8k32.f32.e4m3.e5m2 32
hopper e5m2 e5m2 f32 WGMMA m64n8k32.f32.e5m2.e5m2 32
hopper e4m3 e4m3 f16 WGMMA m64n8k32.f16.e4m3.e4m3 64
hopper f16 f16 f32 WGMMA m64n8k16.f32.f16.f16 48,20
hopper f16 f16 f16 WGMMA m64n8k16.f16.f16.f16 32
hopper bf16 bf16 f32 WGMMA m64n8k16.f32.bf16.bf16 32
hopper tf32 tf32 f32 WGMMA m64n8k8.f32.tf32.tf32 16,12
blackwell f16 f16 f32 TCGen05MMA m128n8k16.kind::f16.f32.f16.f16 32
blackwell f16 f16 f16 TCGen05MMA m128n8k16.kind::f16.f16.f16.f16 16
blackwell bf16 bf16 f32 TCGen05MMA m128n8k16.kind::f16.f32.bf16.bf16 32
blackwell tf32 tf32 f32 TCGen05MMA m128n8k8.kind::tf32.f32.tf32.tf32 16
blackwell e2m1 e3m2 f32 TCGen05MMA m128n8k32.kind::f8f6f4.f32.e2m1.e3m2 64,36
blackwell e2m3 e4m3 f16 TCGen05MMA m128n8k32.kind::f8f6f4.f16.e2m3.e4m3 32
blackwell e4m3 e4m3 f32 TCGen05MMA m128n8k32.kind::f8f6f4.f32.e4m3.e4m3 64
blackwell e5m2 e2m3 f32 TCGen05MMA m128n8k32.kind::f8f6f4.f32.e5m2.e2m3 32
blackwell e3m2 e2m1 f32 TCGen05MMA m128n8k32.kind::f8f6f4.f32.e3m2.e2m1 32
rtx_blackwell e4m3 e4m3 f32 MMA m16n8k32.f32.e4m3.e4m3.f32 32,48
rtx_blackwell e5m2 e4m3 f16 MMA m16n8k32.f16.e5m2.e4m3.f16 32
rtx_blackwell f16 f16 f32 MMA m16n8k16.f32.f16.f16.f32 16
rtx_blackwell e2m3 e2m1 f32 MMA m16n8k32.kind::f8f6f4.f32.e2m3.e2m1.f32 32
""".strip().splitlines()
]
# arch, a, b, mmasim class, instruction (k=32 block-scaled, e8m0 scales per 32)
ST_CASES = [
    tuple(line.split())
    for line in """
blackwell e4m3 e2m1 TCGen05MMABlockScale m128n8k32.kind::mxf8f6f4.block32.f32.e4m3.e2m1.ue8m0
blackwell e5m2 e5m2 TCGen05MMABlockScale m128n8k32.kind::mxf8f6f4.block32.f32.e5m2.e5m2.ue8m0
rtx_blackwell e2m3 e3m2 MMABlockScale m16n8k32.kind::mxf8f6f4.block32.f32.e2m3.e3m2.f32.ue8m0
""".strip().splitlines()
]
# arch, scale format, block, mmasim class, instruction, K (k=64 grouped form)
GST_CASES = [
    tuple(line.split())
    for line in """
blackwell ue8m0 32 TCGen05MMABlockScale m128n8k64.kind::mxf4.block32.f32.e2m1.e2m1.ue8m0 128
blackwell ue4m3 16 TCGen05MMABlockScale m128n8k64.kind::mxf4nvf4.block16.f32.e2m1.e2m1.ue4m3 128
blackwell ue8m0 16 TCGen05MMABlockScale m128n8k64.kind::mxf4nvf4.block16.f32.e2m1.e2m1.ue8m0 64
rtx_blackwell ue8m0 32 MMABlockScale m16n8k64.kind::mxf4nvf4.block32.f32.e2m1.e2m1.f32.ue8m0 96
""".strip().splitlines()
]
MMASIM_ARCH = {
    "volta": "Volta", "turing": "Turing", "ampere": "Ampere", "ada": "Ada Lovelace",
    "hopper": "Hopper", "blackwell": "Blackwell", "rtx_blackwell": "RTX Blackwell",
}  # fmt: skip

DATA = {  # kind: (special probability, exponent centre, probability of c = 0)
    "plain": (0.0, 0, 0.0),
    "specials": (0.05, 0, 0.0),
    "small": (0.0, -8, 0.5),
    "tiny": (0.0, -70, 0.6),
}


@pytest.fixture(scope="module")
def mmasim():
    ms = pytest.importorskip("mmasim.nv_ptx")
    import torch

    torch.set_num_threads(1)
    return ms


def torch_of(codes, fmt):
    import torch

    c = np.ascontiguousarray(codes)
    if fmt in ("f32", "tf32"):
        return torch.from_numpy(c.astype(np.uint32).view(np.int32)).view(torch.float32)
    if fmt in ("f16", "bf16"):
        t = torch.from_numpy(c.astype(np.uint16).view(np.int16))
        return t.view(torch.float16 if fmt == "f16" else torch.bfloat16)
    u = torch.from_numpy(c.astype(np.uint8))
    if fmt in ("e4m3", "ue4m3"):
        return u.view(torch.float8_e4m3fn)
    if fmt == "e5m2":
        return u.view(torch.float8_e5m2)
    if fmt == "ue8m0":
        return u.view(torch.float8_e8m0fnu)
    if fmt == "e2m1":
        return u << 2  # one fp4 code per byte, in bits 5:2
    return u  # fp6 codes in bits 5:0


def mm_bits(D):
    import torch

    return (
        D.view(torch.int16 if D.dtype == torch.float16 else torch.int32)
        .numpy()
        .view(np.uint16 if D.dtype == torch.float16 else np.uint32)
    )


def core_of(arch, fa, fb, acc):
    return TensorCore.named(
        arch, FMTS[fa][0], FMTS[fb][0], "float16" if acc == "f16" else "float32"
    )


@pytest.mark.parametrize("case", CASES, ids=lambda c: f"{c[0]}-{c[1]}x{c[2]}-{c[3]}")
def test_named_parameters_match_mmasim(mmasim, case):
    arch, fa, fb, acc, cls, instr, _ = case
    op = getattr(mmasim, cls)(MMASIM_ARCH[arch], instr).arithmetic_op
    core = core_of(arch, fa, fb, acc)
    assert (core.F, core.L, core.e_zero) == (op.F, op.L_max, op.e_zero)
    assert core.rounding == op.rho.lower().replace("-", "_")


@pytest.mark.parametrize("kind", list(DATA))
@pytest.mark.parametrize("case", CASES, ids=lambda c: f"{c[0]}-{c[1]}x{c[2]}-{c[3]}")
def test_matches_mmasim(mmasim, case, kind):
    arch, fa, fb, acc, cls, instr, Ks = case
    op = getattr(mmasim, cls)(MMASIM_ARCH[arch], instr)
    core = core_of(arch, fa, fb, acc)
    special, centre, czero = DATA[kind]
    rng = np.random.default_rng(zlib.crc32(f"{instr} {kind}".encode()))
    for K in map(int, Ks.split(",")):
        A, B, C = gen(rng, 12, K, 10, fa, fb, acc, special, centre, czero)
        want = mm_bits(op(torch_of(A, fa), torch_of(B, fb), torch_of(C, acc)))
        got = bits(tc_matmul(values(A, fa), values(B, fb), values(C, acc), core=core))
        assert (got == want).all(), f"K={K}: {(got != want).sum()} of {got.size} differ"


@pytest.mark.parametrize("kind", ["plain", "specials", "small"])
@pytest.mark.parametrize("case", ST_CASES, ids=lambda c: f"{c[0]}-{c[1]}x{c[2]}")
def test_block_scaled_k32_matches_mmasim(mmasim, case, kind):
    import torch

    arch, fa, fb, cls, instr = case
    op = getattr(mmasim, cls)(MMASIM_ARCH[arch], instr)
    core = TensorCore.named(arch, FMTS[fa][0], FMTS[fb][0], block_scale="st")
    special, centre, czero = DATA[kind]
    rng = np.random.default_rng(zlib.crc32(f"{instr} {kind}".encode()))
    M, N, K = 8, 6, 96
    A, B, C = gen(rng, M, K, N, fa, fb, "f32", special, centre, czero)
    sa = rand_codes(rng, "ue8m0", (M, K // 32), special)
    sb = rand_codes(rng, "ue8m0", (K // 32, N), special)
    D = torch_of(C, "f32")
    for t in range(K // 32):  # the k=32 form reuses its scales: one call per step
        ks = slice(32 * t, 32 * t + 32)
        D = op(torch_of(A[:, ks], fa), torch_of(B[ks], fb), D,
               torch_of(sa[:, t : t + 1], "ue8m0"), torch_of(sb[t : t + 1], "ue8m0"))  # fmt: skip
    assert D.dtype == torch.float32
    got = tc_matmul(values(A, fa), values(B, fb), values(C, "f32"), core=core,
                    a_scales=values(sa, "ue8m0"), b_scales=values(sb, "ue8m0"))  # fmt: skip
    want = mm_bits(D)
    assert (bits(got) == want).all(), f"{(bits(got) != want).sum()} of {want.size} differ"


@pytest.mark.parametrize("kind", ["plain", "specials", "small"])
@pytest.mark.parametrize("case", GST_CASES, ids=lambda c: f"{c[0]}-{c[1]}-{c[2]}")
def test_block_scaled_k64_matches_mmasim(mmasim, case, kind):
    import torch

    arch, fs, blk, cls, instr, K = case
    blk, K = int(blk), int(K)
    op = getattr(mmasim, cls)(MMASIM_ARCH[arch], instr)
    core = TensorCore.named(arch, "e2m1", block_scale="gst", scale_fmt=FMTS[fs][0], scale_block=blk)
    special, centre, czero = DATA[kind]
    rng = np.random.default_rng(zlib.crc32(f"{instr} {kind}".encode()))
    M, N = 8, 6
    A, B, C = gen(rng, M, K, N, "e2m1", "e2m1", "f32", special, centre, czero)
    sa = rand_codes(rng, fs, (M, K // blk), special)
    sb = rand_codes(rng, fs, (K // blk, N), special)
    if fs == "ue4m3":  # the hardware ignores the sign bit: give some scales one
        sa[rng.random(sa.shape) < 0.3] |= 0x80
    packed_a = torch.from_numpy(((A[:, 0::2] << 4) | A[:, 1::2]).astype(np.uint8))
    packed_b = torch.from_numpy(((B[0::2] << 4) | B[1::2]).astype(np.uint8))
    sa_t = torch.from_numpy(sa.astype(np.uint8)).view(
        torch.float8_e4m3fn if fs == "ue4m3" else torch.float8_e8m0fnu
    )
    sb_t = torch_of(sb, fs)
    want = mm_bits(op(packed_a, packed_b, torch_of(C, "f32"), sa_t, sb_t))
    sav = decode(sa, "e4m3", dtype=np.float64) if fs == "ue4m3" else values(sa, fs)
    got = tc_matmul(values(A, "e2m1"), values(B, "e2m1"), values(C, "f32"), core=core,
                    a_scales=sav, b_scales=values(sb, fs))  # fmt: skip
    bad = bits(got) != want
    assert not bad.any(), f"{bad.sum()} of {want.size} differ: {bits(got)[bad]} {want[bad]}"


def test_promote_every_matches_chunked_mmasim(mmasim):
    import torch

    op = mmasim.WGMMA("Hopper", "m64n8k32.f32.e4m3.e4m3")
    core = TensorCore.named("hopper", "e4m3")
    rng = np.random.default_rng(5)
    A, B, C = gen(rng, 6, 384, 5, "e4m3", "e4m3", "f32")
    acc = values(C, "f32").astype(np.float32)
    for k0 in range(0, 384, 128):
        part = op(torch_of(A[:, k0 : k0 + 128], "e4m3"), torch_of(B[k0 : k0 + 128], "e4m3"),
                  torch.zeros(6, 5)).numpy()  # fmt: skip
        acc = acc + part
    got = tc_matmul(values(A, "e4m3"), values(B, "e4m3"), values(C, "f32"), core=core,
                    promote_every=128)  # fmt: skip
    assert (bits(got) == bits(acc)).all()


# ----- the independent transcription ------------------------------------------------


def _ref_matmul(A, B, C, core, emins, promote=0):
    M, N = A.shape[0], B.shape[1]
    c_emin = -14 if core.acc == "float16" else -126
    out = np.empty((M, N))
    for i in range(M):
        for j in range(N):
            out[i, j] = ref.t_dot(
                list(A[i]), list(B[:, j]), float(C[i, j]), a_emin=emins[0], b_emin=emins[1],
                F=core.F, L=core.L, e_zero=core.e_zero, rounding=core.rounding, c_emin=c_emin,
                promote=promote,
            )  # fmt: skip
    return out


@pytest.mark.parametrize(
    ("arch", "fa", "fb", "acc", "K"),
    [("volta", "f16", "f16", "f16", 10), ("ampere", "bf16", "bf16", "f32", 20),
     ("ada", "e4m3", "e5m2", "f32", 40), ("hopper", "e4m3", "e4m3", "f16", 70),
     ("hopper", "f16", "f16", "f32", 33), ("blackwell", "e2m1", "e3m2", "f32", 40)],
)  # fmt: skip
@pytest.mark.parametrize("kind", ["plain", "specials", "tiny"])
def test_matches_reference(arch, fa, fb, acc, K, kind):
    core = core_of(arch, fa, fb, acc)
    special, centre, czero = DATA[kind]
    rng = np.random.default_rng(K * 7 + len(kind))
    A, B, C = gen(rng, 4, K, 3, fa, fb, acc, special, centre, czero)
    a, b, c = values(A, fa), values(B, fb), values(C, acc)
    got = tc_matmul(a, b, c, core=core).astype(np.float64)
    want = _ref_matmul(a, b, c, core, (core.a_fmt.emin, core.b_fmt.emin))
    np.testing.assert_array_equal(got, want)


def test_promote_matches_reference():
    core = TensorCore.named("hopper", "e4m3")
    rng = np.random.default_rng(3)
    A, B, C = gen(rng, 3, 300, 2, "e4m3", "e4m3", "f32")
    a, b, c = values(A, "e4m3"), values(B, "e4m3"), values(C, "f32")
    got = tc_matmul(a, b, c, core=core, promote_every=64)
    want = _ref_matmul(a, b, c, core, (-6, -6), promote=64)
    np.testing.assert_array_equal(got, want)


def test_gst_matches_reference():
    core = TensorCore.named(
        "blackwell", "e2m1", block_scale="gst", scale_fmt="ue4m3", scale_block=16
    )
    rng = np.random.default_rng(4)
    A, B, C = gen(rng, 3, 128, 2, "e2m1", "e2m1", "f32", czero=0.5)
    sa = values(rand_codes(rng, "ue4m3", (3, 8)), "ue4m3")
    sb = values(rand_codes(rng, "ue4m3", (8, 2)), "ue4m3")
    a, b, c = values(A, "e2m1"), values(B, "e2m1"), values(C, "f32")
    got = tc_matmul(a, b, c, core=core, a_scales=sa, b_scales=sb)
    want = np.array([[ref.gst_dot(list(a[i]), list(b[:, j]), float(c[i, j]), list(sa[i]),
                                  list(sb[:, j]), block=16, scale_emin=-6) for j in range(2)]
                     for i in range(3)])  # fmt: skip
    np.testing.assert_array_equal(got, want)


# ----- MMA-Sim's targeted experiments (mmasim.md section 5), as bit patterns -------

HOPPER_FP8 = TensorCore.named("hopper", "e4m3")


def one(core, a, b, c=0.0, dtype=np.float32):
    """A single output: sum_k a[k] b[k] + c."""
    a = np.asarray(a, None if getattr(a, "dtype", None) == np.float32 else np.float64)
    a, b = a.reshape(1, -1), np.asarray(b, np.float64).reshape(-1, 1)
    return tc_matmul(a, b, np.array([[c]], dtype), core=core)[0, 0]


@pytest.mark.parametrize(
    ("c_in", "d_out"),
    [(0x3F800400, 0x3F800400), (0x3F800600, 0x3F800400), (0x3F800201, 0x3F800000),
     (0xBF800200, 0xBF800000), (0x40400404, 0x40400400), (0x00800200, 0x00800000),
     (0x000E0000, 0x000E0000), (0x00000300, 0x00000000)],
)  # fmt: skip
def test_sageattention_probe(c_in, d_out):
    """C passes an FP8 MMA with A = B = 0 unchanged when it has at most 13 fraction
    bits; lower bits are truncated toward zero (E1)."""
    z = np.zeros(32)
    assert bits(one(HOPPER_FP8, z, z, fp32(c_in)[0])) == d_out


def test_sageattention_controls():
    c = fp32(0x3F800201)[0]
    assert bits(one(HOPPER_FP8, [2.0**-9], [2.0**-9], c)) == 0x3F800000
    f16 = TensorCore.named("hopper", "float16")
    assert bits(one(f16, [0.0], [0.0], c)) == 0x3F800201


def test_truncation_not_rounding():
    amp = TensorCore.named("ampere", "float16")
    assert one(amp, [0.75 * 2.0**-12] * 8, [2.0**-12] * 8, 1.0) == 1.0
    assert one(amp, [-(2.0**-15)], [2.0**-15], 1.0) == 1.0
    assert bits(one(amp, [2.0**-12, -(2.0**-15)], [2.0**-11, 2.0**-15], 1.0)) == 0x3F800001
    amp16 = TensorCore.named("ampere", "float16", acc="float16")
    h = np.float16
    assert bits(one(amp16, [2.0**-11], [1.0], 1.0, h)) == 0x3C00  # tie to even
    assert bits(one(amp16, [3 * 2.0**-11], [1.0], 1.0, h)) == 0x3C02
    assert bits(one(amp16, [2.0**-11, 2.0**-12], [1.0, 2.0**-12], 1.0, h)) == 0x3C01


def test_e_zero():
    hop = TensorCore.named("hopper", "bfloat16")
    amp = TensorCore.named("ampere", "bfloat16")
    assert bits(one(hop, [2.0**-75, -(2.0**-85)], [2.0**-74, 2.0**-85])) == 0x1
    x = [2.0**-75, -1.5 * 2.0**-79]
    y = [2.0**-74, 2.0**-79]
    assert bits(one(amp, x, y)) == 0x1
    assert bits(one(hop, x, y)) == 0x0
    for arch in ("ampere", "hopper"):  # a tie after truncation, against e_zero
        core = TensorCore.named(arch, "float16", acc="float16")
        got = one(core, [1.5 * 2.0**-12, -(2.0**-24)], [2.0**-12, 2.0**-24], 0.0, np.float16)
        assert bits(got) == 0x0002
    assert bits(one(hop, [2.0**-75], [2.0**-74], -0.0)) == 0x1


def test_subnormal_operands_keep_emin():
    amp = TensorCore.named("ampere", "float16")
    got = one(amp, [0.5 * 2.0**-14, -1.5 * 2.0**-20], [2.0**-1 * 2, 2.0**-19])
    assert bits(got) == 0x38000000
    got = one(amp, [2.0**-14, -1.5 * 2.0**-20], [1.0, 2.0**-18])
    assert bits(got) == 0x387FFFFF
    assert bits(one(HOPPER_FP8, [2.0**-9, -(2.0**-9)], [4.0, 2.0**-9])) == 0x3C000000
    assert bits(one(HOPPER_FP8, [2.0**-6, -(2.0**-9)], [0.5, 2.0**-9])) == 0x3BFFE000


def test_products_are_not_renormalised():
    assert bits(one(HOPPER_FP8, [1.875, -(2.0**-7)], [1.875, 2.0**-6])) == 0x4060FC00


def test_specials():
    f16 = TensorCore.named("hopper", "float16")
    inf, nan = np.inf, np.nan
    assert bits(one(f16, [inf], [0.0])) == 0x7FFFFFFF
    assert bits(one(f16, [inf, inf], [1.0, -1.0])) == 0x7FFFFFFF
    assert bits(one(f16, [-inf], [1.0], 1.0)) == 0xFF800000
    assert one(f16, [-65504.0], [65504.0], inf) == inf
    assert bits(one(f16, [nan], [1.0])) == 0x7FFFFFFF
    assert bits(one(HOPPER_FP8, [nan], [0.0])) == 0x7FFFFFFF
    assert bits(one(f16, [0.0], [0.0], -0.0)) == 0
    assert bits(one(f16, [-0.0], [1.0], -0.0)) == 0
    assert bits(one(f16, [-1.0], [1.0], 1.0)) == 0
    assert bits(one(f16, [0.0], [0.0], fp32(0x80C00000)[0])) == 0x80C00000
    bf = TensorCore.named("hopper", "bfloat16")
    fmax = float(np.finfo(np.float32).max)
    assert one(bf, [2.0**64], [2.0**64], fmax) == inf
    assert one(bf, [2.0**52], [2.0**52], fmax) == inf  # RZ, yet overflow is Inf
    assert one(bf, [2.0**100], [2.0**100]) == inf
    assert bits(one(bf, [2.0**100, -(2.0**100)], [2.0**100, 2.0**100], 1.0)) == 0
    f16h = TensorCore.named("hopper", "float16", acc="float16")
    h = np.float16
    assert bits(one(f16h, [16.0], [1.0], 65504.0, h)) == 0x7C00
    assert bits(one(f16h, [15.0], [1.0], 65504.0, h)) == 0x7BFF
    assert bits(one(f16h, [inf], [0.0], 0.0, h)) == 0x7FFF
    tf = TensorCore.named("hopper", "tf32")
    assert one(tf, [1 + 2.0**-11], [1.0]) == 1.0
    assert one(tf, [-(1 + 2.0**-10 + 2.0**-11)], [1.0]) == -(1 + 2.0**-10)
    low_nan = fp32(0x7F800001)
    assert one(tf, low_nan, [1.0]) == inf  # the payload lives in the dropped bits


def test_overflow_propagates_along_the_chain():
    bf = TensorCore.named("hopper", "bfloat16")
    a = np.array([[2.0**100] * 16 + [1.0] * 16])
    b = np.array([[2.0**100] * 16 + [-1.0] * 16]).T
    assert tc_matmul(a, b, core=bf)[0, 0] == np.inf


def _mx_st():
    return TensorCore.named("blackwell", "e4m3", block_scale="st")


def test_block_scale_experiments():
    st = _mx_st()
    ones = np.ones((1, 32))
    d = tc_matmul(ones, ones.T, core=st, a_scales=[[8.0]], b_scales=[[2.0**-5]])
    assert d[0, 0] == 8.0
    a = np.zeros((1, 32))
    a[0, :2] = 2.0**-9
    b = np.zeros((32, 1))
    b[:2, 0] = 2.0**-8 * 2  # products 2^-16 each, scaled by 2^-10: 2^-26
    d = tc_matmul(a, b, [[1.0]], core=st, a_scales=[[2.0**-5]], b_scales=[[2.0**-5]])
    assert d[0, 0] == 1.0
    nan_scale = tc_matmul(np.zeros((1, 32)), np.zeros((32, 1)), core=st,
                          a_scales=[[np.nan]], b_scales=[[1.0]])  # fmt: skip
    assert bits(nan_scale) == 0x7FFFFFFF
    st_mixed = TensorCore.named("blackwell", "e2m1", "e3m2", block_scale="st")
    a = np.zeros((1, 32))
    a[0, :2] = (1.0, -6.0)
    b = np.zeros((32, 1))
    b[:2, 0] = (2.5, 0.0625)
    assert tc_matmul(a, b, core=st_mixed, a_scales=[[1.0]], b_scales=[[1.0]])[0, 0] == 2.125


def _nvfp4():
    return TensorCore.named(
        "blackwell", "e2m1", block_scale="gst", scale_fmt="ue4m3", scale_block=16
    )


def test_grouped_form_experiments():
    mx = TensorCore.named("blackwell", "e2m1", block_scale="gst")
    a = np.zeros((1, 64))
    b = np.zeros((64, 1))
    a[0, :16], b[:16, 0] = 6.0, 6.0  # group sum 576
    a[0, 16], b[16, 0] = 0.5, 0.5
    d = tc_matmul(
        a, b, [[fp32(0x3F800001)[0]]], core=mx, a_scales=[[1.0, 1.0]], b_scales=[[1.0], [1.0]]
    )
    assert d[0, 0] == 577.25
    ones = np.ones((1, 64))
    d = tc_matmul(
        ones, ones.T, core=_nvfp4(), a_scales=[[-2.0, 1.0, 0.0, 0.5]], b_scales=[[1.0]] * 4
    )
    assert d[0, 0] == 56.0
    d = tc_matmul(ones, ones.T, core=_nvfp4(), a_scales=[[1.25, 0, 0, 0]], b_scales=[[1.75]] * 4)
    assert d[0, 0] == 16 * 1.25 * 1.75


def test_grouped_form_cancelled_group_keeps_its_exponent():
    mx = TensorCore.named("blackwell", "e2m1", block_scale="gst", scale_block=16)
    a = np.zeros((1, 64))
    b = np.zeros((64, 1))
    a[0, 48], b[48, 0] = 0.5, 0.5  # group 3: 0.25
    scales_b = [[1.0]] * 4
    cancelled = a.copy()
    cancelled[0, :2], b[:2, 0] = (6.0, -6.0), (6.0, 6.0)  # group 0: 36 - 36
    sa = [[2.0**20, 1.0, 1.0, 2.0**-20]]
    assert tc_matmul(cancelled, b, core=mx, a_scales=sa, b_scales=scales_b)[0, 0] == 0.0
    assert tc_matmul(a, b, core=mx, a_scales=sa, b_scales=scales_b)[0, 0] == 2.0**-22


def test_short_last_group_equals_zero_padding():
    rng = np.random.default_rng(0)
    a = cast(rng.normal(size=(5, 40)), "e4m3")
    b = cast(rng.normal(size=(40, 4)), "e4m3")
    pa = np.pad(a, ((0, 0), (0, 24)))
    pb = np.pad(b, ((0, 24), (0, 0)))
    np.testing.assert_array_equal(
        tc_matmul(a, b, core=HOPPER_FP8), tc_matmul(pa, pb, core=HOPPER_FP8)
    )


def test_batched_broadcasts():
    rng = np.random.default_rng(1)
    a = cast(rng.normal(size=(2, 3, 4, 64)), "e4m3")
    b = cast(rng.normal(size=(64, 5)), "e4m3")
    d = tc_matmul(a, b, core=HOPPER_FP8)
    assert d.shape == (2, 3, 4, 5) and d.dtype == np.float32
    np.testing.assert_array_equal(d[1, 2], tc_matmul(a[1, 2], b, core=HOPPER_FP8))
    assert (
        tc_matmul(a[0, 0], b, core=TensorCore.named("hopper", "e4m3", acc="float16")).dtype
        == np.float16
    )


def test_result_does_not_depend_on_threads():
    numba = pytest.importorskip("numba")
    rng = np.random.default_rng(2)
    a = cast(rng.normal(size=(3, 96, 256)), "e4m3")
    b = cast(rng.normal(size=(256, 96)), "e4m3")
    threads = numba.get_num_threads()
    try:
        numba.set_num_threads(1)
        one_thread = tc_matmul(a, b, core=HOPPER_FP8, promote_every=128)
    finally:
        numba.set_num_threads(threads)
    np.testing.assert_array_equal(tc_matmul(a, b, core=HOPPER_FP8, promote_every=128), one_thread)


# ----- reproductions ------------------------------------------------------------------


def _deepseek_data(K=4096, M=32, N=32, seed=0):
    """normal(1, 1) activations and weights, scaled per tensor so that the absmax
    lands on e4m3's 448, then rounded to e4m3 (the DeepSeek-V3 setting)."""
    rng = np.random.default_rng(seed)
    x = rng.normal(1.0, 1.0, (M, K))
    w = rng.normal(1.0, 1.0, (K, N))
    a = cast(x * (448 / np.abs(x).max()), "e4m3")
    b = cast(w * (448 / np.abs(w).max()), "e4m3")
    return a, b


def test_deepseek_promotion_reproduction():
    """Hopper's 13-bit FP8 accumulator loses percents at K = 4096 on data of positive
    mean; promoting every 128 to float32 brings the error down to ~1e-4 (mmasim.md
    section 7 measured 3.6e-2 and 1.7e-4 for normal(1, 1))."""
    a, b = _deepseek_data()
    exact = a @ b
    rel = lambda d: np.abs(d - exact).max() / np.abs(exact).max()  # noqa: E731
    plain = rel(tc_matmul(a, b, core=HOPPER_FP8))
    promoted = rel(tc_matmul(a, b, core=HOPPER_FP8, promote_every=128))
    assert 1e-2 < plain < 1e-1
    assert promoted < 1e-3
    assert rel(tc_matmul(a, b, core=TensorCore.named("blackwell", "e4m3"))) < 1e-4


def test_error_against_k_example(tmp_path):
    """The docs' plot: Hopper's FP8 error grows with K, promotion stops it, and the
    F=24/25 units stay within float32's reach."""
    pytest.importorskip("matplotlib")
    import importlib.util
    import os
    import sys

    examples = os.path.join(os.path.dirname(__file__), "..", "..", "examples")
    if examples not in sys.path:  # the script imports its neighbour _cli
        sys.path.insert(0, examples)
    path = os.path.join(examples, "tensor_core_error.py")
    spec = importlib.util.spec_from_file_location("tensor_core_error", path)
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    _, res = mod.main(["--quick", "--out", str(tmp_path)])
    assert (tmp_path / "tensor_core_error.png").exists()
    hopper = res["Hopper e4m3 (F=13, L=32)"]
    assert hopper[-1] > 10 * hopper[0]
    assert res["Hopper e4m3, promote every 128"][-1] < hopper[-1] / 10
    assert max(res["Blackwell e4m3 (F=25, L=32)"]) < 1e-5


# ----- validation -----------------------------------------------------------------------


def test_rejects_values_not_in_the_format():
    with pytest.raises(ValueError, match="not a value of float8_e4m3fn"):
        tc_matmul(np.full((1, 4), 0.1), np.ones((4, 1)), core=HOPPER_FP8)
    with pytest.raises(ValueError, match="Inf"):
        tc_matmul(np.full((1, 4), np.inf), np.ones((4, 1)), core=HOPPER_FP8)
    with pytest.raises(ValueError, match="c holds"):
        tc_matmul(np.ones((1, 4)), np.ones((4, 1)), [[0.1]], core=HOPPER_FP8)
    with pytest.raises(TypeError, match="float array"):
        tc_matmul(np.ones((1, 4), int), np.ones((4, 1)), core=HOPPER_FP8)


def test_rejects_bad_shapes_and_options():
    with pytest.raises(ValueError, match=r"\(\.\.\., m, k\)"):
        tc_matmul(np.ones((2, 4)), np.ones((3, 1)), core=HOPPER_FP8)
    with pytest.raises(ValueError, match="multiple of core.L"):
        tc_matmul(np.ones((1, 64)), np.ones((64, 1)), core=HOPPER_FP8, promote_every=48)
    with pytest.raises(ValueError, match="block-scaled"):
        tc_matmul(np.ones((1, 32)), np.ones((32, 1)), core=HOPPER_FP8, a_scales=[[1.0]])
    with pytest.raises(ValueError, match="give a_scales"):
        tc_matmul(np.ones((1, 32)), np.ones((32, 1)), core=_mx_st())
    with pytest.raises(ValueError, match="multiple of core.scale_block"):
        tc_matmul(
            np.ones((1, 40)), np.ones((40, 1)), core=_mx_st(), a_scales=[[1.0]], b_scales=[[1.0]]
        )
    with pytest.raises(ValueError, match="not a value of float8_e8m0fnu"):
        tc_matmul(
            np.ones((1, 32)), np.ones((32, 1)), core=_mx_st(), a_scales=[[3.0]], b_scales=[[1.0]]
        )
    with pytest.raises(TypeError, match="TensorCore"):
        tc_matmul(np.ones((1, 4)), np.ones((4, 1)), core="hopper")


def test_named_rejects_what_the_hardware_lacks():
    with pytest.raises(ValueError, match="arch must be one of"):
        TensorCore.named("pascal", "float16")
    with pytest.raises(ValueError, match="no such MMA"):
        TensorCore.named("ampere", "e4m3")
    with pytest.raises(ValueError, match="float16 operands only"):
        TensorCore.named("volta", "bfloat16")
    with pytest.raises(ValueError, match="output float32"):
        TensorCore.named("ampere", "bfloat16", acc="float16")
    with pytest.raises(ValueError, match="Blackwell only"):
        TensorCore.named("hopper", "e4m3", block_scale="st")
    with pytest.raises(ValueError, match="e2m1 operands"):
        TensorCore.named("blackwell", "e4m3", block_scale="gst")


def test_custom_core_validation():
    with pytest.raises(ValueError, match="acc"):
        TensorCore("float16", acc="bfloat16")
    with pytest.raises(ValueError, match="rounding"):
        TensorCore("float16", acc="float16", rounding="rz_fp32", e_zero=-20)
    with pytest.raises(ValueError, match="TensorCore.F"):
        TensorCore("float16", F=60)
    with pytest.raises(ValueError, match="e_zero"):
        TensorCore("float16", e_zero=-100)
    with pytest.raises(ValueError, match="26 bits"):
        TensorCore("float64")
    wide = Format(5, 2, inf=False, nan="none")
    with pytest.raises(ValueError, match="exact group sums"):
        TensorCore(wide, F=5, L=64, e_zero=-139, block_scale="gst", scale_fmt="e8m0",
                   scale_block=32)  # fmt: skip
    core = TensorCore("float16", F=24, L=4, rounding="rz_fp32", e_zero=-140, name="mine")
    assert core.b_fmt == core.a_fmt
    with pytest.raises(AttributeError):
        core.F = 3  # frozen
