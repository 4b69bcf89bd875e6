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
    rees = Rees(parent=server_app)
    if rees.prepare_at_startup:
        _prepare(server_app.log)
    if rees.freeze_startup_heap and getattr(server_app, "io_loop", None) is not None:
        server_app.io_loop.add_callback(_freeze_startup_heap)
    server_app.log.info("jupyter_rees_ui: server extension loaded")


def _prepare(log) -> None:
    """Before the server listens: import what a proposal runs and load the import-name
    data (``workflow.prepare``), so that the first proposal does not, while requests
    wait; the start-up heap is then frozen with them in it."""
    try:
        from .workflow import prepare

        prepare()
    except Exception as error:  # the first proposal then does it, as it would anyway
        log.warning("jupyter_rees_ui: could not prepare proposals at start-up: %s", error)


def _freeze_startup_heap():
    """Once the server runs: collect, then move what its start-up built (modules,
    classes, configuration: hundreds of thousands of objects that live as long as the
    server) out of the cyclic garbage collector's reach (``gc.freeze``). A full
    collection otherwise walks all of them, holding the interpreter lock for 100 ms or
    more: a proposal's first allocations set one off and every request waited."""
    import gc

    gc.collect()
    gc.freeze()
