"""The scripts behind the project's claims: each module runs from the project's root as
`python -m experiments.NAME`; experiments/README.md names the claim each one backs."""
