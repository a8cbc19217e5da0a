"""Lesson 03 -- a neural network by hand: forward, backward, the gradient check, fitting a curve.

Follows the third step of the course: a GAN's players G and D are multilayer perceptrons trained
by backpropagation (Goodfellow et al. 2014, Section 3). We write the forward pass of a tiny
network, y = tanh(x W1 + b1) W2 + b2, and its backward pass by the chain rule, one line per
factor; check the result against the `nn` package's backward and against finite differences
(`nn.gradcheck`); see the check catch a bug; then fit sin(x) on [-pi, pi] with an MLP and Adam.
The `nn` used here is the textbook engine, the code to read next: Linear's forward and backward
in nn/layers.py are the lines below, tanh's f' is in nn/activations.py, and Adam's m, v, m_hat,
v_hat are in nn/optim.py (nn.fast, the same protocol made fast, is lesson 23's subject).

Run: python lessons/03_neural_network_by_hand.py   (--fast: small sizes, as the tests run it;
--show: open the figures in windows)

Course section (by the course's Chinese terms): 神经网络 (neural network)
and 反向传播 (backpropagation).
"""

# %%
import matplotlib.pyplot as plt
import numpy as np

import rng
from _lesson import _, _fig, say, start
from nn import MLP, Linear, Sequential, Tanh
from nn.gradcheck import check_network, compare, numerical_gradients
from nn.losses import mse
from nn.optim import Adam

FIGURES = ("gradient_check.png", "fit_sin.png")

lesson = start(__file__, __doc__)
generator = rng.Generator(3)

# %% [markdown]
# ## Forward: 4 inputs, 3 tanh units, 1 output, mean squared error against t = sin(x)

# %%
x = generator.uniform(-np.pi, np.pi, size=(4, 1))
t = np.sin(x)
W1, b1 = generator.normal(0.0, 1.0, size=(1, 3)), generator.normal(0.0, 0.5, size=3)
W2, b2 = generator.normal(0.0, 1.0, size=(3, 1)), generator.normal(0.0, 0.5, size=1)


def forward(x, W1, b1, W2, b2):
    h = x @ W1 + b1                  # pre-activations, (4, 3)
    a = np.tanh(h)                   # hidden units, (4, 3)
    y = a @ W2 + b2                  # outputs, (4, 1)
    return a, y


a, y = forward(x, W1, b1, W2, b2)
L = np.mean((y - t) ** 2)
say("""x = {x}, t = sin(x) = {t}, y = {y}: an untrained network, loss L = {L:.4f}.""",
    x=np.round(x.ravel(), 3), t=np.round(t.ravel(), 3), y=np.round(y.ravel(), 3), L=L)

# %% [markdown]
# ## Backward: the chain rule from L back to every parameter and to x

# %%
grad_y = 2 * (y - t) / y.size        # dL/dy = 2 (y - t) / N
grad_W2 = a.T @ grad_y               # dL/dW2 = a^T dL/dy
grad_b2 = grad_y.sum(axis=0)         # dL/db2 = sum of dL/dy over the batch
grad_a = grad_y @ W2.T               # dL/da = dL/dy W2^T
grad_h = grad_a * (1 - a**2)         # dL/dh = dL/da tanh'(h), tanh' = 1 - tanh^2
grad_W1 = x.T @ grad_h               # dL/dW1 = x^T dL/dh
grad_b1 = grad_h.sum(axis=0)         # dL/db1 = sum of dL/dh over the batch
grad_x = grad_h @ W1.T               # dL/dx = dL/dh W1^T
names = ["W1", "b1", "W2", "b2", "x"]
by_hand = [grad_W1, grad_b1, grad_W2, grad_b2, grad_x]

# %% [markdown]
# ## Three checks: nn's backward, finite differences, and a deliberate bug

# %%
network = Sequential([Linear(1, 3, init="zeros"), Tanh(), Linear(3, 1, init="zeros")])
for parameter, value in zip(network.parameters(), (W1, b1, W2, b2)):
    parameter[...] = value           # the same weights as ours
L_nn, grad_y_nn = mse(network.forward(x), t)
grad_x_nn = network.backward(grad_y_nn)
by_nn = [gradient.copy() for gradient in network.gradients()] + [grad_x_nn]

arrays = [array.copy() for array in (W1, b1, W2, b2, x)]   # perturbed in place by the check
W1_, b1_, W2_, b2_, x_ = arrays
numerical = numerical_gradients(lambda: np.mean((forward(x_, W1_, b1_, W2_, b2_)[1] - t) ** 2),
                                arrays)
grad_h_bug = grad_a                  # the bug: forgetting tanh'(h)
with_bug = [x.T @ grad_h_bug, grad_h_bug.sum(axis=0), grad_W2, grad_b2, grad_h_bug @ W1.T]

checks = {"hand vs nn.backward": (by_hand, by_nn),
          "hand vs finite diff.": (by_hand, numerical),
          "bug vs finite diff.": (with_bug, numerical)}
errors = {label: [compare([analytic[i]], [reference[i]], [name]).max_relative_error
                  for i, name in enumerate(names)]
          for label, (analytic, reference) in checks.items()}
print("  " + _("array    hand vs nn.backward  hand vs finite diff.   bug vs finite diff."))
for index, name in enumerate(names):
    print(f"  {name:6s}" + "".join(f"{errors[label][index]:22.2e}" for label in checks))
print()
bug_errors = errors["bug vs finite diff."]
larger = MLP([1, 16, 16, 1], activation="tanh", rng=generator)
worst = check_network(larger, x, lambda y: mse(y, t))
say("""Relative error = |analytic - numerical| / max(|analytic|, |numerical|) per entry (with
nn.gradcheck's floor), the worst entry shown. Our chain rule and nn's backward differ by at most
{nn_error:.1e} (the same arithmetic); the five-point finite differences by {difference_error:.1e}.
The bug, dropping the factor tanh'(h), gives errors of {bug_error:.2f} or more in W1, b1 and x,
whose gradients pass through it; W2 and b2 sit after the tanh, so theirs stay right. The same
check on a 1-16-16-1 tanh MLP through nn.gradcheck.check_network: max relative error
{worst:.3g} at {where}: analytic {analytic}, numerical {numerical}.""",
    nn_error=max(errors["hand vs nn.backward"]),
    difference_error=max(errors["hand vs finite diff."]),
    bug_error=min(bug_errors[i] for i in (0, 1, 4)), worst=worst.max_relative_error,
    where=f"{worst.name}{list(worst.index)}", analytic=float(worst.analytic),
    numerical=float(worst.numerical))

fig, ax = plt.subplots(figsize=(8, 4))
width, positions = 0.27, np.arange(len(names))
floor = 1e-18                         # identical results (error 0) drawn at the floor
legends = (_fig("hand vs nn.backward"), _fig("hand vs finite diff."), _fig("bug vs finite diff."))
for offset, label, legend, color in zip((-1, 0, 1), checks, legends,
                                        ("tab:blue", "tab:green", "tab:red")):
    ax.bar(positions + offset * width, np.maximum(errors[label], floor), width, bottom=floor,
           color=color, label=legend)
    for position, error_value in zip(positions + offset * width, errors[label]):
        if error_value == 0:
            ax.text(position, 3 * floor, "0", ha="center", fontsize=8, color=color)
ax.axhline(np.finfo(np.float64).eps, color="black", linestyle=":",
           label=_fig("float64 epsilon"))
ax.set(yscale="log", ylim=(floor, 1e5), xticks=positions, xticklabels=names,
       xlabel=_fig("gradient of L with respect to"), ylabel=_fig("max relative error"),
       title=_fig("A correct backward agrees with finite differences; a bug stands out"))
ax.legend(fontsize=7, loc="upper center", ncol=4)
lesson.save(fig, FIGURES[0])

# %% [markdown]
# ## Fitting sin(x) on [-pi, pi] with an MLP and Adam
# Each step: a minibatch of x ~ U[-pi, pi], forward, loss and dL/dy, backward, one Adam step.

# %%
steps, batch_size = lesson.pick(3000, 800), 64
model = MLP([1, 32, 32, 1], activation="tanh", rng=generator)
optimizer = Adam(model, lr=3e-3)
x_grid = np.linspace(-np.pi, np.pi, 401)[:, None]
snapshots = {0: model.forward(x_grid)[:, 0].copy()}
losses = np.empty(steps)
for step in range(1, steps + 1):
    x_batch = generator.uniform(-np.pi, np.pi, size=(batch_size, 1))
    losses[step - 1], grad = mse(model.forward(x_batch), np.sin(x_batch))
    model.backward(grad)
    optimizer.step()
    if step in (steps // 20, steps // 4, steps):
        snapshots[step] = model.forward(x_grid)[:, 0].copy()
error = np.abs(snapshots[steps] - np.sin(x_grid[:, 0]))
say("""{steps} Adam steps of {batch_size} points ({parameters} parameters): minibatch loss
{first:.3f} over the first 10 steps, {last:.2e} over the last 100; on a grid of {points} points
the largest error |y - sin x| is {error:.3f}.""", steps=steps, batch_size=batch_size,
    parameters=model.flat_params.size, first=losses[:10].mean(), last=losses[-100:].mean(),
    points=x_grid.shape[0], error=error.max())

fig, (ax_loss, ax_fit) = plt.subplots(1, 2, figsize=(12, 4.2))
window = 50                              # running mean over 50 minibatches
ax_loss.semilogy(np.arange(1, steps + 1), losses, color="tab:blue", linewidth=0.5, alpha=0.4,
                 label=_fig("each minibatch"))
ax_loss.semilogy(np.arange(window, steps + 1), np.convolve(losses, np.ones(window) / window,
                 mode="valid"), color="tab:blue",
                 label=_fig("mean of {window} steps").format(window=window))
ax_loss.legend(fontsize=8)
ax_loss.set(xlabel=_fig("Adam step"), ylabel=_fig("minibatch MSE (log scale)"),
            title=_fig("The loss falls by orders of magnitude"))
ax_fit.plot(x_grid[:, 0], np.sin(x_grid[:, 0]), color="black", linestyle=":", linewidth=2.5,
            label=_fig("target sin(x)"))
for (step, fit), shade in zip(snapshots.items(), np.linspace(0.85, 0.0, len(snapshots))):
    ax_fit.plot(x_grid[:, 0], fit, color=plt.cm.Greens(1 - 0.8 * shade),
                label=_fig("step {step}").format(step=step))
ax_fit.set(xlabel="x", ylabel="y", xlim=(-np.pi, np.pi),
           title=_fig("The network's curve bends onto sin(x) as it trains"))
ax_fit.legend(fontsize=8)
lesson.save(fig, FIGURES[1])

# %%
print(_("Exercises"))
say("""1. Replace tanh by the sigmoid in forward() and in the backward pass (sigma' = sigma (1 -
sigma)). Rerun the three checks: which column tells you whether your backward is right?""")
say("""2. Fit sin(3x) instead with the same network and steps. How does the final error change?
Try a wider hidden layer (64) or lr = 1e-3 and explain what you see in the loss curve.""")
lesson.finish()
