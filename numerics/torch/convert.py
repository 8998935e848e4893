"""The one-call model conversion: :func:`quantize_model` swaps every supported layer for
its quantized subclass in place (sharing parameters), :func:`dequantize_model` swaps
them back, and a :class:`QuantizationReport` says what was quantized and what was left
alone, and why."""

from __future__ import annotations

import inspect
import sys
import warnings
from collections.abc import Callable
from dataclasses import dataclass, field

from torch import nn

from .attention import QuantMultiheadAttention
from .layers import QuantConv1d, QuantConv2d, QuantLinear, is_quantized
from .recipes import Recipe

__all__ = ["QuantizationReport", "dequantize_model", "quantize_model"]

FilterFn = Callable[[nn.Module, str], bool]

# parameter names that say which argument order an old-style filter uses
_NAME_WORDS = {"name", "n", "fqn", "path", "key", "module_name", "qualname", "prefix"}
_MODULE_WORDS = {"module", "mod", "m", "layer", "submodule", "child"}


@dataclass
class QuantizationReport:
    """What :func:`quantize_model` did, printable.

    Attributes
    ----------
    recipe : str
    quantized : list of (fqn, original type, quantized type)
    skipped : list of (fqn, type, reason)
        Every module holding parameters of its own that was left alone: an
        unsupported type, filtered out, the default filter's output head, or a layer
        that would never be called as a module.
    notes : list of str
    """

    recipe: str
    quantized: list[tuple[str, str, str]] = field(default_factory=list)
    skipped: list[tuple[str, str, str]] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    def __str__(self) -> str:
        rows = [f"quantized {len(self.quantized)} modules with recipe {self.recipe}:"]
        rows += [f"  {n or '<root>'}: {a} -> {b}" for n, a, b in self.quantized]
        rows.append(f"left alone {len(self.skipped)}:")
        rows += [f"  {n or '<root>'}: {t} ({why})" for n, t, why in self.skipped]
        rows += [f"note: {s}" for s in self.notes]
        return "\n".join(rows)


def _hf_conv1d() -> type | None:
    """transformers' Conv1D if transformers is imported (a model cannot hold one
    otherwise), without importing it."""
    mod = sys.modules.get("transformers.pytorch_utils")
    return getattr(mod, "Conv1D", None)


def _kind(m: nn.Module) -> str | None:
    """Which quantized layer ``m`` becomes, or None."""
    conv1d = _hf_conv1d()
    if conv1d is not None and isinstance(m, conv1d):
        return "hf_conv1d"
    if isinstance(m, nn.MultiheadAttention):
        return "attention"
    if isinstance(m, nn.Linear):
        return "linear"
    if isinstance(m, (nn.Conv1d, nn.Conv2d)):
        return "conv"
    return None


def _unsupported(m: nn.Module, kind: str | None) -> str | None:
    """Why a module of a supported kind cannot be swapped, or None."""
    if isinstance(m, nn.modules.lazy.LazyModuleMixin) and m.has_uninitialized_params():
        return "uninitialized lazy module"
    base = {"linear": nn.Linear, "attention": nn.MultiheadAttention}.get(kind)
    if kind == "conv":
        base = nn.Conv1d if isinstance(m, nn.Conv1d) else nn.Conv2d
    if base is not None and type(m).forward is not base.forward:
        return f"overrides {base.__name__}.forward"
    return None


def _adapt_filter(filter_fn: Callable) -> FilterFn:
    """``filter_fn`` as ``(module, fqn) -> bool`` (torchao's order). The old order
    ``(name, module)`` is recognised by its parameter names or a ``str`` annotation
    on the first parameter, or by failing on a module where it works on a name; it
    keeps working, with a DeprecationWarning."""
    try:
        params = list(inspect.signature(filter_fn).parameters.values())[:2]
    except (TypeError, ValueError):
        params = []
    order = None
    if len(params) == 2:
        (a, b) = params
        if a.annotation in (str, "str") or (a.name in _NAME_WORDS and b.name in _MODULE_WORDS):
            order = "old"
        elif a.name in _MODULE_WORDS or b.name in _NAME_WORDS or b.annotation in (str, "str"):
            order = "new"
    state = {"order": order, "warned": False}

    def warn():
        if not state["warned"]:
            state["warned"] = True
            warnings.warn(
                "quantize_model calls filter_fn(module, fqn), as torchao does; "
                "filter_fn(name, module) is deprecated",
                DeprecationWarning,
                stacklevel=4,
            )

    def call(module: nn.Module, fqn: str) -> bool:
        if state["order"] == "old":
            warn()
            return bool(filter_fn(fqn, module))
        if state["order"] == "new":
            return bool(filter_fn(module, fqn))
        try:
            out = filter_fn(module, fqn)
        except (AttributeError, TypeError) as err:
            try:
                out = filter_fn(fqn, module)
            except Exception:
                raise err from None
            state["order"] = "old"
            warn()
            return bool(out)
        state["order"] = "new"
        return bool(out)

    return call


def quantize_model(
    model: nn.Module,
    recipe: Recipe,
    filter_fn: FilterFn | None = None,
    *,
    seed: int = 0,
    attention: Recipe | None = None,
    rank_aware: bool = True,
) -> nn.Module:
    """Swap the model's layers for quantized subclasses in place (sharing their
    parameters) and return the model; ``model.quantization_report`` (a
    :class:`QuantizationReport`) lists what was swapped and what was left alone.

    Swapped: every ``nn.Linear`` (and subclass keeping ``Linear.forward``, such as
    ``NonDynamicallyQuantizableLinear``) -> :class:`QuantLinear`; ``nn.Conv1d`` and
    ``nn.Conv2d`` (any ``groups``, padding and padding mode) -> :class:`QuantConv1d`,
    :class:`QuantConv2d`; ``nn.MultiheadAttention`` ->
    :class:`QuantMultiheadAttention` (its ``out_proj`` is then a linear layer like
    any other); Hugging Face's ``transformers.pytorch_utils.Conv1D`` (GPT-2) ->
    ``numerics.torch.hf.QuantHFConv1D``. Embeddings and norms are never touched.

    Parameters
    ----------
    model : nn.Module
        Modified in place; if the model itself is a layer that is swapped, the new
        layer is returned.
    recipe : Recipe
    filter_fn : callable, optional
        ``filter_fn(module, fqn) -> bool`` (torchao's convention): swap the module
        with this fully qualified name. The old order ``filter_fn(name, module)``
        still works, with a DeprecationWarning. Default: everything but the last
        ``nn.Linear`` (the output head).
    seed : int
        Layer ``i`` (counting from 1) gets the seed ``seed + i``.
    attention : Recipe, optional
        Also quantize the attention products ``Q K^T`` and ``P V`` (P: the softmax
        output) of every swapped ``nn.MultiheadAttention`` with this recipe (FP8
        attention: ``recipes.fp8()``).
    rank_aware : bool
        Under ``torch.distributed``, fold the rank into every draw so that ranks draw
        independent stochastic-rounding words (the default); False: the same words on
        every rank (:mod:`numerics.torch.distributed`).

    Examples
    --------
    >>> from numerics.torch import recipes
    >>> m = nn.Sequential(nn.Linear(8, 8), nn.ReLU(), nn.Linear(8, 2))
    >>> m = quantize_model(m, recipes.fp8(), lambda mod, fqn: fqn != "2")
    >>> type(m[0]).__name__, isinstance(m[0], nn.Linear)
    ('QuantLinear', True)
    >>> print(m.quantization_report)
    quantized 1 modules with recipe fp8:
      0: Linear -> QuantLinear
    left alone 1:
      2: Linear (filtered out)
    """
    if not isinstance(recipe, Recipe):
        raise TypeError(f"recipe must be a numerics.torch.Recipe, got {type(recipe).__name__}")
    if attention is not None and not isinstance(attention, Recipe):
        raise TypeError(f"attention must be a Recipe or None, got {type(attention).__name__}")
    report = QuantizationReport(recipe.name)
    if filter_fn is None:
        linears = [n for n, m in model.named_modules() if isinstance(m, nn.Linear)]
        head = linears[-1] if linears else None

        def keep(module: nn.Module, fqn: str) -> bool:
            return fqn != head

        head_reason = "the output head (the default filter_fn)"
    else:
        keep, head_reason, head = _adapt_filter(filter_fn), None, None
    count = [0]
    done: dict[int, nn.Module] = {}

    def visit(m: nn.Module, fqn: str, parent: nn.Module | None) -> nn.Module | None:
        if id(m) in done:  # a module shared by two parents: swapped once
            return done[id(m)]
        name = type(m).__name__
        if is_quantized(m):
            return None
        kind = _kind(m)
        why = None if kind else "unsupported type"
        if kind and isinstance(parent, nn.MultiheadAttention) and not is_quantized(parent):
            if m is parent.out_proj:
                why = "nn.MultiheadAttention reads its weight without calling it"
        why = why or (_unsupported(m, kind) if kind else None)
        if why is None and not keep(m, fqn):
            why = head_reason if fqn == head and head_reason else "filtered out"
        if why is not None:
            if any(True for _ in m.parameters(recurse=False)):
                report.skipped.append((fqn, name, why))
            return None
        count[0] += 1
        s = seed + count[0]
        if kind == "linear":
            q = QuantLinear.from_linear(m, recipe, s, rank_aware)
        elif kind == "conv":
            cls = QuantConv1d if isinstance(m, nn.Conv1d) else QuantConv2d
            q = cls.from_conv(m, recipe, s, rank_aware)
        elif kind == "attention":
            q = QuantMultiheadAttention.from_attention(m, recipe, s, rank_aware, attention)
        else:
            from .hf import QuantHFConv1D

            q = QuantHFConv1D.from_conv1d(m, recipe, s, rank_aware)
        done[id(m)] = q
        report.quantized.append((fqn, name, type(q).__name__))
        return q

    root = visit(model, "", None) or model
    _walk(root, "", visit)
    for fqn, m in root.named_modules():
        # TransformerEncoder's nested-tensor inference path bypasses its layers' modules
        if isinstance(m, nn.TransformerEncoder) and getattr(m, "use_nested_tensor", False):
            if any(is_quantized(c) for c in m.modules()):
                m.use_nested_tensor = False
                report.notes.append(f"{fqn or '<root>'}: use_nested_tensor set to False")
    root.quantization_report = report
    return root


def _walk(parent: nn.Module, prefix: str, visit, seen: set | None = None) -> None:
    """Visit every descendant, parents first; a visit may return a replacement. A
    module registered at several places is replaced at each, its children walked once."""
    seen = set() if seen is None else seen
    seen.add(id(parent))
    # _modules, not named_children(): that skips the second place of a shared module
    for cname, child in list(parent._modules.items()):
        if child is None:
            continue
        fqn = prefix + cname
        new = visit(child, fqn, parent)
        if new is not None:
            setattr(parent, cname, new)
            child = new
        if id(child) not in seen:
            _walk(child, fqn + ".", visit, seen)


def dequantize_model(model: nn.Module) -> nn.Module:
    """Undo :func:`quantize_model` in place: every quantized layer back to the class it
    replaced, sharing the same parameters (the counters are dropped).

    Examples
    --------
    >>> from numerics.torch import quantize_model, recipes
    >>> net = nn.Sequential(nn.Linear(4, 4), nn.Linear(4, 1))
    >>> dequantize_model(quantize_model(net, recipes.fp8()))[0].__class__.__name__
    'Linear'
    """
    done: dict[int, nn.Module] = {}

    def visit(m, fqn, parent):
        if not is_quantized(m):
            return None
        if id(m) not in done:
            done[id(m)] = m.restore()
        return done[id(m)]

    root = visit(model, "", None) or model
    _walk(root, "", visit)
    root.__dict__.pop("quantization_report", None)
    return root
