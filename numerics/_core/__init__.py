"""The private kernel layer every sub-package builds on.

Nothing here imports another part of numerics; everything else imports this, never
another package's private modules:

- :mod:`.jit`: the one numba decorator (cache location, threading layer);
- :mod:`.params`: the kernel parameter block: slot numbers, rounding-mode numbers,
  and the builder that turns a format and a mode into the int64 array kernels read;
- :mod:`.containers`: the IEEE containers data is computed in, and input checks;
- :mod:`.random_words`: the counter-based random words of stochastic rounding;
- :mod:`.eft`: error-free transformations and a fused multiply-add;
- :mod:`.rounding`: the scalar rounding of one value into a format;
- :mod:`.cast_kernels`: the array cast every package's fast paths reuse.
"""
