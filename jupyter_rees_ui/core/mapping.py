"""Import name -> distribution answers for modules that are *not installed*.

Three sources, all keyed by dotted import prefix:

1. ``CORRECTIONS`` (and ``CHOICES``): our reviewed table. It fixes entries of pipreqs'
   mapping that are known to be wrong (``google`` -> protobuf for every ``google.*``
   import, ``MySQLdb`` -> the Python-2-only MySQL-python, ...), settles modules that
   several distributions ship (``cv2`` -> opencv-python) and lists the ones where the
   choice is the user's (``CHOICES``: ``%load_ext sql`` -> jupysql or ipython-sql).
2. The wheel data (``data/import_names.json.gz``, built by
   ``scripts/build_import_names.py``): for a few thousand of the most used
   distributions, the import names their newest wheel provides (its file list and its
   PEP 794 ``Import-Name`` metadata). It knows the names that equal their distribution
   (``numpy``) as well as the ones that differ, and it knows when two distributions
   provide the same module.
3. pipreqs' bundled ``mapping`` file (``import:distribution`` per line), read from the
   installed ``pipreqs`` package: a hand-kept table of names that differ.

How an import is answered (``ModuleMapping.lookup``): the longest dotted prefix that
any source knows wins, so ``google.cloud.storage`` finds google-cloud-storage before
anything keyed by ``google``. At one prefix:

- our corrections, then our choices, answer alone (they are reviewed);
- else the wheel data and pipreqs are read together. One distribution provides the
  module and pipreqs names no other one -> that distribution, with certainty. Several
  wheels provide it -> a decision listing them, unless pipreqs names exactly one of them
  (then pipreqs settles it and the others are listed as alternatives). pipreqs naming a
  distribution the wheel data examined and found *not* providing the module is a stale
  entry and is ignored; one the wheel data never examined is another candidate, so
  the answer is a decision; so is a widely used distribution published only as source
  and named like the module (``pyspark``: a wheel of databricks-connect also ships it);
- else pipreqs alone (one distribution: certain; several: a decision);
- a decision between wheels at a longer prefix (``docker.api``: docker or docker-py) is
  settled by our corrections or a single pipreqs entry for a package above it
  (``docker`` -> docker) when that names one of the candidates;
- under a namespace package with no entry (``google.cloud.newthing``), the dotted path
  is only a naming convention: a guess; so is the owner of a package for an import
  under a sub-package that other wheels install into (``airflow.providers.x``).

The resolver asks this only for modules the kernel's environment does not have: an
installed distribution always answers first.
"""

from __future__ import annotations

import functools
import importlib.util
import json
import os
import zlib
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any

from packaging.utils import NormalizedName, canonicalize_name

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
    "feather": "feather-format",
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
    # Modules the wheels of several distributions provide, where one is the project
    # itself and the others are its slimmer builds, forks or renamed predecessors.
    "backoff": "backoff",  # python-backoff: a fork
    "delta": "delta-spark",  # databricks-connect bundles a copy
    "lark": "lark",  # lark-parser: its old name
    "mlflow": "mlflow",  # mlflow-skinny, mlflow-tracing: subsets of it
    "onnxruntime": "onnxruntime",  # onnxruntime-gpu: the CUDA build
    "phonenumbers": "phonenumbers",  # phonenumberslite: without metadata
    "PySide6": "PySide6",  # PySide6-Essentials, PySide6-Addons: its parts
    "retry": "retry",  # retry2: a fork
    "tf_keras": "tf-keras",  # tf-keras-nightly
    "urllib3": "urllib3",  # urllib3-future: a fork that replaces it
    "boto3": "boto3",  # ibm-cos-sdk ships a copy
    "botocore": "botocore",
    "s3transfer": "s3transfer",
    "dataclasses_json": "dataclasses-json",  # dataclasses-json-speakeasy: a fork
    "docker": "docker",  # docker-py: its old name
    "docstring_parser": "docstring-parser",  # docstring_parser_fork
    "nose": "nose",  # pynose: a fork
    "pinecone": "pinecone",  # pinecone-client: its old name
    "tensorflow": "tensorflow",  # tensorflow-cpu: a build of it
    "pyspark": "pyspark",  # source only; databricks-connect ships a copy
    "chromadb": "chromadb",  # chromadb-client: its thin client
    "cvxpy": "cvxpy",  # cvxpy-base: without solvers
    "deepdiff": "deepdiff",  # deepdiff6: an old fork
    "diskcache": "diskcache",
    "keras": "keras",  # keras-nightly
    "litellm": "litellm",
    "mmengine": "mmengine",  # mmengine-lite
    "onnx": "onnx",  # onnx-weekly
    "openvino": "openvino",  # openvino-dev: tools around it
    "passlib": "passlib",  # libpass: a fork
    "polars": "polars",  # polars-lts-cpu: a build for old CPUs
    "prefect": "prefect",  # prefect-client: a subset
    "pygame": "pygame",  # pygame-ce: a fork
    "qiskit": "qiskit",  # qiskit-terra: its old core
    "rdkit": "rdkit",  # rdkit-pypi: its old name
    "tensorboard": "tensorboard",  # tb-nightly
    "tensordict": "tensordict",
    "tensorflow_datasets": "tensorflow-datasets",  # tfds-nightly
    "tensorflow_probability": "tensorflow-probability",  # tfp-nightly
    "triton": "triton",  # builds for other platforms
    "vllm": "vllm",  # vllm-tpu
    "xgboost": "xgboost",  # xgboost-cpu: a smaller build
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
     "google.cloud", "jaraco", "sphinxcontrib", "zope", "backports", "databricks"}
)


# Why a module with an empty correction has no distribution (default: a namespace).
NO_DISTRIBUTION_REASONS: Mapping[str, str] = {
    "google.colab": "it only exists inside Google Colab",
    "builtins": "it is part of the standard library",
}


@dataclass(frozen=True)
class MappingAnswer:
    prefix: str  # the dotted prefix that matched
    distributions: tuple[str, ...]  # one, or several when the answer is a decision
    origin: str  # "corrections" | "choices" | "wheels" | "pipreqs" | "namespace"
    # other distributions that provide the module, when one source settles the choice
    alternatives: tuple[str, ...] = ()


@dataclass(frozen=True)
class WheelData:
    """Which import names the wheels of widely used distributions provide."""

    modules: Mapping[str, tuple[str, ...]] = field(default_factory=dict)
    examined: frozenset[NormalizedName] = frozenset()  # distributions whose wheel was read
    generated: str = ""
    # widely used distributions published only as source: canonical name -> name
    without_wheel: Mapping[NormalizedName, str] = field(default_factory=dict)

    def providers_below(self, prefix: str) -> frozenset[NormalizedName]:
        """Every distribution with a module at or under the dotted ``prefix`` (two or
        more parts). Worked out when asked: a run asks it for a few imports, and
        indexing the whole data up front cost more than the run's lookups together."""
        found: set[NormalizedName] = set()
        under = prefix + "."
        for module in self._dotted_under_top.get(prefix.partition(".")[0], ()):
            if module == prefix or module.startswith(under):
                found.update(canonicalize_name(d) for d in self.modules[module])
        return frozenset(found)

    def providers_of_children(self, prefix: str) -> frozenset[NormalizedName]:
        """The distributions of the entries right under the dotted ``prefix``."""
        found: set[NormalizedName] = set()
        for module in self._dotted_under_top.get(prefix.partition(".")[0], ()):
            if module.rpartition(".")[0] == prefix:
                found.update(canonicalize_name(d) for d in self.modules[module])
        return frozenset(found)

    def prepare(self) -> None:
        """Group the dotted entries now (``_dotted_under_top``), rather than in the first
        lookup that needs them: a run with time to spare while its files are read does it
        then, instead of after the last file (about 1.5 ms)."""
        self._dotted_under_top  # noqa: B018 - computed and kept by the cached property

    @functools.cached_property
    def _dotted_under_top(self) -> Mapping[str, tuple[str, ...]]:
        """Top-level name -> the dotted entries under it (a few thousand of all)."""
        grouped: dict[str, list[str]] = {}
        for module in self.modules:
            top, dot, _ = module.partition(".")
            if dot:
                grouped.setdefault(top, []).append(module)
        return {top: tuple(modules) for top, modules in grouped.items()}

    @classmethod
    def from_json(cls, data: Mapping[str, object]) -> WheelData:
        modules = data.get("modules", {})
        examined = data.get("examined", [])
        without_wheel = data.get("without_wheel", [])
        if not isinstance(modules, dict) or not isinstance(examined, list) or not isinstance(without_wheel, list):
            raise ValueError(
                "import-name data: 'modules' must be an object, 'examined' and 'without_wheel' lists"
            )
        return cls(
            modules={str(k): tuple(str(d) for d in v) for k, v in modules.items()},
            examined=frozenset(_canonical(str(n)) for n in examined),
            generated=str(data.get("generated") or ""),
            without_wheel={_canonical(str(n)): str(n) for n in without_wheel},
        )


def _canonical(name: str) -> NormalizedName:
    """``canonicalize_name``, skipped for the names already in canonical form (most of
    the ten thousand a run loads)."""
    if name.islower() and "_" not in name and "." not in name and "--" not in name:
        return NormalizedName(name)
    return canonicalize_name(name)


@dataclass(frozen=True)
class ModuleMapping:
    """Dotted import prefix -> candidate distributions (see the module's docstring)."""

    corrections: Mapping[str, str] = field(default_factory=dict)
    pipreqs: Mapping[str, tuple[str, ...]] = field(default_factory=dict)
    # the data, or a function that reads it when an import first needs it
    wheel_data: WheelData | Callable[[], WheelData] = field(default_factory=WheelData)

    @functools.cached_property
    def wheels(self) -> WheelData:
        return self.wheel_data if isinstance(self.wheel_data, WheelData) else self.wheel_data()

    def lookup(self, module: str) -> MappingAnswer | None:
        """The answer for the longest dotted prefix of ``module`` that a source knows.

        A package's owner answers for its sub-modules, unless the wheel data shows other
        distributions installing modules under the sub-package the import goes through
        (``airflow.providers``): then the owner is only a guess (origin "shared").

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
            answer = self._wheels_and_pipreqs(prefix)
            if answer is not None and end < len(parts) and answer.origin == "wheels":
                answer = self._shared_below(answer, ".".join(parts[: end + 1]))
            if answer is not None:
                return self._settled_above(answer, parts[: end - 1]) if len(answer.distributions) > 1 else answer
        return None

    def _shared_below(self, answer: MappingAnswer, child: str) -> MappingAnswer:
        """``airflow`` is apache-airflow-core's, but other wheels install modules under
        ``airflow.providers``: for ``airflow.providers.x`` the package's owner is only a
        guess (origin "shared"); so it is for ``dbt.adapters.x`` when other wheels
        install ``dbt.adapters.snowflake`` beside it."""
        owners = {canonicalize_name(d) for d in answer.distributions}
        below = self.wheels.providers_below(child)
        siblings = self.wheels.providers_of_children(child.rsplit(".", 1)[0])
        if below - owners or siblings - owners:
            return MappingAnswer(child, answer.distributions, "shared")
        return answer

    def _settled_above(self, answer: MappingAnswer, parents: list[str]) -> MappingAnswer:
        """A decision between wheels for ``docker.api`` that our corrections or pipreqs
        settle for the package above it (``docker`` -> docker) is settled."""
        candidates = {canonicalize_name(d): d for d in answer.distributions}
        for end in range(len(parents), 0, -1):
            prefix = ".".join(parents[:end])
            named = self.corrections.get(prefix)
            names = (named,) if named else self.pipreqs.get(prefix, ())
            if len(names) == 1 and canonicalize_name(names[0]) in candidates:
                chosen = candidates[canonicalize_name(names[0])]
                others = tuple(d for d in answer.distributions if d != chosen)
                return MappingAnswer(answer.prefix, (chosen,), answer.origin, others)
        return answer

    def _wheels_and_pipreqs(self, prefix: str) -> MappingAnswer | None:
        wheels = self.wheels.modules.get(prefix, ())
        pipreqs = self.pipreqs.get(prefix, ())
        if not wheels:
            return MappingAnswer(prefix, pipreqs, "pipreqs") if pipreqs else None
        provides = {canonicalize_name(d) for d in wheels}
        # pipreqs' other names: stale when we read that distribution's wheel
        others = tuple(
            d for d in pipreqs
            if canonicalize_name(d) not in provides and canonicalize_name(d) not in self.wheels.examined
        )
        # a source-only distribution named like the module may be the one (pyspark)
        source_only = self.wheels.without_wheel.get(canonicalize_name(prefix))
        if source_only and canonicalize_name(source_only) not in provides | {canonicalize_name(d) for d in others}:
            others = (*others, source_only)
        if len(wheels) == 1 and not others:
            return MappingAnswer(prefix, wheels, "wheels")
        settled = [d for d in pipreqs if canonicalize_name(d) in provides]
        if len(pipreqs) == 1 and settled:
            chosen = canonicalize_name(settled[0])
            display = next(d for d in wheels if canonicalize_name(d) == chosen)
            alternatives = tuple(d for d in wheels if canonicalize_name(d) != chosen)
            return MappingAnswer(prefix, (display,), "pipreqs", alternatives)
        return MappingAnswer(prefix, (*wheels, *others), "wheels")


def parse_pipreqs_mapping(text: str) -> dict[str, tuple[str, ...]]:
    """Parse pipreqs' ``import:distribution`` lines; repeated imports keep every
    distinct distribution, in file order."""
    found: dict[str, dict[str, str]] = {}  # module -> canonical name -> name as written first
    for raw in text.splitlines():
        line = raw.strip()
        if not line or line.startswith("#") or ":" not in line:
            continue
        module, _, dist = line.partition(":")
        module, dist = module.strip(), dist.strip()
        if not module or not dist:
            continue
        found.setdefault(module, {}).setdefault(_canonical(dist), dist)
    return {module: tuple(dists.values()) for module, dists in sorted(found.items())}


def build_mapping(
    pipreqs_text: str = "",
    corrections: Mapping[str, str] | None = None,
    wheels: WheelData | Callable[[], WheelData] | None = None,
) -> ModuleMapping:
    return ModuleMapping(
        corrections=dict(CORRECTIONS if corrections is None else corrections),
        pipreqs=parse_pipreqs_mapping(pipreqs_text),
        wheel_data=WheelData() if wheels is None else wheels,
    )


@functools.lru_cache(maxsize=1)
def bundled_mapping() -> ModuleMapping:
    """Our corrections, the bundled wheel data and the mapping file shipped inside the
    installed pipreqs."""
    return build_mapping(read_pipreqs_mapping_text(), wheels=bundled_wheel_data)


@functools.lru_cache(maxsize=1)
def bundled_wheel_data() -> WheelData:
    """The import-name data shipped with this package (empty when it is missing)."""
    try:
        raw = package_data("jupyter_rees_ui", "data", "import_names.json.gz")
    except (FileNotFoundError, NotADirectoryError):
        return WheelData()
    return _decode_wheel_data(zlib.decompress(raw, wbits=31))  # gzip


def _decode_wheel_data(text: bytes) -> WheelData:
    """The JSON of the import-name data, decoded by msgspec straight into the shape
    WheelData keeps (twice as fast as ``json`` then converting); anything it does not
    expect is read by ``WheelData.from_json``, which says what is wrong."""
    try:
        import msgspec
    except ImportError:
        return WheelData.from_json(json.loads(text))
    try:
        data = msgspec.json.decode(text, type=_wheel_file_type(msgspec))
    except msgspec.ValidationError:
        return WheelData.from_json(json.loads(text))
    return WheelData(
        modules=_DecodedOnUse(data.modules, functools.partial(msgspec.json.decode, type=tuple[str, ...])),
        examined=_canonical_set(data.examined),
        generated=data.generated,
        without_wheel={_canonical(n): n for n in data.without_wheel},
    )


def _canonical_set(names: list[str]) -> frozenset[NormalizedName]:
    """``{_canonical(n) for n in names}``; the data file writes canonical names, which a
    look at all of them at once shows (no upper case, ``_``, ``.`` or ``--`` anywhere),
    so that ten thousand names are not checked one by one."""
    joined = "\n".join(names)
    if joined.islower() and "_" not in joined and "." not in joined and "--" not in joined:
        return frozenset(names)  # type: ignore[arg-type]
    return frozenset(map(_canonical, names))


class _DecodedOnUse(Mapping[str, tuple[str, ...]]):
    """Module -> distributions, each entry decoded from its JSON when first asked for: a
    run asks for a few dozen of the eleven thousand (about 2.5 ms less to load)."""

    def __init__(self, raw: Mapping[str, Any], decode: Callable[[Any], tuple[str, ...]]) -> None:
        self._raw, self._decode, self._decoded = raw, decode, {}

    def __getitem__(self, module: str) -> tuple[str, ...]:
        found = self._decoded.get(module)
        if found is None:
            raw = self._raw[module]  # KeyError: no such entry
            try:
                found = self._decoded[module] = self._decode(raw)
            except Exception as error:  # the bundled file is checked by the tests: a damaged copy
                raise ValueError(f"import-name data: the entry of {module!r} is not a list of names") from error
        return found

    def __contains__(self, module: object) -> bool:
        return module in self._raw

    def __iter__(self) -> Iterator[str]:
        return iter(self._raw)

    def __len__(self) -> int:
        return len(self._raw)


@functools.lru_cache(maxsize=1)
def _wheel_file_type(msgspec: Any) -> Any:
    # Built from real types: a string annotation here could not name msgspec.Raw.
    return msgspec.defstruct(
        "WheelFile",
        [
            ("modules", dict[str, msgspec.Raw], msgspec.field(default_factory=dict)),  # decoded on use
            ("examined", list[str], msgspec.field(default_factory=list)),
            ("generated", str, ""),
            ("without_wheel", list[str], msgspec.field(default_factory=list)),
        ],
    )


def package_data(package: str, *parts: str) -> bytes:
    """A data file shipped inside ``package``, read from the package's folder without
    importing the package; ``importlib.resources`` (which loads zipfile and more, a few
    milliseconds of a first run) only for a package that is not a plain folder.
    Raises ModuleNotFoundError or FileNotFoundError when there is no such file."""
    spec = importlib.util.find_spec(package)
    for folder in (spec.submodule_search_locations or ()) if spec is not None else ():
        path = os.path.join(folder, *parts)
        if os.path.isfile(path):
            with open(path, "rb") as handle:
                return handle.read()
    from importlib import resources

    return resources.files(package).joinpath(*parts).read_bytes()


def read_pipreqs_mapping_text() -> str:
    """The text of ``pipreqs/mapping``, or "" when pipreqs is not installed."""
    try:
        return package_data("pipreqs", "mapping").decode("utf-8")
    except (ModuleNotFoundError, FileNotFoundError, NotADirectoryError):
        return ""

