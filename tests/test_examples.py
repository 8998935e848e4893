"""Every example runs (in its --quick mode) and writes its plot; the FP8-weights
example shows its point: nearest stagnates where stochastic rounding learns. The
training loop the examples and the demo share (examples/_training.py) runs its
docstring examples."""

import doctest
import importlib.util
import os
import sys

import numpy as np
import pytest

pytest.importorskip("torch")
pytest.importorskip("mlxtend")

EXAMPLES = os.path.join(os.path.dirname(__file__), "..", "examples")


def load(name):
    # the scripts import their neighbour _training as `python examples/x.py` would
    if EXAMPLES not in sys.path:
        sys.path.insert(0, EXAMPLES)
    spec = importlib.util.spec_from_file_location(name, os.path.join(EXAMPLES, f"{name}.py"))
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


def test_training_docstring_examples():
    res = doctest.testmod(load("_training"), optionflags=doctest.NORMALIZE_WHITESPACE)
    assert res.failed == 0 and res.attempted > 0


def test_training_loop_is_not_in_the_library():
    assert importlib.util.find_spec("numerics.torch.training") is None


def test_fp8_weights_mnist(tmp_path):
    res = load("fp8_weights_mnist").main(["--quick", "--out", str(tmp_path)])
    assert (tmp_path / "fp8_weights_mnist.png").exists()
    f32 = res["float32"][0]
    rn = res["e4m3 weights, nearest"][0]
    sr = res["e4m3 weights, stochastic"][0]
    assert sr < rn and abs(sr - f32) < 0.5 * (rn - f32)


def test_recipes_cnn(tmp_path):
    res = load("recipes_cnn").main(["--quick", "--out", str(tmp_path)])
    assert (tmp_path / "recipes_cnn.png").exists()
    papers = {"nvfp4_2d", "four_over_six", "deepseek_fp8", "deepseek_fp8_hopper", "mxfp8"}
    assert set(res) == {"fp32", "fp8", "mxfp4", "nvfp4", "quartet", "bitnet"} | papers
    assert all(loss < 2.3 for loss, _ in res.values())  # every recipe learns something
    with pytest.raises(SystemExit):
        load("recipes_cnn").main(["--recipes", "fp5"])


def test_fft_butterfly_error(tmp_path):
    report, study = load("fft_butterfly_error").main(["--quick", "--out", str(tmp_path)])
    assert (tmp_path / "fft_stages.png").exists() and (tmp_path / "fft_study.png").exists()
    assert report.summary["contributions mismatch"] < 1e-12
    assert len(study.rows) == 7 * 3 * 2


def test_qat_casts(tmp_path):
    res = load("qat_casts").main(["--quick", "--out", str(tmp_path)])
    assert (tmp_path / "qat_casts.png").exists()
    assert all(np.isfinite(v) for v in res.values())


def test_llama_lm(tmp_path):
    pytest.importorskip("transformers")
    res = load("llama_lm").main(["--quick", "--out", str(tmp_path)])
    assert (tmp_path / "llama_lm.png").exists()
    assert set(res) == {"fp32", "fp8", "mxfp4", "nvfp4", "quartet"}
    # a few steps from a uniform guess over 256 bytes (perplexity 256) already learn
    assert all(np.isfinite(loss) and ppl < 256 for loss, ppl in res.values())
    with pytest.raises(SystemExit):
        load("llama_lm").main(["--recipes", "fp5"])


def test_circulant_finetune(tmp_path):
    pytest.importorskip("transformers")
    pytest.importorskip("peft")
    res = load("circulant_finetune").main(["--quick", "--out", str(tmp_path)])
    assert (tmp_path / "circulant_finetune.png").exists()
    assert list(res) == list(load("circulant_finetune").METHODS)
    # both block-circulant backends train the same adapter: the same parameters, losses
    # equal to float32 rounding
    a, b = res["block, torch.fft"], res["block, rdfft"]
    assert a["trainable"] == b["trainable"] < res["lora"]["trainable"] < res["full"]["trainable"]
    assert abs(a["loss"] - b["loss"]) < 1e-3
    assert all(np.isfinite(r["loss"]) and r["flops"] > 0 and r["peak"] > 0 for r in res.values())


def test_fft_algorithms(tmp_path):
    rows, study = load("fft_algorithms").main(["--quick", "--out", str(tmp_path)])
    assert (tmp_path / "fft_algorithms.png").exists()
    assert [r[0] for r in rows] == ["radix2", "radix4", "split-radix"]
    assert all(r[5] < 1e-12 and r[3] < r[4] for r in rows)
    assert len(study.rows) == 7 * 3
