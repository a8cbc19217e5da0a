"""The comparison's trainings on worker processes: every (seed, model) pair is one job.

Each training runs single-threaded BLAS (gan.train and the coders' fit say why), so one
process uses one core; on the course's two-core machine two workers halve the wall time of
lesson 22's fifteen trainings.  A job is `comparison.train_model(name, ..., preset, seed)`,
the same call the main process would make, from the same seed: the networks that come back
are bitwise those of an in-process training (tests/test_digits_parallel.py checks it).

Only the trained networks travel back (G and D of a GAN, the coder itself) with the
snapshot grids and the training time; the main process rebuilds each GAN's game around its
players with the config `comparison.gan_config` gives, so the 4000 training images are not
pickled fifteen times.  The workers are forked from the main process (start method "fork"),
so they share its digits without a copy being sent; a fork server or spawned processes would
import the lesson's script again, whose top level is the run itself.  Where fork does not
exist (Windows) the trainings run here, one after the other.

`train_configs` does the same for several configurations of one game (lesson 18's DCGAN with
the course's and the paper's noise): one `gan.train.train` per config, each in its own worker.
"""

from __future__ import annotations

import concurrent.futures
import multiprocessing

import numpy as np

from gan.digits.comparison import (GAMES, MODELS, TrainedModel, _CoderInterpolator,
                                   _CoderSampler, _GanInterpolator, _GanSampler, _check_preset,
                                   gan_config, train_model)
from gan.digits.gans import ConditionalDigitsGAN

# longest trainings first, so that the last job to start is a short one (measured per step:
# the DCGAN's is about twice an MLP GAN's, the coders' the shortest)
JOB_ORDER = ("DCGAN", "cGAN (MLP)", "MLP GAN", "VAE", "AE")
_DIGITS = {}                  # a worker's training digits, set once by _start_worker


def train_seeds(train_images, train_labels, seeds, preset="full", models=MODELS, workers=2):
    """{seed: [TrainedModel of each of `models`, in that order]}: `train_model` of every
    (seed, model) pair, run on `workers` forked processes (workers=1: here, one after the
    other).
    TrainedModel.model is None for a model trained in a worker (the TrainResult stays
    there); its sampler, interpolator, grids, game and seconds are all present."""
    _check_preset(preset)
    seeds = list(seeds)
    if not seeds or any(isinstance(s, bool) or not isinstance(s, (int, np.integer)) or s < 0
                        for s in seeds) or len(set(seeds)) != len(seeds):
        raise ValueError(f"seeds must be distinct non-negative integers, got {seeds!r}")
    unknown = [name for name in models if name not in MODELS]
    if unknown or not models:
        raise ValueError(f"models must be a non-empty selection of {MODELS}, got {models!r}")
    if isinstance(workers, bool) or not isinstance(workers, (int, np.integer)) or workers < 1:
        raise ValueError(f"workers must be a positive integer, got {workers!r}")
    if workers == 1 or "fork" not in multiprocessing.get_all_start_methods():
        return {seed: [train_model(name, train_images, train_labels, preset, seed)
                       for name in models] for seed in seeds}
    jobs = [(name, seed) for name in sorted(models, key=JOB_ORDER.index) for seed in seeds]
    context = multiprocessing.get_context("fork")
    with concurrent.futures.ProcessPoolExecutor(
            max_workers=min(int(workers), len(jobs)), mp_context=context,
            initializer=_start_worker, initargs=(train_images, train_labels)) as pool:
        futures = {job: pool.submit(_train_job, *job, preset) for job in jobs}
        records = {job: future.result() for job, future in futures.items()}
    return {seed: [_rebuilt(records[name, seed], train_images, train_labels, preset, seed)
                   for name in models] for seed in seeds}


def _start_worker(train_images, train_labels):
    _DIGITS["images"], _DIGITS["labels"] = train_images, train_labels


def _train_job(name, seed, preset):
    """The trained networks of train_model(name, ...) and what the table needs of the run."""
    entry = train_model(name, _DIGITS["images"], _DIGITS["labels"], preset, seed)
    players = (entry.game.G, entry.game.D) if entry.game is not None else entry.model
    return {"name": name, "seconds": entry.seconds, "grids": entry.grids,
            "grid_steps": entry.grid_steps, "players": players}


def _rebuilt(record, train_images, train_labels, preset, seed):
    """A TrainedModel around the networks a worker trained, as train_model builds it."""
    name = record["name"]
    if name not in GAMES:
        coder = record["players"]
        return TrainedModel(name, _CoderSampler(coder), False, record["seconds"], coder,
                            _CoderInterpolator(coder), record["grids"], record["grid_steps"])
    config = gan_config(name, train_images, train_labels, preset, seed)
    game = GAMES[name].from_players(config, *record["players"], None, None)
    conditional = GAMES[name] is ConditionalDigitsGAN
    return TrainedModel(name, _GanSampler(game, conditional), conditional, record["seconds"],
                        None, _GanInterpolator(game, conditional), record["grids"],
                        record["grid_steps"], game)


# ---- several configurations of one game, each trained in its own worker --------------------
_CONFIGS = {}                 # a worker's configurations, set once by _start_config_worker


def train_configs(configs, game, workers=2):
    """[gan.train.train(config, game=game) for config in configs], the trainings run on
    `workers` forked processes at once (workers=1, or no fork: here, one after the other).

    Each worker trains from its config's own seed with one BLAS thread, so every result is
    bitwise the in-process one (tests/test_digits_parallel.py).  The configs reach the
    workers through the fork, not pickled; what comes back is G, D, the History and the
    metrics, and the TrainResult is rebuilt here around the config given."""
    from gan.digits.gans import DigitsConfig
    from gan.train import train

    configs = list(configs)
    if not configs:
        raise ValueError("configs must be a non-empty list of DigitsConfig, got none")
    if not all(isinstance(config, DigitsConfig) for config in configs):
        raise TypeError(f"configs must be a non-empty list of DigitsConfig, got {configs!r}")
    if not isinstance(game, type):
        raise TypeError(f"game must be a game class such as gan.digits.dcgan.DCGAN, got "
                         f"{game!r}")
    if isinstance(workers, bool) or not isinstance(workers, (int, np.integer)) or workers < 1:
        raise ValueError(f"workers must be a positive integer, got {workers!r}")
    if workers == 1 or len(configs) == 1 or "fork" not in multiprocessing.get_all_start_methods():
        return [train(config, game=game) for config in configs]
    context = multiprocessing.get_context("fork")
    with concurrent.futures.ProcessPoolExecutor(
            max_workers=min(int(workers), len(configs)), mp_context=context,
            initializer=_start_config_worker, initargs=(configs, game)) as pool:
        records = list(pool.map(_train_config_job, range(len(configs))))
    return [_rebuilt_result(record, config) for record, config in zip(records, configs)]


def _start_config_worker(configs, game):
    _CONFIGS["configs"], _CONFIGS["game"] = configs, game


def _train_config_job(index):
    from gan.train import train

    result = train(_CONFIGS["configs"][index], game=_CONFIGS["game"])
    return {"G": result.G, "D": result.D, "history": result.history,
            "metrics": result.metrics}


def _rebuilt_result(record, config):
    from gan.train import TrainResult

    return TrainResult(record["G"], record["D"], record["history"], config, record["metrics"])
