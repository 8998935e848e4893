"""Emulated arithmetic: error-free transformations, operations rounded once into a
format, and sums, dot products and matrix products with the input, product and
accumulator formats and the summation order of low-precision hardware, and matrix
products as each generation's tensor cores compute them."""

from .eft import fast_two_sum, two_prod, two_sum
from .ops import add, div, fma, mul, sqrt, sub
from .reduce import ORDERS, dot, matmul, sum
from .tensor_core import TensorCore, tc_matmul

__all__ = [
    "ORDERS",
    "TensorCore",
    "add",
    "div",
    "dot",
    "fast_two_sum",
    "fma",
    "matmul",
    "mul",
    "sqrt",
    "sub",
    "sum",
    "tc_matmul",
    "two_prod",
    "two_sum",
]
