"""What a binary floating-point format is: :class:`Format` and :class:`NanStyle`."""

from __future__ import annotations

import enum
import math
from dataclasses import dataclass, field, fields

import numpy as np

__all__ = ["Format", "NanStyle"]


class NanStyle(str, enum.Enum):
    """How a format encodes NaN.

    Examples
    --------
    >>> NanStyle("fn")
    <NanStyle.FN: 'fn'>
    """

    #: IEEE 754: every code with an all-ones exponent and a nonzero fraction.
    IEEE = "ieee"
    #: OCP "fn": only the all-ones code of each sign (0x7F/0xFF in float8_e4m3fn).
    FN = "fn"
    #: "fnuz": the negative-zero code alone (0x80); the format has no -0.
    FNUZ = "fnuz"
    #: No NaN at all (OCP fp6/fp4).
    NONE = "none"


@dataclass(frozen=True)
class Format:
    """A binary floating-point format, described by its parameters.

    Codes are laid out as sign | exponent | fraction. Magnitude codes are
    ordered like the values they hold; the highest magnitude codes are NaNs
    (per ``nan``), then Inf (if ``inf``), then the largest finite value.

    Parameters
    ----------
    ebits : int
        Exponent field width, 1 to 11.
    mbits : int
        Fraction (trailing significand) field width, 0 to 52.
    bias : int, optional
        Exponent bias; IEEE's ``2**(ebits-1) - 1`` by default.
    signed : bool
        Whether the format has a sign bit.
    inf : bool
        Whether the format has infinities.
    nan : NanStyle or str
        How NaN is encoded: ``"ieee"``, ``"fn"``, ``"fnuz"`` or ``"none"``.
    negzero : bool, optional
        Whether -0 exists; by default, for signed formats whose NaN is not "fnuz".
    subnormals : bool
        Whether the exponent-zero codes hold subnormals. Without them, those codes
        read as zero (denormals-are-zero) and casts flush to zero.
    zero : bool
        Whether the format has a zero. Formats without one (E8M0) use the
        exponent-zero binade for normal numbers, so their smallest value is
        ``2**-bias``.
    name : str, optional
        A label; not part of equality.

    Examples
    --------
    >>> e4m3 = Format(4, 3, bias=7, inf=False, nan="fn", name="float8_e4m3fn")
    >>> e4m3.max, e4m3.min_subnormal, e4m3.bits
    (448.0, 0.001953125, 8)
    >>> Format(3, 2).max  # IEEE-style e3m2: Inf and NaN take the top binade
    14.0
    """

    ebits: int
    mbits: int
    bias: int | None = None
    signed: bool = True
    inf: bool = True
    nan: NanStyle | str = NanStyle.IEEE
    negzero: bool | None = None
    subnormals: bool = True
    zero: bool = True
    name: str | None = field(default=None, compare=False)

    def __post_init__(self) -> None:
        for attr in ("ebits", "mbits"):
            v = getattr(self, attr)
            if isinstance(v, bool) or not isinstance(v, (int, np.integer)):
                raise TypeError(f"Format.{attr} must be an int, got {v!r}")
        if not 1 <= self.ebits <= 11:
            raise ValueError(f"Format.ebits must be in 1..11, got {self.ebits}")
        if not 0 <= self.mbits <= 52:
            raise ValueError(f"Format.mbits must be in 0..52, got {self.mbits}")
        set_ = object.__setattr__
        set_(self, "ebits", int(self.ebits))
        set_(self, "mbits", int(self.mbits))
        try:
            set_(self, "nan", NanStyle(self.nan))
        except ValueError:
            options = ", ".join(repr(s.value) for s in NanStyle)
            raise ValueError(f"Format.nan must be one of {options}, got {self.nan!r}") from None
        if self.bias is None:
            set_(self, "bias", 2 ** (self.ebits - 1) - 1)
        elif isinstance(self.bias, bool) or not isinstance(self.bias, (int, np.integer)):
            raise TypeError(f"Format.bias must be an int, got {self.bias!r}")
        set_(self, "bias", int(self.bias))
        for attr in ("signed", "inf", "subnormals", "zero"):
            set_(self, attr, bool(getattr(self, attr)))
        if self.negzero is None:
            set_(self, "negzero", self.signed and self.nan is not NanStyle.FNUZ and self.zero)
        set_(self, "negzero", bool(self.negzero))
        self._validate()

    def _validate(self) -> None:
        what = f"Format({self.ebits=}, {self.mbits=}, {self.bias=})".replace("self.", "")
        if self.negzero and not self.signed:
            raise ValueError(f"{what}: an unsigned format cannot have negative zero")
        if self.nan is NanStyle.FNUZ:
            if not self.signed:
                raise ValueError(f"{what}: nan='fnuz' uses the sign bit, so it needs signed=True")
            if self.negzero:
                raise ValueError(f"{what}: nan='fnuz' takes the -0 code, so negzero must be False")
        if self.nan is NanStyle.IEEE and self.mbits == 0:
            raise ValueError(f"{what}: nan='ieee' needs at least one fraction bit; use 'fn'")
        if not self.zero:
            if self.subnormals:
                raise ValueError(f"{what}: a format without zero has no subnormals")
            if self.negzero:
                raise ValueError(f"{what}: a format without zero has no negative zero")
            if self.nan is NanStyle.FNUZ:
                raise ValueError(f"{what}: nan='fnuz' needs a zero code")
        if self.max_code < (1 if self.zero else 0) or not self.max > 0:
            raise ValueError(f"{what}: NaN and Inf leave no finite nonzero value")
        if self.emax > 1023 or self.emin < -1022:
            raise ValueError(
                f"{what}: exponent range [{self.emin}, {self.emax}] exceeds float64's [-1022, 1023]"
            )

    # ----- code layout -----------------------------------------------------------
    @property
    def bits(self) -> int:
        """Width of a code in bits (sign, exponent and fraction)."""
        return int(self.signed) + self.ebits + self.mbits

    @property
    def num_top_nans(self) -> int:
        """NaN codes at the top of each sign's magnitude range."""
        if self.nan is NanStyle.IEEE:
            return 2**self.mbits - 1
        return 1 if self.nan is NanStyle.FN else 0

    @property
    def max_code(self) -> int:
        """Magnitude code (sign bit clear) of the largest finite value."""
        return 2 ** (self.ebits + self.mbits) - 1 - self.num_top_nans - int(self.inf)

    @property
    def has_nan(self) -> bool:
        """Whether some code decodes to NaN."""
        return self.nan is not NanStyle.NONE

    # ----- derived numbers ----------------------------------------------------------
    @property
    def emin(self) -> int:
        """Exponent of the smallest normal number."""
        return 1 - self.bias if self.zero else -self.bias

    @property
    def emax(self) -> int:
        """Exponent of the largest finite number."""
        return math.frexp(self.max)[1] - 1

    @property
    def max(self) -> float:
        """Largest finite value."""
        return float(self.magnitude_value(self.max_code))

    @property
    def min(self) -> float:
        """Most negative finite value (0 or the smallest value for unsigned formats)."""
        if self.signed:
            return -self.max
        return 0.0 if self.zero else self.min_normal

    @property
    def min_normal(self) -> float:
        """Smallest positive normal number, ``2**emin``."""
        return math.ldexp(1.0, self.emin)

    @property
    def min_subnormal(self) -> float:
        """Smallest positive value (the smallest normal where there are no subnormals)."""
        if self.subnormals and self.mbits > 0:
            return math.ldexp(1.0, self.emin - self.mbits)
        return self.min_normal

    @property
    def eps(self) -> float:
        """Distance from 1 to the next larger value of the format's precision, ``2**-mbits``."""
        return math.ldexp(1.0, -self.mbits)

    @property
    def unit_roundoff(self) -> float:
        """Unit roundoff u of round-to-nearest, ``eps / 2``."""
        return math.ldexp(1.0, -self.mbits - 1)

    @property
    def precision(self) -> int:
        """Significand precision p in bits, the implicit bit included."""
        return self.mbits + 1

    @property
    def num_values(self) -> int:
        """How many distinct finite values the format holds (zero counted once)."""
        return len(self.values())

    # ----- values ----------------------------------------------------------------------
    def magnitude_value(self, code: int) -> float:
        """The value of magnitude code ``code`` (sign bit clear), exactly, as a float.

        Codes above :attr:`max_code` give Inf or NaN; exponent-zero codes of a format
        without subnormals read as zero.

        Examples
        --------
        >>> from numerics import get_format
        >>> get_format("fp4").magnitude_value(0b111)
        6.0
        """
        code = int(code)
        if not 0 <= code < 2 ** (self.ebits + self.mbits):
            raise ValueError(f"magnitude code {code} out of range for {self}")
        if code > self.max_code:
            return math.inf if (self.inf and code == self.max_code + 1) else math.nan
        m = self.mbits
        e_field, frac = code >> m, code & ((1 << m) - 1)
        if not self.zero:
            return math.ldexp((1 << m) + frac, e_field + self.emin - m)
        if e_field == 0:
            return math.ldexp(frac, self.emin - m) if self.subnormals else 0.0
        return math.ldexp((1 << m) + frac, e_field - 1 + self.emin - m)

    def values(self) -> np.ndarray:
        """Every finite value, sorted, as float64 (zero once, no -0).

        Examples
        --------
        >>> from numerics import get_format
        >>> get_format("fp4_e2m1").values()[7:]
        array([0. , 0.5, 1. , 1.5, 2. , 3. , 4. , 6. ])
        """
        mags = {self.magnitude_value(c) for c in range(self.max_code + 1)}
        pos = np.array(sorted(mags), dtype=np.float64)
        if not self.signed:
            return pos
        neg = -pos[pos > 0][::-1]
        return np.concatenate([neg, pos])

    # ----- presentation ------------------------------------------------------------------
    def __repr__(self) -> str:
        parts = [f"name={self.name!r}"] if self.name else []
        parts += [f"ebits={self.ebits}", f"mbits={self.mbits}", f"bias={self.bias}"]
        defaults = {
            "signed": True,
            "inf": True,
            "nan": NanStyle.IEEE,
            "negzero": self.signed and self.nan is not NanStyle.FNUZ and self.zero,
            "subnormals": True,
            "zero": True,
        }
        for f in fields(self):
            if f.name not in defaults:
                continue
            v = getattr(self, f.name)
            if v != defaults[f.name]:
                parts.append(
                    f"{f.name}={v.value!r}" if isinstance(v, NanStyle) else f"{f.name}={v!r}"
                )
        return f"Format({', '.join(parts)})"

    def __str__(self) -> str:
        return self.name or f"{'' if self.signed else 'u'}e{self.ebits}m{self.mbits}"
