"""Server-side options, read from the Jupyter server config (``c.Rees.…``)."""

from traitlets import Bool, Dict, Enum, Float, Int, List, Unicode
from traitlets.config import Configurable

from .core.model import PIN_POLICIES


class Rees(Configurable):
    """Options of the Make reproducible extension."""

    default_pin = Enum(
        list(PIN_POLICIES),
        default_value="==",
        help="How proposed requirements are pinned unless the request says otherwise.",
    ).tag(config=True)

    overrides = Dict(
        {},
        help="Import name -> distribution name, applied before every other resolver rule.",
    ).tag(config=True)

    python = Unicode(
        "",
        help="Interpreter to introspect instead of the notebooks' kernel (empty: the kernel's).",
    ).tag(config=True)

    freeze_startup_heap = Bool(
        True,
        help="Once the server has started, exempt the objects its start-up created from the "
        "cyclic garbage collector (gc.freeze), so that full collections are short and do not "
        "hold up requests.",
    ).tag(config=True)

    prepare_at_startup = Bool(
        True,
        help="While the server starts, import what a proposal runs and load the import-name "
        "data (a few tens of milliseconds, a few MB), so that the first proposal does not do "
        "it while other requests wait.",
    ).tag(config=True)

    introspection_timeout = Float(
        60.0, help="Seconds allowed for introspecting a kernel's environment."
    ).tag(config=True)

    check_index = Bool(
        False,
        help="Ask the package index whether names guessed for modules that are not installed "
        "exist (the only network use; off by default).",
    ).tag(config=True)

    resolve_before_write = Bool(
        True,
        help="Before writing a REES with lines not pinned from the kernel's environment (packages "
        "it lacks, ranges typed by hand), ask a resolver (uv pip compile, else pip's dry run) "
        "whether it resolves for the REES's Python, and hold back the lines that break it "
        "(needs the package index; when it cannot be reached the REES is written as proposed).",
    ).tag(config=True)

    index_url = Unicode(
        "https://pypi.org/pypi",
        help="The package index's JSON API, for check_index.",
    ).tag(config=True)

    max_file_size = Int(
        256 << 20,
        help="Largest notebook or Python file read by a scan, in bytes; larger files are "
        "reported as problems and not read (0: no limit).",
    ).tag(config=True)

    binderhubs = List(
        Unicode(),
        default_value=[],
        help="BinderHubs (https://host[/prefix]) whose launch links may go into a README "
        "besides mybinder.org.",
    ).tag(config=True)
