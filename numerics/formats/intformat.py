"""Integer and fixed-point element formats: :class:`IntFormat`."""

from __future__ import annotations

import math
import re
from dataclasses import dataclass, field

import numpy as np

from .format import Format, NanStyle

__all__ = ["IntFormat", "as_int_format"]


@dataclass(frozen=True)
class IntFormat:
    """A two's-complement (or unsigned) integer format: values ``k * 2**-frac_bits``.

    With ``frac_bits=0`` it is an intN; with ``frac_bits > 0`` a fixed-point format of
    word length ``bits`` and fraction length ``frac_bits``. MXINT8 elements are
    ``IntFormat(8, narrow=True, frac_bits=6)``; BitNet's ternary weights are
    ``IntFormat(2, narrow=True)``.

    Parameters
    ----------
    bits : int
        Word length, 2 to 32.
    signed : bool
        Two's complement (``[-2**(bits-1), 2**(bits-1) - 1]``) or unsigned
        (``[0, 2**bits - 1]``).
    narrow : bool
        Signed only: leave out ``-2**(bits-1)``, so the range is symmetric.
    frac_bits : int
        Fraction length: the value of integer ``k`` is ``k * 2**-frac_bits``.
    name : str, optional
        A label; not part of equality.

    Examples
    --------
    >>> f = IntFormat(4)
    >>> f.qmin, f.qmax, f.max
    (-8, 7, 7.0)
    >>> IntFormat(8, narrow=True, frac_bits=6).max  # MXINT8 elements
    1.984375
    """

    bits: int
    signed: bool = True
    narrow: bool = False
    frac_bits: int = 0
    name: str | None = field(default=None, compare=False)

    def __post_init__(self) -> None:
        for attr in ("bits", "frac_bits"):
            v = getattr(self, attr)
            if isinstance(v, bool) or not isinstance(v, (int, np.integer)):
                raise TypeError(f"IntFormat.{attr} must be an int, got {v!r}")
            object.__setattr__(self, attr, int(v))
        if not 2 <= self.bits <= 32:
            raise ValueError(f"IntFormat.bits must be in 2..32, got {self.bits}")
        if not -900 <= self.frac_bits <= 900:
            raise ValueError(f"IntFormat.frac_bits must be in -900..900, got {self.frac_bits}")
        object.__setattr__(self, "signed", bool(self.signed))
        object.__setattr__(self, "narrow", bool(self.narrow))
        if self.narrow and not self.signed:
            raise ValueError("IntFormat: narrow applies to signed formats only")

    @property
    def qmin(self) -> int:
        """Smallest integer code."""
        if not self.signed:
            return 0
        return -(2 ** (self.bits - 1)) + int(self.narrow)

    @property
    def qmax(self) -> int:
        """Largest integer code."""
        return 2 ** (self.bits - 1) - 1 if self.signed else 2**self.bits - 1

    @property
    def quantum(self) -> float:
        """The value of integer 1, ``2**-frac_bits``."""
        return math.ldexp(1.0, -self.frac_bits)

    @property
    def max(self) -> float:
        """Largest value."""
        return self.qmax * self.quantum

    @property
    def min(self) -> float:
        """Smallest (most negative) value."""
        return self.qmin * self.quantum

    @property
    def code_dtype(self) -> np.dtype:
        """The smallest numpy integer dtype holding every code."""
        for dt in (8, 16, 32):
            if self.bits <= dt:
                return np.dtype(f"{'int' if self.signed else 'uint'}{dt}")
        raise AssertionError("bits <= 32")

    def values(self) -> np.ndarray:
        """Every value, sorted, as float64.

        Examples
        --------
        >>> IntFormat(2, narrow=True).values()
        array([-1.,  0.,  1.])
        """
        return np.arange(self.qmin, self.qmax + 1, dtype=np.float64) * self.quantum

    def grid(self, mag_bits: int | None = None) -> Format:
        """The sign-magnitude float :class:`Format` whose values are ``j * quantum`` for
        ``|j| < 2**mag_bits`` (``bits`` by default): the grid the kernels round onto
        before clamping to ``[qmin, qmax]``."""
        m = (self.bits if mag_bits is None else mag_bits) - 1
        return Format(1, m, bias=1 - m + self.frac_bits, inf=False, nan=NanStyle.NONE)

    def __str__(self) -> str:
        if self.name:
            return self.name
        base = f"{'' if self.signed else 'u'}int{self.bits}"
        if self.frac_bits:
            base += f"_f{self.frac_bits}"
        return base + ("_narrow" if self.narrow else "")


_INT_NAME = re.compile(r"^(u?)int(\d+)$")


def as_int_format(spec: IntFormat | str) -> IntFormat | None:
    """``spec`` as an :class:`IntFormat` if it is one or names one (``"int4"``,
    ``"uint8"``), else None.

    Examples
    --------
    >>> as_int_format("int4").qmin
    -8
    >>> as_int_format("fp4") is None
    True
    """
    if isinstance(spec, IntFormat):
        return spec
    if isinstance(spec, str):
        m = _INT_NAME.match(spec.strip().lower())
        if m:
            return IntFormat(int(m.group(2)), signed=not m.group(1), name=spec.strip().lower())
    return None
