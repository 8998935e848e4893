"""Quantized layers: subclasses of the layers they replace.

:class:`QuantLinear` computes its three products (``y = x w^T``, ``dx = dy w``,
``dw = dy^T x``) with the quantizers of a :class:`~numerics.torch.recipes.Recipe`. Its
stochastic rounding and random signs draw from counters kept as buffers (``seed``,
``step``), so a run restored from a ``state_dict`` continues bit for bit.
"""

from __future__ import annotations

import math

import numpy as np
import torch
import torch.nn.functional as Fn
from torch import Tensor, nn

from .. import formats, scaled
from . import _device, _torch_scaled, functional
from ._torch_cast import counter_seed_tensor, random_words
from .distributed import rank_seed
from .recipes import Operand, Product, Recipe, _pow2_scale

__all__ = [
    "QuantConv1d",
    "QuantConv2d",
    "QuantLinear",
    "collect_stats",
    "export_codes",
    "is_quantized",
    "operand_stats",
    "quant_matmul",
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


def _flat(t: Tensor) -> Tensor:
    return t if t.dim() == 2 else t.reshape(-1, t.shape[-1])


def _unflatten(parts: tuple[Tensor, Tensor | None], shape) -> tuple[Tensor, Tensor | None]:
    v, s = parts
    return v.reshape(shape), s if s is None or s.dim() == 0 else s.reshape(shape)


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
        # the quantizers see 2-D factors (rows, contracted axis): a batch of products
        # (attention's heads) is quantized as one tensor, as one kernel launch would be
        if parts:  # (values, scales) of each factor, for a tensor core
            self.parts = (
                _unflatten(p.a.parts(_flat(a), seed=seed, step=step, call=call), a.shape),
                _unflatten(p.b.parts(_flat(b), seed=seed, step=step, call=call + 1), b.shape),
            )
            self.a, self.b = (v if s is None else v * s for v, s in self.parts)
        else:
            self.a = p.a.quantize(_flat(a), seed=seed, step=step, call=call).reshape(a.shape)
            self.b = p.b.quantize(_flat(b), seed=seed, step=step, call=call + 1).reshape(b.shape)
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
    call: int = 0,
):
    gemm = None if recipe is None else recipe.gemm
    f = _Factors(p, a, b, seed, step, call + _CALLS[name], parts=gemm is not None)
    if sink is not None:
        sink[name] = f.stats()
    if gemm is None:
        return f.a @ f.b.transpose(-1, -2), f
    if a.dim() == 2:
        return _tc_product(f.parts, p, gemm, recipe.promote_every, name).to(a.dtype), f
    # a batch of products: one unit product per batch element
    (va, sa), (vb, sb) = f.parts
    va, vb = va.reshape(-1, *va.shape[-2:]), vb.reshape(-1, *vb.shape[-2:])
    sa = None if sa is None else sa.reshape(va.shape)
    sb = None if sb is None else sb.reshape(vb.shape)
    out = [
        _tc_product(
            ((va[i], None if sa is None else sa[i]), (vb[i], None if sb is None else sb[i])),
            p,
            gemm,
            recipe.promote_every,
            name,
        )
        for i in range(va.shape[0])
    ]
    y = torch.stack(out).reshape(*a.shape[:-1], b.shape[-2])
    return y.to(a.dtype), f


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


class _QuantMatmulFn(torch.autograd.Function):
    """``x @ w^T (+ bias)`` with the recipe's three products; ``x`` is ``(..., m, k)``
    and ``w`` ``(n, k)`` or ``(..., n, k)`` with ``x``'s batch shape (attention), the
    draws keyed by ``call`` plus the product's own calls."""

    @staticmethod
    def forward(ctx, x, w, bias, recipe, seed, step, sink, call=0):
        y, f = _product(recipe.forward, x, w, seed, step, "forward", sink, recipe, call)
        if bias is not None:
            y = y + bias
        ctx.save_for_backward(x, w)
        ctx.recipe, ctx.seed, ctx.step, ctx.fwd, ctx.sink = recipe, seed, step, f, sink
        ctx.has_bias, ctx.call = bias is not None, call
        return y

    @staticmethod
    def backward(ctx, dy):
        x, w = ctx.saved_tensors
        r, seed, step, f, sink = ctx.recipe, ctx.seed, ctx.step, ctx.fwd, ctx.sink
        dy = dy.contiguous()
        grads = []
        # each backward product: its name, its two factors, the forward factor it differentiates
        for name, a, b, which in (
            ("grad_input", dy, w.transpose(-1, -2), 0),
            ("grad_weight", dy.transpose(-1, -2), x.transpose(-1, -2), 1),
        ):
            p = getattr(r, name)
            if p.requantize:  # the forward's quantized factor, in its rotated domain
                b = (f.b if which == 0 else f.a).detach().transpose(-1, -2)
            g, _ = _product(p, a, b, seed, step, name, sink, r, ctx.call)
            grads.append(f.from_rotated(g, which) if p.requantize else f.unmask(g, which))
        dx, dw = grads
        db = dy.reshape(-1, dy.shape[-1]).sum(0) if ctx.has_bias else None
        return dx, dw, db, None, None, None, None, None


def quant_matmul(
    x: Tensor,
    w: Tensor,
    bias: Tensor | None,
    recipe: Recipe,
    seed: Tensor,
    step: Tensor,
    sink: dict | None = None,
    call: int = 0,
) -> Tensor:
    """``x @ w^T + bias`` (contracted axis last in both) with a recipe's forward
    product, and its backward products for the gradients; every stochastic draw keyed
    by (``seed``, ``step``, ``call`` plus the product's index). ``x`` is
    ``(..., m, k)``; ``w`` is ``(n, k)``, or ``(..., n, k)`` for a batch of products.

    Examples
    --------
    >>> from numerics.torch import recipes
    >>> s = torch.tensor(0)
    >>> quant_matmul(torch.ones(2, 4), torch.ones(3, 4), None, recipes.fp8(), s, s).tolist()
    [[4.0, 4.0, 4.0], [4.0, 4.0, 4.0]]
    """
    if w.dim() == 2 and x.dim() != 2:
        y = _QuantMatmulFn.apply(
            x.reshape(-1, x.shape[-1]), w, bias, recipe, seed, step, sink, call
        )
        return y.reshape(*x.shape[:-1], w.shape[0])
    return _QuantMatmulFn.apply(x, w, bias, recipe, seed, step, sink, call)


def _keep_off_fast_paths(module, args):
    """A no-op forward pre-hook: torch's fused inference paths (TransformerEncoderLayer's
    ``_transformer_encoder_layer_fwd``) read the weights of a layer without calling it,
    and never run while a submodule has a hook."""
    return None


# what a quantized layer adds to the module it replaces (dropped again by restore)
_ADDED = ("recipe", "stats", "rank_aware", "attention", "original_type", "_fast_path_hook")
# each product of a layer draws from its own block of calls: 3 products x 3 calls
CALLS_PER_PRODUCT = 9


class _Counters:
    """What every quantized layer adds to the layer it replaces: the recipe, the
    ``seed`` and ``step`` buffers of its draws, statistics, and the way back."""

    @classmethod
    def _adopt(cls, m: nn.Module, recipe: Recipe, seed: int, rank_aware: bool = True) -> nn.Module:
        """A quantized layer sharing everything of ``m``: its parameters, buffers,
        submodules, hooks and attributes (shallow copies of its registries)."""
        q = cls.__new__(cls)
        state = dict(m.__dict__)
        # a forward patched onto the instance (accelerate's hooks) would call the old
        # layer's function and bypass the quantizers
        state.pop("forward", None)
        for key, v in state.items():
            if key.startswith("_") and isinstance(v, (dict, set)):
                state[key] = type(v)(v) if not hasattr(v, "default_factory") else v.copy()
        q.__dict__.update(state)
        q.original_type = type(m)
        q.recipe, q.rank_aware, q.stats = recipe, bool(rank_aware), None
        q.register_buffer("seed", torch.tensor(int(seed), dtype=torch.int64))
        q.register_buffer("step", torch.tensor(0, dtype=torch.int64))
        q._fast_path_hook = q.register_forward_pre_hook(_keep_off_fast_paths).id
        return q

    def restore(self) -> nn.Module:
        """The layer this one replaced (its original class), sharing its parameters."""
        m = self.original_type.__new__(self.original_type)
        state = dict(self.__dict__)
        for key, v in state.items():
            if key.startswith("_") and isinstance(v, (dict, set)):
                state[key] = v.copy()
        state["_forward_pre_hooks"].pop(self._fast_path_hook, None)
        for key in _ADDED:
            state.pop(key, None)
        for key in ("seed", "step"):
            state["_buffers"].pop(key, None)
        m.__dict__.update(state)
        return m

    def _load_from_state_dict(self, state_dict, prefix, *args) -> None:
        # A plain checkpoint has no counters: the layer keeps its own seed and step
        # (a fresh run). A quantized checkpoint restores them, so training resumes bit
        # for bit. Non-persistent buffers would lose the second; a missing-key error
        # the first, so the counters are optional on load.
        missing = args[-3]
        super()._load_from_state_dict(state_dict, prefix, *args)
        for key in ("seed", "step"):
            if prefix + key not in state_dict and prefix + key in missing:
                missing.remove(prefix + key)

    def _sink(self) -> dict | None:
        if self.stats is None:
            return None
        self.stats.clear()
        return self.stats

    def _next(self) -> tuple[Tensor, Tensor]:
        # tensors, not ints: torch.compile would specialise (and recompile) on ints
        s, k = self.seed, self.step
        if self.rank_aware:
            s = rank_seed(s)
        if self.training:
            # a new tensor, not an in-place add: under torch.compile an in-place add
            # would reach the value already read for this step's backward
            self.step = self.step + 1
        return s, k

    def quantized_weights(self) -> dict[str, Tensor]:
        """The weight matrices the recipe's weight quantizer sees (output rows,
        contracted axis last), by suffix of the layer's name."""
        return {"": self.weight}


class QuantLinear(_Counters, nn.Linear):
    """A linear layer (an :class:`torch.nn.Linear`) whose three products follow a
    recipe. :meth:`from_linear` converts any ``nn.Linear`` subclass that keeps
    ``Linear.forward`` (``NonDynamicallyQuantizableLinear`` included); :meth:`restore`
    gives it back.

    Parameters
    ----------
    in_features, out_features, bias, device, dtype
        As :class:`torch.nn.Linear`.
    recipe : Recipe
    seed : int
        Key of its stochastic rounding and random signs; with the ``step`` buffer (one
        more after each training forward) it keys every draw, with the rank folded in
        under ``torch.distributed`` unless ``rank_aware`` is False
        (:mod:`numerics.torch.distributed`).

    Examples
    --------
    >>> from numerics.torch import recipes
    >>> layer = QuantLinear(64, 8, recipe=recipes.mxfp4(), seed=1)
    >>> layer(torch.randn(4, 64)).shape, isinstance(layer, torch.nn.Linear)
    (torch.Size([4, 8]), True)
    """

    def __init__(
        self,
        in_features: int,
        out_features: int,
        bias: bool = True,
        device=None,
        dtype: torch.dtype | None = None,
        *,
        recipe: Recipe,
        seed: int = 0,
        rank_aware: bool = True,
    ):
        m = nn.Linear(in_features, out_features, bias, device=device, dtype=dtype)
        self.__dict__.update(self.from_linear(m, recipe, seed, rank_aware).__dict__)

    @classmethod
    def from_linear(
        cls, m: nn.Linear, recipe: Recipe, seed: int = 0, rank_aware: bool = True
    ) -> QuantLinear:
        """A QuantLinear sharing ``m``'s parameters."""
        return cls._adopt(m, recipe, seed, rank_aware)

    def forward(self, x: Tensor) -> Tensor:
        seed, step = self._next()
        return quant_matmul(x, self.weight, self.bias, self.recipe, seed, step, self._sink())

    def extra_repr(self) -> str:
        return f"{nn.Linear.extra_repr(self)}, recipe={self.recipe.name}"


class _QuantConvNd(_Counters):
    """A convolution computed as quantized products over unfolded patches, one
    product per group (each group's weight quantized as its own matrix, as a grouped
    GEMM scales each group), so every recipe applies to it."""

    @classmethod
    def from_conv(
        cls, m: nn.Module, recipe: Recipe, seed: int = 0, rank_aware: bool = True
    ) -> _QuantConvNd:
        """A quantized convolution sharing ``m``'s parameters (any ``groups``,
        ``padding`` and ``padding_mode``)."""
        if not isinstance(m, cls._base) or isinstance(m, nn.modules.conv._ConvTransposeNd):
            raise TypeError(f"{cls.__name__}.from_conv needs a {cls._base.__name__}")
        return cls._adopt(m, recipe, seed, rank_aware)

    def _patches(self, x: Tensor) -> tuple[Tensor, tuple[int, ...]]:
        """The padded input unfolded into rows of patches, and the output's size."""
        mode = "constant" if self.padding_mode == "zeros" else self.padding_mode
        if any(self._reversed_padding_repeated_twice):
            x = Fn.pad(x, self._reversed_padding_repeated_twice, mode=mode)
        k, s, d = self.kernel_size, self.stride, self.dilation
        if len(k) == 1:  # a 1-d convolution as a 2-d one of height 1
            x, k, s, d = x.unsqueeze(2), (1, *k), (1, *s), (1, *d)
        out = tuple(
            (n - dd * (kk - 1) - 1) // ss + 1
            for n, kk, ss, dd in zip(x.shape[2:], k, s, d, strict=True)
        )
        cols = Fn.unfold(x, k, dilation=d, stride=s)  # (n, c k..., L)
        return cols.transpose(1, 2).reshape(-1, cols.shape[1]), out

    def forward(self, x: Tensor) -> Tensor:
        seed, step = self._next()
        unbatched = x.dim() == len(self.kernel_size) + 1
        if unbatched:
            x = x.unsqueeze(0)
        flat, out = self._patches(x)
        g, cin = self.groups, flat.shape[1] // self.groups
        cout = self.out_channels // g
        w = self.weight.reshape(self.out_channels, -1)
        ys = []
        for i in range(g):
            xi = flat if g == 1 else flat[:, i * cin : (i + 1) * cin]
            wi = w if g == 1 else w[i * cout : (i + 1) * cout]
            bi = self.bias if g == 1 or self.bias is None else self.bias[i * cout : (i + 1) * cout]
            call = i * CALLS_PER_PRODUCT
            ys.append(quant_matmul(xi, wi, bi, self.recipe, seed, step, self._sink(), call))
        y = ys[0] if g == 1 else torch.cat(ys, 1)
        y = y.reshape(x.shape[0], -1, self.out_channels).transpose(1, 2)
        y = y.reshape(x.shape[0], self.out_channels, *out[-len(self.kernel_size) :])
        return y[0] if unbatched else y

    def quantized_weights(self) -> dict[str, Tensor]:
        w = self.weight.reshape(self.out_channels, -1)
        if self.groups == 1:
            return {"": w}
        c = self.out_channels // self.groups
        return {f"[{i}]": w[i * c : (i + 1) * c] for i in range(self.groups)}

    def extra_repr(self) -> str:
        return f"{self.original_type.extra_repr(self)}, recipe={self.recipe.name}"


class QuantConv1d(_QuantConvNd, nn.Conv1d):
    """A 1-d convolution (an :class:`torch.nn.Conv1d`) whose products follow a recipe.

    Examples
    --------
    >>> from numerics.torch import recipes
    >>> conv = QuantConv1d.from_conv(torch.nn.Conv1d(4, 6, 3, groups=2), recipes.fp8())
    >>> conv(torch.randn(2, 4, 10)).shape
    torch.Size([2, 6, 8])
    """

    _base = nn.Conv1d


class QuantConv2d(_QuantConvNd, nn.Conv2d):
    """A 2-d convolution (an :class:`torch.nn.Conv2d`) whose products follow a recipe.

    Examples
    --------
    >>> from numerics.torch import recipes
    >>> conv = QuantConv2d.from_conv(torch.nn.Conv2d(3, 4, 3, padding=1), recipes.fp8())
    >>> conv(torch.randn(2, 3, 8, 8)).shape
    torch.Size([2, 4, 8, 8])
    """

    _base = nn.Conv2d


def is_quantized(m: nn.Module) -> bool:
    """Whether ``m`` is one of numerics' quantized layers.

    Examples
    --------
    >>> is_quantized(torch.nn.Linear(2, 2))
    False
    """
    return isinstance(m, _Counters)


def collect_stats(model: nn.Module, on: bool = True) -> dict[str, dict]:
    """Turn statistics on (or off) for every quantized layer; returns a live mapping
    layer name -> product -> factor -> ``{clipped, flushed, bias, bias_se}``, filled
    by each forward (the forward product) and backward (the gradient products).

    Examples
    --------
    >>> from numerics.torch import quantize_model, recipes
    >>> net = torch.nn.Sequential(torch.nn.Linear(32, 8), torch.nn.Linear(8, 1))
    >>> stats = collect_stats(quantize_model(net, recipes.fp8()))
    >>> net(torch.randn(4, 32)).sum().backward()
    >>> sorted(stats["0"]), sorted(stats["0"]["forward"]["a"])
    (['forward', 'grad_input', 'grad_weight'], ['bias', 'bias_se', 'clipped', 'flushed'])
    """
    out = {}
    for name, m in model.named_modules():
        if is_quantized(m):
            m.stats = {} if on else None
            if on:
                out[name] = m.stats
    return out


def export_codes(model: nn.Module) -> dict[str, scaled.Quantized]:
    """The real element codes and scales of every quantized layer's weight, as
    :class:`numerics.Quantized` (blocks along the input axis), from its recipe's
    weight quantizer. A :class:`~numerics.Quantized` holds numpy arrays: weights on
    another device are copied to host memory first (one copy per layer).

    Examples
    --------
    >>> from numerics.torch import quantize_model, recipes
    >>> net = torch.nn.Sequential(torch.nn.Linear(32, 4), torch.nn.Linear(4, 1))
    >>> export_codes(quantize_model(net, recipes.mxfp4()))["0"].fmt.name
    'float4_e2m1fn'
    """
    out = {}
    for name, m in model.named_modules():
        if not is_quantized(m):
            continue
        for suffix, weight in m.quantized_weights().items():
            key = f"{name}{suffix}"
            out[key] = _export(key, m.recipe.weight, weight.detach().cpu())
    return out


def _export(name: str, op: Operand, w: Tensor) -> scaled.Quantized:
    wn = w.numpy()
    if op.kind == "cast":
        return scaled.quantize(wn, op.fmt, scale=1.0)
    elif op.kind == "tensor":
        return scaled.quantize(wn, op.fmt, scale=float(_pow2_scale(w, op.fmt)))
    elif op.kind == "mx" and op.prescale == 1:
        bs = op.block_size if wn.shape[-1] % op.block_size == 0 else wn.shape[-1]
        return scaled.quantize_mx(wn, op.fmt, block_size=bs, scale_mode=op.scale_mode)
    elif op.kind == "nvfp4":
        return scaled.quantize_nvfp4(wn, **_nvfp4_options(op))
    elif op.kind in ("quest", "tile"):
        # per-block scales given, stored as float32 (quest: powers of two)
        s = op.scales(w).numpy()[:, :: op.block_size]
        return scaled.quantize(wn, op.fmt, axis=-1, block_size=op.block_size, scale=s)
    elif op.kind == "mx":
        raise ValueError(
            f"layer {name!r}: a prescaled MX weight (prescale={op.prescale}) has scales "
            "2**e / prescale that E8M0 cannot store; export_codes cannot code it"
        )
    elif op.kind == "ternary":
        return scaled.quantize_ternary(wn)
    elif op.kind == "int":
        return scaled.quantize_int(wn, op.bits, channel_axis=0)
    return scaled.quantize(np.asarray(wn), "float32", scale=1.0)
