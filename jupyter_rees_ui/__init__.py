"""jupyter-rees-ui: make a folder of notebooks reproducible (REES + Binder badge)."""

try:
    from ._version import __version__
except ImportError:  # running from a source tree that was never built
    __version__ = "0.0.0+unknown"


def _jupyter_labextension_paths():
    return [{"src": "labextension", "dest": "jupyter-rees-ui"}]


def _jupyter_server_extension_points():
    return [{"module": "jupyter_rees_ui"}]


def _load_jupyter_server_extension(server_app):
    from .handlers import setup_handlers

    setup_handlers(server_app.web_app, server_app)
    server_app.log.info("jupyter_rees_ui: server extension loaded")
