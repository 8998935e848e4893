"""Offline text corpora for the language-model examples: Python's own standard library
sources, read from the running interpreter's installation (no download), as bytes.

Two disjoint corpora: ``"pretrain"`` (modules whose names start with a-m) and
``"finetune"`` (the ``email``, ``json``, ``http`` and ``xml`` packages' sources,
a different style of code). The tokenizer is the byte itself (a vocabulary of 256),
so nothing is fitted and every machine sees the same tokens.

Example code, not library code: the scripts beside it import it as ``_corpus``."""

from __future__ import annotations

import os
import sysconfig

import numpy as np
import torch

__all__ = ["VOCAB", "batches", "corpus"]

VOCAB = 256
_FINETUNE_PACKAGES = ("email", "json", "http", "xml")


def _files(name: str) -> list[str]:
    root = sysconfig.get_paths()["stdlib"]
    if name == "pretrain":
        paths = [
            os.path.join(root, f)
            for f in sorted(os.listdir(root))
            if f.endswith(".py") and "a" <= f[0] <= "m"
        ]
    elif name == "finetune":
        paths = []
        for package in _FINETUNE_PACKAGES:
            for base, dirs, files in os.walk(os.path.join(root, package)):
                dirs.sort()
                paths += [os.path.join(base, f) for f in sorted(files) if f.endswith(".py")]
    else:
        raise ValueError(f"unknown corpus {name!r}: expected 'pretrain' or 'finetune'")
    return paths


def corpus(name: str = "pretrain", max_bytes: int | None = None) -> torch.Tensor:
    """The corpus ``name`` as a 1-D int64 tensor of byte values, files in sorted order,
    at most ``max_bytes`` long.

    Examples
    --------
    >>> t = corpus("pretrain", max_bytes=1000)
    >>> t.shape, int(t.max()) < VOCAB
    (torch.Size([1000]), True)
    """
    chunks, size = [], 0
    for path in _files(name):
        with open(path, "rb") as f:
            data = f.read()
        chunks.append(data)
        size += len(data)
        if max_bytes is not None and size >= max_bytes:
            break
    data = b"".join(chunks)[:max_bytes]
    return torch.from_numpy(np.frombuffer(data, dtype=np.uint8).astype(np.int64))


def batches(tokens: torch.Tensor, batch: int, context: int, steps: int, seed: int = 0):
    """``steps`` pairs ``(inputs, targets)`` of shape ``(batch, context)``, windows drawn
    at random (from ``seed``) from ``tokens``; targets are the inputs shifted by one.

    Examples
    --------
    >>> x, y = next(batches(corpus(max_bytes=5000), 2, 16, 1))
    >>> x.shape, bool((x[:, 1:] == y[:, :-1]).all())
    (torch.Size([2, 16]), True)
    """
    generator = torch.Generator().manual_seed(seed)
    for _ in range(steps):
        start = torch.randint(0, len(tokens) - context - 1, (batch,), generator=generator)
        window = torch.stack([tokens[s : s + context + 1] for s in start.tolist()])
        yield window[:, :-1], window[:, 1:]
