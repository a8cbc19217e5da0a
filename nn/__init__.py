"""A neural-network kit with hand-written gradients (no autograd). Knows nothing of GANs."""
