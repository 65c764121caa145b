"""The report's figures: matplotlib, drawn off-screen, saved as vector PDF.

One drawing function per figure, on the helpers of :mod:`proofs_check.report.plotting`
(matplotlib's ``Figure`` without ``pyplot``, PDFs written atomically).  Each figure comes back as a
:class:`FigureEntry` whose caption states the numbers read off the
data (fitted slopes, constants, gaps), so the text of the report says what the picture shows.

One module over 500 lines because every figure's drawing function shares its caption
conventions and helpers with the others; it is to be split by paper once the papers draw
their own figures (``docs/architecture.md``, known departures).
"""
from __future__ import annotations

import math
import textwrap
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path

from proofs_check.report.figure_data import (
    FamilyThreshold,
    FigureData,
    GDCurves,
    GradientVsLoss,
    LambdaMinM,
    ThresholdBoxes,
    ThresholdComparison,
    WorstCaseLadder,
)
from proofs_check.report.escaping import escape
from proofs_check.report.plotting import (FIGURE_STYLE, dropped_note, log_slope, math_number, matplotlib_text,
                                          new_figure, point_label, positive_pairs, save_pdf)
from proofs_check.report.render import tex_number

__all__ = ["FIGURES", "FigureEntry", "render_figures"]


@dataclass(frozen=True)
class FigureEntry:
    """A figure of the report: its file (``None`` when there was no data) and its caption."""

    key: str
    title: str
    filename: str | None
    caption: str
    absent: str = ""
    description: str = ""  # a phrase for the running text: "... plots <description>"

#: key -> (file name, title, phrase for the running text), in the order the report shows them.
FIGURES = {
    "gradient_vs_loss": (
        "fig-gradient-vs-loss.pdf", "Gradient norm against loss (Theorem 4)",
        "the smallest gradient norms found against the loss (Theorem~4)",
    ),
    "gd": (
        "fig-gd-loss.pdf", "Gradient descent against the O(1/t) bound (Theorem 5)",
        "gradient descent for several widths $m$ against the $O(1/t)$ bound of Theorem~5",
    ),
    "lambda_min_M": (
        "fig-lambda-min-M.pdf", "Smallest eigenvalue of M against the separation (Lemma 11)",
        "$\\lambda_{\\min}(M)$ against the separation $\\Delta$ (Lemma~11)",
    ),
    "threshold": (
        "fig-threshold.pdf", "The paper's threshold against the measured ones (Lemma 8)",
        "the paper's explicit $\\epsilon_0$ against the thresholds the results give",
    ),
    "families": (
        "fig-families-threshold.pdf", "Certified spurious stationary points of symmetric families against r",
        "the lowest certified spurious stationary point of the symmetric families per $r$ beside the paper's $\\epsilon_0(r)$",
    ),
    "threshold_boxes": (
        "fig-threshold-boxes.pdf", "The branch and bound's boxes in a plane (real threshold)",
        "a plane through the domain of the branch and bound, each box coloured by the test that decided it",
    ),
    "du_gd_rate": (
        "fig-du-widths.pdf", "Du et al.: the width at which the linear rate holds",
        "the measured width for Du et al.'s linear rate beside the theorem's width",
    ),
    "worst_case_ladders": (
        "fig-worst-case-ladders.pdf", "The lemmas' worst cases found by optimisation",
        "the worst cases the optimiser found for the lemmas with a hidden constant, against the loss",
    ),
    "pl_contrast": (
        "fig-pl-contrast.pdf", "PL* for wide networks against its failure for the teacher-student loss",
        "PL$^*$ for the wide finite-sample network beside its failure for the teacher-student loss",
    ),
}

def _gradient_vs_loss(data: GradientVsLoss, path: Path) -> str:
    import numpy as np

    fig, ax = new_figure()
    ax.set_xscale("log")
    ax.set_yscale("log")
    loss, grad, dropped = positive_pairs(data.loss, data.grad_norm)
    caption = ("At each loss level $L$, the gradient norm $\\|\\nabla L\\|_F$ of the sample"
               " with the smallest ratio $\\|\\nabla L\\|_F / L$, on log-log axes.")
    n = len(data.loss)
    if data.family or data.origin:
        families = data.family or (None,) * n
        origins = data.origin or (None,) * n
        labels = [point_label(f, o) for f, o in zip(families, origins)]
        for k, label in enumerate(dict.fromkeys(labels)):
            keep = [i for i in range(n) if labels[i] == label]
            xs, ys, _ = positive_pairs([data.loss[i] for i in keep], [data.grad_norm[i] for i in keep])
            if xs:
                ax.scatter(xs, ys, s=14, marker="o^v<>sDP"[k % 8], color=f"C{k}", zorder=3,
                           label=matplotlib_text(label))
        caption += (" Each point is marked by the sampler family of the start it came from ("
                    + ", ".join(escape(label) for label in dict.fromkeys(labels)) + ").")
    elif loss:
        ax.scatter(loss, grad, s=12, color="C0", zorder=3, label=r"worst $\|\nabla L\|_F / L$ per level")
    fit = log_slope(loss, grad) if len(loss) >= 2 else None
    if fit is not None:
        slope, intercept = fit
        lx, ly = np.log10(loss), np.log10(grad)
        xs = np.logspace(lx.min(), lx.max(), 50)
        ax.plot(xs, 10 ** (intercept + slope * np.log10(xs)), color="0.4",
                label=f"least squares: slope ${math_number(slope, 4)}$")
        for ref, style, label in ((1.0, "--", "slope 1 (Theorem 4)"), (0.5, ":", "slope 1/2 (PL)")):
            ax.plot(xs, 10 ** (np.mean(ly) + ref * (np.log10(xs) - np.mean(lx))), "k" + style,
                    linewidth=1.0, label=label)
        caption += (
            f" A least-squares line through the {len(loss)} points (loss from ${math_number(min(loss))}$ to"
            f" ${math_number(max(loss))}$) has slope ${math_number(slope)}$; it describes the plotted points, the"
            " claim's verdict and its interval are in the tables. Theorem~4 states"
            " $\\|\\nabla L\\|_F \\ge \\kappa L$ below $\\epsilon_0$, slope~1; the"
            " Polyak--\\L{}ojasiewicz inequality would give slope~$1/2$. The reference lines pass"
            " through the centre of the data.")
    else:
        caption += " Fewer than two usable points: no line is fitted."
    ax.set_xlabel(r"loss $L(W)$")
    ax.set_ylabel(r"$\|\nabla L(W)\|_F$")
    ax.legend(loc="best", frameon=False)
    save_pdf(fig, path)
    return caption + dropped_note(dropped)


def _gd(data: GDCurves, path: Path) -> str:
    import numpy as np

    fig, ax = new_figure()
    ax.set_xscale("log")
    ax.set_yscale("log")
    t_max = 1
    findings = []
    dropped = 0
    for k, run in enumerate(data.runs):
        ts = list(range(1, len(run.loss)))  # t = 0 has no place on a log axis
        t, loss, lost = positive_pairs(ts, run.loss[1:])
        dropped += lost
        if not t:
            continue
        t_max = max(t_max, int(max(t)))
        ratio = run.m / run.r
        width = f"m = {run.m} = {ratio:g}r" if ratio != 1 else f"m = r = {run.r}"
        ax.plot(t, loss, color=f"C{k}", label=width)
        tail = len(t) // 2
        fit = log_slope(t[tail:], loss[tail:]) if len(t) - tail >= 2 else None
        text = f"$m = {run.m}$: {len(t)} steps"
        if data.kappa is not None:
            above = [s for s, value in zip(t, loss) if Decimal(repr(value)) > data.bound(int(s))]
            text += (", below the drawn bound at every plotted step" if not above
                     else f", above the drawn bound at {len(above)} of {len(t)} steps")
        if fit is not None:
            text += f", late-time slope ${math_number(fit[0])}$"
        findings.append(text)
    if data.kappa is not None:
        ts = np.logspace(0, math.log10(max(t_max, 2)), 100)
        bound = 4.0 / (ts * float(data.eta) * float(data.kappa) ** 2)
        ax.plot(ts, bound, "k--", linewidth=1.0, label=r"$4/(t\,\eta\,\kappa^2)$")
    ax.set_xlabel("step $t$")
    ax.set_ylabel(r"loss $L(W^{(t)})$")
    ax.legend(loc="best", frameon=False)
    save_pdf(fig, path)
    caption = ("Loss of full-batch gradient descent against the step $t$ for several student"
               f" widths, with step size $\\eta = {tex_number(data.eta)}$")
    if data.kappa is not None:
        caption += (", and the bound $L(W^{(t)}) \\le 4/(t\\eta\\kappa^2)$ from the proof of"
                    f" Theorem~5 (p.~47) with $\\kappa = {tex_number(data.kappa)}$ as the results give it.")
    else:
        caption += ("; the results give no $\\kappa$, so Theorem~5's bound $4/(t\\eta\\kappa^2)$"
                    " is not drawn.")
    if findings:
        caption += " " + "; ".join(findings) + ". A slope of $-1$ is the $O(1/t)$ rate."
    else:
        caption += " The results contain no usable runs."
    return caption + dropped_note(dropped)


def _lambda_min(data: LambdaMinM, path: Path) -> str:
    import numpy as np

    delta, lam, dropped = positive_pairs(data.delta, data.lambda_min)
    fig, ax = new_figure()
    ax.set_xscale("log")
    ax.set_yscale("log")
    ax.scatter(delta, lam, s=14, color="C0", zorder=3, label=r"$\lambda_{\min}(M)$")
    r3 = float(data.r) ** 3
    caption = (f"Smallest eigenvalue of $M$ (eq.~(4)) for $r = {data.r}$ teachers at"
               " separation $\\Delta$, on log-log axes.")
    if delta:
        c = min(l * r3 / d**3 for d, l in zip(delta, lam))
        xs = np.logspace(np.log10(min(delta)), np.log10(max(delta)), 50)
        ax.plot(xs, c * xs**3 / r3, "k--", linewidth=1.0,
                label=rf"$c\,\Delta^3/r^3$, $c = {math_number(c)}$")
        caption += (
            " Lemma~11 proves $\\lambda_{\\min}(M) = \\Omega(\\Delta^3/r^3)$; the dashed curve is"
            f" $c\\Delta^3/r^3$ with the largest $c$ that the data allow, $c = {math_number(c)}$."
        )
        fit = log_slope(delta, lam)
        if fit is not None:
            caption += f" The fitted slope in $\\Delta$ is ${math_number(fit[0])}$ (the bound's shape has 3)."
    else:
        caption += " No positive eigenvalues to plot."
    ax.set_xlabel(r"separation $\Delta$")
    ax.set_ylabel(r"$\lambda_{\min}(M)$")
    ax.legend(loc="best", frameon=False)
    save_pdf(fig, path)
    return caption + dropped_note(dropped)


def _threshold(data: ThresholdComparison, path: Path) -> str:
    n = len(data.labels)
    fig, ax = new_figure(width=max(4.0, min(7.0, 1.0 + 0.9 * n)))
    ax.set_yscale("log")
    xs = list(range(n))
    # Paper, lower bound, upper bound (or the single empirical threshold) side by side.
    series = [("paper_eps0", r"paper's $\epsilon_0$", "v", "C3")]
    if data.lower or data.upper:
        # zgj.eps0's lower end is the optimiser scan (not a bound); its upper end is a
        # certified spurious stationary point (a proved upper bound)
        series += [("lower", "optimiser scan (not a bound)", "^", "C2"),
                   ("upper", "certified spurious point (upper bound)", "s", "C0")]
    elif data.empirical:
        series += [("empirical", "empirical threshold", "o", "C1")]
    width = 0.6 / len(series)
    drawn = 0
    for k, (key, label, marker, color) in enumerate(series):
        values = getattr(data, key) or ()
        pts = [(i + (k - (len(series) - 1) / 2) * width, float(v)) for i, v in enumerate(values)
               if v is not None and 0 < float(v) < math.inf]
        drawn += len(pts)
        if pts:
            ax.scatter([p[0] for p in pts], [p[1] for p in pts], marker=marker, color=color,
                       zorder=3, label=label)
    ax.set_xticks(xs)
    # Long geometry descriptions are wrapped so neighbouring labels never overlap.
    ax.set_xticklabels([textwrap.fill(matplotlib_text(label), 18) for label in data.labels],
                       rotation=30 if n > 4 else 0, ha="right" if n > 4 else "center", fontsize=7)
    ax.set_xlim(-0.6, n - 0.4)
    ax.set_ylabel("loss threshold")
    ax.legend(loc="best", frameon=False)
    save_pdf(fig, path)
    caption = (
        "The paper's explicit threshold $\\epsilon_0 = \\Delta^{36} w_{\\min}^{80} r^{-162}"
        " w_{\\max}^{-78}$ (proof of Lemma~8, p.~21, hidden constant set to 1) per teacher"
        " geometry (" + ", ".join(escape(label) for label in data.labels) + "), against "
        + " and ".join(label for _, label, _, _ in series[1:]) + " as the results give them."
    )
    for key, label, _, _ in series[1:]:
        gaps = [float((v / p).log10()) for p, v in zip(data.paper_eps0, getattr(data, key))
                if v is not None]
        if gaps:
            caption += (f" The {label} divided by the paper's $\\epsilon_0$ ranges from"
                        f" $10^{{{math_number(min(gaps))}}}$ to $10^{{{math_number(max(gaps))}}}$.")
    witnessed = sum(w is not None for w in data.witness)
    if witnessed:
        caption += (f" {witnessed} of the {n} geometries carry a witness configuration in the"
                    " results.")
    expected = sum(1 for key, *_ in series for v in (getattr(data, key) or ()) if v is not None)
    if drawn < expected:
        caption += f" {expected - drawn} value(s) outside the floating-point range are not drawn."
    return caption


def _families(data: FamilyThreshold, path: Path) -> str:
    if data.width:
        return _families_by_width(data, path)
    fig, ax = new_figure()
    ax.set_xscale("log")
    ax.set_yscale("log")
    r = [float(x) for x in data.r]
    loss = [float(x) for x in data.loss]
    eps0 = [float(x) if float(x) > 0 else math.nan for x in data.paper_eps0]
    for k, name in enumerate(dict.fromkeys(data.family)):
        keep = [i for i, f in enumerate(data.family) if f == name]
        ax.scatter([r[i] for i in keep], [loss[i] for i in keep], s=12, marker="os^vD<>P"[k % 8],
                   color=f"C{k}", zorder=3, label=matplotlib_text(f"certified: {name}"))
    drawn = [(x, e) for x, e in zip(r, eps0) if math.isfinite(e) and e > 0]
    if drawn:
        ax.plot([p[0] for p in drawn], [p[1] for p in drawn], "k--", linewidth=0.9,
                label=r"paper's $\epsilon_0(r)$")
    if data.exponent is not None and data.from_r is not None:
        fit = [(x, y) for x, y in zip(r, loss) if x >= data.from_r]
        if fit:
            x0, y0 = fit[0]
            xs = [p[0] for p in fit]
            ax.plot(xs, [y0 * (x / x0) ** float(data.exponent) for x in xs], "C7:", linewidth=1.0,
                    label=f"fit: slope {math_number(float(data.exponent))}")
    ax.set_xlabel("number of teachers $r$")
    ax.set_ylabel("loss")
    ax.legend(loc="best", frameon=False, fontsize=7)
    save_pdf(fig, path)
    gaps = [math.log10(y) - math.log10(e) for y, e in zip(loss, eps0) if math.isfinite(e) and e > 0]
    caption = (
        "Orthogonal unit teachers, $d = r$: per $r$, the lowest stationary point with $L > 0$ among"
        " the symmetric families followed in $r$ (each point certified: a Krawczyk test in the"
        " fixed-point subspace's coordinates, which equivariance makes a stationary point of the"
        " full loss), an upper bound on the real threshold at that width; families: "
        + ", ".join(escape(f) for f in dict.fromkeys(data.family))
        + f"; $r$ from {min(data.r)} to {max(data.r)}. The dashed line is the paper's"
        " $\\epsilon_0(r) = (\\pi/2)^{36} r^{-162}$ (unit norms).")
    if gaps:
        caption += (f" The certified points lie $10^{{{math_number(min(gaps))}}}$ to $10^{{{math_number(max(gaps))}}}$"
                    " above it.")
    if data.exponent is not None:
        err = "" if data.exponent_error is None else f" \\pm {math_number(float(data.exponent_error))}"
        caption += (f" A least-squares fit of $\\log L$ against $\\log r$ for $r \\ge {data.from_r}$ gives"
                    f" the exponent ${math_number(float(data.exponent))}{err}$ (empirical: a fit to the lowest"
                    " points found, not a bound).")
    return caption


_WIDTH_TEX = {"r": "m = r", "r+1": "m = r + 1", "2r": "m = 2r"}
_TABLE_R = (2, 3, 4, 8, 16, 32, 64, 100)


def _families_by_width(data: FamilyThreshold, path: Path) -> str:
    """One series per width (m = r, r + 1, 2r) beside eps0(r), each with its fitted line,
    an inset with the certified losses alone, and a table of them at a few r on the right."""
    from matplotlib.figure import Figure
    from matplotlib.ticker import NullFormatter

    fig = Figure(figsize=(7.5, 3.4))
    ax = fig.add_axes((0.09, 0.14, 0.50, 0.80))
    tab = fig.add_axes((0.62, 0.05, 0.37, 0.90))
    tab.axis("off")
    ax.set_xscale("log")
    ax.set_yscale("log")
    widths = tuple(dict.fromkeys(data.width))
    series = {}
    for i, w in enumerate(data.width):
        series.setdefault(w, []).append((float(data.r[i]), float(data.loss[i]), data.family[i], data.loss[i]))
    for k, w in enumerate(widths):
        points = sorted(series[w])
        names = ", ".join(dict.fromkeys(p[2] for p in points))
        ax.scatter([p[0] for p in points], [p[1] for p in points], s=10, marker="os^"[k % 3], color=f"C{k}",
                   zorder=3, label=matplotlib_text(f"{_WIDTH_TEX[w]}: {names}"))
    for w, exponent, _, _, from_r in data.width_fits:
        k = widths.index(w) if w in widths else 0
        fit = sorted(p for p in series.get(w, []) if p[0] >= from_r)
        if fit:
            x0, y0 = fit[0][0], fit[0][1]
            xs = [p[0] for p in fit]
            ax.plot(xs, [y0 * (x / x0) ** float(exponent) for x in xs], ":", color=f"C{k}", linewidth=1.0)
    eps = sorted({(float(r), float(e)) for r, e in zip(data.r, data.paper_eps0) if float(e) > 0})
    if eps:
        ax.plot([p[0] for p in eps], [p[1] for p in eps], "k--", linewidth=0.9, label=r"paper's $\epsilon_0(r)$")
    zoom = ax.inset_axes((0.42, 0.55, 0.55, 0.40))
    zoom.set_xscale("log")
    zoom.set_yscale("log")
    for k, w in enumerate(widths):
        points = sorted(series[w])
        zoom.plot([p[0] for p in points], [p[1] for p in points], marker="os^"[k % 3], markersize=2.5,
                  linewidth=0.6, color=f"C{k}")
    ticks = [t for t in (2, 4, 8, 16, 32, 64, 128) if min(data.r) <= t <= max(data.r)]
    for axis in (ax, zoom):
        axis.set_xticks(ticks)
        axis.set_xticklabels([str(t) for t in ticks])
        axis.xaxis.set_minor_formatter(NullFormatter())
    zoom.tick_params(labelsize=5)
    zoom.yaxis.set_minor_formatter(NullFormatter())
    ax.set_xlabel("number of teachers $r$")
    ax.set_ylabel("loss")
    ax.legend(loc="lower left", frameon=False, fontsize=6)
    rows = sorted({r for r in data.r if r in _TABLE_R})
    cells = []
    for r in rows:
        line = [str(r)]
        for w in widths:
            hit = [p for p in series[w] if p[0] == r]
            line.append(f"{float(hit[0][3]):.5f}" if hit else "-")
        cells.append(line)
    if cells:
        table = tab.table(cellText=cells, colLabels=["r"] + [_WIDTH_TEX[w] for w in widths], loc="center",
                          cellLoc="right")
        table.auto_set_font_size(False)
        table.set_fontsize(6.5)
    save_pdf(fig, path)
    caption = (
        "Orthogonal unit teachers, $d = r$: per $r$ and width, the lowest stationary point with $L > 0$"
        " among the symmetric families followed in $r$ (each point certified: a Krawczyk test in the"
        " fixed-point subspace's coordinates, which equivariance makes a stationary point of the full"
        " loss): a proved upper bound on the real threshold at that width (the lowest these families"
        " give, not proven lowest). The inset shows the certified losses alone; the table on the right"
        " lists some of them. The"
        " dashed line is the paper's $\\epsilon_0(r) = (\\pi/2)^{36} r^{-162}$"
        " (unit norms).")
    gaps = [math.log10(float(x)) - math.log10(float(e)) for x, e in zip(data.loss, data.paper_eps0) if float(e) > 0]
    if gaps:
        caption += (f" The certified points lie $10^{{{math_number(min(gaps))}}}$ to $10^{{{math_number(max(gaps))}}}$"
                    " above it.")
    fits = [f"${_WIDTH_TEX[w]}$: ${math_number(float(e))}$ (windows from $r \\ge {fr}$: ${math_number(float(lo))}$ to"
            f" ${math_number(float(hi))}$)" for w, e, lo, hi, fr in data.width_fits]
    if fits:
        caption += (" Fitted exponents of $\\log L$ against $\\log r$ (dotted; empirical: a fit to the"
                    " lowest points found, the range over shorter windows its uncertainty): "
                    + "; ".join(fits) + ".")
    return caption


_BOX_COLOURS = {"pruned": "0.85", "loss": "C0", "gradient": "C2", "excluded": "C8", "global": "C1",
                "spurious": "C3", "unresolved": "k"}


def _threshold_boxes(data: ThresholdBoxes, path: Path) -> str:
    from matplotlib.collections import PatchCollection
    from matplotlib.patches import Rectangle

    fig, ax = new_figure(width=4.6, height=4.0)
    counts = {}
    for name in data.outcomes:
        rects = [Rectangle((b[0], b[2]), b[1] - b[0], b[3] - b[2]) for b in data.boxes
                 if data.outcomes[b[4]] == name]
        counts[name] = len(rects)
        if rects:
            ax.add_collection(PatchCollection(rects, facecolor=_BOX_COLOURS.get(name, "C7"), edgecolor="white",
                                              linewidth=0.1, label=f"{name} ({len(rects)})"))
    if data.boxes:
        ax.set_xlim(min(b[0] for b in data.boxes), max(b[1] for b in data.boxes))
        ax.set_ylim(min(b[2] for b in data.boxes), max(b[3] for b in data.boxes))
    ax.set_xlabel(matplotlib_text(data.axes[0]))
    ax.set_ylabel(matplotlib_text(data.axes[1]))
    ax.grid(False)
    ax.legend(loc="upper left", bbox_to_anchor=(1.0, 1.0), frameon=False, fontsize=7)
    save_pdf(fig, path)
    shown = ", ".join(f"{n} {escape(k)}" for k, n in counts.items() if n)
    return ("The boxes of the branch and bound for the real threshold (" + escape(data.label)
            + ") met by the plane of " + escape(data.axes[0]) + " and " + escape(data.axes[1])
            + " at " + escape(data.fixed) + ", coloured by the test that decided each: " + shown
            + ". \\emph{loss}: the loss enclosure is above the level; \\emph{gradient}: a gradient"
            " component excludes 0; \\emph{excluded}: the Krawczyk operator leaves the box;"
            " \\emph{global}: a single stationary point, the global minimum; \\emph{pruned}: outside"
            " the fundamental domain or Lemma C.5's mass bound.")


def _du_widths(data: WidthSweep, path: Path) -> str:
    fig, ax = new_figure()
    ax.set_xscale("log")
    widths = [float(w) for w in data.widths]
    ax.plot(widths, [float(f) for f in data.fraction_holding], "o-", color="C0",
            label="share of runs where the rate held")
    if data.measured_width is not None:
        ax.axvline(float(data.measured_width), color="C2", linestyle="--", linewidth=1.0,
                   label=f"measured width {data.measured_width}")
    theory = float(data.theory_width)
    ax.axvline(theory, color="C3", linestyle=":", linewidth=1.2, label="theorem's width (constant 1)")
    ax.set_xlim(min(widths) / 2, max(max(widths), theory) * 2)
    ax.set_ylim(-0.05, 1.05)
    ax.set_xlabel("width $m$")
    ax.set_ylabel("share of runs")
    ax.legend(loc="lower right", frameon=False)
    save_pdf(fig, path)
    caption = ("Du et al.'s linear rate $\\|u(k)-y\\|^2\\le(1-\\eta\\lambda_0/2)^k\\|u(0)-y\\|^2$ on"
               " sampled data sets: the share of runs in which it held at every step, against the width"
               " (empirical).")
    if data.measured_width is not None:
        caption += (f" It held in every run from $m = {data.measured_width}$ on, against the theorem's"
                    f" $n^6/(\\lambda_0^4\\delta^3) = {math_number(data.theory_width)}$ with constant 1.")
    return caption


def _pl_contrast(data: PLContrast, path: Path) -> str:
    from matplotlib.figure import Figure

    fig = Figure(figsize=(6.4, 2.8))
    left, right = fig.subplots(1, 2)
    left.set_xscale("log")
    left.plot([float(w) for w in data.widths], [float(x) for x in data.mu_over_lambda0], "o-", color="C0")
    left.axhline(0.5, color="k", linestyle="--", linewidth=1.0)
    left.set_xlabel("width $m$")
    left.set_ylabel(r"$\min_k \lambda_{\min}(K)/\lambda_0$")
    left.set_title("wide network, finite data: PL* holds", fontsize=8)
    loss, ratio, dropped = positive_pairs(data.loss, data.pl_ratio)
    right.set_xscale("log")
    right.set_yscale("log")
    right.plot(loss, ratio, "s-", color="C3")
    right.set_xlabel("loss $L$")
    right.set_ylabel(r"$\|\nabla L\|^2 / L$ (worst found)")
    right.set_title("teacher-student, $m > r$: PL fails", fontsize=8)
    fig.tight_layout()
    save_pdf(fig, path)
    caption = ("Left: the smallest $\\lambda_{\\min}$ of the tangent kernel along gradient descent,"
               " relative to $\\lambda_0$, against the width (\\texttt{lzb.wide\\_pl}, empirical); the"
               " dashed line is $1/2$. Right: $\\|\\nabla L\\|^2/L$ at the worst configurations found by"
               " optimisation for the mildly over-parameterized teacher-student loss"
               " (\\texttt{contrast.pl}), which tends to 0 with $L$: no $\\mu > 0$ works.")
    fit = log_slope(loss, ratio)
    if fit is not None:
        caption += f" Its fitted slope in $L$ is ${math_number(fit[0])}$."
    return caption + dropped_note(dropped)


def _worst_case_ladders(data: tuple[WorstCaseLadder, ...], path: Path) -> str:
    import numpy as np
    from matplotlib.figure import Figure

    n = len(data)
    cols = min(n, 3)
    rows = -(-n // cols)
    fig = Figure(figsize=(2.4 * cols, 2.3 * rows))
    axes = np.atleast_1d(fig.subplots(rows, cols)).reshape(-1)
    parts = []
    for ax, ladder in zip(axes, data):
        ax.set_xscale("log")
        ax.set_yscale("log")
        labels = [f or "family not given" for f in ladder.family]
        for k, label in enumerate(dict.fromkeys(labels)):
            keep = [i for i in range(len(labels)) if labels[i] == label]
            xs, ys, _ = positive_pairs([ladder.loss[i] for i in keep], [ladder.lhs[i] for i in keep])
            if xs:
                ax.scatter(xs, ys, s=10, marker="o^v<>sDP"[k % 8], color=f"C{k}", zorder=3,
                           label=matplotlib_text(label))
        loss, lhs, _ = positive_pairs(ladder.loss, ladder.lhs)
        if loss and ladder.paper_exponent is not None:
            # The paper's exponent drawn through the deepest point: a steeper decay of the
            # worst case (a larger slope) is on the claim's side for an upper bound.
            x0, y0 = loss[0], lhs[0]
            xs = np.logspace(np.log10(min(loss)), np.log10(max(loss)), 20)
            ax.plot(xs, y0 * (xs / x0) ** float(ladder.paper_exponent), "k--", linewidth=0.9,
                    label=f"paper: slope {ladder.paper_exponent}")
        ax.set_title(matplotlib_text(ladder.claim), fontsize=8)
        ax.set_xlabel("loss $L$", fontsize=8)
        ax.legend(loc="best", frameon=False, fontsize=6)
        paper = "" if ladder.paper_exponent is None else f" (paper ${ladder.paper_exponent}$)"
        parts.append(f"\\texttt{{{escape(ladder.claim)}}}: ${ladder.lhs_tex}$, fitted exponent"
                     f" ${math_number(float(ladder.fitted_exponent), 4)}${paper}")
    for ax in axes[n:]:
        ax.set_visible(False)
    fig.tight_layout()
    save_pdf(fig, path)
    return ("Per loss level, the largest left-hand side found by optimising each claim's own margin"
            " on $\\{L = \\epsilon\\}$ (marked by the sampler family of the start), on log-log axes;"
            " the dashed line has the paper's exponent and passes through the deepest point. "
            + "; ".join(parts) + ". The verdicts and their intervals are in the tables (empirical).")


_DRAW = {
    "gradient_vs_loss": _gradient_vs_loss,
    "gd": _gd,
    "lambda_min_M": _lambda_min,
    "threshold": _threshold,
    "families": _families,
    "threshold_boxes": _threshold_boxes,
    "du_gd_rate": _du_widths,
    "pl_contrast": _pl_contrast,
    "worst_case_ladders": _worst_case_ladders,
}


def render_figures(data: FigureData, out_dir) -> list[FigureEntry]:
    """Draw every figure whose data are present into ``out_dir``; one entry per figure.

    Figures without data get an entry with ``filename=None`` and a sentence saying so, and a
    stale file of that name from an earlier report is removed.
    """
    import matplotlib

    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    entries = []
    with matplotlib.rc_context(FIGURE_STYLE):
        for key, (filename, title, description) in FIGURES.items():
            path = out_dir / filename
            figure_data = getattr(data, key)
            if figure_data is None:
                if path.exists():
                    path.unlink()
                entries.append(FigureEntry(
                    key, title, None, "",
                    f"The results carry no data for this figure (key \\texttt{{figures.{escape(key)}}}),"
                    " so it is omitted.",
                    description,
                ))
                continue
            caption = _DRAW[key](figure_data, path)
            entries.append(FigureEntry(key, title, filename, caption, "", description))
    return entries
