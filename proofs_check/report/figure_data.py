"""The data behind the report's figures: validated, immutable, read from results JSON.

The papers' own figures (keyed by their claim ids) are parsed by the papers
(:attr:`proofs_check.paper.Paper.figures`); this module asks them.

One module over 500 lines because it holds one small validated record per figure, each
read by the same field-naming rules; the records of figures that belong to one paper are to
move to that paper (``docs/architecture.md``, known departures).

The results JSON may carry a top-level ``"figures"`` object; every key in it is optional and
every number is a decimal string (JSON numbers are accepted too)::

    {"gradient_vs_loss": {"loss": [...], "grad_norm": [...], "family": [...], "origin": [...]},
     "gd": {"eta": "0.05", "kappa": "0.3", "runs": [{"m": 3, "r": 3, "loss": [...]}, ...]},
     "lambda_min_M": {"r": 3, "delta": [...], "lambda_min": [...]},
     "threshold": {"paper_eps0": [...], "empirical": [...], "lower": [...], "upper": [...],
                   "labels": [...], "witness": [...]}}

``gradient_vs_loss`` may label its points with the sampler ``family`` of their start and
their ``origin`` (both optional, ``null`` where unknown); ``gd``'s ``kappa`` is optional (no bound is drawn without
it); ``threshold`` has ``empirical`` and/or ``lower``/``upper`` bounds per geometry (``null``
where a geometry has none).  The types are checked by the results schema
(:mod:`proofs_check.schema`); this module adds what a schema cannot say (paired lengths,
positivity) and keeps values exact (:class:`~decimal.Decimal`).  Errors name the field:

>>> GradientVsLoss.from_json({"loss": ["1e-3", "1e-4"], "grad_norm": ["0.01"]})
Traceback (most recent call last):
...
proofs_check.schema.ResultsError: figures.gradient_vs_loss: 'loss' has 2 values but 'grad_norm' has 1; they are paired point by point
>>> FigureData.from_json(None).available()
()
"""
from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from fractions import Fraction

from proofs_check.figure_parsing import check_paired, decimal_series, json_object, parse_decimal, parse_int
from proofs_check.schema import ResultsError
from proofs_check.schema import short_repr

__all__ = [
    "ResultsError",
    "GradientVsLoss",
    "GDRun",
    "GDCurves",
    "LambdaMinM",
    "ThresholdComparison",
    "ThresholdBoxes",
    "FamilyThreshold",
    "WorstCaseLadder",
    "WORST_CASE_SUFFIX",
    "FigureData",
    "figure_keys",
    "papers_figure_types",
]


@dataclass(frozen=True)
class GradientVsLoss:
    """Per loss level ``L``, the ``||grad L||_F`` of the binding sample (smallest ratio
    ``||grad L|| / L``); optionally the sampler ``family`` of each point's start and how the
    point was reached (``origin``), ``None`` where unknown.

    Theorem 4 predicts ``||grad L||_F >= kappa L``: slope 1 on log-log axes (PL would be 1/2).
    """

    loss: tuple[Decimal, ...]
    grad_norm: tuple[Decimal, ...]
    family: tuple[str | None, ...] = ()
    origin: tuple[str | None, ...] = ()

    FIELD = "figures.gradient_vs_loss"

    def __post_init__(self):
        check_paired(self.FIELD, "loss", self.loss, "grad_norm", self.grad_norm)
        for name in ("family", "origin"):
            if getattr(self, name):
                check_paired(self.FIELD, "loss", self.loss, name, getattr(self, name))

    @classmethod
    def from_json(cls, data) -> "GradientVsLoss":
        data = json_object(data, cls.FIELD, ("loss", "grad_norm"))
        labels = {}
        for name in ("family", "origin"):
            values = data.get(name) or []
            if not isinstance(values, list) or not all(v is None or isinstance(v, str) for v in values):
                raise ResultsError(f"{cls.FIELD}.{name} must be a list of strings or null, got {short_repr(values)}")
            labels[name] = tuple(values)
        return cls(
            decimal_series(data, "loss", cls.FIELD, nonnegative=True),
            decimal_series(data, "grad_norm", cls.FIELD, nonnegative=True),
            labels["family"], labels["origin"],
        )

    def to_json(self) -> dict:
        out = {"loss": [str(x) for x in self.loss], "grad_norm": [str(x) for x in self.grad_norm]}
        for name in ("family", "origin"):
            if getattr(self, name):
                out[name] = list(getattr(self, name))
        return out


@dataclass(frozen=True)
class GDRun:
    """One gradient-descent run: ``loss[t]`` is ``L(W^(t))``, ``t = 0, 1, ...``."""

    m: int
    r: int
    loss: tuple[Decimal, ...]

    def __post_init__(self):
        if self.m < self.r:
            raise ResultsError(f"gd run with m = {self.m} < r = {self.r}; the paper's setting needs m >= r")

    @classmethod
    def from_json(cls, data, field: str) -> "GDRun":
        data = json_object(data, field, ("m", "r", "loss"))
        m = parse_int(data["m"], f"{field}.m")
        r = parse_int(data["r"], f"{field}.r")
        if m < r:
            raise ResultsError(f"{field}: m = {m} < r = {r}; the paper's setting needs m >= r")
        return cls(m, r, decimal_series(data, "loss", field, nonnegative=True))

    def to_json(self) -> dict:
        return {"m": self.m, "r": self.r, "loss": [str(x) for x in self.loss]}


@dataclass(frozen=True)
class GDCurves:
    """GD loss curves for several widths, with the step size ``eta`` and the constant
    ``kappa`` of Theorem 4; Theorem 5 bounds ``L(W^(t)) <= 4 / (t eta kappa^2)``."""

    eta: Decimal
    kappa: Decimal | None
    runs: tuple[GDRun, ...]

    FIELD = "figures.gd"

    @classmethod
    def from_json(cls, data) -> "GDCurves":
        data = json_object(data, cls.FIELD, ("eta", "runs"))
        runs = data["runs"]
        if not isinstance(runs, list):
            raise ResultsError(f"{cls.FIELD}.runs must be a list of runs, got {type(runs).__name__}")
        return cls(
            parse_decimal(data["eta"], f"{cls.FIELD}.eta", positive=True),
            None if data.get("kappa") is None
            else parse_decimal(data["kappa"], f"{cls.FIELD}.kappa", positive=True),
            tuple(GDRun.from_json(run, f"{cls.FIELD}.runs[{i}]") for i, run in enumerate(runs)),
        )

    def bound(self, t: int) -> Decimal | None:
        """``4 / (t eta kappa^2)`` (Theorem 5's rate, App. F form); ``None`` without kappa."""
        if self.kappa is None:
            return None
        return Decimal(4) / (Decimal(t) * self.eta * self.kappa**2)

    def to_json(self) -> dict:
        out = {"eta": str(self.eta), "runs": [r.to_json() for r in self.runs]}
        if self.kappa is not None:
            out["kappa"] = str(self.kappa)
        return out


@dataclass(frozen=True)
class LambdaMinM:
    """``lambda_min(M)`` for r teachers at separation ``Delta``; Lemma 11: ``>= c Delta^3/r^3``."""

    r: int
    delta: tuple[Decimal, ...]
    lambda_min: tuple[Decimal, ...]

    FIELD = "figures.lambda_min_M"

    def __post_init__(self):
        check_paired(self.FIELD, "delta", self.delta, "lambda_min", self.lambda_min)

    @classmethod
    def from_json(cls, data) -> "LambdaMinM":
        data = json_object(data, cls.FIELD, ("r", "delta", "lambda_min"))
        return cls(
            parse_int(data["r"], f"{cls.FIELD}.r"),
            decimal_series(data, "delta", cls.FIELD, positive=True),
            decimal_series(data, "lambda_min", cls.FIELD),
        )

    def to_json(self) -> dict:
        return {"r": self.r, "delta": [str(x) for x in self.delta],
                "lambda_min": [str(x) for x in self.lambda_min]}


@dataclass(frozen=True)
class ThresholdComparison:
    """The paper's explicit ``eps0 = Delta^36 w_min^80 r^-162 w_max^-78`` (proof of Lemma 8)
    per geometry, against the empirical threshold and/or a lower and an upper bound on the
    true threshold (``None`` where a geometry has none); ``witness`` entries as given."""

    paper_eps0: tuple[Decimal, ...]
    empirical: tuple[Decimal | None, ...]
    labels: tuple[str, ...]
    lower: tuple[Decimal | None, ...] = ()
    upper: tuple[Decimal | None, ...] = ()
    witness: tuple = ()

    FIELD = "figures.threshold"

    def __post_init__(self):
        for name in ("empirical", "lower", "upper", "labels"):
            if getattr(self, name):
                check_paired(self.FIELD, "paper_eps0", self.paper_eps0, name, getattr(self, name))

    @classmethod
    def from_json(cls, data) -> "ThresholdComparison":
        data = json_object(data, cls.FIELD, ("paper_eps0",))
        if not any(data.get(k) is not None for k in ("empirical", "lower", "upper")):
            raise ResultsError(f"{cls.FIELD}: needs 'empirical' or 'lower'/'upper' thresholds"
                               " to compare with 'paper_eps0'")
        paper = decimal_series(data, "paper_eps0", cls.FIELD, positive=True)
        labels = data.get("labels")
        if labels is None:
            labels = [f"setting {i + 1}" for i in range(len(paper))]
        if not isinstance(labels, list) or not all(isinstance(x, str) for x in labels):
            raise ResultsError(f"{cls.FIELD}.labels must be a list of strings, got {short_repr(labels)}")

        def optional(key):
            values = data.get(key)
            if values is None:
                return ()
            if not isinstance(values, list):
                raise ResultsError(f"{cls.FIELD}.{key} must be a list, got {type(values).__name__}")
            return tuple(None if v is None else parse_decimal(v, f"{cls.FIELD}.{key}[{i}]", positive=True)
                         for i, v in enumerate(values))

        witness = data.get("witness") or ()
        return cls(paper, optional("empirical"), tuple(labels), optional("lower"), optional("upper"),
                   tuple(witness))

    def to_json(self) -> dict:
        text = lambda xs: [None if x is None else str(x) for x in xs]
        out = {"paper_eps0": text(self.paper_eps0), "labels": list(self.labels)}
        for key in ("empirical", "lower", "upper"):
            if getattr(self, key):
                out[key] = text(getattr(self, key))
        if self.witness:
            out["witness"] = list(self.witness)
        return out


@dataclass(frozen=True)
class WorstCaseLadder:
    """One claim's worst cases found by optimisation (``figures["<claim id>.worst_case"]``):
    per loss level the binding ``lhs`` and the family of its start; the fitted exponent and
    the paper's (``None`` where the results do not say)."""

    claim: str
    title: str
    lhs_tex: str
    loss: tuple
    lhs: tuple
    family: tuple
    fitted_exponent: Decimal
    paper_exponent: Fraction | None

    @classmethod
    def from_json(cls, claim: str, data) -> "WorstCaseLadder":
        field = f"figures.{claim}.worst_case"
        data = json_object(data, field, ("loss", "lhs", "fitted_exponent"))
        loss = decimal_series(data, "loss", field, positive=True)
        lhs = decimal_series(data, "lhs", field, nonnegative=True)
        check_paired(field, "loss", loss, "lhs", lhs)
        family = tuple(data.get("family") or (None,) * len(loss))
        check_paired(field, "loss", loss, "family", family)
        paper = data.get("paper_exponent")
        try:
            paper = None if paper is None else Fraction(str(paper))
        except (ValueError, ZeroDivisionError):
            raise ResultsError(f"{field}.paper_exponent must be a fraction like '3/8', got {short_repr(paper)}")
        return cls(claim, str(data.get("title") or claim), str(data.get("lhs_tex") or "lhs"), loss, lhs,
                   family, parse_decimal(str(data["fitted_exponent"]), f"{field}.fitted_exponent"), paper)

    def to_json(self) -> dict:
        return {"loss": [str(x) for x in self.loss], "lhs": [str(x) for x in self.lhs],
                "family": list(self.family), "fitted_exponent": str(self.fitted_exponent),
                "title": self.title, "lhs_tex": self.lhs_tex,
                "paper_exponent": None if self.paper_exponent is None else str(self.paper_exponent)}


#: The width rules a families figure may carry (``proofs-check families``'s ``m = r, r + 1, 2r``).
FAMILY_WIDTHS = ("r", "r+1", "2r")


@dataclass(frozen=True)
class FamilyThreshold:
    """The lowest certified spurious stationary point of the symmetric families per r
    (``proofs-check families --json``), beside the paper's eps0(r), with the exponent of a
    least-squares fit of log L against log r (empirical) (``figures["families"]``).

    With ``width`` (one of :data:`FAMILY_WIDTHS` per point) the points are one series per
    width (m = r, r + 1, 2r) and ``width_fits`` holds each width's fit:
    ``(width, exponent, lowest, highest, from_r)``, the exponent on ``r >= from_r`` and the
    range of the exponents fitted on shorter windows (the uncertainty quoted)."""

    r: tuple[int, ...]
    loss: tuple[Decimal, ...]
    paper_eps0: tuple[Decimal, ...]
    family: tuple[str, ...]
    exponent: Decimal | None = None
    exponent_error: Decimal | None = None
    from_r: int | None = None
    width: tuple[str, ...] = ()
    width_fits: tuple = ()

    FIELD = "figures.families"

    def __post_init__(self):
        check_paired(self.FIELD, "r", self.r, "loss", self.loss)
        check_paired(self.FIELD, "r", self.r, "paper_eps0", self.paper_eps0)
        check_paired(self.FIELD, "r", self.r, "family", self.family)
        if self.width:
            check_paired(self.FIELD, "r", self.r, "width", self.width)
        for i, w in enumerate(self.width):
            if w not in FAMILY_WIDTHS:
                raise ResultsError(f"{self.FIELD}.width[{i}] = {short_repr(w)} must be one of {', '.join(FAMILY_WIDTHS)}")

    @classmethod
    def from_json(cls, data) -> "FamilyThreshold":
        data = json_object(data, cls.FIELD, ("r", "loss", "paper_eps0", "family"))
        if not isinstance(data["r"], list) or not isinstance(data["family"], list):
            raise ResultsError(f"{cls.FIELD}.r and .family must be lists")
        r = tuple(parse_int(v, f"{cls.FIELD}.r[{i}]", minimum=2) for i, v in enumerate(data["r"]))
        family = tuple(str(v) for v in data["family"])

        def optional(key, **kw):
            value = data.get(key)
            return None if value is None else parse_decimal(value, f"{cls.FIELD}.{key}", **kw)

        width = data.get("width") or []
        if not isinstance(width, list):
            raise ResultsError(f"{cls.FIELD}.width must be a list")
        fits = []
        raw_fits = data.get("width_fits") or []
        if not isinstance(raw_fits, list):
            raise ResultsError(f"{cls.FIELD}.width_fits must be a list")
        for i, f in enumerate(raw_fits):
            where = f"{cls.FIELD}.width_fits[{i}]"
            f = json_object(f, where, ("width", "exponent", "lowest", "highest", "from_r"))
            if f["width"] not in FAMILY_WIDTHS:
                raise ResultsError(f"{where}.width = {short_repr(f['width'])} must be one of {', '.join(FAMILY_WIDTHS)}")
            fits.append((f["width"], parse_decimal(f["exponent"], f"{where}.exponent"),
                         parse_decimal(f["lowest"], f"{where}.lowest"), parse_decimal(f["highest"], f"{where}.highest"),
                         parse_int(f["from_r"], f"{where}.from_r", minimum=2)))
        from_r = data.get("from_r")
        return cls(r, decimal_series(data, "loss", cls.FIELD, positive=True),
                   decimal_series(data, "paper_eps0", cls.FIELD, positive=True), family,
                   optional("exponent"), optional("exponent_error", nonnegative=True),
                   None if from_r is None else parse_int(from_r, f"{cls.FIELD}.from_r", minimum=2),
                   tuple(str(w) for w in width), tuple(fits))

    @classmethod
    def from_families_json(cls, data) -> "FamilyThreshold":
        """From the JSON that ``proofs-check families --paper zgj --json`` writes: one
        series per width when it has ``lowest_spurious_by_width`` and ``fit_by_width``."""
        data = json_object(data, "families", ("lowest_spurious", "fit"))
        rows = data["lowest_spurious"]
        fit = data["fit"]
        out = {"exponent": fit.get("exponent"), "exponent_error": fit.get("exponent_standard_error"),
               "from_r": fit.get("from_r")}
        by_width = data.get("lowest_spurious_by_width")
        if isinstance(by_width, dict) and by_width:
            rows, width, fits = [], [], []
            for rule in FAMILY_WIDTHS:
                for row in by_width.get(rule) or []:
                    rows.append(row)
                    width.append(rule)
                wfit = (data.get("fit_by_width") or {}).get(rule) or {}
                if wfit.get("exponent") is not None and wfit.get("exponent_range"):
                    fits.append({"width": rule, "exponent": wfit["exponent"], "lowest": wfit["exponent_range"][0],
                                 "highest": wfit["exponent_range"][1], "from_r": wfit["from_r"]})
            out.update(width=width, width_fits=fits)
        out.update({"r": [row["r"] for row in rows], "loss": [row["loss"] for row in rows],
                    "paper_eps0": [row["paper_eps0"] for row in rows],
                    "family": [row["family"] for row in rows]})
        return cls.from_json(out)

    def to_json(self) -> dict:
        out = {"r": list(self.r), "loss": [str(x) for x in self.loss],
               "paper_eps0": [str(x) for x in self.paper_eps0], "family": list(self.family),
               "exponent": None if self.exponent is None else str(self.exponent),
               "exponent_error": None if self.exponent_error is None else str(self.exponent_error),
               "from_r": self.from_r}
        if self.width:
            out["width"] = list(self.width)
            out["width_fits"] = [{"width": w, "exponent": str(e), "lowest": str(lo), "highest": str(hi),
                                  "from_r": fr} for w, e, lo, hi, fr in self.width_fits]
        return out


@dataclass(frozen=True)
class ThresholdBoxes:
    """A 2-D slice of the branch and bound's leaves (``proofs-check threshold --prove``):
    per box ``x_lo, x_hi, y_lo, y_hi`` and the index of its outcome in ``outcomes``;
    ``label`` names the geometry, ``axes`` the two coordinates, ``fixed`` the others."""

    label: str
    axes: tuple[str, str]
    fixed: str
    outcomes: tuple[str, ...]
    boxes: tuple[tuple[float, float, float, float, int], ...]

    FIELD = "figures.threshold_boxes"

    @classmethod
    def from_json(cls, data) -> "ThresholdBoxes":
        data = json_object(data, cls.FIELD, ("label", "axes", "fixed", "outcomes", "boxes"))
        axes, outcomes, boxes = data["axes"], data["outcomes"], data["boxes"]
        if not (isinstance(axes, list) and len(axes) == 2 and all(isinstance(a, str) for a in axes)):
            raise ResultsError(f"{cls.FIELD}.axes must be two strings, got {short_repr(axes)}")
        if not (isinstance(outcomes, list) and all(isinstance(o, str) for o in outcomes)):
            raise ResultsError(f"{cls.FIELD}.outcomes must be a list of strings")
        if not isinstance(data["label"], str) or not isinstance(data["fixed"], str):
            raise ResultsError(f"{cls.FIELD}.label and .fixed must be strings")
        if not isinstance(boxes, list):
            raise ResultsError(f"{cls.FIELD}.boxes must be a list")
        rows = []
        for k, b in enumerate(boxes):
            if not (isinstance(b, list) and len(b) == 5 and isinstance(b[4], int) and 0 <= b[4] < len(outcomes)):
                raise ResultsError(f"{cls.FIELD}.boxes[{k}] must be [x_lo, x_hi, y_lo, y_hi, outcome index]")
            try:
                rows.append(tuple(float(x) for x in b[:4]) + (b[4],))
            except (TypeError, ValueError):
                raise ResultsError(f"{cls.FIELD}.boxes[{k}] has a non-number end point") from None
        return cls(data["label"], tuple(axes), data["fixed"], tuple(outcomes), tuple(rows))

    def to_json(self) -> dict:
        return {"label": self.label, "axes": list(self.axes), "fixed": self.fixed,
                "outcomes": list(self.outcomes), "boxes": [list(b) for b in self.boxes]}


#: The suffix of the figure keys :class:`WorstCaseLadder` reads.
WORST_CASE_SUFFIX = ".worst_case"


#: Key in ``results["figures"]`` -> (attribute, figure type), in the order the report shows
#: them; the papers' own figure types (:attr:`proofs_check.paper.Paper.figures`) follow, then
#: the worst-case ladders.
_FIGURE_TYPES = (
    ("gradient_vs_loss", GradientVsLoss),
    ("gd", GDCurves),
    ("lambda_min_M", LambdaMinM),
    ("threshold", ThresholdComparison),
    ("families", FamilyThreshold),
    ("threshold_boxes", ThresholdBoxes),
)


def papers_figure_types() -> tuple:
    """The registered papers' own figure types (:class:`proofs_check.paper.FigureType`), in the
    registry's order of papers."""
    from proofs_check.registry import all_papers

    return tuple(figure for paper in all_papers().values() for figure in paper.figures)


def figure_keys() -> tuple[str, ...]:
    """Every figure's key, in the order the report shows them."""
    return (tuple(key for key, _ in _FIGURE_TYPES) + tuple(f.key for f in papers_figure_types())
            + ("worst_case_ladders",))


@dataclass(frozen=True)
class FigureData:
    """Whichever of the data sets the results carry; absent ones are ``None``.  A paper's own
    figures (``papers``: ``(key, data)`` pairs, from its :class:`~proofs_check.paper.FigureType` s)
    are attributes too: ``data.<key>``."""

    gradient_vs_loss: GradientVsLoss | None = None
    gd: GDCurves | None = None
    lambda_min_M: LambdaMinM | None = None
    threshold: ThresholdComparison | None = None
    families: FamilyThreshold | None = None
    threshold_boxes: ThresholdBoxes | None = None
    worst_case_ladders: tuple[WorstCaseLadder, ...] | None = None
    papers: tuple = ()

    def __getattr__(self, name):
        # Only called for names that are not fields: a paper's figure, by its key.
        if name.startswith("__"):
            raise AttributeError(name)
        for key, data in self.papers:
            if key == name:
                return data
        if name in (f.key for f in papers_figure_types()):
            return None
        raise AttributeError(f"{type(self).__name__} has no figure {name!r}")

    @classmethod
    def from_json(cls, data) -> "FigureData":
        """Parse ``results["figures"]`` (``None`` or missing keys mean "no data")."""
        if data is None:
            return cls()
        if not isinstance(data, dict):
            raise ResultsError(f"figures must be a JSON object, got {type(data).__name__}")
        # Unknown keys are ignored: newer producers may add figures this report cannot draw.
        found = {key: figure_type.from_json(data[key])
                 for key, figure_type in _FIGURE_TYPES if data.get(key) is not None}
        papers = tuple((f.key, parsed) for f in papers_figure_types()
                       if (parsed := f.parse(data)) is not None)
        # Twins (``.tight``) share their claim's ladder: one panel per distinct series.
        ladders = {}
        for key in sorted(data, key=lambda k: (k.count("."), k)):  # a claim before its twins
            if key.endswith(WORST_CASE_SUFFIX) and data[key] is not None:
                ladder = WorstCaseLadder.from_json(key[:-len(WORST_CASE_SUFFIX)], data[key])
                ladders.setdefault((ladder.loss, ladder.lhs), ladder)
        if ladders:
            found["worst_case_ladders"] = tuple(ladders.values())
        return cls(**found, papers=papers)

    def available(self) -> tuple[str, ...]:
        """Keys of the data sets present."""
        return tuple(key for key in figure_keys() if getattr(self, key) is not None)

    def to_json(self) -> dict:
        out = {key: getattr(self, key).to_json() for key in self.available() if key != "worst_case_ladders"}
        for ladder in self.worst_case_ladders or ():
            out[ladder.claim + WORST_CASE_SUFFIX] = ladder.to_json()
        return out
