"""Server configuration for the Galata UI tests."""

from jupyterlab.galata import configure_jupyter_server

configure_jupyter_server(c)  # noqa: F821 (c is the config object Jupyter passes in)
c.ServerApp.allow_root = True  # noqa: F821 (CI runs as root)
c.LabApp.news_url = ""  # noqa: F821 (no network here)
