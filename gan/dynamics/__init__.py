"""The game's dynamics: why GAN training rotates instead of converging.

A two-player game with generator parameters theta and discriminator parameters psi moves along
its gradient field (Mescheder, Nowozin & Geiger 2017, "The Numerics of GANs", eq. 3)

    v(theta, psi) = ( -grad_theta L_G(theta, psi),  grad_psi V(theta, psi) ),

G descending its loss, D ascending the value. Near an equilibrium w* (v(w*) = 0) the flow
w' = v(w) is governed by the Jacobian J = dv/dw at w*: eigenvalues with negative real parts
attract, purely imaginary ones make the players circle. A discrete update rule w <- F(w) converges
locally iff the spectral radius of dF/dw at w* is below 1 (Mescheder et al. 2017, Prop. 3).

One idea per module:

    field.py       the Jacobian of any field by central differences, its eigenvalues, the split
                   w = (theta, psi)
    updates.py     simultaneous, alternating, extragradient, optimistic, two time scales,
                   consensus; each rule's linear map at an equilibrium and its spectral radius
    dirac.py       the Dirac-GAN (Mescheder, Geiger & Nowozin 2018) with its closed forms
    gaussian.py    a Gaussian GAN whose D family contains D*: equilibrium and Jacobian exactly
    quadrature.py  fixed nodes of p_z and p_data, so a full batch is deterministic
    networks.py    the field of the project's own MLP game (nn.fast players, gan.objectives
                   losses), R1 / R2 penalties and consensus by differences of our gradients
    consensus.py   grad 1/2 ||v||^2 = J^T v for networks, as Hessian-vector products of the
                   players' scalar losses (consensus optimisation in training, without J)
    spectrum.py    whose directions a spectrum's eigenvalues are, the blocks' curvature (local
                   Nash?), and a stationary point nearby by minimising 1/2 ||v||^2
    fgan.py        f-divergences and their variational bound (Nowozin, Cseke & Tomioka 2016)
    generator_gradients.py   Arjovsky & Bottou (2017), Theorem 2.5, by quadrature
    training.py    update rules other than Algorithm 1's, passed to training (`--update`, `--r1`)
"""

# The update rules `gan.dynamics.training.UpdateRule` knows (named here, so the command line can
# list them without loading the rules).
RULES = ("alternating", "simultaneous", "extragradient", "optimistic", "consensus")
