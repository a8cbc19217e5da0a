"""A neural-network kit with hand-written gradients (no autograd). Knows nothing of GANs.

Two engines, one protocol:
    nn/        the TEXTBOOK engine (being written: see issue 14) and what both engines share:
      init.py        Glorot, He, normal initialisers from an explicit generator
      checks.py      argument checks
      checkpoint.py  the .npz checkpoint format both engines read and write
      gradcheck.py   central finite differences: gradcheck, check_network, check_layer
      threads.py     one BLAS thread inside training loops
    nn/fast/   the FAST engine: flat buffers, reused and in-place arrays, stacked ensembles
"""
