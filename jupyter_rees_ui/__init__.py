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
    from .config import Rees
    from .handlers import setup_handlers

    setup_handlers(server_app.web_app, server_app)
    if Rees(parent=server_app).freeze_startup_heap and getattr(server_app, "io_loop", None) is not None:
        server_app.io_loop.add_callback(_freeze_startup_heap)
    server_app.log.info("jupyter_rees_ui: server extension loaded")


def _freeze_startup_heap():
    """Once the server runs: collect, then move what its start-up built (modules,
    classes, configuration: hundreds of thousands of objects that live as long as the
    server) out of the cyclic garbage collector's reach (``gc.freeze``). A full
    collection otherwise walks all of them, holding the interpreter lock for 100 ms or
    more: a proposal's first allocations set one off and every request waited."""
    import gc

    gc.collect()
    gc.freeze()
