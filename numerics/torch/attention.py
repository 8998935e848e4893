"""A quantized :class:`torch.nn.MultiheadAttention`.

``nn.MultiheadAttention`` reads its packed input projection (``in_proj_weight``) and its
output projection (``out_proj.weight``) as tensors inside
``F.multi_head_attention_forward``: swapping ``out_proj`` for a quantized linear layer
changes nothing. :class:`QuantMultiheadAttention` computes the same function with the
input projections as quantized products of a recipe, calls ``out_proj`` as a module (so
it is quantized when it is a quantized layer), and, with an ``attention`` recipe, also
the two attention products ``Q K^T`` and ``P V``, whose left factor ``P`` is the softmax
output, as FP8 attention kernels (FlashAttention-3) quantize Q, K, V and P.
"""

from __future__ import annotations

import math

import torch
import torch.nn.functional as Fn
from torch import Tensor, nn

from .layers import CALLS_PER_PRODUCT, _Counters, quant_matmul
from .recipes import Recipe

__all__ = ["QuantMultiheadAttention"]

# the block of calls of each product (times CALLS_PER_PRODUCT)
_Q, _K, _V, _QK, _PV = range(5)


def _additive(mask: Tensor | None, dtype: torch.dtype) -> Tensor | None:
    """A boolean mask (True: not allowed) as 0 / -inf; a float mask as it is."""
    if mask is None:
        return None
    if mask.dtype == torch.bool:
        return torch.zeros(mask.shape, dtype=dtype, device=mask.device).masked_fill(
            mask, float("-inf")
        )
    return mask.to(dtype)


class QuantMultiheadAttention(_Counters, nn.MultiheadAttention):
    """:class:`torch.nn.MultiheadAttention` (a subclass, with the same parameters and
    ``state_dict`` keys) whose input projections follow a recipe.

    The features of ``nn.MultiheadAttention`` are kept: ``batch_first``, unbatched
    inputs, ``key_padding_mask`` and ``attn_mask`` (boolean or additive, 2-D or per
    head), ``is_causal`` (a causal mask is built when ``attn_mask`` is None),
    ``need_weights`` and ``average_attn_weights``, ``kdim``/``vdim`` (separate
    projection weights), ``add_bias_kv``, ``add_zero_attn`` and dropout on the
    attention weights. Self-attention (``query is key is value``) projects with the
    packed weight in one product, as torch does; otherwise each projection is its own
    product.

    Statistics (:func:`~numerics.torch.collect_stats`) are kept per product:
    ``stats[product][...]`` with products ``q``, ``k``, ``v`` (or ``qkv``, ``kv``),
    ``qk`` and ``pv``.

    Parameters
    ----------
    m : nn.MultiheadAttention
        (:meth:`from_attention`) The layer to replace; its parameters are shared.
    recipe : Recipe
        The input projections' products (``out_proj`` is a separate layer).
    seed : int
        The key of its stochastic draws, with its ``step`` buffer.
    rank_aware : bool
        Fold the ``torch.distributed`` rank into the draws.
    attention : Recipe or None
        The recipe of ``Q K^T`` (factors Q and K, contracted over the head dimension)
        and ``P V`` (factors the softmax output P and V^T, contracted over the keys);
        each factor is quantized as one tensor over all heads (FP8: one per-tensor
        scale, as FP8 attention kernels descale). None: both in the layer's dtype.

    Examples
    --------
    >>> from numerics.torch import recipes
    >>> mha = torch.nn.MultiheadAttention(32, 4, batch_first=True)
    >>> q = QuantMultiheadAttention.from_attention(mha, recipes.fp8(), attention=recipes.fp8())
    >>> x = torch.randn(2, 5, 32)
    >>> out, w = q(x, x, x)
    >>> out.shape, w.shape, isinstance(q, torch.nn.MultiheadAttention)
    (torch.Size([2, 5, 32]), torch.Size([2, 5, 5]), True)
    """

    @classmethod
    def from_attention(
        cls,
        m: nn.MultiheadAttention,
        recipe: Recipe,
        seed: int = 0,
        rank_aware: bool = True,
        attention: Recipe | None = None,
    ) -> QuantMultiheadAttention:
        """A QuantMultiheadAttention sharing ``m``'s parameters and submodules."""
        if not isinstance(m, nn.MultiheadAttention):
            raise TypeError(f"from_attention needs an nn.MultiheadAttention, got {type(m)}")
        q = cls._adopt(m, recipe, seed, rank_aware)
        q.attention = attention
        return q

    def _sink_for(self, name: str) -> dict | None:
        return None if self.stats is None else self.stats.setdefault(name, {})

    def _project(self, x, w, b, block, seed, step, name) -> Tensor:
        call = block * CALLS_PER_PRODUCT
        return quant_matmul(x, w, b, self.recipe, seed, step, self._sink_for(name), call)

    def _in_projection(self, query, key, value, same_qkv, same_kv, seed, step):
        e = self.embed_dim
        b = self.in_proj_bias
        bq, bk, bv = (None, None, None) if b is None else (b[:e], b[e : 2 * e], b[2 * e :])
        if not self._qkv_same_embed_dim:
            return (
                self._project(query, self.q_proj_weight, bq, _Q, seed, step, "q"),
                self._project(key, self.k_proj_weight, bk, _K, seed, step, "k"),
                self._project(value, self.v_proj_weight, bv, _V, seed, step, "v"),
            )
        w = self.in_proj_weight
        if same_qkv:  # one product with the packed weight, as torch's packed projection
            return self._project(query, w, b, _Q, seed, step, "qkv").chunk(3, -1)
        q = self._project(query, w[:e], bq, _Q, seed, step, "q")
        if same_kv:
            kvb = None if b is None else b[e:]
            k, v = self._project(key, w[e:], kvb, _K, seed, step, "kv").chunk(2, -1)
            return q, k, v
        k = self._project(key, w[e : 2 * e], bk, _K, seed, step, "k")
        return q, k, self._project(value, w[2 * e :], bv, _V, seed, step, "v")

    def forward(
        self,
        query: Tensor,
        key: Tensor,
        value: Tensor,
        key_padding_mask: Tensor | None = None,
        need_weights: bool = True,
        attn_mask: Tensor | None = None,
        average_attn_weights: bool = True,
        is_causal: bool = False,
    ) -> tuple[Tensor, Tensor | None]:
        """As :meth:`torch.nn.MultiheadAttention.forward`."""
        seed, step = self._next()
        if self.stats is not None:
            self.stats.clear()
        same_qkv = query is key and key is value
        same_kv = key is value
        batched = query.dim() == 3
        if not batched:  # (L, E): a batch of one
            query, key, value = (t.unsqueeze(1) for t in (query, key, value))
            if key_padding_mask is not None:
                key_padding_mask = key_padding_mask.unsqueeze(0)
        elif self.batch_first:
            query, key, value = (t.transpose(0, 1) for t in (query, key, value))
        tgt, bsz, e = query.shape
        h, hd = self.num_heads, self.head_dim
        if e != self.embed_dim:
            raise ValueError(f"expected an embedding dimension of {self.embed_dim}, got {e}")
        dtype = query.dtype

        q, k, v = self._in_projection(query, key, value, same_qkv, same_kv, seed, step)
        attn_mask = _additive(attn_mask, dtype)
        key_padding_mask = _additive(key_padding_mask, dtype)
        if attn_mask is None and is_causal:
            causal = torch.ones(tgt, key.shape[0], dtype=torch.bool, device=query.device)
            attn_mask = _additive(causal.triu(1), dtype)
        if self.bias_k is not None:
            k = torch.cat([k, self.bias_k.repeat(1, bsz, 1)])
            v = torch.cat([v, self.bias_v.repeat(1, bsz, 1)])
            attn_mask = None if attn_mask is None else Fn.pad(attn_mask, (0, 1))
            key_padding_mask = (
                None if key_padding_mask is None else Fn.pad(key_padding_mask, (0, 1))
            )
        # (seq, batch, embed) -> (batch * heads, seq, head_dim), torch's layout
        q = q.reshape(tgt, bsz * h, hd).transpose(0, 1)
        k = k.reshape(k.shape[0], bsz * h, hd).transpose(0, 1)
        v = v.reshape(v.shape[0], bsz * h, hd).transpose(0, 1)
        if self.add_zero_attn:
            zeros = torch.zeros(bsz * h, 1, hd, dtype=k.dtype, device=k.device)
            k, v = torch.cat([k, zeros], 1), torch.cat([v, zeros], 1)
            attn_mask = None if attn_mask is None else Fn.pad(attn_mask, (0, 1))
            key_padding_mask = (
                None if key_padding_mask is None else Fn.pad(key_padding_mask, (0, 1))
            )
        src = k.shape[1]
        mask = None
        if attn_mask is not None:
            mask = attn_mask.unsqueeze(0) if attn_mask.dim() == 2 else attn_mask
        if key_padding_mask is not None:
            kp = key_padding_mask.reshape(bsz, 1, 1, src).expand(bsz, h, 1, src)
            kp = kp.reshape(bsz * h, 1, src)
            mask = kp if mask is None else mask + kp

        scale = 1.0 / math.sqrt(hd)
        if self.attention is None:
            scores = torch.bmm(q * scale, k.transpose(1, 2))
        else:
            call = _QK * CALLS_PER_PRODUCT
            scores = quant_matmul(
                q, k, None, self.attention, seed, step, self._sink_for("qk"), call
            )
            scores = scores * scale  # the softmax scale on the float32 scores, as FA3
        if mask is not None:
            scores = scores + mask
        p = torch.softmax(scores, dim=-1)
        if self.training and self.dropout > 0:
            p = Fn.dropout(p, self.dropout)
        if self.attention is None:
            out = torch.bmm(p, v)
        else:
            vt = v.transpose(1, 2)
            call = _PV * CALLS_PER_PRODUCT
            out = quant_matmul(p, vt, None, self.attention, seed, step, self._sink_for("pv"), call)

        out = out.transpose(0, 1).reshape(tgt * bsz, e)
        out = self.out_proj(out).reshape(tgt, bsz, -1)
        weights = None
        if need_weights:
            weights = p.reshape(bsz, h, tgt, src)
            if average_attn_weights:
                weights = weights.mean(1)
        if not batched:
            out = out.squeeze(1)
            weights = None if weights is None else weights.squeeze(0)
        elif self.batch_first:
            out = out.transpose(0, 1)
        return out, weights

    def quantized_weights(self) -> dict[str, Tensor]:
        if self._qkv_same_embed_dim:
            return {".in_proj_weight": self.in_proj_weight}
        return {f".{n}_proj_weight": getattr(self, f"{n}_proj_weight") for n in "qkv"}

    def extra_repr(self) -> str:
        att = "None" if self.attention is None else self.attention.name
        return f"embed_dim={self.embed_dim}, recipe={self.recipe.name}, attention={att}"
