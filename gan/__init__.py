"""Generative adversarial networks (Goodfellow et al., 2014) built from `rng` and `nn`."""
