"""quantize_model on the models people train: Hugging Face Llama and GPT-2 built from
tiny configs (no download), convolutions with any groups and padding, torchao's
filter convention (and the old one, deprecated), the report, and dequantize_model
giving the original module types back."""

import io
import warnings

import pytest

torch = pytest.importorskip("torch")

from numerics.torch import (  # noqa: E402
    Operand,
    Product,
    QuantConv1d,
    QuantConv2d,
    QuantLinear,
    Recipe,
    dequantize_model,
    is_quantized,
    quantize_model,
    recipes,
)

F32 = Operand("cast", "float32")
IDENTITY = Recipe("f32", Product(F32, F32), Product(F32, F32), Product(F32, F32))


def mlp(seed=0):
    torch.manual_seed(seed)
    return torch.nn.Sequential(
        torch.nn.Linear(64, 32), torch.nn.ReLU(), torch.nn.Linear(32, 32), torch.nn.Linear(32, 4)
    )


# --- convolutions -------------------------------------------------------------------

CONVS = {
    "1d": lambda: torch.nn.Conv1d(4, 6, 3, stride=2, padding=1),
    "1d_groups_same_reflect": lambda: torch.nn.Conv1d(
        4, 8, 4, groups=2, padding="same", padding_mode="reflect"
    ),
    "1d_depthwise_dilated": lambda: torch.nn.Conv1d(4, 4, 3, groups=4, dilation=2, bias=False),
    "2d_groups": lambda: torch.nn.Conv2d(6, 9, (3, 2), groups=3, stride=(2, 1), padding=(1, 0)),
    "2d_circular": lambda: torch.nn.Conv2d(3, 4, 3, padding=1, padding_mode="circular"),
    "2d_same_even": lambda: torch.nn.Conv2d(2, 4, 4, padding="same", dilation=2),
}


@pytest.mark.parametrize("make", CONVS.values(), ids=CONVS.keys())
def test_convolutions_equal_torch_under_a_float32_recipe(make):
    """Before: QuantConv2d refused groups != 1 and string padding; no Conv1d."""
    torch.manual_seed(0)
    conv = make()
    cls = QuantConv1d if isinstance(conv, torch.nn.Conv1d) else QuantConv2d
    q = cls.from_conv(conv, IDENTITY)
    assert isinstance(q, type(conv))
    shape = (2, conv.in_channels, 11) if cls is QuantConv1d else (2, conv.in_channels, 9, 8)
    x = torch.randn(*shape, requires_grad=True)
    y_ref, y = conv(x), q(x)
    assert y.shape == y_ref.shape and torch.allclose(y, y_ref, atol=1e-5)
    g = torch.randn_like(y)
    ref_grads = torch.autograd.grad(y_ref, [x, conv.weight], g)
    grads = torch.autograd.grad(q(x), [x, q.weight], g)
    for a, b in zip(ref_grads, grads, strict=True):
        assert torch.allclose(a, b, atol=1e-4)
    assert torch.allclose(q(x[0]), conv(x[0]), atol=1e-5)  # unbatched input


def test_grouped_convolution_quantizes_each_group_as_its_own_product():
    torch.manual_seed(0)
    conv = torch.nn.Conv1d(4, 6, 3, groups=2)
    x = torch.randn(2, 4, 10)
    y = QuantConv1d.from_conv(conv, recipes.fp8())(x)
    for i in range(2):  # group i: a groups=1 convolution of its channels
        part = torch.nn.Conv1d(2, 3, 3)
        part.weight.data, part.bias.data = (
            conv.weight[3 * i : 3 * i + 3],
            conv.bias[3 * i : 3 * i + 3],
        )
        yi = QuantConv1d.from_conv(part, recipes.fp8())(x[:, 2 * i : 2 * i + 2])
        assert torch.equal(y[:, 3 * i : 3 * i + 3], yi)


# --- filters and the report ---------------------------------------------------------


def test_filter_fn_takes_module_then_fqn():
    seen = []
    m = quantize_model(mlp(), recipes.fp8(), lambda mod, fqn: seen.append((mod, fqn)) or fqn == "2")
    assert all(isinstance(mod, torch.nn.Module) and isinstance(f, str) for mod, f in seen)
    assert type(m[0]) is torch.nn.Linear and isinstance(m[2], QuantLinear)
    assert ("0", "Linear", "filtered out") in m.quantization_report.skipped


@pytest.mark.parametrize(
    "old",
    [
        lambda name, mod: name == "2",  # told by its parameter names
        lambda a, b: a.endswith("2"),  # fails on a module, works on a name
    ],
)
def test_old_filter_order_still_works_with_a_deprecation_warning(old):
    with pytest.warns(DeprecationWarning, match="filter_fn"):
        m = quantize_model(mlp(), recipes.fp8(), old)
    assert type(m[0]) is torch.nn.Linear and isinstance(m[2], QuantLinear)


def test_report_and_default_filter():
    m = torch.nn.Sequential(torch.nn.Embedding(10, 8), torch.nn.LayerNorm(8), mlp())
    m[2][0] = torch.nn.Linear(8, 32)
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # the default filter is not deprecated
        quantize_model(m, recipes.fp8())
    r = m.quantization_report
    assert [n for n, *_ in r.quantized] == ["2.0", "2.2"]
    why = {n: w for n, _, w in r.skipped}
    assert why == {
        "0": "unsupported type",
        "1": "unsupported type",
        "2.3": "the output head (the default filter_fn)",
    }
    text = str(r)
    assert "2.0: Linear -> QuantLinear" in text and "0: Embedding (unsupported type)" in text
    assert m(torch.tensor([[1, 2]])).shape == (1, 2, 4)


def test_root_layer_and_shared_modules():
    lin = torch.nn.Linear(4, 4)
    q = quantize_model(lin, recipes.fp8(), lambda mod, fqn: True)
    assert isinstance(q, QuantLinear) and q.weight is lin.weight
    assert type(dequantize_model(q)) is torch.nn.Linear
    shared = torch.nn.Linear(4, 4)
    m = torch.nn.Sequential(shared, torch.nn.ReLU(), shared, torch.nn.Linear(4, 1))
    quantize_model(m, recipes.fp8())
    assert m[0] is m[2] and isinstance(m[0], QuantLinear)
    with pytest.raises(TypeError, match="recipe must be"):
        quantize_model(mlp(), "fp8")


# --- Hugging Face models from tiny configs --------------------------------------------


def _hf_model(name):
    transformers = pytest.importorskip("transformers")
    torch.manual_seed(0)
    if name == "llama":
        config = transformers.LlamaConfig(
            vocab_size=64,
            hidden_size=32,
            intermediate_size=64,
            num_hidden_layers=2,
            num_attention_heads=4,
            num_key_value_heads=2,
            max_position_embeddings=32,
        )
        return transformers.LlamaForCausalLM(config)
    config = transformers.GPT2Config(
        vocab_size=64,
        n_positions=32,
        n_embd=32,
        n_layer=2,
        n_head=4,
        bos_token_id=0,
        eos_token_id=0,
    )
    return transformers.GPT2LMHeadModel(config)


PROJECTIONS = {
    "llama": ("q_proj", "k_proj", "v_proj", "o_proj", "gate_proj", "up_proj", "down_proj"),
    "gpt2": ("c_attn", "c_proj", "c_fc"),
}


@pytest.mark.parametrize(
    "name, recipe", [("llama", recipes.nvfp4()), ("gpt2", recipes.fp8())], ids=["llama", "gpt2"]
)
def test_hugging_face_models_quantize_train_and_dequantize(name, recipe):
    """Before: GPT-2's Conv1D projections were left alone (and unreported)."""
    model = _hf_model(name)
    from transformers.pytorch_utils import Conv1D

    types = {n: type(m) for n, m in model.named_modules()}
    weights = {n: p for n, p in model.named_parameters()}
    pretrained = {k: v.clone() for k, v in model.state_dict().items()}
    quantize_model(model, recipe, seed=1)
    model.load_state_dict(pretrained, strict=True)  # a plain checkpoint loads strictly
    projections = [
        (n, m) for n, m in model.named_modules() if n.rsplit(".", 1)[-1] in PROJECTIONS[name]
    ]
    assert len(projections) == 2 * len(PROJECTIONS[name]) + (name == "gpt2") * 2
    for n, m in projections:
        assert is_quantized(m), n
        assert isinstance(m, Conv1D if name == "gpt2" else torch.nn.Linear)
    skipped = {n: w for n, _, w in model.quantization_report.skipped}
    assert skipped["lm_head"] == "the output head (the default filter_fn)"
    assert "unsupported type" in skipped.values()  # embeddings and norms

    ids = torch.randint(0, 64, (4, 16), generator=torch.Generator().manual_seed(2))
    opt = torch.optim.AdamW(model.parameters(), lr=1e-2)
    losses = []
    for _ in range(4):
        opt.zero_grad()
        loss = model(input_ids=ids, labels=ids).loss
        loss.backward()
        for n, p in model.named_parameters():
            assert p.grad is not None and torch.isfinite(p.grad).all(), n
        opt.step()
        losses.append(loss.item())
    assert all(map(torch.isfinite, torch.tensor(losses))) and losses[-1] < losses[0], losses
    buf = io.BytesIO()
    torch.save(model, buf)  # whole, the quantized classes found by name
    buf.seek(0)
    loaded = torch.load(buf, weights_only=False)
    assert [type(m) for m in loaded.modules()] == [type(m) for m in model.modules()]

    dequantize_model(model)
    assert {n: type(m) for n, m in model.named_modules()} == types
    assert all(p is weights[n] for n, p in model.named_parameters())
    assert not any("seed" in k or "step" in k for k in model.state_dict())
