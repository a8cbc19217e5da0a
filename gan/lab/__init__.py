"""The lab: what experiments need around the paper's modules, and never the other way round.

    ensemble.py     E games trained at once on the fast engine's stacked axis
    sweep.py        a grid of settings over seeds, trained as ensembles, with success rates
    pool.py         the one process pool: local workers (fork or fork server) or a Dask cluster
    run_folder.py   a run's output folder: validated, staged beside, renamed into place
    comparison/     variants against targets over seeds: the harness, the course's settings,
                    the success criteria, effect sizes and the table
"""
