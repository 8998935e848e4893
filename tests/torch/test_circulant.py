"""The circulant adapters against dense references: the block-circulant matrix built
entry by entry, PEFT's C3A tuner (an independent complex torch.fft implementation),
gradients by autograd through the dense product and by gradcheck."""

import itertools

import numpy as np
import pytest

torch = pytest.importorskip("torch")

from numerics.torch import (  # noqa: E402
    CirculantAdapter,
    CirculantConfig,
    CirculantDiagonalAdapter,
    block_circulant_matrix,
    circulant_parameter_groups,
    circulant_projection,
    circulant_state_dict,
    get_circulant_model,
    load_circulant,
    merge_circulant,
    remove_circulant,
    save_circulant,
    unmerge_circulant,
)
from numerics.torch.circulant import halfcomplex_parts  # noqa: E402
from numerics.transforms import halfcomplex_matmul, halfcomplex_to_complex, rdfft  # noqa: E402

BACKENDS = ["rdfft", "torch.fft"]


def dense_block_circulant(c):
    """Entry by entry: block (i, j), row m, column l holds c[i, j, (m - l) mod p]."""
    r, s, p = c.shape
    w = torch.zeros(r * p, s * p, dtype=c.dtype)
    for i, j, m, col in itertools.product(range(r), range(s), range(p), range(p)):
        w[i * p + m, j * p + col] = c[i, j, (m - col) % p]
    return w


def test_block_circulant_matrix_entry_by_entry():
    c = torch.randn(2, 3, 4, dtype=torch.float64)
    assert torch.equal(block_circulant_matrix(c), dense_block_circulant(c))


@pytest.mark.parametrize("conj", [False, True])
@pytest.mark.parametrize("p", [1, 2, 4, 16])
@pytest.mark.parametrize("dtype", [np.float64, np.float32])
def test_halfcomplex_matmul_against_complex_einsum(p, dtype, conj):
    rng = np.random.default_rng(p)
    a = rdfft(rng.standard_normal((5, 3, p)).astype(dtype))
    b = rdfft(rng.standard_normal((3, 4, p)).astype(dtype))
    bt = b.transpose(1, 0, 2).copy().transpose(1, 0, 2)  # non-contiguous b
    out = halfcomplex_matmul(a, bt, conj=conj)
    za, zb = halfcomplex_to_complex(a), halfcomplex_to_complex(b)
    ref = np.einsum("xkp,kyp->xyp", za, zb.conj() if conj else zb)
    tol = 1e-12 if dtype == np.float64 else 2e-5
    np.testing.assert_allclose(halfcomplex_to_complex(out), ref, atol=tol * 10, rtol=tol)


def test_halfcomplex_matmul_rejects_bad_input():
    a = np.zeros((2, 3, 4))
    with pytest.raises(ValueError, match="do not chain"):
        halfcomplex_matmul(a, np.zeros((2, 3, 4)))
    with pytest.raises(TypeError, match="dtype"):
        halfcomplex_matmul(a, np.zeros((3, 2, 4), np.float32))
    with pytest.raises(ValueError, match="overlap"):
        halfcomplex_matmul(a, np.zeros((3, 3, 4)), out=a[:, :3])


@pytest.mark.parametrize("backend", BACKENDS)
@pytest.mark.parametrize("shape", [(16, 8, 4), (12, 20, 4), (10, 6, 8), (8, 8, 1)])
def test_block_adapter_equals_dense(shape, backend):
    d_in, d_out, p = shape
    torch.manual_seed(0)
    base = torch.nn.Linear(d_in, d_out).double()
    layer = CirculantAdapter(base, p, scale=0.5, init="gaussian", backend=backend)
    x = torch.randn(3, 5, d_in, dtype=torch.float64)
    dense = base.weight + 0.5 * dense_block_circulant(layer.c)[:d_out, :d_in]
    torch.testing.assert_close(layer(x), x @ dense.T + base.bias, rtol=1e-12, atol=1e-12)
    torch.testing.assert_close(layer.merged_weight(), dense, rtol=0, atol=0)


@pytest.mark.parametrize("backend", BACKENDS)
def test_block_adapter_gradients_equal_dense_autograd(backend):
    torch.manual_seed(1)
    base = torch.nn.Linear(12, 20).double()
    layer = CirculantAdapter(base, 8, scale=0.7, init="gaussian", backend=backend)
    x = torch.randn(6, 12, dtype=torch.float64, requires_grad=True)
    g = torch.randn(6, 20, dtype=torch.float64)
    (layer(x) * g).sum().backward()
    c = layer.c.detach().clone().requires_grad_(True)
    x2 = x.detach().clone().requires_grad_(True)
    dense = base.weight + 0.7 * block_circulant_matrix(c)[:20, :12]
    ((x2 @ dense.T + base.bias) * g).sum().backward()
    torch.testing.assert_close(x.grad, x2.grad, rtol=1e-12, atol=1e-12)
    torch.testing.assert_close(layer.c.grad, c.grad, rtol=1e-12, atol=1e-12)
    assert base.weight.grad is None


@pytest.mark.parametrize("backend", BACKENDS)
def test_block_circulant_op_gradcheck(backend):
    x = torch.randn(3, 8, dtype=torch.float64, requires_grad=True)
    c = torch.randn(2, 2, 4, dtype=torch.float64, requires_grad=True)
    op = torch.ops.numerics.block_circulant
    options = backend, "", "", "nearest_even", -1
    assert torch.autograd.gradcheck(lambda x, c: op(x, c, *options), (x, c))


def test_block_circulant_op_opcheck():
    x, c = torch.randn(3, 8), torch.randn(2, 2, 4)
    torch.library.opcheck(
        torch.ops.numerics.block_circulant, (x, c, "rdfft", "", "", "nearest_even", -1)
    )


def test_block_adapter_against_peft_c3a():
    """PEFT's C3A computes the same block-circular convolution with complex FFTs. Its
    conventions differ: C3A's kernel w relates to our first columns c by
    c[i, j, m] = w[i, j, -m mod p] / in_features (C3A multiplies ifft(x) by fft(w)
    and divides the product by in_features). C3A computes in float32 whatever the
    model's dtype, so the two agree to float32's precision."""
    peft = pytest.importorskip("peft")
    torch.manual_seed(2)
    model = torch.nn.Sequential(torch.nn.Linear(16, 8))
    reference = peft.get_peft_model(
        torch.nn.Sequential(torch.nn.Linear(16, 8)),
        peft.C3AConfig(block_size=4, target_modules=["0"], init_weights="gaussian"),
    )
    reference.base_model.model[0].base_layer.load_state_dict(model[0].state_dict())
    w = reference.base_model.model[0].c3a_kernel["default"].detach().double()
    layer = CirculantAdapter(model[0].double(), 4)
    with torch.no_grad():
        layer.c.copy_(torch.roll(w.flip(-1), 1, dims=-1) / 16)
    x = torch.randn(5, 16, dtype=torch.float64)
    expected = reference.double()(x)
    torch.testing.assert_close(layer(x), expected, rtol=1e-5, atol=1e-6)


def test_halfcomplex_parts():
    re, im = halfcomplex_parts(torch.tensor([2.0, 1.0, 0.0, -3.0]))
    assert re.tolist() == [2.0, 1.0, 0.0] and im.tolist() == [0.0, -3.0, 0.0]


@pytest.mark.parametrize("shape", [(8, 8, 4), (12, 10, 4)])
def test_projection_init_keeps_the_function_and_projects(shape):
    d_in, d_out, p = shape
    torch.manual_seed(3)
    base = torch.nn.Linear(d_in, d_out).double()
    w0 = base.weight.detach().clone()
    x = torch.randn(4, d_in, dtype=torch.float64)
    y0 = base(x)
    layer = CirculantAdapter(base, p, init="projection")
    torch.testing.assert_close(layer(x), y0, rtol=1e-12, atol=1e-12)
    # the residual is orthogonal to every block-circulant matrix (Frobenius)
    residual = torch.nn.functional.pad(w0 - layer.delta_weight(), (0, 0, 0, 0))
    for i, j, d in itertools.product(range(layer.r), range(layer.s), range(p)):
        e = torch.zeros(layer.r, layer.s, p, dtype=torch.float64)
        e[i, j, d] = 1
        basis = block_circulant_matrix(e)[:d_out, :d_in]
        assert abs(float((residual * basis).sum().detach())) < 1e-12
    # projecting a block-circulant matrix gives it back
    c = torch.randn(2, 3, 4, dtype=torch.float64)
    torch.testing.assert_close(circulant_projection(block_circulant_matrix(c), 4), c)


@pytest.mark.parametrize("kind", ["block", "diagonal"])
def test_merge_unmerge_round_trips_exactly(kind):
    torch.manual_seed(4)
    base = torch.nn.Linear(16, 8).double()
    w0 = base.weight.detach().clone()
    cls = CirculantAdapter if kind == "block" else CirculantDiagonalAdapter
    layer = cls(base, 4, scale=0.3, init="gaussian")
    x = torch.randn(3, 16, dtype=torch.float64)
    y = layer(x)
    layer.merge()
    assert layer.merged
    torch.testing.assert_close(layer(x), y, rtol=1e-12, atol=1e-12)
    layer.unmerge()
    assert torch.equal(base.weight, w0)
    torch.testing.assert_close(layer(x), y, rtol=0, atol=0)


@pytest.mark.parametrize("backend", BACKENDS)
@pytest.mark.parametrize("shape", [(16, 16, 16, 2), (16, 8, 4, 2), (12, 20, 4, 3), (8, 8, 8, 1)])
def test_diagonal_adapter_equals_dense_product(shape, backend):
    d_in, d_out, p, m = shape
    torch.manual_seed(5)
    base = torch.nn.Linear(d_in, d_out).double()
    layer = CirculantDiagonalAdapter(base, p, 0.5, factors=m, init="gaussian", backend=backend)
    assert len(layer.diagonals) == m and len(layer.circulants) == m - 1
    # dW = diag(a_{2m-1}) C_{2m-2} ... C_2 diag(a_1), factor by factor from dense matrices
    dense = torch.diag(layer.diagonals[0].detach())
    width = d_in
    for c, a in zip(layer.circulants, layer.diagonals[1:], strict=False):
        blocks = dense_block_circulant(c.detach())[:d_out, :width]
        dense = torch.diag(a.detach()) @ blocks @ dense
        width = d_out
    torch.testing.assert_close(layer.delta_weight(), dense, rtol=1e-12, atol=1e-12)
    x = torch.randn(4, d_in, dtype=torch.float64, requires_grad=True)
    torch.testing.assert_close(layer(x), base(x) + 0.5 * x @ dense.T, rtol=1e-12, atol=1e-12)
    names = [n for n, q in layer.named_parameters() if q.requires_grad]

    def f(x, *values):
        return torch.func.functional_call(layer, dict(zip(names, values, strict=False)), (x,))

    values = [dict(layer.named_parameters())[n].detach().clone() for n in names]
    inputs = (x, *(v.requires_grad_(True) for v in values))
    assert torch.autograd.gradcheck(f, inputs)


def test_diagonal_adapter_zero_init_keeps_the_function():
    base = torch.nn.Linear(16, 8)
    layer = CirculantDiagonalAdapter(base, 8)
    x = torch.randn(2, 16)
    assert torch.equal(layer(x), base(x))
    layer(x).sum().backward()
    assert layer.diagonals[-1].grad.abs().sum() > 0


def test_bad_arguments_name_the_problem():
    with pytest.raises(ValueError, match="power of two"):
        CirculantAdapter(torch.nn.Linear(12, 8), 6)
    with pytest.raises(TypeError, match="nn.Linear"):
        CirculantAdapter(torch.nn.Conv1d(3, 3, 1), 4)
    with pytest.raises(ValueError, match="init"):
        CirculantAdapter(torch.nn.Linear(8, 8), 4, init="ones")
    with pytest.raises(ValueError, match="backend"):
        CirculantAdapter(torch.nn.Linear(8, 8), 4, backend="cufft")
    with pytest.raises(ValueError, match="square"):
        CirculantDiagonalAdapter(torch.nn.Linear(8, 4), 4, factors=1)


def test_bfloat16_and_emulated_fft():
    torch.manual_seed(6)
    base = torch.nn.Linear(16, 16)
    layer = CirculantAdapter(base, 8, init="gaussian")
    x = torch.randn(4, 16)
    exact = layer(x)
    emulated = CirculantAdapter(base, 8, fft_format="bfloat16")
    with torch.no_grad():
        emulated.c.copy_(layer.c)
    y = emulated(x)
    assert not torch.equal(y, exact)
    torch.testing.assert_close(y, exact, rtol=0.05, atol=0.05)
    y.sum().backward()
    assert emulated.c.grad is not None
    # the rdFFT paper's setting: bfloat16 storage, float32 butterflies: closer to exact
    mixed = CirculantAdapter(base, 8, fft_format="bfloat16", fft_compute="float32")
    with torch.no_grad():
        mixed.c.copy_(layer.c)
    z = mixed(x)
    assert not torch.equal(z, exact)
    assert (z - exact).abs().max() <= (y - exact).abs().max()
    assert layer.to(torch.bfloat16)(x.bfloat16()).dtype == torch.bfloat16


class Tiny(torch.nn.Module):
    def __init__(self):
        super().__init__()
        self.q_proj = torch.nn.Linear(8, 8)
        self.v_proj = torch.nn.Linear(8, 8)
        self.out = torch.nn.Linear(8, 4)

    def forward(self, x):
        return self.out(torch.relu(self.q_proj(x)) * self.v_proj(x))


@pytest.mark.parametrize("kind", ["block", "diagonal"])
def test_model_workflow_train_save_load_merge_remove(kind, tmp_path):
    torch.manual_seed(7)
    model = Tiny()
    plain = Tiny()
    plain.load_state_dict(model.state_dict())
    config = CirculantConfig(kind=kind, p=4, target_modules=["q_proj", "v_proj"])
    assert get_circulant_model(model, config) == ["q_proj", "v_proj"]
    trainable = [n for n, q in model.named_parameters() if q.requires_grad]
    assert all("q_proj" in n or "v_proj" in n for n in trainable) and trainable
    groups = circulant_parameter_groups(model, 0.1)
    opt = torch.optim.SGD(groups, lr=0.1)
    x, t = torch.randn(16, 8), torch.randn(16, 4)
    for _ in range(3):
        opt.zero_grad()
        torch.nn.functional.mse_loss(model(x), t).backward()
        opt.step()
    y = model(x)
    save_circulant(model, tmp_path)
    # the adapter alone: no base weights in the file
    assert all(".base.weight" not in k for k in circulant_state_dict(model))
    fresh = Tiny()
    fresh.load_state_dict(plain.state_dict())
    assert load_circulant(fresh, tmp_path) == ["q_proj", "v_proj"]
    assert torch.equal(fresh(x), y)
    merge_circulant(fresh)
    torch.testing.assert_close(fresh(x), y, rtol=1e-5, atol=1e-6)
    unmerge_circulant(fresh)
    assert torch.equal(fresh(x), y)
    assert remove_circulant(fresh) == ["q_proj", "v_proj"]
    assert type(fresh.q_proj) is torch.nn.Linear
    torch.testing.assert_close(fresh(x), y, rtol=1e-5, atol=1e-6)


def test_parameter_groups_divide_the_circulant_lr_by_p():
    model = Tiny()
    get_circulant_model(model, CirculantConfig(p=4, target_modules=r"(q|v)_proj"))
    groups = circulant_parameter_groups(model, 0.2, weight_decay=0.01)
    assert [g["lr"] for g in groups] == [0.05]
    assert all(g["weight_decay"] == 0.01 for g in groups)
    with pytest.raises(ValueError, match="no nn.Linear"):
        get_circulant_model(Tiny(), CirculantConfig(p=4, target_modules=["k_proj"]))
