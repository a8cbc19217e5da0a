"""Algorithm 1's step in PyTorch eager: the anchor the benchmarks time our step against.

The players are the config's: G 1-g_hidden-1 and D 1-d_hidden-1 as torch.nn.Sequential of Linear
layers with the config's hidden activations (softplus, or LeakyReLU(0.2)), each with
torch.optim.Adam(lr, betas). One step is what `gan.train.algorithm1_step` does with the
non-saturating generator loss, written from logits as ours is:

    k times:  x ~ p_data, z ~ N(0, 1), m of each;
              L_D = mean softplus(-D(x)) + mean softplus(D(G(z)))
                  = -mean log D(x) - mean log(1 - D(G(z)));  one Adam step of D
    once:     z ~ N(0, 1), m of them;
              L_G = mean softplus(-D(G(z))) = -mean log D(G(z));  one Adam step of G

PyTorch is never a dependency of the project: the benchmarks import it when they can and pass
the module in.
"""

SLOPE = 0.2        # LeakyReLU's slope, as gan.config's "leaky_relu"


def torch_mlp(torch, sizes, activation, dtype):
    """Sequential(Linear(sizes[0], sizes[1]), f, ..., Linear(sizes[-2], sizes[-1])) with f the
    named activation after every hidden layer and none after the last."""
    activations = {"softplus": torch.nn.Softplus, "leaky_relu": lambda: torch.nn.LeakyReLU(SLOPE)}
    if activation not in activations:
        raise ValueError(f"activation must be one of {sorted(activations)}, got {activation!r}")
    layers = []
    for index, (fan_in, fan_out) in enumerate(zip(sizes[:-1], sizes[1:])):
        layers.append(torch.nn.Linear(fan_in, fan_out, dtype=dtype))
        if index < len(sizes) - 2:
            layers.append(activations[activation]())
    return torch.nn.Sequential(*layers)


class TorchGAN:
    """G, D and their Adam optimisers in PyTorch, built from a GANConfig (its players, m, k, the
    learning rates, betas, p_data = N(mu, sigma^2), dtype and seed); `step` is one iteration of
    Algorithm 1 (see the module notes)."""

    def __init__(self, torch, config):
        self.torch, self.config = torch, config
        self.dtype = {"float64": torch.float64, "float32": torch.float32}[config.dtype]
        torch.manual_seed(config.seed)
        self.G = torch_mlp(torch, [1, *config.g_hidden, 1], config.g_activation, self.dtype)
        self.D = torch_mlp(torch, [1, *config.d_hidden, 1], config.d_activation, self.dtype)
        self.opt_g = torch.optim.Adam(self.G.parameters(), lr=config.lr_g, betas=config.betas)
        self.opt_d = torch.optim.Adam(self.D.parameters(), lr=config.lr_d, betas=config.betas)
        self.mu, self.sigma = float(config.target.mu), float(config.target.sigma)

    def set_learning_rates(self, factor):
        """lr_d and lr_g times the schedule's factor for the next steps, as `train` sets ours."""
        for group in self.opt_d.param_groups:
            group["lr"] = self.config.lr_d * factor
        for group in self.opt_g.param_groups:
            group["lr"] = self.config.lr_g * factor

    def step(self):
        """k updates of D, then one of G; returns (L_D, L_G) as floats."""
        torch, G, D, dtype, m = self.torch, self.G, self.D, self.dtype, self.config.batch_size
        softplus = torch.nn.functional.softplus
        for _ in range(self.config.k):
            x_real = torch.randn(m, 1, dtype=dtype) * self.sigma + self.mu
            with torch.no_grad():
                x_fake = G(torch.randn(m, 1, dtype=dtype))
            logits = D(torch.cat([x_real, x_fake]))
            d_loss = softplus(-logits[:m]).mean() + softplus(logits[m:]).mean()
            self.opt_d.zero_grad(set_to_none=True)
            d_loss.backward()
            self.opt_d.step()
        D.requires_grad_(False)        # G's update needs dL/dx through D, not D's gradients
        g_loss = softplus(-D(G(torch.randn(m, 1, dtype=dtype)))).mean()
        self.opt_g.zero_grad(set_to_none=True)
        g_loss.backward()
        self.opt_g.step()
        D.requires_grad_(True)
        return d_loss.item(), g_loss.item()
