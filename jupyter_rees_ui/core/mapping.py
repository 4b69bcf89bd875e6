"""Import name -> distribution guesses for modules that are *not installed*.

Two layers, most specific first:

1. ``CORRECTIONS``: our reviewed table, keyed by dotted import prefix. It fixes entries
   of pipreqs' mapping that are known to be wrong (``google`` -> protobuf for every
   ``google.*`` import, ``MySQLdb`` -> the Python-2-only MySQL-python, ...) and adds
   common name mismatches pipreqs lacks (``cv2``, ``skimage``, ``docx`` ...).
2. pipreqs' bundled ``mapping`` file (``import:distribution`` per line), read from the
   installed ``pipreqs`` package.

Lookups take the longest dotted prefix, so ``google.cloud.storage`` finds
``google-cloud-storage`` before anything keyed by ``google``.
"""

from __future__ import annotations

import functools
import importlib.resources
from collections.abc import Mapping
from dataclasses import dataclass, field

from packaging.utils import canonicalize_name

# Reviewed corrections and additions: dotted import prefix -> PyPI distribution.
# An empty string means "no distribution to guess" (drop pipreqs' wrong answer).
CORRECTIONS: Mapping[str, str] = {
    # pipreqs maps every google.* import to protobuf.
    "google": "",
    "google.protobuf": "protobuf",
    "google.cloud": "",
    "google.cloud.aiplatform": "google-cloud-aiplatform",
    "google.cloud.bigquery": "google-cloud-bigquery",
    "google.cloud.bigquery_storage": "google-cloud-bigquery-storage",
    "google.cloud.bigtable": "google-cloud-bigtable",
    "google.cloud.datastore": "google-cloud-datastore",
    "google.cloud.dlp": "google-cloud-dlp",
    "google.cloud.firestore": "google-cloud-firestore",
    "google.cloud.kms": "google-cloud-kms",
    "google.cloud.language": "google-cloud-language",
    "google.cloud.logging": "google-cloud-logging",
    "google.cloud.pubsub": "google-cloud-pubsub",
    "google.cloud.pubsub_v1": "google-cloud-pubsub",
    "google.cloud.secretmanager": "google-cloud-secret-manager",
    "google.cloud.spanner": "google-cloud-spanner",
    "google.cloud.speech": "google-cloud-speech",
    "google.cloud.storage": "google-cloud-storage",
    "google.cloud.translate": "google-cloud-translate",
    "google.cloud.translate_v2": "google-cloud-translate",
    "google.cloud.vision": "google-cloud-vision",
    "google.api_core": "google-api-core",
    "google.auth": "google-auth",
    "google.oauth2": "google-auth",
    "google_auth_oauthlib": "google-auth-oauthlib",
    "google.generativeai": "google-generativeai",
    "google.genai": "google-genai",
    "google.colab": "",  # only exists inside Colab
    "googleapiclient": "google-api-python-client",
    # pipreqs lists ten azure_* packages for every azure.* import.
    "azure": "",
    "azure.ai.ml": "azure-ai-ml",
    "azure.core": "azure-core",
    "azure.cosmos": "azure-cosmos",
    "azure.data.tables": "azure-data-tables",
    "azure.eventhub": "azure-eventhub",
    "azure.identity": "azure-identity",
    "azure.keyvault.secrets": "azure-keyvault-secrets",
    "azure.servicebus": "azure-servicebus",
    "azure.storage.blob": "azure-storage-blob",
    "azure.storage.filedatalake": "azure-storage-file-datalake",
    "azure.storage.queue": "azure-storage-queue",
    "azureml.core": "azureml-core",
    # Wrong or dead pipreqs entries.
    "MySQLdb": "mysqlclient",  # MySQL-python is Python 2 only
    "builtins": "",  # standard library on Python 3 (pipreqs: pies2overrides)
    "ruamel": "",
    "ruamel.yaml": "ruamel.yaml",  # pipreqs: ruamel.base
    "slugify": "python-slugify",  # pipreqs lists two; python-slugify is the maintained one
    "snappy": "python-snappy",  # pipreqs: ctypes_snappy
    "socks": "PySocks",  # pipreqs: SocksiPy_branch
    "sklearn": "scikit-learn",
    # Common mismatches pipreqs lacks.
    "Bio": "biopython",
    "OpenGL": "PyOpenGL",
    "Xlib": "python-xlib",
    "attr": "attrs",
    "bson": "pymongo",
    "cairo": "pycairo",
    "community": "python-louvain",
    "cpuinfo": "py-cpuinfo",
    "cv2": "opencv-python",
    "docx": "python-docx",
    "faiss": "faiss-cpu",
    "fitz": "PyMuPDF",
    "gi": "PyGObject",
    "gridfs": "pymongo",
    "hydra": "hydra-core",
    "imblearn": "imbalanced-learn",
    "jose": "python-jose",
    "kafka": "kafka-python",
    "llama_cpp": "llama-cpp-python",
    "llama_index": "llama-index",
    "mpl_toolkits": "matplotlib",
    "mpl_toolkits.basemap": "basemap",
    "nacl": "PyNaCl",
    "odf": "odfpy",
    "osgeo": "GDAL",
    "pkg_resources": "setuptools",
    "pptx": "python-pptx",
    "pylab": "matplotlib",
    "pyro": "pyro-ppl",
    "pythoncom": "pywin32",
    "pywintypes": "pywin32",
    "rest_framework": "djangorestframework",
    "skimage": "scikit-image",
    "skopt": "scikit-optimize",
    "snowflake.connector": "snowflake-connector-python",
    "socketio": "python-socketio",
    "speech_recognition": "SpeechRecognition",
    "stable_baselines3": "stable-baselines3",
    "tabula": "tabula-py",
    "talib": "TA-Lib",
    "umap": "umap-learn",
    "websocket": "websocket-client",
    "win32api": "pywin32",
    "win32com": "pywin32",
    "win32con": "pywin32",
    "yaml": "PyYAML",
    "yt_dlp": "yt-dlp",
}


# IPython extensions (``%load_ext NAME``) whose module is not named like its project.
CORRECTIONS = {
    **CORRECTIONS,
    "autotime": "ipython-autotime",
    "Cython": "Cython",
    "nb_black": "nb-black",
    "lab_black": "nb-black",
    "jupyter_black": "jupyter-black",
    "rpy2": "rpy2",
    "oct2py": "oct2py",
    "kedro": "kedro",
    "heat": "py-heat-magic",
    "fortranmagic": "fortran-magic",
    "jupyter_ai_magics": "jupyter-ai-magics",
    "jupyter_ai": "jupyter-ai",
}

# Modules that several maintained distributions provide: which one is the user's
# decision, never a silent pick (``%load_ext sql``: jupysql took over ipython-sql).
CHOICES: Mapping[str, tuple[str, ...]] = {
    "sql": ("jupysql", "ipython-sql"),
    "cudf": ("cudf-cu12", "cudf-cu11"),
    "cupy": ("cupy-cuda12x", "cupy-cuda11x", "cupy"),
    "magic": ("python-magic", "python-magic-bin"),
    "jwt": ("PyJWT", "python-jwt"),
    "serial": ("pyserial", "serial"),
}


# Namespace packages whose sub-packages are separate distributions named after the
# dotted path (google.cloud.storage -> google-cloud-storage). Imports under them that no
# table knows are guessed that way instead of as the namespace itself.
NAMESPACES: frozenset[str] = frozenset(
    {"azure", "azure.mgmt", "azure.ai", "azure.storage", "azure.keyvault", "google",
     "google.cloud", "jaraco", "sphinxcontrib", "zope", "backports"}
)


# Why a module with an empty correction has no distribution (default: a namespace).
NO_DISTRIBUTION_REASONS: Mapping[str, str] = {
    "google.colab": "it only exists inside Google Colab",
    "builtins": "it is part of the standard library",
}


@dataclass(frozen=True)
class MappingAnswer:
    prefix: str  # the dotted prefix that matched
    distributions: tuple[str, ...]  # one, or several when the data is ambiguous
    origin: str  # "corrections" | "choices" | "pipreqs" | "namespace"


@dataclass(frozen=True)
class ModuleMapping:
    """Dotted import prefix -> candidate distributions, corrections first."""

    corrections: Mapping[str, str] = field(default_factory=dict)
    pipreqs: Mapping[str, tuple[str, ...]] = field(default_factory=dict)

    def lookup(self, module: str) -> MappingAnswer | None:
        """The longest dotted prefix of ``module`` known to either table.

        A correction of "" answers with no distribution: nothing on the index
        provides that module (``google.colab``), or pipreqs' entry is known to be
        wrong (``google`` -> protobuf). Under a namespace package the dotted path
        names the distribution.
        """
        parts = module.split(".")
        for end in range(len(parts), 0, -1):
            prefix = ".".join(parts[:end])
            if prefix in NAMESPACES and end < len(parts):
                name = ".".join(parts[: end + 1])
                return MappingAnswer(name, (name.replace(".", "-").replace("_", "-"),), "namespace")
            if prefix in self.corrections:
                dist = self.corrections[prefix]
                return MappingAnswer(prefix, (dist,) if dist else (), "corrections")
            if prefix in CHOICES:
                return MappingAnswer(prefix, CHOICES[prefix], "choices")
            if prefix in self.pipreqs:
                return MappingAnswer(prefix, self.pipreqs[prefix], "pipreqs")
        return None


def parse_pipreqs_mapping(text: str) -> dict[str, tuple[str, ...]]:
    """Parse pipreqs' ``import:distribution`` lines; repeated imports keep every
    distinct distribution, in file order."""
    found: dict[str, list[str]] = {}
    for raw in text.splitlines():
        line = raw.strip()
        if not line or line.startswith("#") or ":" not in line:
            continue
        module, _, dist = line.partition(":")
        module, dist = module.strip(), dist.strip()
        if not module or not dist:
            continue
        dists = found.setdefault(module, [])
        if all(canonicalize_name(d) != canonicalize_name(dist) for d in dists):
            dists.append(dist)
    return {module: tuple(dists) for module, dists in sorted(found.items())}


def build_mapping(
    pipreqs_text: str = "", corrections: Mapping[str, str] | None = None
) -> ModuleMapping:
    return ModuleMapping(
        corrections=dict(CORRECTIONS if corrections is None else corrections),
        pipreqs=parse_pipreqs_mapping(pipreqs_text),
    )


@functools.lru_cache(maxsize=1)
def bundled_mapping() -> ModuleMapping:
    """Our corrections over the mapping file shipped inside the installed pipreqs."""
    return build_mapping(read_pipreqs_mapping_text())


def read_pipreqs_mapping_text() -> str:
    """The text of ``pipreqs/mapping``, or "" when pipreqs is not installed."""
    try:
        return importlib.resources.files("pipreqs").joinpath("mapping").read_text("utf-8")
    except (ModuleNotFoundError, FileNotFoundError, NotADirectoryError):
        return ""

