"""The benchmark: the monthly batch against the naive way of running the notebooks, and how its cost grows.

``serviceplan bench`` (``make bench``) measures, on the demo data in throw-away workspaces:

* **month**: one month done the *naive* way (each notebook through the ``papermill`` command line, one after
  another, then a full render of every published version) against ``serviceplan run`` of the same month, *cold*
  (a fresh workspace: no canonical tables, no cache, no reports), *warm* (the same command again, unchanged:
  the month is already published) and *revise* (``--revise``: a new revision whose notebooks all come from the
  cache). The two pipelines alternate (naive first in repetitions 0, 2, ...; serviceplan first in 1, 3, ...),
  so that a slow spell of the machine falls on both.
* **archive**: the cost of publishing a new month when 1, 6, 12, 24 ... months are already published. The older
  versions are fabricated by copying a really published version (and its cache entries) under earlier month
  names; the measured step is a real ``serviceplan run`` of the new month. The sizes are visited in a different
  order in each repetition.
* **range**: ``serviceplan run FIRST..LAST`` of twelve months in a fresh workspace (reported in total and per
  month).
* **floor**: the time a fresh kernel takes to start and import the notebooks' libraries, measured directly
  (jupyter_client), times the number of notebooks, divided by the workers. No batch can beat it.
* **imports**: how long a new Python process takes to import Papermill, nbconvert and the batch (diagnostics).

The render. Every figure above is measured without Quarto: the naive render is nbconvert HTML (``jupyter nbconvert
--to html --no-input``) of every executed notebook of every version, the same preview the batch writes when it
finds no Quarto (where Quarto is installed, the measured ``serviceplan`` commands get a stand-in ``quarto`` on
their ``PATH`` that fails, so the batch writes its previews; see :func:`hide_quarto`). Where Quarto is present,
each repetition also measures the month *with Quarto*: the naive pipeline's executed notebooks rendered by
``quarto render`` of the whole naive project (its ``_quarto.yml`` made from the workspace's, every format it
names, see :func:`write_naive_project`), against a cold ``serviceplan run`` that renders its site and PDF
(the whole command timed, so the figure does not depend on how the render step records its own times). These
are reported apart; without Quarto they are skipped and the summary says why.

Each measurement runs its command(s) as child processes and samples the whole process tree with psutil: wall
time, CPU time (user + system of every process seen, at its last sample: a slight under-count) and peak memory
(the largest sum of resident set sizes of the tree at one sample; shared pages count once per process). The
one-minute load average at the start of each measurement is kept, because other work on the machine slows
every number: the ratios are what this benchmark reports.

The measured commands import a copy of the package taken at the start (see :func:`snapshot_package`), so that
edits to the checkout during a long benchmark change neither the code measured nor the batch's cache keys.
Method and results: ``docs/benchmark.md``. The modules: :mod:`.config`, :mod:`.measure` (one measurement),
:mod:`.stats`, :mod:`.workspaces`, :mod:`.pipelines`, :mod:`.floor`, :mod:`.results`, :mod:`.report`,
:mod:`.runner` (the run), :mod:`.cli` and :mod:`.driver`.
"""
