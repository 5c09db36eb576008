"""Return freed memory to the operating system between the big steps of a build.

Arrow's memory pool (mimalloc) and glibc's malloc keep freed pages for reuse, and they do not
share them with each other, so without this a scale-100 build's resident memory keeps every
step's high-water mark. Called between steps, never inside a hot loop.
"""

from __future__ import annotations

import ctypes
import gc

import pyarrow as pa

__all__ = ["release_memory"]


def release_memory() -> None:
    """Collect garbage, release Arrow's unused pool memory and trim glibc's heap."""
    gc.collect()
    pa.default_memory_pool().release_unused()
    try:
        ctypes.CDLL("libc.so.6").malloc_trim(0)
    except (OSError, AttributeError):  # not glibc (macOS, musl): nothing to trim
        pass
