"""Accuracy of import -> distribution resolution: us vs pipreqs, pigar and FawltyDeps.

    python benchmarks/accuracy_benchmark.py [--venv DIR] [--write] [--offline]

What it does, in one run:

1. Writes a labelled corpus of small notebook projects into a temp folder. The notebooks
   are written here from Python source (nothing is copied from public repositories);
   each project's labels are the distributions it needs, written by hand. A label may
   accept alternatives (``cv2`` is satisfied by opencv-python or its headless build).
2. Builds a throwaway "kernel" venv (or reuses ``--venv DIR``) with the libraries the
   notebooks use plus the peer tools at fixed versions, so every tool sees the same
   installed environment. A few libraries are deliberately left out, as they are when a
   notebook comes from someone else: the tools must then guess.
3. Runs every tool on every project and compares the distributions each one proposes
   with the labels: precision, recall and F1 (micro-averaged over all labels), plus
   wall time. Our tool counts only rows it includes by default (optional imports and
   implicit suggestions are offered, not included).

Peers, run the way their docs suggest for notebooks:
- pipreqs 0.5: ``pipreqs --scan-notebooks --print --mode no-pin --pypi-server
  https://pypi.org/pypi/`` (names from its mapping + PyPI; its default host
  pypi.python.org does not resolve on this machine), and again with ``--use-local``
  (installed metadata only).
- pigar 2.2: ``pigar generate --dry-run --auto-select --question-answer yes -c -``.
- FawltyDeps 0.20 + mapping: ``fawltydeps --list-imports --json`` for the imports, then
  FawltyDeps' own resolvers (the kernel venv via ``LocalPackageResolver``, identity
  fallback) map each import to distributions; every candidate it suggests is counted.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

from packaging.requirements import InvalidRequirement, Requirement
from packaging.utils import canonicalize_name

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

PEERS = ["pipreqs==0.5.0", "pigar==2.2.0", "fawltydeps==0.20.0"]
# What the kernel has installed. torch, transformers, scikit-image, plotly and lxml are
# deliberately absent: the corpus uses them, so every tool has to guess.
KERNEL_PACKAGES = [
    "numpy", "pandas", "scipy", "scikit-learn", "matplotlib", "seaborn", "PyYAML",
    "beautifulsoup4", "Pillow", "requests", "tqdm", "opencv-python-headless",
    "google-cloud-storage", "azure-storage-blob", "python-dateutil", "attrs", "openpyxl",
    "networkx", "sympy", "python-dotenv", "statsmodels", "ipywidgets",
]


# --- the corpus -------------------------------------------------------------------------

def notebook(*cells: str, language_info: bool = True, kernel: str = "python3") -> str:
    """An nbformat 4 notebook; cells starting with 'md:' are markdown."""
    out = []
    for i, cell in enumerate(cells):
        if cell.startswith("md:"):
            out.append({"cell_type": "markdown", "id": f"c{i}", "metadata": {},
                        "source": cell[3:].strip().splitlines(keepends=True)})
        else:
            out.append({"cell_type": "code", "id": f"c{i}", "execution_count": None,
                        "metadata": {}, "outputs": [],
                        "source": cell.strip("\n").splitlines(keepends=True)})
    metadata: dict = {"kernelspec": {"name": kernel, "display_name": "Python 3", "language": "python"}}
    if language_info:
        metadata["language_info"] = {"name": "python", "version": "3.11.7"}
    return json.dumps({"cells": out, "metadata": metadata, "nbformat": 4, "nbformat_minor": 5}, indent=1)


@dataclass
class Project:
    name: str
    files: dict[str, str]
    # Each label is one needed distribution; a set lists acceptable alternatives.
    labels: list[set[str]]
    about: str = ""
    normalized: list[frozenset[str]] = field(init=False)

    def __post_init__(self) -> None:
        self.normalized = [frozenset(canonicalize_name(n) for n in group) for group in self.labels]


OPENCV = {"opencv-python", "opencv-python-headless", "opencv-contrib-python",
          "opencv-contrib-python-headless"}

CORPUS = [
    Project(
        "titanic-classifier",
        {
            "01-explore.ipynb": notebook(
                "md: # Titanic survival\nA first look at the data.",
                "import numpy as np\nimport pandas as pd\nimport matplotlib.pyplot as plt\n"
                "import seaborn as sns\n%matplotlib inline",
                "df = pd.read_csv('train.csv')\ndf.describe()",
                "sns.countplot(data=df, x='Survived')\nplt.show()",
            ),
            "02-model.ipynb": notebook(
                "from sklearn.model_selection import train_test_split\n"
                "from sklearn.linear_model import LogisticRegression\nimport pandas as pd",
                "%%time\nfrom sklearn.ensemble import RandomForestClassifier\n"
                "from scipy import stats\nclf = RandomForestClassifier(n_estimators=200)",
                "for i in range(3):\n    print(\"fold %d\" % i)",
            ),
        },
        [{"numpy"}, {"pandas"}, {"matplotlib"}, {"seaborn"}, {"scikit-learn"}, {"scipy"}],
        "aliases, %matplotlib, imports only inside a %%time cell, '%' formatting",
    ),
    Project(
        "image-pipeline",
        {
            "segment.ipynb": notebook(
                "import cv2\nimport numpy as np\nfrom PIL import Image, ImageOps",
                "from helpers import load_images\nimages = load_images('data/')",
                "print \"legacy cell\"",  # Python 2: a syntax error in one cell
                "from mpl_toolkits.mplot3d import Axes3D\nimport matplotlib.pyplot as plt",
                "edges = cv2.Canny(np.zeros((8, 8), np.uint8), 10, 20)",
            ),
            "helpers.py": "import glob\nimport os\n\nfrom PIL import Image\n\n\n"
                          "def load_images(folder):\n"
                          "    return [Image.open(p) for p in glob.glob(os.path.join(folder, '*.png'))]\n",
        },
        [OPENCV, {"numpy"}, {"pillow"}, {"matplotlib"}],
        "cv2/PIL mismatches, a local module, a Python 2 cell, mpl_toolkits",
    ),
    Project(
        "cloud-etl",
        {
            "etl.ipynb": notebook(
                "!pip install python-dotenv",
                "from dotenv import load_dotenv\nload_dotenv()",
                "from google.cloud import storage\nfrom azure.storage.blob import BlobServiceClient",
                "import yaml\nimport requests\nfrom dateutil import parser as dateparser",
                "import pandas as pd\nconfig = yaml.safe_load(open('config.yml'))",
            ),
        },
        [{"python-dotenv"}, {"google-cloud-storage"}, {"azure-storage-blob"}, {"pyyaml"},
         {"requests"}, {"python-dateutil"}, {"pandas"}],
        "namespace packages (google.cloud, azure.storage), yaml/dateutil/dotenv mismatches",
    ),
    Project(
        "web-scraping",
        {
            "scrape.ipynb": notebook(
                "from bs4 import BeautifulSoup\nimport requests",
                "try:\n    import ujson as json\nexcept ImportError:\n    import json",
                "import attr\n\n@attr.s\nclass Page:\n    url = attr.ib()",
                "import importlib\nyaml = importlib.import_module('yaml')",
                "for i in range(3):\n    print('%d pages' % i)",
            ),
        },
        [{"beautifulsoup4"}, {"requests"}, {"attrs"}, {"pyyaml"}],
        "bs4/attr mismatches, an optional import, a literal dynamic import",
    ),
    Project(
        "excel-report",
        {
            "report.ipynb": notebook(
                "%pip install openpyxl==3.1.5",
                "import pandas as pd\nfrom tqdm import tqdm",
                "sales = pd.read_excel('sales.xlsx')\nfor row in tqdm(sales.itertuples()):\n    pass",
                language_info=False,  # never executed: no language_info metadata
            ),
        },
        [{"pandas"}, {"openpyxl"}, {"tqdm"}],
        "a dependency only named by %pip install; a notebook without language_info",
    ),
    Project(
        "graph-maths",
        {
            "graphs.ipynb": notebook(
                "import networkx as nx\nimport sympy as sp\nfrom scipy import sparse\nimport numpy as np",
                "from typing import TYPE_CHECKING\nif TYPE_CHECKING:\n    import pandas",
                "from mylib.graphs import build\nG = build(nx.Graph())",
            ),
            "mylib/__init__.py": "",
            "mylib/graphs.py": "import networkx as nx\n\n\ndef build(g):\n    return g\n",
        },
        [{"networkx"}, {"sympy"}, {"scipy"}, {"numpy"}],
        "a local package, a TYPE_CHECKING-only import",
    ),
    Project(
        "transformer-finetune",
        {
            "finetune.ipynb": notebook(
                "!pip install -U pip setuptools wheel\n%pip install -q torch transformers",
                "import torch\nimport torch.nn as nn\nfrom transformers import AutoTokenizer",
                "import numpy as np\ntok = AutoTokenizer.from_pretrained('bert-base-uncased')",
            ),
        },
        [{"torch"}, {"transformers"}, {"numpy"}],
        "libraries the kernel does not have; the notebook installs them (and pip itself)",
    ),
    Project(
        "microscopy",
        {
            "analysis.py": "import yaml\nimport requests\nfrom skimage import io, filters\n\n"
                           "def run(path):\n    return filters.sobel(io.imread(path))\n",
            "explore.ipynb": notebook(
                "from PIL import Image\nfrom analysis import run",
                "import plotly.express as px\npx.imshow(run('cell.tif'))",
            ),
        },
        [{"pyyaml"}, {"requests"}, {"scikit-image"}, {"pillow"}, {"plotly"}],
        "a .py module next to the notebook; skimage and plotly not installed",
    ),
    Project(
        "timeseries",
        {
            "forecast.ipynb": notebook(
                "import pandas as pd\nimport statsmodels.api as sm\n"
                "from statsmodels.tsa.arima.model import ARIMA",
                "import matplotlib\nmatplotlib.use('Agg')\nimport matplotlib.pyplot as plt",
                "from dateutil.relativedelta import relativedelta",
                "%%capture\n!pip install seaborn\nimport seaborn",
            ),
        },
        [{"pandas"}, {"statsmodels"}, {"matplotlib"}, {"python-dateutil"}, {"seaborn"}],
        "deep submodules, imports inside %%capture",
    ),
    Project(
        "widgets-dashboard",
        {
            "dashboard.ipynb": notebook(
                "import ipywidgets as widgets\nfrom IPython.display import display",
                "import numpy as np\nslider = widgets.IntSlider()\ndisplay(slider)",
                "try:\n    import orjson\nexcept ImportError:\n    orjson = None",
            ),
        },
        [{"ipywidgets"}, {"ipython"}, {"numpy"}],
        "IPython/ipywidgets, an optional accelerator",
    ),
    Project(
        "scraper-lxml",
        {
            "parse.ipynb": notebook(
                "import requests\nfrom lxml import html\nfrom bs4 import BeautifulSoup",
                "tree = html.fromstring(requests.get('https://example.org').content)",
            ),
        },
        [{"requests"}, {"lxml"}, {"beautifulsoup4"}],
        "lxml not installed in the kernel",
    ),
    Project(
        "stats-course",
        {
            "week1.ipynb": notebook(
                "import numpy as np\nimport scipy.stats as st",
                "x = np.random.default_rng(0).normal(size=100)\nst.ttest_1samp(x, 0)",
            ),
            "week2.ipynb": notebook(
                "import pandas as pd\nimport seaborn as sns\nfrom sklearn.decomposition import PCA",
                "def f(:\n    pass",  # a syntax error
                "import yaml",
            ),
        },
        [{"numpy"}, {"scipy"}, {"pandas"}, {"seaborn"}, {"scikit-learn"}, {"pyyaml"}],
        "two notebooks, one with a broken cell",
    ),
    Project(
        "sales-summary",
        {
            "summary.ipynb": notebook(
                "import pandas as pd",
                "df = pd.read_excel('q3.xlsx', sheet_name='EMEA')\ndf.groupby('region').sum()",
            ),
        },
        [{"pandas"}, {"openpyxl"}],
        "a need no import names: read_excel needs openpyxl (we only suggest it)",
    ),
    Project(
        "genomics",
        {
            "variants.ipynb": notebook(
                "from Bio import SeqIO\nimport umap\nimport numpy as np",
                "records = list(SeqIO.parse('reads.fasta', 'fasta'))",
                "embedding = umap.UMAP().fit_transform(np.zeros((10, 3)))",
            ),
        },
        [{"biopython"}, {"umap-learn"}, {"numpy"}],
        "Bio and umap, neither installed: mapping guesses (PyPI's 'umap' is another project)",
    ),
    Project(
        "climate-maps",
        {
            "maps.ipynb": notebook(
                "!conda install -y -c conda-forge cartopy",
                "import cartopy.crs as ccrs\nimport matplotlib.pyplot as plt",
                "ax = plt.axes(projection=ccrs.PlateCarree())\nax.coastlines()",
            ),
        },
        [{"cartopy"}, {"matplotlib"}],
        "a conda install line for a library the kernel lacks",
    ),
    Project(
        "keras-digits",
        {
            "train.ipynb": notebook(
                "import tensorflow as tf\nfrom tensorflow import keras\nimport numpy as np",
                "model = keras.Sequential([keras.layers.Dense(10)])",
                "from sklearn.metrics import confusion_matrix",
            ),
        },
        [{"tensorflow"}, {"numpy"}, {"scikit-learn"}],
        "TensorFlow not installed in the kernel",
    ),
    Project(
        "protobuf-tools",
        {
            "decode.ipynb": notebook(
                "from google.protobuf import json_format\nimport pkg_resources",
                "import requests\nfrom requests.adapters import HTTPAdapter",
                "version = pkg_resources.get_distribution('requests').version",
            ),
        },
        [{"protobuf"}, {"setuptools"}, {"requests"}],
        "google.protobuf under the google namespace; pkg_resources comes from setuptools",
    ),
    Project(
        "survey-analysis",
        {
            "clean.py": "import pandas as pd\nimport numpy as np\n\n\ndef clean(df):\n"
                        "    return df.replace({'': np.nan}).dropna()\n",
            "analysis.ipynb": notebook(
                "import sys\nsys.path.append('.')\nfrom clean import clean",
                "import pandas as pd\nimport statsmodels.formula.api as smf",
                "import seaborn as sns\nsns.set_theme()",
                "from scipy.stats import chi2_contingency",
            ),
            "README.md": "# Survey\n",
        },
        [{"pandas"}, {"numpy"}, {"statsmodels"}, {"seaborn"}, {"scipy"}],
        "a helper script on sys.path, statsmodels formula API",
    ),
    Project(
        "env-secrets",
        {
            "query.ipynb": notebook(
                "import os\nfrom dotenv import load_dotenv\nimport requests",
                "try:\n    import yaml\nexcept ImportError:\n    raise SystemExit('pip install pyyaml')",
                "from PIL import Image",
            ),
        },
        [{"python-dotenv"}, {"requests"}, {"pyyaml"}, {"pillow"}],
        "an ImportError handler that re-raises: the import is still required",
    ),
]


def write_corpus(where: Path) -> None:
    for project in CORPUS:
        for relative, text in project.files.items():
            path = where / project.name / relative
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(text, encoding="utf-8")


# --- the kernel venv ---------------------------------------------------------------------

def venv_bin(venv: Path, name: str) -> str:
    return str(venv / ("Scripts" if os.name == "nt" else "bin") / name)


def build_venv(venv: Path) -> None:
    if not (venv / "pyvenv.cfg").exists():
        subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True)
    subprocess.run(
        [venv_bin(venv, "python"), "-m", "pip", "install", "-q", "--disable-pip-version-check",
         *PEERS, *KERNEL_PACKAGES],
        check=True,
    )


# --- tools -------------------------------------------------------------------------------

def names_from_requirements(text: str) -> set[str]:
    found = set()
    for line in text.splitlines():
        line = line.split("#", 1)[0].strip()
        if not line or line.startswith("-"):
            continue
        try:
            found.add(canonicalize_name(Requirement(line).name))
        except InvalidRequirement:
            continue
    return found


def run(command: list[str], *, timeout: float = 300, cwd: Path | None = None) -> subprocess.CompletedProcess:
    return subprocess.run(command, capture_output=True, text=True, timeout=timeout, cwd=cwd,
                          stdin=subprocess.DEVNULL, check=False)


def ours(project: Path, venv: Path) -> set[str]:
    from jupyter_rees_ui import workflow

    request = workflow.ProposeRequest(workflow.local_folder(project), python=str(venv_bin(venv, "python")))
    proposal = workflow.propose(request).proposal
    return {canonicalize_name(r.name) for r in proposal.requirements if r.included}


def pipreqs(project: Path, venv: Path, *, local: bool = False) -> set[str]:
    # pipreqs' default server, pypi.python.org, does not resolve here; pypi.org serves
    # the same JSON API.
    command = [venv_bin(venv, "pipreqs"), "--scan-notebooks", "--print", "--mode", "no-pin",
               "--pypi-server", "https://pypi.org/pypi/"]
    if local:
        command.append("--use-local")
    done = run([*command, str(project)])
    return names_from_requirements(done.stdout)


def pigar(project: Path, venv: Path) -> set[str]:
    done = run([venv_bin(venv, "pigar"), "generate", "--dry-run", "--auto-select",
                "--question-answer", "yes", "-c", "-", "--dont-show-differences", str(project)])
    return names_from_requirements(done.stdout)


FAWLTYDEPS_MAPPING = """
import json, sys
from pathlib import Path
from fawltydeps.packages import IdentityMapping, LocalPackageResolver, pyenv_sources, suggest_packages
imports = json.load(sys.stdin)
resolvers = [LocalPackageResolver(pyenv_sources(Path(sys.argv[1])))]
names = set()
for name in sorted({i["name"] for i in imports}):
    found = {p.package_name for p in suggest_packages(name, resolvers)}
    names |= found or {IdentityMapping.lookup_package(name).package_name}
print(json.dumps(sorted(names)))
"""


def fawltydeps(project: Path, venv: Path) -> set[str]:
    listed = run([venv_bin(venv, "fawltydeps"), "--list-imports", "--json", "--code", str(project)])
    try:
        imports = json.loads(listed.stdout).get("imports", [])
    except ValueError:
        return set()
    mapped = subprocess.run(
        [venv_bin(venv, "python"), "-c", FAWLTYDEPS_MAPPING, str(venv)],
        input=json.dumps(imports), capture_output=True, text=True, timeout=300, check=False,
    )
    try:
        return {canonicalize_name(n) for n in json.loads(mapped.stdout)}
    except ValueError:
        return set()


TOOLS = {
    "jupyter-rees-ui": ours,
    "pipreqs": pipreqs,
    "pipreqs --use-local": lambda p, v: pipreqs(p, v, local=True),
    "pigar": pigar,
    "FawltyDeps + mapping": fawltydeps,
}


# --- scoring -----------------------------------------------------------------------------

@dataclass
class Score:
    tp: int = 0
    fp: int = 0
    fn: int = 0
    seconds: float = 0.0
    misses: list[str] = field(default_factory=list)
    extras: list[str] = field(default_factory=list)

    @property
    def precision(self) -> float:
        return self.tp / (self.tp + self.fp) if self.tp + self.fp else 0.0

    @property
    def recall(self) -> float:
        return self.tp / (self.tp + self.fn) if self.tp + self.fn else 0.0

    @property
    def f1(self) -> float:
        p, r = self.precision, self.recall
        return 2 * p * r / (p + r) if p + r else 0.0


def score(project: Project, predicted: set[str], into: Score) -> None:
    matched: set[frozenset[str]] = set()
    for name in sorted(predicted):
        group = next((g for g in project.normalized if name in g), None)
        if group is None or group in matched:
            into.fp += 1
            into.extras.append(f"{project.name}:{name}")
        else:
            matched.add(group)
            into.tp += 1
    for group in project.normalized:
        if group not in matched:
            into.fn += 1
            into.misses.append(f"{project.name}:{'|'.join(sorted(group))}")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--venv", type=Path, help="kernel venv to build or reuse (default: a temp dir)")
    parser.add_argument("--write", action="store_true", help="write benchmarks/RESULTS-accuracy.md")
    parser.add_argument("--tools", nargs="*", default=list(TOOLS), help="subset of tools to run")
    args = parser.parse_args()

    with tempfile.TemporaryDirectory(prefix="rees-accuracy-") as tmp:
        corpus = Path(tmp) / "corpus"
        write_corpus(corpus)
        venv = args.venv or Path(tmp) / "kernel"
        started = time.monotonic()
        build_venv(venv)
        print(f"kernel venv ready in {time.monotonic() - started:.0f} s", file=sys.stderr)
        scores = {tool: Score() for tool in args.tools}
        for project in CORPUS:
            for tool in args.tools:
                # Each tool gets a fresh copy: pipreqs/pigar may write files into it.
                copy = Path(tmp) / "runs" / tool.replace(" ", "_") / project.name
                shutil.copytree(corpus / project.name, copy)
                started = time.perf_counter()
                try:
                    predicted = TOOLS[tool](copy, venv)
                except Exception as error:  # noqa: BLE001 - a crashing tool scores nothing
                    print(f"{tool} failed on {project.name}: {error}", file=sys.stderr)
                    predicted = set()
                scores[tool].seconds += time.perf_counter() - started
                score(project, predicted, scores[tool])
        table = render(scores)
        print(table)
        if args.write:
            (REPO / "benchmarks" / "RESULTS-accuracy.md").write_text(report(table, scores), encoding="utf-8")
    return 0


def render(scores: dict[str, Score]) -> str:
    lines = [
        "| tool | precision | recall | F1 | TP | FP | FN | time (s) |",
        "|---|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for tool, s in sorted(scores.items(), key=lambda kv: -kv[1].f1):
        lines.append(f"| {tool} | {s.precision:.3f} | {s.recall:.3f} | {s.f1:.3f} | "
                     f"{s.tp} | {s.fp} | {s.fn} | {s.seconds:.1f} |")
    return "\n".join(lines)


def report(table: str, scores: dict[str, Score]) -> str:
    labels = sum(len(p.labels) for p in CORPUS)
    notebooks = sum(1 for p in CORPUS for f in p.files if f.endswith(".ipynb"))
    out = [
        "# Accuracy: imports -> distributions",
        "",
        "Written by `benchmarks/accuracy_benchmark.py --write`; rerun it to refresh.",
        "",
        f"Corpus: {len(CORPUS)} projects, {notebooks} notebooks, {labels} labelled distributions, "
        "written in the script (labels by hand). Kernel venv: "
        + ", ".join(KERNEL_PACKAGES) + "; peers " + ", ".join(PEERS) + ".",
        f"Python {sys.version.split()[0]}, {os.cpu_count()} cores.",
        "",
        table,
        "",
        "Micro-averaged over all labels; a label with alternatives (opencv-python or its headless",
        "build) counts once, and a second alternative proposed for it counts as a false positive.",
        "Optional imports (try/except ImportError with a fallback) and TYPE_CHECKING-only imports",
        "are not labels: the notebooks run without them. Time is wall time per tool over the",
        "whole corpus: peers run as processes (pipreqs without `--use-local` and pigar query",
        "PyPI); ours runs in-process and includes introspecting the kernel venv once (cached",
        "afterwards).",
        "",
        "## Caveats",
        "",
        "- The corpus and its labels were written by the author of the resolver, around failure",
        "  modes documented for the peers (REFERENCE.md). Read it as a regression benchmark for",
        "  those cases, not as an independent estimate of accuracy on arbitrary notebooks.",
        "- Small: the numbers move by about 0.013 per label. Add projects to `CORPUS` freely.",
        "- Our one miss is a known limit: `read_excel` needs openpyxl but nothing imports it.",
        "  The resolver can offer it as an implicit suggestion (`core/implicit.py`, never",
        "  included by default) once the scan passes call triggers to it; even then the scorer",
        "  counts a suggestion as a miss.",
        "- pigar `--auto-select` and FawltyDeps' identity fallback can propose unrelated PyPI",
        "  projects for modules that are not installed (see the extras below): a dependency",
        "  confusion risk, not only an accuracy cost.",
        "",
        "## Projects",
        "",
        "| project | what it exercises | labels |",
        "|---|---|---|",
    ]
    for project in CORPUS:
        labels_text = ", ".join("/".join(sorted(g)) for g in project.labels)
        out.append(f"| {project.name} | {project.about} | {labels_text} |")
    out += ["", "## Misses and extras", ""]
    for tool, s in sorted(scores.items()):
        out.append(f"- **{tool}**: missed {', '.join(s.misses) or 'nothing'}; "
                   f"extra {', '.join(s.extras) or 'nothing'}")
    return "\n".join(out) + "\n"


if __name__ == "__main__":
    sys.exit(main())
