"""The comparison's trainings on worker processes: every (seed, model) pair is one job.

Each training runs single-threaded BLAS (gan.train and the coders' fit say why), so one
process uses one core; on the course's two-core machine two workers halve the wall time of
lesson 22's fifteen trainings.  A job is `comparison.train_model(name, ..., preset, seed)`,
the same call the main process would make, from the same seed: the networks that come back
are bitwise those of an in-process training (tests/test_gan_digits_parallel.py checks it).

Only the trained networks travel back (G and D of a GAN, the coder itself) with the
snapshot grids and the training time; the main process rebuilds each GAN's game around its
players with the config `comparison.gan_config` gives, so the 4000 training images are not
pickled fifteen times.  The workers are the lab's one pool (`gan.lab.pool`), forked from the
main process (start method "fork"), so they share its digits without a copy being sent; a fork
server or spawned processes would import the lesson's script again, whose top level is the run
itself.  Where fork does not exist (Windows) the trainings run here, one after the other.

`train_and_score_seeds` also scores each seed on a worker as soon as that seed's models are
trained (lesson 22): the scores of the first seeds fill time while later seeds train, and the
last seed's scores are the only work left alone at the end.

`train_games` does the same for any list of `gan.train.train(config, game=...)` calls (lesson
17's three GANs): the configs and game factories reach the workers through the fork, so a
lambda is a valid factory, and only each TrainResult's networks and history travel back.
`fit_coders` runs coders' fits (lesson 16's autoencoder and VAE) the same way.
`train_configs` trains several configurations of one game that way (lesson 18's DCGAN with
the course's and the paper's noise).
"""

from __future__ import annotations

import concurrent.futures

import numpy as np

from gan.digits.comparison import (GAMES, MODELS, TrainedModel, _CoderInterpolator,
                                   _CoderSampler, _GanInterpolator, _GanSampler, _check_preset,
                                   gan_config, train_model)
from gan.digits.gans import ConditionalDigitsGAN
from gan.lab.pool import can_fork, inherited, local_processes, run_chunks
from gan.train import train

# longest trainings first, so that the last job to start is a short one (measured per step:
# the DCGAN's is about twice an MLP GAN's, the coders' the shortest)
JOB_ORDER = ("DCGAN", "cGAN (MLP)", "MLP GAN", "VAE", "AE")


def train_seeds(train_images, train_labels, seeds, preset="full", models=MODELS, workers=2):
    """{seed: [TrainedModel of each of `models`, in that order]}: `train_model` of every
    (seed, model) pair, run on `workers` forked processes (workers=1: here, one after the
    other).
    TrainedModel.model is None for a model trained in a worker (the TrainResult stays
    there); its sampler, interpolator, grids, game and seconds are all present."""
    _check_preset(preset)
    seeds = list(seeds)
    _check_jobs(seeds, models, workers)
    if workers == 1 or not can_fork():
        return {seed: [train_model(name, train_images, train_labels, preset, seed)
                       for name in models] for seed in seeds}
    jobs = [(name, seed) for name in sorted(models, key=JOB_ORDER.index) for seed in seeds]

    def train_job(job, report):             # reaches the workers through the fork
        name, seed = job
        return _trained_record(name, seed, preset, train_images, train_labels)

    records = dict(zip(jobs, run_chunks(jobs, train_job, int(workers), start_method="fork")))
    return {seed: [_rebuilt(records[name, seed], train_images, train_labels, preset, seed)
                   for name in models] for seed in seeds}


def train_and_score_seeds(train_images, train_labels, seeds, score, preset="full",
                          models=MODELS, workers=2):
    """(train_seeds(...), {seed: score(seed, trained models of that seed)}): each seed is
    scored on a worker as soon as its last model is trained, so that scoring fills the time
    a worker would otherwise idle at the end and the seeds are scored in parallel.  `score`
    reaches the workers through the fork (a closure over the lesson's referee is valid); a
    seed's scores are computed as the main process would compute them, from what its own
    call draws.  The job order: the DCGANs (the longest) first, then the other models seed
    by seed, so that the first seeds are complete, and scored, while later ones train."""
    _check_preset(preset)
    _check_jobs(seeds, models, workers)
    if not callable(score):
        raise ValueError(f"score must be a callable (seed, trained) -> scores, got {score!r}")
    seeds = list(seeds)
    if workers == 1 or not can_fork():
        trained = train_seeds(train_images, train_labels, seeds, preset, models, workers=1)
        return trained, {seed: score(seed, trained[seed]) for seed in seeds}
    ordered = sorted(models, key=JOB_ORDER.index)
    first = [name for name in ordered if name == JOB_ORDER[0]]
    queue = [(name, seed) for name in first for seed in seeds]
    queue += [(name, seed) for seed in seeds for name in ordered if name not in first]
    records, scores, ready = {}, {}, []
    digits = {"images": train_images, "labels": train_labels, "score": score}
    with local_processes(int(workers), "fork", inherited=digits) as pool:
        running = {}
        while queue or ready or running:
            while len(running) < workers and (ready or queue):
                if ready:                      # a scoring job before the next training
                    seed = ready.pop(0)
                    job = pool.submit(_score_job, seed, preset,
                                      [records[name, seed] for name in models])
                    running[job] = ("score", seed)
                else:
                    name, seed = queue.pop(0)
                    running[pool.submit(_train_job, name, seed, preset)] = (name, seed)
            done, _ = concurrent.futures.wait(
                running, return_when=concurrent.futures.FIRST_COMPLETED)
            for job in done:
                name, seed = running.pop(job)
                if name == "score":
                    scores[seed] = job.result()
                    continue
                records[name, seed] = job.result()
                if all((other, seed) in records for other in models):
                    ready.append(seed)
    trained = {seed: [_rebuilt(records[name, seed], train_images, train_labels, preset, seed)
                      for name in models] for seed in seeds}
    return trained, {seed: scores[seed] for seed in seeds}


def _score_job(seed, preset, records):
    """score(seed, the models of `records` rebuilt as the main process rebuilds them), in a
    worker that inherited the digits and `score`."""
    trained = [_rebuilt(record, inherited("images"), inherited("labels"), preset, seed)
               for record in records]
    return inherited("score")(seed, trained)


def _check_jobs(seeds, models, workers):
    seeds = list(seeds)
    if not seeds or any(isinstance(s, bool) or not isinstance(s, (int, np.integer)) or s < 0
                        for s in seeds) or len(set(seeds)) != len(seeds):
        raise ValueError(f"seeds must be distinct non-negative integers, got {seeds!r}")
    unknown = [name for name in models if name not in MODELS]
    if unknown or not models:
        raise ValueError(f"models must be a non-empty selection of {MODELS}, got {models!r}")
    if isinstance(workers, bool) or not isinstance(workers, (int, np.integer)) or workers < 1:
        raise ValueError(f"workers must be a positive integer, got {workers!r}")


def _train_job(name, seed, preset):
    """`_trained_record` in a worker that inherited the digits."""
    return _trained_record(name, seed, preset, inherited("images"), inherited("labels"))


def _trained_record(name, seed, preset, train_images, train_labels):
    """The trained networks of train_model(name, ...) and what the table needs of the run."""
    entry = train_model(name, train_images, train_labels, preset, seed)
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


def train_games(jobs, workers=2):
    """[gan.train.train(config, game=game) for (config, game) in jobs], each training on one
    of `workers` forked processes (workers=1, or no fork: here, one after the other).  The
    results are those of the in-process trainings, bitwise: each training draws only from
    its config's seed.  The longest jobs should come first (the pool takes them in order)."""
    jobs = list(jobs)
    if not jobs or any(not isinstance(job, tuple) or len(job) != 2 or not callable(job[1])
                       for job in jobs):
        raise ValueError(f"jobs must be a non-empty list of (config, game) pairs, got {jobs!r}")
    results = _map_forked(_train_detached, jobs, _checked_workers(workers))
    for result, (config, _) in zip(results, jobs):
        result.config = config             # left out of the pickle: it holds the digits
    return results


def _train_detached(job):
    config, game = job
    result = train(config, game=game)
    result.config = None
    return result


def fit_coders(jobs, workers=2):
    """[(coder, coder.fit(images, rng, **settings)) for (coder, images, rng, settings) in
    jobs], each fit on one of `workers` forked processes (workers=1, or no fork: here, in
    order).  The fitted coders that come back are copies, bitwise those an in-process fit
    makes; the coders and generators passed in are left untouched by a worker's fit (when
    two fits share a generator, give the second the state the first leaves:
    Autoencoder.advance_past_fit)."""
    jobs = list(jobs)
    if not jobs or any(not isinstance(job, tuple) or len(job) != 4 for job in jobs):
        raise ValueError(f"jobs must be a non-empty list of (coder, images, rng, settings), "
                         f"got {jobs!r}")
    return _map_forked(_fit_coder, jobs, _checked_workers(workers))


def _fit_coder(job):
    coder, images, rng, settings = job
    return coder, coder.fit(images, rng, **settings)


def _checked_workers(workers):
    if isinstance(workers, bool) or not isinstance(workers, (int, np.integer)) or workers < 1:
        raise ValueError(f"workers must be a positive integer, got {workers!r}")
    return int(workers)


def _map_forked(run, jobs, workers):
    """[run(job) for job in jobs], on `workers` forked processes of the lab's pool when there are
    two or more of each (else here, in order).  `run` and the jobs reach the workers through
    the fork, not pickled; only what `run` returns travels back."""
    if not can_fork():
        workers = 1
    return run_chunks(jobs, lambda job, report: run(job), workers, start_method="fork")


# ---- several configurations of one game, each trained in its own worker --------------------
def train_configs(configs, game, workers=2):
    """[gan.train.train(config, game=game) for config in configs], trained as `train_games`
    trains its jobs: on `workers` forked processes at once, each result bitwise the in-process
    one (tests/test_gan_digits_parallel.py)."""
    from gan.digits.gans import DigitsConfig

    configs = list(configs)
    if not configs:
        raise ValueError("configs must be a non-empty list of DigitsConfig, got none")
    if not all(isinstance(config, DigitsConfig) for config in configs):
        raise TypeError(f"configs must be a non-empty list of DigitsConfig, got {configs!r}")
    if not isinstance(game, type):
        raise TypeError(f"game must be a game class such as gan.digits.dcgan.DCGAN, got "
                         f"{game!r}")
    return train_games([(config, game) for config in configs], workers)
