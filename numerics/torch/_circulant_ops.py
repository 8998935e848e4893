"""The block-circulant product as custom operators (``torch.ops.numerics.
block_circulant`` and its backward), so adapters built on it trace under
``torch.compile`` and keep nothing for backward but their inputs.

``y = B(c) x`` for ``x`` of shape ``(N, s p)`` and block columns ``c`` of shape
``(r, s, p)``: block ``(i, j)`` of ``B(c)`` is the circulant matrix whose first column
is ``c[i, j]``. Two implementations compute the same products:

- ``"rdfft"`` (CPU): the in-place real FFT of numerics; the spectra, reordered in
  place into Perm order (:func:`numerics.transforms.halfcomplex_to_perm`), are
  multiplied and summed over input blocks by one complex ``einsum`` on a complex view
  of the same memory; one in-place inverse per output block. The backward pass
  recomputes the input's spectra instead of keeping them between forward and
  backward. With ``fmt``, every FFT is emulated in that format
  (:func:`numerics.transforms.rdfft`'s emulation; with ``compute``, butterflies
  computed in that format and stored in ``fmt``, as the rdFFT paper's bf16 kernel
  computes in float32) and the spectra products run in the tensor's own precision.
- ``"torch.fft"`` (any device): ``torch.fft.rfft`` / ``irfft`` and complex ``einsum``.
"""

from __future__ import annotations

import torch
from torch import Tensor

from .. import transforms

_BACKENDS = ("rdfft", "torch.fft")
_NATIVE = (torch.float32, torch.float64)


def check_backend(backend: str) -> str:
    if backend not in _BACKENDS:
        raise ValueError(f"unknown backend {backend!r}: expected one of {_BACKENDS}")
    return backend


def _uses_rdfft(backend: str, *tensors: Tensor) -> bool:
    return backend == "rdfft" and all(t.device.type == "cpu" for t in tensors)


def _emulation(fmt: str, compute: str, rounding: str, seed: int) -> dict:
    if not fmt:
        return {}
    options = {"fmt": fmt, "rounding": rounding, "seed": None if seed < 0 else seed}
    return options | ({"compute": compute} if compute else {})


def _spectra(t: Tensor, emulated: dict, salt: int = 0) -> Tensor:
    """A new contiguous tensor with the rdFFT of ``t``'s rows (the last axis), in
    Perm order."""
    work = t.detach().contiguous().clone()
    seed = emulated.get("seed")
    options = dict(emulated, seed=None if seed is None else seed + salt)
    transforms.rdfft(work.numpy(), **options)
    # Perm order: the layout _product multiplies in
    transforms.halfcomplex_to_perm(work.numpy())
    return work


def _product(equation: str, a: Tensor, b: Tensor, shape, conj: bool = False) -> Tensor:
    """The sums of products of spectra (rows of ``a`` and ``b`` in Perm order) that
    ``equation`` names over the frequency axis ``k``, as a new tensor of halfcomplex
    rows.

    The operands' complex views feed one complex ``einsum`` (a batched complex matrix
    product); the views' first
    "complex" number pairs the two real terms ``Re X_0`` and ``Re X_{p/2}``, so slot
    0 and the Nyquist slot are recomputed as two real products."""
    p = a.shape[-1]
    real = equation.replace("k", "")
    out = torch.empty(shape, dtype=a.dtype)
    if p < 4:  # every slot is real
        for t in range(p):
            out[..., t] = torch.einsum(real, a[..., t], b[..., t])
        return out
    za = torch.view_as_complex(a.view(*a.shape[:-1], p // 2, 2))
    zb = torch.view_as_complex(b.view(*b.shape[:-1], p // 2, 2))
    h = torch.einsum(equation, za, zb.conj() if conj else zb)
    out.view(*shape[:-1], p // 2, 2).copy_(torch.view_as_real(h))
    del h
    out[..., 0] = torch.einsum(real, a[..., 0], b[..., 0])
    out[..., 1] = torch.einsum(real, a[..., 1], b[..., 1])
    transforms.perm_to_halfcomplex(out.numpy())
    return out


def _inverse_(t: Tensor, emulated: dict, salt: int = 0) -> Tensor:
    seed = emulated.get("seed")
    options = dict(emulated, seed=None if seed is None else seed + salt)
    transforms.irdfft(t.numpy(), **options)
    return t


def _check(x: Tensor, c: Tensor) -> tuple[int, int, int, int]:
    if c.dim() != 3:
        raise ValueError(f"c must have shape (r, s, p), got {tuple(c.shape)}")
    r, s, p = c.shape
    if x.dim() != 2 or x.shape[1] != s * p:
        raise ValueError(f"x must have shape (N, {s * p}) for c of shape {tuple(c.shape)}")
    if x.dtype != c.dtype or not x.dtype.is_floating_point:
        raise TypeError(f"x and c need one floating dtype, got {x.dtype} and {c.dtype}")
    return x.shape[0], r, s, p


@torch.library.custom_op("numerics::block_circulant", mutates_args=())
def block_circulant(
    x: Tensor, c: Tensor, backend: str, fmt: str, compute: str, rounding: str, seed: int
) -> Tensor:
    """``B(c) x`` row by row: ``x`` (N, s p), ``c`` (r, s, p) -> (N, r p)."""
    n, r, s, p = _check(x, c)
    if _uses_rdfft(backend, x, c) and x.dtype not in _NATIVE:
        options = backend, fmt, compute, rounding, seed
        return block_circulant(x.float(), c.float(), *options).to(x.dtype)
    if not _uses_rdfft(backend, x, c):
        spectra = torch.fft.rfft(x.reshape(n, s, p)), torch.fft.rfft(c)
        h = torch.einsum("nsk,rsk->nrk", *spectra)
        return torch.fft.irfft(h, n=p).reshape(n, r * p)
    emulated = _emulation(fmt, compute, rounding, seed)
    xs = _spectra(x.reshape(n, s, p), emulated, 1)
    cs = _spectra(c, emulated, 2)
    out = _product("nsk,rsk->nrk", xs, cs, (n, r, p))
    del xs
    return _inverse_(out, emulated, 3).reshape(n, r * p)


@block_circulant.register_fake
def _(x, c, backend, fmt, compute, rounding, seed):
    n, r, _, p = _check(x, c)
    return x.new_empty((n, r * p))


@torch.library.custom_op("numerics::block_circulant_backward", mutates_args=())
def block_circulant_backward(
    g: Tensor, x: Tensor, c: Tensor, backend: str, fmt: str, compute: str, rounding: str, seed: int
) -> tuple[Tensor, Tensor]:
    """The gradients ``(dx, dc)`` of :func:`block_circulant` for the output
    gradient ``g`` (N, r p): ``dx_j = sum_i corr(c_ij, g_i)`` and ``dc_ij = sum_n
    corr(x_nj, g_ni)``, correlations taken with conjugate spectra."""
    n, r, s, p = _check(x, c)
    g = g.reshape(n, r, p)
    if _uses_rdfft(backend, g, x, c) and x.dtype not in _NATIVE:
        options = backend, fmt, compute, rounding, seed
        dx, dc = block_circulant_backward(g.float(), x.float(), c.float(), *options)
        return dx.to(x.dtype), dc.to(c.dtype)
    if not _uses_rdfft(backend, g, x, c):
        gs = torch.fft.rfft(g)
        dx = torch.fft.irfft(torch.einsum("nrk,rsk->nsk", gs, torch.fft.rfft(c).conj()), n=p)
        xs = torch.fft.rfft(x.reshape(n, s, p)).conj()
        dc = torch.fft.irfft(torch.einsum("nrk,nsk->rsk", gs, xs), n=p)
        return dx.reshape(n, s * p), dc
    emulated = _emulation(fmt, compute, rounding, seed)
    gs = _spectra(g, emulated, 4)
    xs = _spectra(x.reshape(n, s, p), emulated, 1)
    dc = _inverse_(_product("nrk,nsk->rsk", gs, xs, (r, s, p), conj=True), emulated, 5)
    del xs
    cs = _spectra(c, emulated, 2)
    dx = _inverse_(_product("nrk,rsk->nsk", gs, cs, (n, s, p), conj=True), emulated, 6)
    return dx.reshape(n, s * p), dc


@block_circulant_backward.register_fake
def _(g, x, c, backend, fmt, compute, rounding, seed):
    return torch.empty_like(x, memory_format=torch.contiguous_format), torch.empty_like(
        c, memory_format=torch.contiguous_format
    )


def _setup(ctx, inputs, output):
    x, c, *options = inputs
    ctx.save_for_backward(x, c)
    ctx.options = options


def _backward(ctx, grad):
    x, c = ctx.saved_tensors
    dx, dc = torch.ops.numerics.block_circulant_backward(grad, x, c, *ctx.options)
    return dx, dc, None, None, None, None, None


block_circulant.register_autograd(_backward, setup_context=_setup)


def _fft_flops(rows: int, p: int) -> int:
    # the usual count for a real FFT of length p: half of a complex one, 5 p log2 p
    return int(rows * 2.5 * p * max(p.bit_length() - 1, 1))


def _product_flops(nx: int, nk: int, ny: int, p: int) -> int:
    # p/2 + 1 complex multiply-adds (8 real operations) per pair of spectra
    return 8 * nx * nk * ny * (p // 2 + 1)


def _register_flop_formulas() -> None:
    """Counts for ``torch.utils.flop_counter.FlopCounterMode``, which otherwise sees
    nothing inside custom ops."""
    from torch.utils.flop_counter import register_flop_formula

    @register_flop_formula(torch.ops.numerics.block_circulant)
    def _(x_shape, c_shape, *args, **kwargs) -> int:
        (n, _), (r, s, p) = x_shape, c_shape
        return _fft_flops(n * s + r * s + n * r, p) + _product_flops(n, s, r, p)

    @register_flop_formula(torch.ops.numerics.block_circulant_backward)
    def _(g_shape, x_shape, c_shape, *args, **kwargs) -> int:
        (n, _), (r, s, p) = x_shape, c_shape
        ffts = _fft_flops(2 * n * r + 2 * n * s + 2 * r * s, p)
        return ffts + 2 * _product_flops(n, s, r, p)


_register_flop_formulas()
