"""The playground: ``python -m gan play`` trains this project's own G and D live in the browser.

`session` holds one live run (the game of `gan.game`, Algorithm 1's updates one at a time),
`view` computes what the page draws with the project's measurements (the exact p_g, D*, the
JSD), `server` serves the page and its JSON interface on 127.0.0.1 (the subcommand is
`gan.cli.play`), and `page.html` is the page: HTML, CSS and JS in one file, nothing fetched from
elsewhere.
"""
