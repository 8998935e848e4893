"""A wrapper that keeps a model's weights (and optionally its optimizer's state) in a
low-precision format, with stochastic rounding of every update."""

from __future__ import annotations

from collections import OrderedDict
from typing import Any

import torch

from .. import formats
from ..formats.rounding import as_rounding
from . import functional

__all__ = ["LowPrecisionOptimizer"]

_HOOK_REGISTRIES = (
    "_optimizer_step_pre_hooks",
    "_optimizer_step_post_hooks",
    "_optimizer_state_dict_pre_hooks",
    "_optimizer_state_dict_post_hooks",
    "_optimizer_load_state_dict_pre_hooks",
    "_optimizer_load_state_dict_post_hooks",
)


class LowPrecisionOptimizer(torch.optim.Optimizer):
    """Wrap any torch optimizer so that after each step every parameter is rounded
    into ``fmt``: the weights are stored only as values of the format (no float32
    master copy), unless ``kahan`` keeps a compensation term.

    It is a :class:`torch.optim.Optimizer` whose ``param_groups``, ``state`` and
    ``defaults`` are the wrapped optimizer's own (the same objects): learning-rate
    schedulers change the wrapped optimizer's learning rate, ``add_param_group`` adds
    to it (rounding the new parameters into the format), ``zero_grad`` is its own, and
    :meth:`state_dict` is its state dict (``state``, ``param_groups``) plus a
    ``"low_precision"`` entry (step count, seed, Kahan residuals), so a resumed run is
    bit-identical. The draws do not depend on the ``torch.distributed`` rank: replicated
    weights updated with the same averaged gradient stay bit-identical across ranks.

    Parameters
    ----------
    optimizer : torch.optim.Optimizer
        Computes the update in the parameters' dtype.
    fmt : Format or str
        The storage format of the weights.
    rounding : str
        ``"stochastic"`` (default) keeps small updates alive in expectation;
        ``"nearest_even"`` stagnates once updates fall below half an ulp.
    seed : int
        With the step count and the parameter's index, keys every random draw
        (:func:`numerics.torch.counter_seed`), so a resumed run is bit-identical.
    kahan : bool
        Keep, per parameter, the rounding residual and add it to the next update
        (Kahan-compensated master weights, in the parameter's dtype).
    state_fmt : Format or str, optional
        Also round the optimizer's floating-point state (momenta) into this format,
        stochastically.

    Examples
    --------
    >>> w = torch.nn.Parameter(torch.ones(4))
    >>> opt = LowPrecisionOptimizer(torch.optim.SGD([w], lr=0.01), "float8_e4m3fn", seed=0)
    >>> w.grad = torch.ones(4)
    >>> opt.step()
    >>> set(w.tolist()) <= {0.9375, 1.0}  # 0.99 rounded up or down at random
    True
    """

    def __init__(
        self,
        optimizer: torch.optim.Optimizer,
        fmt: formats.Format | str = "float8_e4m3fn",
        rounding: str = "stochastic",
        *,
        seed: int = 0,
        kahan: bool = False,
        state_fmt: formats.Format | str | None = None,
    ):
        if not isinstance(optimizer, torch.optim.Optimizer):
            raise TypeError(f"optimizer must be a torch.optim.Optimizer, got {type(optimizer)}")
        self.optimizer = optimizer
        # the format itself, not its name: a format built by hand has none, and a name
        # may be registered later for another format
        self.fmt = formats.as_format(fmt)
        self.rounding = as_rounding(rounding).value
        self.state_fmt = None if state_fmt is None else formats.as_format(state_fmt)
        self.seed, self.kahan, self.steps = int(seed), bool(kahan), 0
        self.comp: dict[int, torch.Tensor] = {}
        # torch.optim.Optimizer.__init__ would build groups of its own: only its hook
        # registries are set up here; groups, state and defaults are the wrapped ones
        for name in _HOOK_REGISTRIES:
            setattr(self, name, OrderedDict())
        self._patch_step_function()
        self._warned_capturable_if_run_uncaptured = True
        self._round_params(self._params())

    @torch.no_grad()
    def _round_params(self, params: list[torch.Tensor]) -> None:
        index = {id(p): i for i, p in enumerate(self._params())}
        for p in params:
            p.copy_(self._round(p, self.fmt, index[id(p)]))

    # the wrapped optimizer's own objects, so that whatever changes them (schedulers,
    # load_state_dict) changes the wrapped optimizer
    @property
    def param_groups(self) -> list[dict]:
        """The wrapped optimizer's parameter groups (learning-rate schedulers use them)."""
        return self.optimizer.param_groups

    @param_groups.setter
    def param_groups(self, groups: list[dict]) -> None:
        self.optimizer.param_groups = groups

    @property
    def state(self) -> dict:
        """The wrapped optimizer's per-parameter state."""
        return self.optimizer.state

    @state.setter
    def state(self, state: dict) -> None:
        self.optimizer.state = state

    @property
    def defaults(self) -> dict:
        """The wrapped optimizer's defaults."""
        return self.optimizer.defaults

    @defaults.setter
    def defaults(self, defaults: dict) -> None:
        self.optimizer.defaults = defaults

    def add_param_group(self, param_group: dict) -> None:
        """Add a group to the wrapped optimizer; its parameters are rounded into the
        format at once, as the constructor rounds the first ones."""
        self.optimizer.add_param_group(param_group)
        self._round_params(self.optimizer.param_groups[-1]["params"])

    def __getstate__(self) -> dict:
        return self.__dict__

    def __setstate__(self, state: dict) -> None:
        self.__dict__.update(state)
        self._patch_step_function()

    def _params(self) -> list[torch.Tensor]:
        return [p for g in self.optimizer.param_groups for p in g["params"]]

    def _round(self, t: torch.Tensor, fmt: formats.Format, call: int) -> torch.Tensor:
        return functional.cast(
            t, fmt, self.rounding, saturate=True, seed=self.seed, step=self.steps, call=call
        )

    def zero_grad(self, set_to_none: bool = True) -> None:
        """As the wrapped optimizer's ``zero_grad``."""
        self.optimizer.zero_grad(set_to_none=set_to_none)

    @torch.no_grad()
    def step(self, closure=None) -> Any:
        """One step of the wrapped optimizer, then every parameter (plus its Kahan
        residual) rounded into the format, and the state into ``state_fmt``."""
        params = self._params()
        if self.kahan:
            old = [p.detach().clone() for p in params]
        loss = self.optimizer.step(closure)
        n = len(params)
        for i, p in enumerate(params):
            if self.kahan:
                c = self.comp.setdefault(i, torch.zeros_like(p))
                # the exact update, plus what earlier roundings lost
                v = old[i] + ((p - old[i]) + c)
                q = self._round(v, self.fmt, i)
                c.copy_(v - q)
                p.copy_(q)
            else:
                p.copy_(self._round(p, self.fmt, i))
            if self.state_fmt is not None:
                state = self.optimizer.state[p]
                for j, key in enumerate(sorted(state)):  # a fixed call per state tensor
                    s = state[key]
                    if torch.is_tensor(s) and s.is_floating_point() and s.dim() > 0:
                        s.copy_(self._round(s, self.state_fmt, n + i * 8 + j))
        self.steps += 1
        return loss

    def state_dict(self) -> dict:
        """The wrapped optimizer's state dict (``state``, ``param_groups``) and, under
        ``"low_precision"``, the step count, the seed and the Kahan residuals."""
        sd = self.optimizer.state_dict()
        sd["low_precision"] = {
            "steps": self.steps,
            "seed": self.seed,
            "comp": {k: v.clone() for k, v in self.comp.items()},
        }
        return sd

    def load_state_dict(self, state_dict: dict) -> None:
        """Restore :meth:`state_dict` (or a plain state dict of the wrapped optimizer:
        a fresh low-precision run): the next step draws what it would have drawn."""
        sd = dict(state_dict)
        if "optimizer" in sd:  # the format of numerics 0.x
            sd = {**sd["optimizer"], "low_precision": {k: sd[k] for k in ("steps", "seed", "comp")}}
        extra = sd.pop("low_precision", None)
        self.optimizer.load_state_dict(sd)
        if extra is not None:
            self.steps, self.seed = int(extra["steps"]), int(extra["seed"])
            self.comp = {int(k): v.clone() for k, v in extra["comp"].items()}
