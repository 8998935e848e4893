"""QuantLinear's products through a tensor-core model (``Recipe.gemm``).

The reference here is written apart from the layer: each factor's (values, scales) from
:meth:`Operand.parts` (checked to give the quantized factor exactly), the values
multiplied chunk by chunk with :func:`numerics.arith.tc_matmul`, and each chunk's result
scaled and accumulated in float32 with numpy, as DeepSeek-V3's promotion does.
"""

import dataclasses

import numpy as np
import pytest

torch = pytest.importorskip("torch")

from numerics.arith import TensorCore, tc_matmul  # noqa: E402
from numerics.torch import QuantLinear, recipes  # noqa: E402
from numerics.torch.recipes import Operand  # noqa: E402


def _reference(a, b, op_a, op_b, core, chunk):
    """``a @ b^T`` of the two factors through ``core``, chunks of ``chunk`` along k."""
    va, sa = op_a.parts(a, seed=0)
    vb, sb = op_b.parts(b, seed=0)
    va, vb = va.numpy().astype(np.float32), vb.numpy().astype(np.float32)
    full = [np.broadcast_to(np.float32(1) if s is None else s.numpy(), v.shape)
            for s, v in ((sa, va), (sb, vb))]  # fmt: skip
    acc = np.zeros((va.shape[0], vb.shape[0]), np.float32)
    k = va.shape[1]
    for lo in range(0, k, chunk or k):
        hi = min(k, lo + (chunk or k))
        d = tc_matmul(va[:, lo:hi], vb[:, lo:hi].T, core=core)
        s = full[0][:, lo].astype(np.float32)[:, None] * full[1][:, lo].astype(np.float32)
        acc = acc + d * s
    return acc


def _layer(recipe, k=256, n=8, seed=0):
    torch.manual_seed(seed)
    return QuantLinear.from_linear(torch.nn.Linear(k, n, bias=False), recipe, seed=3)


@pytest.mark.parametrize("kind", ["cast", "tensor", "tile", "quest"])
def test_parts_give_the_quantized_factor_exactly(kind):
    op = Operand(kind, "float8_e4m3fn", block_size=32, clip=3.0 if kind == "quest" else 0.0)
    t = torch.randn(6, 64) * 7
    v, s = op.parts(t, seed=0)
    q = op.quantize(t, seed=0)
    assert torch.equal(q, v if s is None else v * s)
    vals = np.unique(np.abs(v.numpy()))
    import numerics as nm

    assert np.all(nm.cast(vals, "float8_e4m3fn") == vals)  # values of the format


def test_deepseek_forward_and_gradients_equal_the_chunked_tensor_core():
    core = TensorCore.named("hopper", "e4m3")
    r = recipes.deepseek_fp8(gemm=core)
    q = _layer(r)
    x = (torch.rand(5, 256) * 3).requires_grad_()
    y = q(x)
    w = q.weight.detach()
    want = _reference(x.detach(), w, r.forward.a, r.forward.b, core, 128)
    assert np.array_equal(y.detach().numpy().view(np.uint32), want.view(np.uint32))
    dy = torch.rand(5, 8)
    y.backward(dy)
    # grad_input = dy @ w: factors dy and w^T, contracted over the 8 outputs (one chunk)
    want_dx = _reference(dy, w.t().contiguous(), r.grad_input.a, r.grad_input.b, core, 128)
    assert np.array_equal(x.grad.numpy().view(np.uint32), want_dx.view(np.uint32))
    want_dw = _reference(
        dy.t().contiguous(),
        x.detach().t().contiguous(),
        r.grad_weight.a,
        r.grad_weight.b,
        core,
        128,
    )
    assert np.array_equal(q.weight.grad.numpy().view(np.uint32), want_dw.view(np.uint32))


def test_a_generation_name_builds_a_unit_per_product_and_promotion_helps():
    # fp8: e4m3 forward, e5m2 gradients; "hopper" gives each product its own unit
    r = dataclasses.replace(recipes.fp8(), gemm="hopper")
    q = _layer(r, k=4096, n=4)
    with torch.no_grad():
        q.weight.copy_(torch.rand(4, 4096))
    x = torch.rand(3, 4096, requires_grad=True)
    y = q(x)
    y.sum().backward()
    assert x.grad is not None and torch.isfinite(x.grad).all()
    qa = r.forward.a.quantize(x.detach(), seed=0).double()
    qb = r.forward.b.quantize(q.weight.detach(), seed=0).double()
    exact = (qa @ qb.T).numpy()  # the quantized factors' exact products, rounded once
    ya = y.detach().numpy()
    q128 = _layer(dataclasses.replace(r, promote_every=128), k=4096, n=4)
    with torch.no_grad():
        q128.weight.copy_(q.weight)
    y128 = q128(x).detach().numpy()
    err = np.abs(ya - exact).max() / np.abs(exact).max()
    err128 = np.abs(y128 - exact).max() / np.abs(exact).max()
    assert err > 1e-3 and err128 < err / 10  # 13-bit accumulation, and its promotion


def test_deepseek_with_hopper_trains_reproducibly():
    def run():
        q = _layer(recipes.deepseek_fp8(gemm="hopper"), seed=4)
        opt = torch.optim.SGD(q.parameters(), lr=0.1)
        torch.manual_seed(5)
        x = torch.randn(8, 256)
        losses = []
        for _ in range(3):
            loss = (q(x) ** 2).mean()
            opt.zero_grad()
            loss.backward()
            opt.step()
            losses.append(loss.item())
        return losses, q.weight.detach().clone()

    (l1, w1), (l2, w2) = run(), run()
    assert l1 == l2 and torch.equal(w1, w2)
    assert l1[-1] < l1[0]


def test_gemm_errors_name_the_problem():
    with pytest.raises(ValueError, match="gemm must be a TensorCore"):
        dataclasses.replace(recipes.fp8(), gemm="pascal")
    with pytest.raises(ValueError, match="'mx' operand"):
        dataclasses.replace(recipes.mxfp4(), gemm="blackwell")
    # 1x128 tiles under one chain of k = 256: scales vary within the chunk
    q = _layer(dataclasses.replace(recipes.deepseek_fp8(), gemm="hopper", promote_every=None))
    with pytest.raises(ValueError, match="vary within"):
        q(torch.rand(2, 256))
