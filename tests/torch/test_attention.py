"""QuantMultiheadAttention: the function of nn.MultiheadAttention with every feature
(a float32 recipe changes nothing), its projections and, optionally, its attention
products quantized (against an independent computation with numerics' numpy casts),
and torch's fused inference paths never bypassing the quantizers."""

import warnings

import numpy as np
import pytest

torch = pytest.importorskip("torch")

import numerics as nm  # noqa: E402
from numerics.torch import (  # noqa: E402
    Operand,
    Product,
    QuantLinear,
    QuantMultiheadAttention,
    Recipe,
    dequantize_model,
    export_codes,
    quantize_model,
    recipes,
)

F32 = Operand("cast", "float32")
IDENTITY = Recipe("f32", Product(F32, F32), Product(F32, F32), Product(F32, F32))
E = 16


def pair(seed=0, **kw):
    torch.manual_seed(seed)
    ref = torch.nn.MultiheadAttention(E, 4, **kw)
    return ref, QuantMultiheadAttention.from_attention(ref, IDENTITY, attention=IDENTITY)


CASES = {
    "self": dict(),
    "batch_first": dict(batch_first=True),
    "kdim_vdim": dict(kdim=12, vdim=8),
    "bias_kv_zero_attn": dict(add_bias_kv=True, add_zero_attn=True),
    "no_bias": dict(bias=False),
}


@pytest.mark.parametrize("kw", CASES.values(), ids=CASES.keys())
@pytest.mark.parametrize("masks", ["none", "bool", "float3d"])
def test_float32_recipe_equals_torch(kw, masks):
    ref, q = pair(**kw)
    g = torch.Generator().manual_seed(1)
    L, S, N = 5, 7, 3
    bf = kw.get("batch_first", False)

    def seq(n, d):
        return torch.randn((N, n, d) if bf else (n, N, d), generator=g)

    query = seq(L, E)
    pairs = [(seq(S, kw.get("kdim", E)), seq(S, kw.get("vdim", E)))]
    if "kdim" not in kw:
        pairs.append((query, query))  # self-attention: the packed projection
    for k, v in pairs:
        s = k.shape[0 if not bf else 1]
        args = dict(need_weights=True)
        if masks == "bool":
            args["key_padding_mask"] = torch.rand(N, s, generator=g) < 0.3
            args["attn_mask"] = torch.rand(L, s, generator=g) < 0.2
        elif masks == "float3d":
            args["attn_mask"] = torch.randn(N * 4, L, s, generator=g)
            args["average_attn_weights"] = False
        out_ref, w_ref = ref(query, k, v, **args)
        out, w = q(query, k, v, **args)
        assert out.shape == out_ref.shape and w.shape == w_ref.shape
        assert torch.allclose(out, out_ref, atol=1e-5, equal_nan=True)
        assert torch.allclose(w, w_ref, atol=1e-6, equal_nan=True)


def test_unbatched_causal_dropout_and_gradients():
    ref, q = pair(dropout=0.25)
    x = torch.randn(6, E, requires_grad=True)
    mask = torch.nn.Transformer.generate_square_subsequent_mask(6)
    torch.manual_seed(5)
    out_ref, _ = ref(x, x, x, attn_mask=mask, need_weights=False)
    torch.manual_seed(5)
    out, w = q(x, x, x, attn_mask=mask, need_weights=False)
    assert w is None and torch.allclose(out, out_ref, atol=1e-5)  # the same dropout draws
    (gx_ref,) = torch.autograd.grad(out_ref.sum(), x)
    (gx,) = torch.autograd.grad(out.sum(), x)
    assert torch.allclose(gx, gx_ref, atol=1e-5)
    ref.eval(), q.eval()
    causal_ref, _ = ref(x, x, x, attn_mask=mask)
    causal, _ = q(x, x, x, is_causal=True)  # is_causal alone builds the mask
    assert torch.allclose(causal, causal_ref, atol=1e-5)


def _fp8(t: np.ndarray) -> np.ndarray:
    """The fp8 recipe's forward quantizer, from numerics' numpy cast: e4m3 after a
    power-of-two per-tensor scale."""
    s = 2.0 ** np.ceil(np.log2(np.abs(t).max() / 448.0))
    return nm.cast((t / s).astype(np.float32), "float8_e4m3fn", saturate=True) * s


def test_attention_products_and_softmax_output_are_quantized():
    torch.manual_seed(0)
    mha = torch.nn.MultiheadAttention(E, 2, batch_first=True)
    q = QuantMultiheadAttention.from_attention(mha, IDENTITY, attention=recipes.fp8())
    x = torch.randn(2, 5, E)
    out, _ = q(x, x, x, need_weights=False)
    # independently: float32 projections, fp8 factors of both products (P included)
    w, b = mha.in_proj_weight.detach().numpy(), mha.in_proj_bias.detach().numpy()
    qkv = x.numpy() @ w.T + b
    h = lambda t: t.reshape(2, 5, 2, 8).transpose(0, 2, 1, 3).reshape(4, 5, 8)  # noqa: E731
    Q, K, V = (h(t) for t in np.split(qkv, 3, -1))
    s = (_fp8(Q) @ _fp8(K).transpose(0, 2, 1)).astype(np.float64) / np.sqrt(8)
    p = np.exp(s - s.max(-1, keepdims=True))
    p = (p / p.sum(-1, keepdims=True)).astype(np.float32)
    o = _fp8(p) @ _fp8(V.transpose(0, 2, 1)).transpose(0, 2, 1)
    o = o.reshape(2, 2, 5, 8).transpose(0, 2, 1, 3).reshape(10, E)
    expect = o @ mha.out_proj.weight.detach().numpy().T + mha.out_proj.bias.detach().numpy()
    assert np.allclose(out.detach().numpy().reshape(10, E), expect, rtol=1e-4, atol=1e-5)
    plain, _ = QuantMultiheadAttention.from_attention(mha, IDENTITY)(x, x, x)
    assert not torch.allclose(plain, out, atol=1e-4)  # the quantization is visible


def test_encoder_layer_is_fully_quantized_and_fast_paths_never_bypass_it():
    """Before: quantize_model left self_attn.out_proj and in_proj_weight unquantized."""
    torch.manual_seed(0)
    layer = torch.nn.TransformerEncoderLayer(64, 4, 128, dropout=0.0, batch_first=True)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)
        quantize_model(layer, recipes.fp8(), filter_fn=lambda n, m: True)  # the call
    assert isinstance(layer.self_attn, QuantMultiheadAttention)
    assert isinstance(layer.self_attn.out_proj, QuantLinear)
    assert isinstance(layer.linear1, QuantLinear) and isinstance(layer.linear2, QuantLinear)
    report = layer.quantization_report
    assert {n for n, *_ in report.quantized} == {
        "self_attn",
        "self_attn.out_proj",
        "linear1",
        "linear2",
    }
    assert {n for n, *_ in report.skipped} == {"norm1", "norm2"}
    codes = export_codes(layer)
    assert set(codes) == {"self_attn.in_proj_weight", "self_attn.out_proj", "linear1", "linear2"}
    assert codes["self_attn.in_proj_weight"].shape == (3 * 64, 64)
    x = torch.randn(2, 6, 64)
    y_train = layer(x)  # grad enabled: the module path
    layer.eval()
    with torch.no_grad():  # where torch's fused encoder kernel would read the weights
        y_eval = layer(x)
    assert torch.equal(y_eval, y_train.detach())
    dequantize_model(layer)
    assert type(layer.self_attn) is torch.nn.MultiheadAttention
    assert type(layer.self_attn.out_proj).__name__ == "NonDynamicallyQuantizableLinear"
    with torch.no_grad():
        assert not torch.allclose(layer(x), y_eval, atol=1e-4)  # fp8 had an effect


def test_out_proj_of_an_unquantized_attention_is_reported():
    mha = torch.nn.Sequential(torch.nn.MultiheadAttention(E, 2))
    quantize_model(mha, recipes.fp8(), lambda mod, fqn: fqn != "0")
    (skip,) = [s for s in mha.quantization_report.skipped if s[0] == "0.out_proj"]
    assert "without calling it" in skip[2]
    assert type(mha[0].out_proj) is not QuantLinear
