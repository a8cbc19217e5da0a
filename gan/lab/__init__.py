"""The lab: what experiments need around the paper's modules, and never the other way round.

    ensemble.py     E games trained at once on the fast engine's stacked axis
    sweep.py        a grid of settings over seeds, trained as ensembles, with success rates
    pool.py         the one process pool: local workers (fork, fork server or spawn) or a Dask
                    cluster, for the sweeps, the comparison and the digits' trainings
    success.py      the one definition of success: each criterion a predicate on a run's metrics
    table.py        the one text table: cells (a number, "-", mean ± spread), columns aligned
    run_folder.py   a run's output folder: validated, staged beside, renamed into place
    doctor.py       what happened in a run, named from its own numbers: converged, still
                    improving, D wins, oscillation, mode collapse; a sweep's success per setting;
                    a digits model against the real digits' floor (`python -m gan diagnose`)
    comparison/     variants against targets over seeds: the course's settings, each run measured
                    and judged alike, trained singly or stacked, effect sizes and the table
"""
