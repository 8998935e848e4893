"""Transforms in place: the real FFT (rdFFT) in halfcomplex layout, the DCT and the
Walsh-Hadamard transform, each native (float32/float64) or emulated in any format
with any rounding, and exact error tracking (:func:`error_report`,
:func:`error_study`)."""

from .dct import dct, idct
from .errors import StudyReport, TransformReport, error_report, error_study
from .fft import (
    complex_to_halfcomplex,
    halfcomplex_multiply,
    halfcomplex_to_complex,
    irdfft,
    rdfft,
)
from .hadamard import fwht
from .halfcomplex import halfcomplex_matmul, halfcomplex_to_perm, perm_to_halfcomplex

__all__ = [
    "StudyReport",
    "TransformReport",
    "complex_to_halfcomplex",
    "dct",
    "error_report",
    "error_study",
    "fwht",
    "halfcomplex_matmul",
    "halfcomplex_multiply",
    "halfcomplex_to_complex",
    "halfcomplex_to_perm",
    "idct",
    "irdfft",
    "perm_to_halfcomplex",
    "rdfft",
]
