"""Variants of the game from the course, each a small subclass of `gan.game.GAN`.

Each overrides only what it changes (a loss, a hook, an extra head) and is trained by the
same loop: ``gan.train.train(config, game=Variant)``.
"""
