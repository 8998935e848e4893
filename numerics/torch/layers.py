"""Quantized layers and the one-call model conversion.

:class:`QuantLinear` computes its three products (``y = x w^T``, ``dx = dy w``,
``dw = dy^T x``) with the quantizers of a :class:`~numerics.torch.recipes.Recipe`. Its
stochastic rounding and random signs draw from counters kept as buffers (``seed``,
``step``), so a run restored from a ``state_dict`` continues bit for bit.
"""

from __future__ import annotations

import math
from collections.abc import Callable

import numpy as np
import torch
import torch.nn.functional as Fn
from torch import Tensor, nn

from .. import formats, scaled
from . import _device, _torch_scaled, functional
from ._torch_cast import counter_seed_tensor, random_words
from .recipes import Operand, Product, Recipe, _pow2_scale

__all__ = [
    "QuantConv2d",
    "QuantLinear",
    "collect_stats",
    "dequantize_model",
    "export_codes",
    "operand_stats",
    "quantize_model",
]

# counter calls: per product, its two factors and its signs
_CALLS = {"forward": 0, "grad_input": 3, "grad_weight": 6}


def _signs(n: int, seed: Tensor, step: Tensor, call: int, dtype, device=None) -> Tensor:
    """Random signs from the counters: the top bits of splitmix64 words in int64
    tensor arithmetic (no torch.Generator, so torch.compile traces it), on ``device``
    (default: the seed's), the same signs on every device."""
    device = seed.device if device is None else device
    words = random_words(counter_seed_tensor(seed, step, call), n, device)
    return torch.where(words < 0, -1.0, 1.0).to(dtype)


def _block(n: int, block: int) -> int:
    return block if n % block == 0 else n & -n


def _rot(t: Tensor, block: int, signs: Tensor | None) -> Tensor:
    """Rotate along the last axis: blocks of the normalised Hadamard transform, signs
    applied first."""
    n = t.shape[-1]
    b = _block(n, block)
    s = None if signs is None else signs.reshape(n // b, b)
    r = functional.fwht(t.contiguous().reshape(*t.shape[:-1], n // b, b), True, s)
    return r.reshape(t.shape)


def _unrot(t: Tensor, block: int, signs: Tensor | None) -> Tensor:
    n = t.shape[-1]
    b = _block(n, block)
    r = functional.fwht(t.contiguous().reshape(*t.shape[:-1], n // b, b), True).reshape(t.shape)
    return r if signs is None else r * signs


class _Factors:
    """The two quantized factors of one product (contracted axis last), the signs of
    its rotation, and the trust masks of clipped factors."""

    def __init__(
        self,
        p: Product,
        a: Tensor,
        b: Tensor,
        seed: Tensor,
        step: Tensor,
        call: int,
        parts: bool = False,
    ):
        self.p = p
        n = a.shape[-1]
        self.signs = _signs(n, seed, step, call + 2, a.dtype, a.device) if p.random_signs else None
        if p.rotate:
            a, b = _rot(a, p.rotate, self.signs), _rot(b, p.rotate, self.signs)
        self.masks = [_trust(op, t) for op, t in ((p.a, a), (p.b, b))]
        if parts:  # (values, scales) of each factor, for a tensor core
            self.parts = (
                p.a.parts(a, seed=seed, step=step, call=call),
                p.b.parts(b, seed=seed, step=step, call=call + 1),
            )
            self.a, self.b = (v if s is None else v * s for v, s in self.parts)
        else:
            self.a = p.a.quantize(a, seed=seed, step=step, call=call)
            self.b = p.b.quantize(b, seed=seed, step=step, call=call + 1)
        self.inputs = (a, b)

    def stats(self) -> dict:
        """Per factor: the fraction clipped, the fraction flushed to zero, and the
        mean rounding error relative to the mean magnitude (the bias of stochastic
        rounding) with its standard error."""
        out = {}
        for name, op, t, q in (
            ("a", self.p.a, self.inputs[0], self.a),
            ("b", self.p.b, self.inputs[1], self.b),
        ):
            out[name] = operand_stats(op, t.detach(), q.detach())
        return out

    def from_rotated(self, g: Tensor, which: int) -> Tensor:
        """The gradient of factor ``which``, given in this product's rotated domain
        (a ``requantize`` backward product): trust mask applied, rotation undone."""
        m = self.masks[which]
        g = g if m is None else g * m
        return _unrot(g, self.p.rotate, self.signs) if self.p.rotate else g

    def unmask(self, g: Tensor, which: int) -> Tensor:
        """The gradient of factor ``which`` (given in the unrotated domain) with the
        trust mask applied where the factor was clipped."""
        m = self.masks[which]
        if m is None:
            return g
        if not self.p.rotate:
            return g * m
        r = _rot(g, self.p.rotate, self.signs) * m
        return _unrot(r, self.p.rotate, self.signs)


def _fraction(mask: Tensor) -> float:
    return float(mask.double().mean()) if mask.numel() else 0.0


def operand_stats(op: Operand, t: Tensor, q: Tensor) -> dict:
    """Clipped and flushed fractions and relative bias of one quantized operand,
    computed in torch on the tensors' device (the MX and NVFP4 clip counts by the
    quantizers' own kernels: numba's for CPU tensors, the pure-torch ones elsewhere)."""
    if op.kind == "none":
        return {"clipped": 0.0, "flushed": 0.0, "bias": 0.0, "bias_se": 0.0}
    td = t.detach().double()
    flushed = _fraction((t != 0) & (q == 0))
    if op.kind in ("cast", "tensor"):
        s = float(_pow2_scale(t, op.fmt)) if op.kind == "tensor" else 1.0
        clipped = _fraction((td / s).abs() > formats.as_format(op.fmt).max)
    elif op.kind == "quest":
        clipped = 1.0 - float(_trust(op, t).double().mean())
    elif op.kind == "tile":
        clipped = 0.0  # each tile's absmax maps onto the format's max
    elif op.kind == "mx" and op.prescale != 1:
        e = op._mx_exponents(t)
        fmax = formats.as_format(op.fmt).max
        clipped = _fraction(td.abs() * op.prescale * torch.exp2(-e) > fmax)
    elif op.kind in ("mx", "nvfp4"):
        clipped = _clipped_blocks(op, td)
    elif op.kind == "ternary":
        gamma = max(float(td.abs().mean()), 1e-5)
        clipped = _fraction(td.abs() / gamma > 1.5)
    else:
        clipped = 0.0  # absmax integers never clip
    d = (q.detach().double() - td).reshape(-1)
    scale = float(td.abs().mean()) or 1.0
    se = float(d.std(correction=1) / math.sqrt(d.numel())) if d.numel() > 1 else 0.0
    return {
        "clipped": float(clipped),
        "flushed": flushed,
        "bias": float(d.mean()) / scale,
        "bias_se": se / scale,
    }


def _clipped_blocks(op: Operand, td: Tensor) -> float:
    """The fraction of ``td`` (float64) that an MX or NVFP4 operand clips."""
    n = td.shape[-1]
    bs = op.block_size if n % op.block_size == 0 else n
    if _device.use_torch_kernels(td):
        if op.kind == "mx":
            _, k = _torch_scaled.quantize_mx(
                td, op.fmt, block_size=bs, scale_mode=op.scale_mode, stats=True
            )
        else:
            _, k = _torch_scaled.quantize_nvfp4(td, stats=True, **_nvfp4_options(op))
        return float(k) / td.numel() if td.numel() else 0.0
    tn = td.numpy()
    if op.kind == "mx":
        qq = scaled.quantize_mx(tn, op.fmt, block_size=bs, scale_mode=op.scale_mode, stats=True)
    else:
        qq = scaled.quantize_nvfp4(tn, stats=True, **_nvfp4_options(op))
    return qq.clipped


def _nvfp4_options(op: Operand) -> dict:
    return dict(
        block_shape=(op.block_rows, 16),
        tensor_scale_max=op.tensor_scale_max,
        scale_selection=op.scale_selection,
    )


def _trust(op: Operand, t: Tensor) -> Tensor | None:
    if op.kind == "quest":
        # Quartet's mask: 1 where |v / scale| < max(fmt), i.e. where nothing saturated
        fmax = formats.as_format(op.fmt).max
        return (t.detach().abs() < fmax * op.scales(t)).to(t.dtype)
    if op.clip <= 0:
        return None
    n = t.shape[-1]
    b = _block(n, op.block_size)
    blocks = t.reshape(*t.shape[:-1], n // b, b)
    c = op.clip * blocks.pow(2).mean(-1, keepdim=True).sqrt()
    return (blocks.abs() <= c).reshape(t.shape).to(t.dtype)


def _product(
    p: Product,
    a: Tensor,
    b: Tensor,
    seed: Tensor,
    step: Tensor,
    name: str,
    sink=None,
    recipe: Recipe | None = None,
):
    gemm = None if recipe is None else recipe.gemm
    f = _Factors(p, a, b, seed, step, _CALLS[name], parts=gemm is not None)
    if sink is not None:
        sink[name] = f.stats()
    if gemm is None:
        return f.a @ f.b.transpose(-1, -2), f
    return _tc_product(f.parts, p, gemm, recipe.promote_every, name).to(a.dtype), f


def _tc_product(parts, p: Product, gemm, promote_every: int | None, name: str) -> Tensor:
    """``a @ b^T`` from the factors' (values, scales), as a tensor core computes it: each
    chunk of ``promote_every`` along k (all of k for None) chained in the unit, then
    scaled and added into a float32 accumulator with round to nearest."""
    from ..arith.tensor_core import TensorCore, tc_matmul

    core = gemm if isinstance(gemm, TensorCore) else TensorCore.named(gemm, p.a.fmt, p.b.fmt)
    (va, sa), (vb, sb) = parts
    # numerics.arith's tensor-core model runs on the host: the factors are copied there
    # (a documented copy for device tensors) and the product comes back to their device
    device = va.device
    va, vb = (v.detach().to(torch.float32).cpu().numpy() for v in (va, vb))
    k = va.shape[-1]
    step = promote_every or k
    acc = np.zeros((va.shape[0], vb.shape[0]), np.float32)
    for lo in range(0, k, step):
        hi = min(k, lo + step)
        d = tc_matmul(va[:, lo:hi], vb[:, lo:hi].T, core=core)
        scale = (
            _chunk_scale(sa, va.shape[0], lo, hi, name, "a")[:, None]
            * _chunk_scale(sb, vb.shape[0], lo, hi, name, "b")[None, :]
        )
        acc = acc + d * scale  # float32 throughout: each operation rounded to nearest
    return torch.from_numpy(acc).to(device)


def _chunk_scale(s: Tensor | None, rows: int, lo: int, hi: int, name: str, which: str):
    """The float32 scale of each row of a factor over the chunk ``lo:hi`` of k, which
    must not vary along it."""
    if s is None:
        return np.ones(rows, np.float32)
    s = s.detach().to(torch.float32).cpu().numpy()
    if s.size == 1:  # one scale for the tensor
        return np.full(rows, s.item(), np.float32)
    s = s.reshape(rows, -1)
    if s.shape[1] == 1:
        return s[:, 0]
    c = s[:, lo:hi]
    if not (c == c[:, :1]).all():
        raise ValueError(
            f"the {name} product's factor {which} has scales that vary within k[{lo}:{hi}]; "
            "set promote_every to (a divisor of) its tile length"
        )
    return c[:, 0]


class _QuantLinearFn(torch.autograd.Function):
    @staticmethod
    def forward(ctx, x, w, bias, recipe, seed, step, sink):
        y, f = _product(recipe.forward, x, w, seed, step, "forward", sink, recipe)
        if bias is not None:
            y = y + bias
        ctx.save_for_backward(x, w)
        ctx.recipe, ctx.seed, ctx.step, ctx.fwd, ctx.sink = recipe, seed, step, f, sink
        ctx.has_bias = bias is not None
        return y

    @staticmethod
    def backward(ctx, dy):
        x, w = ctx.saved_tensors
        r, seed, step, f, sink = ctx.recipe, ctx.seed, ctx.step, ctx.fwd, ctx.sink
        dy = dy.contiguous()
        grads = []
        # each backward product: its name, its two factors, the forward factor it differentiates
        for name, a, b, which in (
            ("grad_input", dy, w.t(), 0),
            ("grad_weight", dy.t(), x.t(), 1),
        ):
            p = getattr(r, name)
            if p.requantize:  # the forward's quantized factor, in its rotated domain
                b = (f.b if which == 0 else f.a).detach().t()
            g, _ = _product(p, a, b, seed, step, name, sink, r)
            grads.append(f.from_rotated(g, which) if p.requantize else f.unmask(g, which))
        dx, dw = grads
        db = dy.sum(0) if ctx.has_bias else None
        return dx, dw, db, None, None, None, None


class _Counters(nn.Module):
    """The ``seed`` and ``step`` buffers of a quantized layer."""

    def _adopt(self, m: nn.Module, recipe: Recipe, seed: int) -> None:
        """Share ``m``'s parameters and set the recipe and counters."""
        self.weight, self.bias = m.weight, m.bias
        self.recipe = recipe
        self._init_counters(seed)

    def _init_counters(self, seed: int) -> None:
        self.register_buffer("seed", torch.tensor(int(seed), dtype=torch.int64))
        self.register_buffer("step", torch.tensor(0, dtype=torch.int64))
        self.stats: dict | None = None  # a dict: statistics of the last step are kept

    def _sink(self) -> dict | None:
        if self.stats is None:
            return None
        self.stats.clear()
        return self.stats

    def _next(self) -> tuple[Tensor, Tensor]:
        # tensors, not ints: torch.compile would specialise (and recompile) on ints
        s, k = self.seed, self.step
        if self.training:
            # a new tensor, not an in-place add: under torch.compile an in-place add
            # would reach the value already read for this step's backward
            self.step = self.step + 1
        return s, k


class QuantLinear(_Counters):
    """A linear layer whose three products follow a recipe.

    Parameters
    ----------
    in_features, out_features, bias
        As :class:`torch.nn.Linear`.
    recipe : Recipe
    seed : int
        Key of its stochastic rounding and random signs; with the ``step`` buffer (one
        more after each training forward) it keys every draw.

    Examples
    --------
    >>> from numerics.torch import recipes
    >>> layer = QuantLinear(64, 8, recipe=recipes.mxfp4(), seed=1)
    >>> layer(torch.randn(4, 64)).shape
    torch.Size([4, 8])
    """

    def __init__(
        self,
        in_features: int,
        out_features: int,
        bias: bool = True,
        *,
        recipe: Recipe,
        seed: int = 0,
        dtype: torch.dtype | None = None,
    ):
        super().__init__()
        self._adopt(nn.Linear(in_features, out_features, bias, dtype=dtype), recipe, seed)
        self.in_features, self.out_features = in_features, out_features

    @classmethod
    def from_linear(cls, m: nn.Linear, recipe: Recipe, seed: int = 0) -> QuantLinear:
        """A QuantLinear sharing ``m``'s parameters."""
        q = cls.__new__(cls)
        _Counters.__init__(q)
        q._adopt(m, recipe, seed)
        q.in_features, q.out_features = m.in_features, m.out_features
        return q

    def forward(self, x: Tensor) -> Tensor:
        seed, step = self._next()
        x2 = x.reshape(-1, self.in_features)
        y = _QuantLinearFn.apply(x2, self.weight, self.bias, self.recipe, seed, step, self._sink())
        return y.reshape(*x.shape[:-1], self.out_features)

    def extra_repr(self) -> str:
        return f"{self.in_features}, {self.out_features}, recipe={self.recipe.name}"


class QuantConv2d(_Counters):
    """A 2-d convolution (``groups=1``) computed as a :class:`QuantLinear` product over
    unfolded patches, so every recipe applies to it.

    Examples
    --------
    >>> from numerics.torch import recipes
    >>> conv = QuantConv2d.from_conv(torch.nn.Conv2d(3, 4, 3, padding=1), recipes.fp8())
    >>> conv(torch.randn(2, 3, 8, 8)).shape
    torch.Size([2, 4, 8, 8])
    """

    @classmethod
    def from_conv(cls, m: nn.Conv2d, recipe: Recipe, seed: int = 0) -> QuantConv2d:
        """A QuantConv2d sharing ``m``'s parameters."""
        if m.groups != 1 or m.padding_mode != "zeros" or isinstance(m.padding, str):
            raise ValueError("QuantConv2d needs groups=1, zero padding and numeric padding")
        q = cls()
        q._adopt(m, recipe, seed)
        q.conv = dict(stride=m.stride, padding=m.padding, dilation=m.dilation)
        q.kernel_size, q.out_channels = m.kernel_size, m.out_channels
        return q

    def forward(self, x: Tensor) -> Tensor:
        seed, step = self._next()
        n, _, h, w = x.shape
        cols = Fn.unfold(x, self.kernel_size, **self.conv)  # (n, c k k, L)
        flat = cols.transpose(1, 2).reshape(-1, cols.shape[1])
        wt = self.weight.reshape(self.out_channels, -1)
        y = _QuantLinearFn.apply(flat, wt, self.bias, self.recipe, seed, step, self._sink())
        (sh, sw), (ph, pw), (dh, dw) = self.conv.values()
        kh, kw = self.kernel_size
        ho = (h + 2 * ph - dh * (kh - 1) - 1) // sh + 1
        wo = (w + 2 * pw - dw * (kw - 1) - 1) // sw + 1
        return y.reshape(n, ho * wo, -1).transpose(1, 2).reshape(n, -1, ho, wo)

    def extra_repr(self) -> str:
        return f"{self.out_channels}, kernel_size={self.kernel_size}, recipe={self.recipe.name}"


def collect_stats(model: nn.Module, on: bool = True) -> dict[str, dict]:
    """Turn statistics on (or off) for every quantized layer; returns a live mapping
    layer name -> product -> factor -> ``{clipped, flushed, bias, bias_se}``, filled
    by each forward (the forward product) and backward (the gradient products).

    Examples
    --------
    >>> from numerics.torch import recipes
    >>> net = torch.nn.Sequential(torch.nn.Linear(32, 8), torch.nn.Linear(8, 1))
    >>> stats = collect_stats(quantize_model(net, recipes.fp8()))
    >>> net(torch.randn(4, 32)).sum().backward()
    >>> sorted(stats["0"]), sorted(stats["0"]["forward"]["a"])
    (['forward', 'grad_input', 'grad_weight'], ['bias', 'bias_se', 'clipped', 'flushed'])
    """
    out = {}
    for name, m in model.named_modules():
        if isinstance(m, (QuantLinear, QuantConv2d)):
            m.stats = {} if on else None
            if on:
                out[name] = m.stats
    return out


def _swap(model: nn.Module, pick: Callable[[str, nn.Module], nn.Module | None]) -> None:
    for name, child in list(model.named_modules()):
        for cname, c in list(child.named_children()):
            full = f"{name}.{cname}" if name else cname
            new = pick(full, c)
            if new is not None:
                setattr(child, cname, new)


def quantize_model(
    model: nn.Module,
    recipe: Recipe,
    filter_fn: Callable[[str, nn.Module], bool] | None = None,
    *,
    seed: int = 0,
) -> nn.Module:
    """Swap the model's ``Linear`` and ``Conv2d`` layers for quantized ones in place
    (sharing their parameters) and return the model.

    By default the last ``Linear`` (the output head) stays as it is; embeddings are not
    linear layers and are never touched. ``filter_fn(name, module)`` decides instead.
    Each swapped layer gets its own seed (``seed`` plus its index).

    Examples
    --------
    >>> from numerics.torch import recipes
    >>> m = torch.nn.Sequential(torch.nn.Linear(8, 8), torch.nn.ReLU(), torch.nn.Linear(8, 2))
    >>> quantize_model(m, recipes.fp8())[0].__class__.__name__
    'QuantLinear'
    """
    linears = [n for n, m in model.named_modules() if type(m) is nn.Linear]
    head = linears[-1] if linears else None
    if filter_fn is None:

        def filter_fn(name, m):
            return name != head

    count = [0]

    def pick(name, m):
        if type(m) not in (nn.Linear, nn.Conv2d) or not filter_fn(name, m):
            return None
        count[0] += 1
        s = seed + count[0]
        if type(m) is nn.Linear:
            return QuantLinear.from_linear(m, recipe, s)
        return QuantConv2d.from_conv(m, recipe, s)

    _swap(model, pick)
    return model


def dequantize_model(model: nn.Module) -> nn.Module:
    """Undo :func:`quantize_model` in place: plain layers sharing the same parameters.

    Examples
    --------
    >>> from numerics.torch import recipes
    >>> net = torch.nn.Sequential(torch.nn.Linear(4, 4), torch.nn.Linear(4, 1))
    >>> dequantize_model(quantize_model(net, recipes.fp8()))[0].__class__.__name__
    'Linear'
    """

    def pick(name, m):
        if isinstance(m, QuantLinear):
            lin = nn.Linear(m.in_features, m.out_features, m.bias is not None, device="meta")
            lin.weight, lin.bias = m.weight, m.bias
            return lin
        if isinstance(m, QuantConv2d):
            w = m.weight
            conv = nn.Conv2d(
                w.shape[1],
                w.shape[0],
                m.kernel_size,
                bias=m.bias is not None,
                device="meta",
                **m.conv,
            )
            conv.weight, conv.bias = m.weight, m.bias
            return conv
        return None

    _swap(model, pick)
    return model


def export_codes(model: nn.Module) -> dict[str, scaled.Quantized]:
    """The real element codes and scales of every quantized layer's weight, as
    :class:`numerics.Quantized` (blocks along the input axis), from its recipe's
    weight quantizer. A :class:`~numerics.Quantized` holds numpy arrays: weights on
    another device are copied to host memory first (one copy per layer).

    Examples
    --------
    >>> from numerics.torch import recipes
    >>> net = torch.nn.Sequential(torch.nn.Linear(32, 4), torch.nn.Linear(4, 1))
    >>> export_codes(quantize_model(net, recipes.mxfp4()))["0"].fmt.name
    'float4_e2m1fn'
    """
    out = {}
    for name, m in model.named_modules():
        if not isinstance(m, (QuantLinear, QuantConv2d)):
            continue
        op = m.recipe.weight
        w = m.weight.detach().reshape(m.weight.shape[0], -1).cpu()  # host copy if on a device
        wn = w.numpy()
        if op.kind == "cast":
            out[name] = scaled.quantize(wn, op.fmt, scale=1.0)
        elif op.kind == "tensor":
            out[name] = scaled.quantize(wn, op.fmt, scale=float(_pow2_scale(w, op.fmt)))
        elif op.kind == "mx" and op.prescale == 1:
            bs = op.block_size if wn.shape[-1] % op.block_size == 0 else wn.shape[-1]
            out[name] = scaled.quantize_mx(wn, op.fmt, block_size=bs, scale_mode=op.scale_mode)
        elif op.kind == "nvfp4":
            out[name] = scaled.quantize_nvfp4(wn, **_nvfp4_options(op))
        elif op.kind in ("quest", "tile"):
            # per-block scales given, stored as float32 (quest: powers of two)
            s = op.scales(w).numpy()[:, :: op.block_size]
            out[name] = scaled.quantize(wn, op.fmt, axis=-1, block_size=op.block_size, scale=s)
        elif op.kind == "mx":
            raise ValueError(
                f"layer {name!r}: a prescaled MX weight (prescale={op.prescale}) has scales "
                "2**e / prescale that E8M0 cannot store; export_codes cannot code it"
            )
        elif op.kind == "ternary":
            out[name] = scaled.quantize_ternary(wn)
        elif op.kind == "int":
            out[name] = scaled.quantize_int(wn, op.bits, channel_axis=0)
        else:
            out[name] = scaled.quantize(np.asarray(wn), "float32", scale=1.0)
    return out
