"""Rounding modes: :class:`Rounding`, and the parsing of mode names."""

from __future__ import annotations

import enum

__all__ = ["Rounding", "as_rounding"]


class Rounding(str, enum.Enum):
    """How a value between two neighbours of a format is rounded.

    Every function taking ``rounding=`` also accepts the member's string value, and a
    few short aliases (``"rne"``, ``"rtz"``, ``"sr"``...).

    Examples
    --------
    >>> Rounding("nearest_even") is Rounding.NEAREST_EVEN
    True
    >>> as_rounding("sr")
    <Rounding.STOCHASTIC: 'stochastic'>
    """

    #: Round to nearest, ties to the neighbour with an even code (IEEE default).
    NEAREST_EVEN = "nearest_even"
    #: Round to nearest, ties away from zero.
    NEAREST_AWAY = "nearest_away"
    #: Truncate toward zero.
    TOWARD_ZERO = "toward_zero"
    #: Toward +Inf (ceiling).
    UP = "up"
    #: Toward -Inf (floor).
    DOWN = "down"
    #: Round to odd: an inexact value goes to the neighbour with an odd code; exact values stay.
    ODD = "odd"
    #: Up with probability proportional to the distance from the lower neighbour (unbiased).
    STOCHASTIC = "stochastic"
    #: Up or down with probability 1/2 each, for inexact values only.
    STOCHASTIC_EQUAL = "stochastic_equal"

    @property
    def code(self) -> int:
        """The integer the kernels use for this mode."""
        return _CODES[self]

    @property
    def is_nearest(self) -> bool:
        """Whether the mode rounds to nearest (ties to even or away).

        Examples
        --------
        >>> Rounding.NEAREST_AWAY.is_nearest, Rounding.ODD.is_nearest
        (True, False)
        """
        return self in (Rounding.NEAREST_EVEN, Rounding.NEAREST_AWAY)

    @property
    def is_stochastic(self) -> bool:
        """Whether the mode draws random bits.

        Examples
        --------
        >>> Rounding.STOCHASTIC_EQUAL.is_stochastic, Rounding.NEAREST_EVEN.is_stochastic
        (True, False)
        """
        return self in (Rounding.STOCHASTIC, Rounding.STOCHASTIC_EQUAL)


_CODES = {mode: i for i, mode in enumerate(Rounding)}

_ALIASES = {
    "rne": Rounding.NEAREST_EVEN,
    "rn": Rounding.NEAREST_EVEN,
    "nearest": Rounding.NEAREST_EVEN,
    "rna": Rounding.NEAREST_AWAY,
    "rtz": Rounding.TOWARD_ZERO,
    "truncate": Rounding.TOWARD_ZERO,
    "ru": Rounding.UP,
    "rtp": Rounding.UP,
    "ceil": Rounding.UP,
    "rd": Rounding.DOWN,
    "rtn": Rounding.DOWN,
    "floor": Rounding.DOWN,
    "rto": Rounding.ODD,
    "sr": Rounding.STOCHASTIC,
}


def as_rounding(mode: Rounding | str) -> Rounding:
    """Turn a :class:`Rounding` or its name (or alias) into a :class:`Rounding`.

    Raises
    ------
    ValueError
        For an unknown name, listing the valid ones.

    Examples
    --------
    >>> as_rounding("toward_zero")
    <Rounding.TOWARD_ZERO: 'toward_zero'>
    """
    if isinstance(mode, Rounding):
        return mode
    if isinstance(mode, str):
        key = mode.strip().lower().replace("-", "_")
        try:
            return Rounding(key)
        except ValueError:
            if key in _ALIASES:
                return _ALIASES[key]
    names = ", ".join(r.value for r in Rounding)
    raise ValueError(f"unknown rounding mode {mode!r}; expected one of: {names}")
