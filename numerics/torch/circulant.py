"""A block-circulant adapter (FFT-based fine-tuning, arXiv 2505.00582) on the in-place
rdFFT: the weight change is an ``r x s`` grid of ``p x p`` circulant blocks, each
stored as its first column, applied as circular convolutions in the halfcomplex
domain without complex tensors."""

from __future__ import annotations

import torch
from torch import Tensor, nn

from .functional import irdfft_, rdfft_

__all__ = ["CirculantAdapter", "block_circulant_matrix", "halfcomplex_parts"]


def halfcomplex_parts(h: Tensor) -> tuple[Tensor, Tensor]:
    """The real and imaginary parts (``p/2 + 1`` each) of halfcomplex rows.

    Examples
    --------
    >>> re, im = halfcomplex_parts(torch.tensor([2.0, 1.0, 0.0, -3.0]))
    >>> re.tolist(), im.tolist()
    ([2.0, 1.0, 0.0], [0.0, -3.0, 0.0])
    """
    p = h.shape[-1]
    q = p // 2
    zero = torch.zeros_like(h[..., :1])
    im = torch.cat([zero, h[..., q + 1 :].flip(-1), zero], dim=-1) if p > 1 else zero
    return h[..., : q + 1], im


def _join(re: Tensor, im: Tensor, p: int) -> Tensor:
    q = p // 2
    return torch.cat([re, im[..., 1:q].flip(-1)], dim=-1) if p > 1 else re


def block_circulant_matrix(c: Tensor) -> Tensor:
    """The dense ``(r p) x (s p)`` matrix of the blocks' first columns ``c`` (r, s, p):
    block ``(i, j)`` has entries ``c[i, j, (m - l) mod p]``.

    Examples
    --------
    >>> block_circulant_matrix(torch.tensor([[[1.0, 2.0, 3.0]]])).tolist()
    [[1.0, 3.0, 2.0], [2.0, 1.0, 3.0], [3.0, 2.0, 1.0]]
    """
    r, s, p = c.shape
    idx = (torch.arange(p)[:, None] - torch.arange(p)[None, :]) % p
    return c[:, :, idx].permute(0, 2, 1, 3).reshape(r * p, s * p)


class CirculantAdapter(nn.Module):
    """``y = base(x) + scale * dW x`` with ``dW`` block-circulant (blocks of ``p``),
    trained through the in-place rdFFT: ``x`` and the block columns are transformed
    in their own buffers, multiplied slot by slot and summed over input blocks in the
    halfcomplex domain, and one inverse transform per output block gives ``dW x``.

    Parameters
    ----------
    base : torch.nn.Linear
        The frozen layer (its parameters stop requiring gradients).
    p : int
        Block size, a power of two dividing both feature counts.
    scale : float
        Multiplies the adapter's output. The paper divides the learning rate by ``p``
        for stability, since each ``c_ij`` drives ``p`` outputs.

    Examples
    --------
    >>> layer = CirculantAdapter(torch.nn.Linear(16, 8), p=4)
    >>> layer.c.shape, layer(torch.randn(2, 16)).shape
    (torch.Size([2, 4, 4]), torch.Size([2, 8]))
    """

    def __init__(self, base: nn.Linear, p: int, scale: float = 1.0):
        super().__init__()
        if p < 1 or p & (p - 1) or base.in_features % p or base.out_features % p:
            raise ValueError(
                f"p must be a power of two dividing {base.in_features} and {base.out_features}"
            )
        self.base, self.p, self.scale = base, p, scale
        for prm in base.parameters():
            prm.requires_grad_(False)
        r, s = base.out_features // p, base.in_features // p
        self.c = nn.Parameter(torch.zeros(r, s, p, dtype=base.weight.dtype))

    def delta(self, x: Tensor) -> Tensor:
        """``dW x`` for rows ``x`` (..., in_features)."""
        p = self.p
        lead = x.shape[:-1]
        X = rdfft_(x.reshape(-1, x.shape[-1] // p, p).clone())  # (N, s, p), in place
        C = rdfft_(self.c.clone())  # (r, s, p)
        xr, xi = halfcomplex_parts(X)
        cr, ci = halfcomplex_parts(C)
        hr = torch.einsum("isk,nsk->nik", cr, xr) - torch.einsum("isk,nsk->nik", ci, xi)
        hi = torch.einsum("isk,nsk->nik", cr, xi) + torch.einsum("isk,nsk->nik", ci, xr)
        h = irdfft_(_join(hr, hi, p))  # (N, r, p), in place
        return h.reshape(*lead, -1)

    def forward(self, x: Tensor) -> Tensor:
        return self.base(x) + self.scale * self.delta(x)

    def merged_weight(self) -> Tensor:
        """``W + scale * dW`` as a dense matrix (for export)."""
        return self.base.weight + self.scale * block_circulant_matrix(self.c)
