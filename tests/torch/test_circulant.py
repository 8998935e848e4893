"""The block-circulant adapter against a dense block-circulant matrix."""

import pytest

torch = pytest.importorskip("torch")

from numerics.torch import CirculantAdapter, block_circulant_matrix  # noqa: E402
from numerics.torch.circulant import halfcomplex_parts  # noqa: E402


@pytest.mark.parametrize("p", [1, 2, 4, 16])
def test_adapter_equals_dense_block_circulant(p):
    torch.manual_seed(0)
    base = torch.nn.Linear(32, 16).double()
    layer = CirculantAdapter(base, p, scale=0.5)
    with torch.no_grad():
        layer.c.normal_()
    x = torch.randn(5, 32, dtype=torch.float64, requires_grad=True)
    dense = base.weight + 0.5 * block_circulant_matrix(layer.c)
    y = layer(x)
    assert torch.allclose(y, x @ dense.T + base.bias)
    assert torch.allclose(layer.merged_weight(), dense)
    # gradients against the dense computation
    g = torch.randn_like(y)
    gx, gc = torch.autograd.grad(y, (x, layer.c), g)
    c2 = layer.c.detach().clone().requires_grad_()
    x2 = x.detach().clone().requires_grad_()
    y2 = x2 @ (base.weight + 0.5 * block_circulant_matrix(c2)).T + base.bias
    gx2, gc2 = torch.autograd.grad(y2, (x2, c2), g)
    assert torch.allclose(gx, gx2) and torch.allclose(gc, gc2)
    assert not base.weight.requires_grad


def test_adapter_gradcheck_and_validation():
    torch.manual_seed(1)
    layer = CirculantAdapter(torch.nn.Linear(8, 8).double(), 4)
    x = torch.randn(2, 8, dtype=torch.float64, requires_grad=True)
    with torch.no_grad():
        layer.c.normal_()
    assert torch.autograd.gradcheck(layer.delta, (x,))  # c's gradient: dense test above
    with pytest.raises(ValueError):
        CirculantAdapter(torch.nn.Linear(12, 8), 8)
    re, im = halfcomplex_parts(torch.tensor([[1.0, 2.0]]))
    assert re.tolist() == [[1.0, 2.0]] and im.tolist() == [[0.0, 0.0]]
