"""Randomness from first principles: linear congruential generators, uniforms, Box-Muller.

Knows nothing of `nn` or `gan`.
"""
