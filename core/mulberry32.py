"""Mulberry32, a tiny seeded random number generator written the same way here and in core/ui/mulberry32.js.

The browser engines draw their random numbers from it (the order of the points in each epoch), so that core's
numpy engine, given the same generator, trains on the same sequence and the two can be compared number for number.
Integer arithmetic on 32 bits and one division: the two languages give the same bits.
"""
import numpy as np

_MASK = 0xFFFFFFFF


def _imul(a: int, b: int) -> int:
    """The low 32 bits of a·b, as JavaScript's Math.imul (unsigned here)."""
    return (a * b) & _MASK


class Mulberry32:
    """A stream of floats in [0, 1) from a 32-bit state; `permutation` matches numpy's Generator method of that name."""

    def __init__(self, seed: int) -> None:
        self.state = seed & _MASK

    def random(self) -> float:
        """The next float in [0, 1)."""
        self.state = (self.state + 0x6D2B79F5) & _MASK
        a = self.state
        t = _imul(a ^ (a >> 15), 1 | a)
        t = ((t + _imul(t ^ (t >> 7), 61 | t)) & _MASK) ^ t
        return (t ^ (t >> 14)) / 2**32

    def permutation(self, n: int) -> np.ndarray:
        """0..n-1 shuffled by Fisher–Yates from the last place down."""
        order = np.arange(n)
        for i in range(n - 1, 0, -1):
            j = int(self.random() * (i + 1))
            order[i], order[j] = order[j], order[i]
        return order
