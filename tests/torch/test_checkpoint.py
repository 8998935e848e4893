"""Checkpoints: a plain float checkpoint loads strictly into a quantized model (the
counters are optional on load), a quantized checkpoint resumes bit for bit, and
quantized models pickle whole."""

import copy
import io

import pytest

torch = pytest.importorskip("torch")

from numerics.torch import LowPrecisionOptimizer, quantize_model, recipes  # noqa: E402


def net(seed=0):
    torch.manual_seed(seed)
    return torch.nn.Sequential(
        torch.nn.Conv1d(4, 8, 3, padding=1, groups=2),
        torch.nn.Flatten(1),
        torch.nn.Linear(8 * 8, 32),
        torch.nn.ReLU(),
        torch.nn.Unflatten(1, (1, 32)),
        torch.nn.TransformerEncoderLayer(32, 2, 32, dropout=0.0, batch_first=True),
        torch.nn.Flatten(1),
        torch.nn.Linear(32, 3),
    )


def quantized(seed=0, recipe=None):
    return quantize_model(
        net(seed), recipe or recipes.mxfp4(), lambda mod, fqn: True, attention=recipes.fp8()
    )


X = torch.randn(6, 4, 8, generator=torch.Generator().manual_seed(3))
T = torch.randn(6, 3, generator=torch.Generator().manual_seed(4))


def test_plain_checkpoint_loads_strictly_into_a_quantized_model():
    """Before: "Missing key(s)" for every layer's seed and step buffers."""
    plain = net(seed=7).state_dict()
    m = quantized(seed=0)
    keys = set(m.state_dict())
    assert {k for k in keys if k.endswith((".seed", ".step"))}  # the counters are saved
    result = m.load_state_dict(plain, strict=True)
    assert not result.missing_keys and not result.unexpected_keys
    for k, v in plain.items():
        assert torch.equal(m.state_dict()[k], v)
    assert int(m[2].step) == 0 and int(m[2].seed) > 0  # its own counters kept


def _train(m, opt, n):
    for _ in range(n):
        opt.zero_grad()
        ((m(X) - T) ** 2).mean().backward()
        opt.step()


def test_quantized_checkpoint_resumes_bit_for_bit():
    k, n = 2, 3
    straight = quantized(seed=1)
    sopt = LowPrecisionOptimizer(torch.optim.AdamW(straight.parameters(), lr=1e-2), "bfloat16")
    _train(straight, sopt, k + n)

    m = quantized(seed=1)
    opt = LowPrecisionOptimizer(torch.optim.AdamW(m.parameters(), lr=1e-2), "bfloat16")
    _train(m, opt, k)
    buf = io.BytesIO()
    torch.save({"model": m.state_dict(), "opt": opt.state_dict()}, buf)
    buf.seek(0)
    saved = torch.load(buf)
    fresh = quantize_model(
        net(seed=9), recipes.mxfp4(), lambda mod, fqn: True, attention=recipes.fp8(), seed=5
    )  # another init and another seed: everything comes from the checkpoint
    fopt = LowPrecisionOptimizer(torch.optim.AdamW(fresh.parameters(), lr=1e-2), "bfloat16")
    fresh.load_state_dict(saved["model"], strict=True)
    fopt.load_state_dict(saved["opt"])
    _train(fresh, fopt, n)
    for (name, p), q in zip(straight.named_parameters(), fresh.parameters(), strict=True):
        assert torch.equal(p, q), name
    assert int(fresh[2].step) == k + n


def test_quantized_models_pickle_and_deepcopy():
    m = quantized()
    buf = io.BytesIO()
    torch.save(m, buf)
    buf.seek(0)
    for other in (torch.load(buf, weights_only=False), copy.deepcopy(m)):
        assert type(other[5].self_attn) is type(m[5].self_attn)
        assert torch.equal(other.eval()(X), m.eval()(X))
