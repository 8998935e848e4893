"""Packing of element and scale codes, and round trips through storage."""

import numpy as np
import pytest

import numerics as nm


@pytest.mark.parametrize("bits", [2, 4, 6])
@pytest.mark.parametrize("n", [1, 3, 4, 5, 31, 32, 33])
def test_pack_every_code_round_trips(bits, n):
    codes = np.arange(2**bits * 3, dtype=np.uint8) % 2**bits
    c = np.resize(codes, (3, n))
    packed = nm.pack(c, bits=bits)
    per = {2: 4, 4: 2, 6: 4}[bits]
    group = {2: 1, 4: 1, 6: 3}[bits]
    assert packed.shape == (3, -(-n // per) * group)
    np.testing.assert_array_equal(nm.unpack(packed, n, bits=bits), c)


def test_pack_layouts():
    assert nm.pack([1, 2, 3, 0], bits=2).tolist() == [0b00111001]
    assert nm.pack([0x3F, 0, 0, 0x3F], bits=6).tolist() == [0x3F, 0x00, 0xFC]
    with pytest.raises(ValueError, match="2-, 4- and 6-bit"):
        nm.pack([1], bits=3)
    with pytest.raises(ValueError, match=r"\[0, 64\)"):
        nm.pack([64], bits=6)
    with pytest.raises(ValueError, match="groups of 3 bytes"):
        nm.unpack(np.zeros(4, np.uint8), bits=6)


def quantized_kinds():
    rng = np.random.default_rng(0)
    x = rng.standard_normal((3, 40)).astype(np.float32)
    z = x[:, :20] + 1j * x[:, 20:]
    return {
        "mxfp4": nm.quantize_mx(x, "e2m1"),
        "mxfp6": nm.quantize_mx(x, "e3m2"),
        "mxfp8": nm.quantize_mx(x, "e4m3", axis=0, block_size=2),
        "mxint8": nm.quantize_mx(x, "int8"),
        "nvfp4": nm.quantize_nvfp4(x),
        "int4 asym": nm.quantize_int(x, 4, symmetric=False, axis=1, group_size=8),
        "int16": nm.quantize_int(x, 16, channel_axis=0),
        "uint8": nm.quantize_int(np.abs(x), 8, signed=False),
        "bf16 per channel": nm.quantize(x, "bfloat16", channel_axis=1),
        "fixed": nm.quantize_fixed(x, 8, 5),
        "ternary": nm.quantize_ternary(x, channel_axis=0),
        "pm1i": nm.quantize_pm1i(z),
    }


@pytest.mark.parametrize("kind", list(quantized_kinds()))
def test_quantized_round_trips_through_storage(kind):
    q = quantized_kinds()[kind]
    packed = q.packed_codes()
    assert packed.dtype == np.uint8
    sc = q.scale_codes() if q.scale_format is not None else None
    back = q.from_packed(packed, sc)
    np.testing.assert_array_equal(back.codes, q.codes)
    np.testing.assert_array_equal(back.scales, q.scales)
    np.testing.assert_array_equal(back.dequantize(), q.dequantize())
    elem_bytes = packed.size
    assert q.nbytes >= elem_bytes
    assert kind in repr(q) or repr(q).startswith("Quantized(")


def test_nbytes_counts_padding_and_scales():
    x = np.ones((2, 40), np.float32)
    q = nm.quantize_mx(x, "e2m1")  # 40 -> 2 blocks of 32 per row, padded
    assert q.nbytes == 2 * 2 * 32 // 2 + 2 * 2
    assert q.packed_codes().shape == (2, 32)
    n = nm.quantize_nvfp4(np.ones((4, 64), np.float32))
    assert n.nbytes == 4 * 32 + 4 * 4 + 4  # elements, e4m3 block scales, fp32 tensor scale
    i = nm.quantize_int(np.ones((4, 64)), 4, symmetric=False, axis=1, group_size=32)
    assert i.nbytes == 4 * 32 + 8 * 4 + 8  # elements, fp32 scales, int4 zero points (a byte)
    e8 = nm.quantize_mx(np.ones(64, np.float32), "e4m3").scale_codes()
    assert e8.dtype == np.uint8 and e8.tolist() == [119, 119]
    with pytest.raises(ValueError, match="implicit"):
        nm.quantize_fixed([1.0], 8, 2).scale_codes()


def test_e8m0_scale_codes_round_trip():
    e = np.arange(-127, 128, dtype=np.float64)
    s = np.append(2.0**e, np.nan)
    codes = nm.encode(s, "e8m0")
    assert codes.tolist() == [*range(255), 255]
    np.testing.assert_array_equal(nm.decode(codes, "e8m0", np.float64), s)


# ----- from_packed checks what it reads (issue 12, item 6) --------------------------------
def _stored():
    x = np.random.default_rng(3).standard_normal((3, 70)).astype(np.float32)
    return [
        nm.quantize_mx(x, "fp4"),
        nm.quantize_mx(x, "e2m3"),
        nm.quantize_mx(x, "int8"),
        nm.quantize_nvfp4(x),
        nm.quantize(x, "int4", block_size=16),
        nm.quantize_int(x, 8, symmetric=False),
        nm.quantize_fixed(x, 16, 8),
    ]


@pytest.mark.parametrize("i", range(7))
def test_from_packed_refuses_wrong_types_and_sizes(i):
    q = _stored()[i]
    p = q.packed_codes()
    r = q.from_packed(p.ravel())  # any shape of the right size reads in C order
    np.testing.assert_array_equal(r.codes, q.codes)
    with pytest.raises(TypeError, match="uint8 array.*got list"):
        q.from_packed(p.tolist())  # decoded garbage before
    with pytest.raises(TypeError, match="uint8 array.*got int64"):
        q.from_packed(p.astype(np.int64))
    with pytest.raises(ValueError, match=f"holds {2 * p.size} bytes.*take {p.size}"):
        q.from_packed(np.concatenate([p.ravel(), p.ravel()]))
    with pytest.raises(ValueError, match=f"holds {p.size - 1} bytes"):
        q.from_packed(p.ravel()[:-1])


def test_from_packed_refuses_wrong_scale_codes_and_codes_out_of_range():
    q = _stored()[0]
    p, s = q.packed_codes(), q.scale_codes()
    with pytest.raises(TypeError, match="scale_codes must be a uint8 array.*got list"):
        q.from_packed(p, s.tolist())
    with pytest.raises(TypeError, match="uint8.*got uint16"):
        q.from_packed(p, s.astype(np.uint16))
    with pytest.raises(ValueError, match=f"holds {s.size + 1} codes.*{s.size} scales"):
        q.from_packed(p, np.zeros(s.size + 1, np.uint8))
    with pytest.raises(ValueError, match="implicit"):
        _stored()[6].from_packed(_stored()[6].packed_codes(), np.zeros(1, np.uint32))
    n = nm.quantize_int(np.ones(4), 8)  # narrow int8: the byte 0x80 (-128) is no code
    with pytest.raises(ValueError, match="outside \\[-127, 127\\]"):
        n.from_packed(np.full(4, 0x80, np.uint8))
