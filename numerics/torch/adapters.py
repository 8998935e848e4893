"""Circulant adapters on a whole model: add them to the ``nn.Linear`` layers whose
names match, train only them (with the block-circulant learning-rate heuristic),
save and load the adapter weights alone, merge them into the base weights, and
remove them.

The shape of the API follows Hugging Face PEFT (``get_peft_model(model, config)``,
``save_pretrained``/``from_pretrained`` of the adapter alone), but it is our own:
PEFT 0.21's ``register_peft_method`` only accepts names already listed in its closed
``PeftType`` enum, so a new method cannot be registered through its public API.
(PEFT's own block-circulant tuner, C3A, computes with complex ``torch.fft``; the
tests compare ours against it.)
"""

from __future__ import annotations

import dataclasses
import json
import os
import re
from collections.abc import Sequence
from dataclasses import dataclass

import torch
from torch import nn

from .circulant import CirculantAdapter, CirculantDiagonalAdapter, _FFTAdapter

__all__ = [
    "CirculantConfig",
    "circulant_parameter_groups",
    "circulant_state_dict",
    "get_circulant_model",
    "load_circulant",
    "load_circulant_state_dict",
    "merge_circulant",
    "remove_circulant",
    "save_circulant",
    "unmerge_circulant",
]

_CONFIG_FILE = "circulant_config.json"
_WEIGHTS_FILE = "circulant_weights.pt"


@dataclass(frozen=True)
class CirculantConfig:
    """Which layers get which circulant adapter.

    Parameters
    ----------
    kind : str
        ``"block"`` (:class:`CirculantAdapter`) or ``"diagonal"``
        (:class:`CirculantDiagonalAdapter`).
    p : int
        Block size, a power of two.
    target_modules : str or sequence of str
        A regular expression that the layer's full name must match entirely, or
        names that the full name equals or ends with (after a dot), as in PEFT.
    scale : float
        The adapters' output scale.
    init : str
        The adapters' initialisation (see each adapter).
    factors : int
        ``m`` of the circulant-diagonal adapter.
    backend : str
        ``"rdfft"`` or ``"torch.fft"``.
    fft_format, fft_compute, rounding
        Emulate the adapters' FFTs in a format, optionally computed in another
        (``None``: native).
    train_bias : bool
        Also train the adapted layers' biases.

    Examples
    --------
    >>> CirculantConfig(p=16, target_modules=["q_proj", "v_proj"]).kind
    'block'
    """

    kind: str = "block"
    p: int = 64
    target_modules: str | tuple[str, ...] = ("q_proj", "v_proj")
    scale: float = 1.0
    init: str = "zero"
    factors: int = 2
    backend: str = "rdfft"
    fft_format: str | None = None
    fft_compute: str | None = None
    rounding: str = "nearest_even"
    train_bias: bool = False

    def __post_init__(self):
        if self.kind not in ("block", "diagonal"):
            raise ValueError(f"unknown kind {self.kind!r}: expected 'block' or 'diagonal'")
        if not isinstance(self.target_modules, str):
            object.__setattr__(self, "target_modules", tuple(self.target_modules))

    def matches(self, name: str) -> bool:
        """Whether the layer called ``name`` is a target."""
        if isinstance(self.target_modules, str):
            return re.fullmatch(self.target_modules, name) is not None
        return any(name == t or name.endswith("." + t) for t in self.target_modules)

    def adapter(self, base: nn.Linear) -> _FFTAdapter:
        """The adapter this configuration puts around ``base``."""
        options = {
            "init": self.init,
            "backend": self.backend,
            "fft_format": self.fft_format,
            "fft_compute": self.fft_compute,
            "rounding": self.rounding,
        }
        if self.kind == "block":
            return CirculantAdapter(base, self.p, self.scale, **options)
        return CirculantDiagonalAdapter(base, self.p, self.scale, factors=self.factors, **options)


def _adapters(model: nn.Module):
    return [(n, m) for n, m in model.named_modules() if isinstance(m, _FFTAdapter)]


def _set(model: nn.Module, name: str, module: nn.Module) -> None:
    parent, _, child = name.rpartition(".")
    setattr(model.get_submodule(parent) if parent else model, child, module)


def get_circulant_model(model: nn.Module, config: CirculantConfig) -> list[str]:
    """Put an adapter around every ``nn.Linear`` of ``model`` that ``config`` targets
    (in place), and make the adapters' parameters the only trainable ones.

    Returns
    -------
    list of str
        The names of the adapted layers.

    Examples
    --------
    >>> model = torch.nn.Sequential(torch.nn.Linear(8, 8), torch.nn.ReLU(), torch.nn.Linear(8, 4))
    >>> get_circulant_model(model, CirculantConfig(p=4, target_modules=r"\\d"))
    ['0', '2']
    """
    targets = [
        n for n, m in model.named_modules() if isinstance(m, nn.Linear) and n and config.matches(n)
    ]
    if not targets:
        raise ValueError(f"no nn.Linear layer of the model matches {config.target_modules!r}")
    for prm in model.parameters():
        prm.requires_grad_(False)
    for name in targets:
        base = model.get_submodule(name)
        adapter = config.adapter(base)
        if config.train_bias and base.bias is not None:
            base.bias.requires_grad_(True)
        _set(model, name, adapter)
    model.circulant_config = config
    return targets


def circulant_parameter_groups(model: nn.Module, lr: float, **options) -> list[dict]:
    """Optimizer parameter groups with the block-circulant learning-rate heuristic
    (arXiv 2505.00582): every circulant block column trains with ``lr / p``, the
    other trainable parameters with ``lr``. ``options`` (weight decay, ...) go into
    every group.

    Examples
    --------
    >>> model = torch.nn.Sequential(torch.nn.Linear(8, 8))
    >>> _ = get_circulant_model(model, CirculantConfig(p=4, target_modules=["0"]))
    >>> [g["lr"] for g in circulant_parameter_groups(model, 0.1)]
    [0.025]
    """
    circulant, seen = {}, set()
    for _, module in _adapters(model):
        columns = [module.c] if isinstance(module, CirculantAdapter) else list(module.circulants)
        for c in columns:
            if c.requires_grad:
                circulant.setdefault(module.p, []).append(c)
                seen.add(id(c))
    rest = [q for q in model.parameters() if q.requires_grad and id(q) not in seen]
    groups = [{"params": ps, "lr": lr / p, **options} for p, ps in sorted(circulant.items())]
    if rest:
        groups.append({"params": rest, "lr": lr, **options})
    return groups


def circulant_state_dict(model: nn.Module) -> dict[str, torch.Tensor]:
    """The adapters' own parameters (not the base weights), by full name.

    Examples
    --------
    >>> model = torch.nn.Sequential(torch.nn.Linear(8, 8))
    >>> _ = get_circulant_model(model, CirculantConfig(p=4, target_modules=["0"]))
    >>> list(circulant_state_dict(model))
    ['0.c']
    """
    state = {}
    for name, module in _adapters(model):
        for key, value in module.named_parameters(recurse=False):
            state[f"{name}.{key}"] = value.detach().clone()
        for key in ("diagonals", "circulants"):
            if hasattr(module, key):
                for i, value in enumerate(getattr(module, key)):
                    state[f"{name}.{key}.{i}"] = value.detach().clone()
        bias = module.base.bias
        if bias is not None and bias.requires_grad:
            state[f"{name}.base.bias"] = bias.detach().clone()
    return state


@torch.no_grad()
def load_circulant_state_dict(model: nn.Module, state: dict[str, torch.Tensor]) -> None:
    """Copy adapter weights saved by :func:`circulant_state_dict` into ``model``'s
    adapters; raises if a name is missing or unknown, or a shape differs."""
    own = {n: t for n, t in model.named_parameters()}
    expected = set(circulant_state_dict(model))
    missing, unknown = expected - set(state), set(state) - set(own)
    if missing or unknown:
        raise KeyError(
            f"adapter weights do not fit: missing {sorted(missing)}, unknown {sorted(unknown)}"
        )
    for name, value in state.items():
        if own[name].shape != value.shape:
            raise ValueError(
                f"{name}: shape {tuple(value.shape)}, expected {tuple(own[name].shape)}"
            )
        own[name].copy_(value)


def save_circulant(model: nn.Module, directory: str | os.PathLike) -> None:
    """Write the adapters' configuration (JSON) and weights (only theirs) into
    ``directory``, as PEFT's ``save_pretrained`` does."""
    config = getattr(model, "circulant_config", None)
    if config is None:
        raise ValueError("the model has no circulant adapters (see get_circulant_model)")
    os.makedirs(directory, exist_ok=True)
    with open(os.path.join(directory, _CONFIG_FILE), "w") as f:
        json.dump(dataclasses.asdict(config), f, indent=2)
    torch.save(circulant_state_dict(model), os.path.join(directory, _WEIGHTS_FILE))


def load_circulant(model: nn.Module, directory: str | os.PathLike) -> list[str]:
    """Add the adapters saved in ``directory`` to a model with the base weights (as
    PEFT's ``from_pretrained``) and load their weights; returns the adapted names.

    Examples
    --------
    >>> import tempfile
    >>> model = torch.nn.Sequential(torch.nn.Linear(8, 8))
    >>> _ = get_circulant_model(model, CirculantConfig(p=4, target_modules=["0"]))
    >>> with tempfile.TemporaryDirectory() as d:
    ...     save_circulant(model, d)
    ...     load_circulant(torch.nn.Sequential(torch.nn.Linear(8, 8)), d)
    ['0']
    """
    with open(os.path.join(directory, _CONFIG_FILE)) as f:
        fields = json.load(f)
    if isinstance(fields.get("target_modules"), list):
        fields["target_modules"] = tuple(fields["target_modules"])
    config = CirculantConfig(**fields)
    names = get_circulant_model(model, dataclasses.replace(config, init="zero"))
    model.circulant_config = config
    state = torch.load(os.path.join(directory, _WEIGHTS_FILE), weights_only=True)
    load_circulant_state_dict(model, state)
    return names


def merge_circulant(model: nn.Module, keep_original: bool = True) -> None:
    """Merge every adapter of ``model`` into its base weight (see
    :meth:`CirculantAdapter.merge`)."""
    for _, module in _adapters(model):
        module.merge(keep_original)


def unmerge_circulant(model: nn.Module) -> None:
    """Undo :func:`merge_circulant`."""
    for _, module in _adapters(model):
        module.unmerge()


def remove_circulant(model: nn.Module, merge: bool = True) -> list[str]:
    """Replace every adapter by its base ``nn.Linear``, with the adapter merged into
    the weight (``merge``) or dropped; returns the names restored.

    Examples
    --------
    >>> model = torch.nn.Sequential(torch.nn.Linear(8, 8))
    >>> _ = get_circulant_model(model, CirculantConfig(p=4, target_modules=["0"]))
    >>> remove_circulant(model), type(model[0]).__name__
    (['0'], 'Linear')
    """
    names: Sequence[str] = []
    for name, module in _adapters(model):
        if merge and not module.merged:
            module.merge(keep_original=False)
        elif not merge and module.merged:
            module.unmerge()
        _set(model, name, module.base)
        names.append(name)
    if hasattr(model, "circulant_config"):
        del model.circulant_config
    return list(names)
