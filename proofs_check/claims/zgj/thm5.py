"""Theorem 5 (main result: GD converges), Zhou, Ge, Jin (COLT 2021), p.6; proof p.46-47.

Full-batch GD ``W_{t+1} = W_t - eta grad L(W_t)`` from ``L(W_0) <= eps0`` with
``eta <= eta0 = O(1/(r w_max))`` reaches ``L <= eps`` within ``T = O(r w_max / (eps eta))``
steps, independently of ``m``.  The proof's mechanics (p.47):

    L_{t+1} <= L_t - (eta kappa^2 / 4) L_t^2      (a)
    L_t <= 4 / (t eta kappa^2)                     (b)

The checker runs GD (float64 trajectory, :mod:`numeric.dynamics`) for ``m = r, 2r, 4r, 8r``
from starts at the same loss level (same sampler family), with ``eta = eta_factor/(r w_max)``
(default 0.1), stops at ``L ~ 1e-9`` (below, float64 would lose the loss; the iterates stay
exact), and decides (a) and (b) with arb balls at the recorded iterates (every step early,
then geometrically spaced), ``kappa`` being the run's ``min ||grad L|| / L`` over the checked
iterates.  It also checks (c) that the students end closer (up to sign) to
its nearest teacher than it started (judged on the mass-weighted sum ``sum ||w_j||^2 delta_j^2``;
individual heavy students may turn away for a while: counted in the notes), and (d) that the rate constant
``C_m = max_t t eta L_t / (r w_max)`` shows no clear growth with ``m``: per width the worst
constant over ``starts`` (3) random starts; the exponent of that worst constant in ``m`` is
fitted with a 95% interval, and (d) is called into question (``inconclusive``) only when the
whole interval lies above ``m_trend_tolerance`` (0.25).  Finite widths cannot establish
uniformity in ``m``; they can only expose a clear dependence.
The late-time exponent of ``L_t`` in ``t`` is fitted and reported (not judged).
"""
from __future__ import annotations

from fractions import Fraction

import mpmath
import numpy as np
from flint import arb

from numeric.dynamics import gradient_descent, iterate_configuration, student_teacher_angles
from numeric.float64 import as_arrays
from numeric.precision import to_mpf
from proofs_check.claims.base import Claim, Observation, _base_verdict, as_ball, fit_exponent
from proofs_check.claims.quantities import loss_and_gradient_norm
from proofs_check.errors import UsageError
from proofs_check.samplers import configuration_at_level, dps_for_level, random_spec

__all__ = ["CLAIMS", "check_points"]


def check_points(steps: int, dense: int = 8, total: int = 24) -> list:
    """Step indices checked with balls: ``0..dense-1`` and then geometrically spaced.

    >>> check_points(1000, 3, 8)
    [0, 1, 2, 3, 12, 54, 233, 999]
    """
    pts = set(range(min(dense, steps)))
    if steps > dense:
        for x in np.geomspace(dense, steps - 1, max(2, total - dense)):
            pts.add(int(x))
    return sorted(p for p in pts if p < steps)


def _start(claim, rng, r, m, d, T):
    for _ in range(20):
        spec = random_spec(rng, r, m, d, teacher=T, family=claim.params.get("family", "random"))
        try:
            return configuration_at_level(spec, claim.params.get("start_level", 1e-3))
        except UsageError:
            continue
    raise UsageError(f"claim {claim.id}: no start at the requested loss level for m = {m}")


def _observe(claim, request):
    p = claim.params
    r, d = p.get("r", 2), p.get("d", 2)
    T = np.eye(r, d).tolist()
    w_max = 1.0
    eta = float(Fraction(p.get("eta_factor", Fraction(1, 10)))) / (r * w_max)
    steps = p.get("steps", 1500)
    for mult in p.get("widths", (1, 2, 4, 8)):
        m = mult * r
        for start_index in range(p.get("starts", 3)):
            rng = request.rng(f"{claim.id}.{m}.{start_index}")
            start = _start(claim, rng, r, m, d, T)
            Tt, S, _ = as_arrays(start.config)
            run = gradient_descent(Tt, S, eta, steps, stop_loss=p.get("stop_loss", 1e-9))
            pts = check_points(run.steps, total=max(6, request.samples // p.get("starts", 3)))
            angles0 = student_teacher_angles(Tt, run.iterates[0])
            angles1 = student_teacher_angles(Tt, run.iterates[-1])
            for t in pts:
                dps = dps_for_level(max(float(run.loss[t]), 1e-300))
                L, g = loss_and_gradient_norm(iterate_configuration(run, t), dps)
                L_next, _ = loss_and_gradient_norm(iterate_configuration(run, t + 1), dps)
                request.tick()
                yield Observation(lhs=L_next, rhs=L, scale=L, dps=dps, group=(m, start_index), witness={
                    "t": t, "m": m, "start": start_index, "r": r, "eta": eta, "grad_norm": g,
                    "config": iterate_configuration(run, t).to_dict(),
                    "run": run if t == pts[-1] else None,
                    "angles": (angles0, angles1) if t == pts[-1] else None})


def _judge(claim, obs):
    p = claim.params
    eta = as_ball(Fraction(obs[0].witness["eta"]))
    r = obs[0].witness["r"]
    w_max = 1
    runs = {}
    for o in obs:
        runs.setdefault((o.witness["m"], o.witness["start"]), []).append(o)
    # kappa: min over all checked iterates of ||grad L|| / L (one kappa for all widths, as
    # the theorem's kappa does not depend on m).
    kappa = min((o.witness["grad_norm"] / o.rhs for o in obs), key=lambda b: to_mpf(b.mid()))
    kappa = arb(kappa.mid()) - arb(kappa.rad())  # lower end: a valid smaller kappa
    status, counter, notes = "holds", None, []
    min_margin, worst = None, None
    constants, exponents, figure_runs = {}, {}, []
    for (m, start), group in sorted(runs.items()):
        rate_c = arb(0)
        for o in group:
            t = o.witness["t"]
            step = o.rhs - eta * kappa * kappa / 4 * o.rhs * o.rhs - o.lhs  # (a)
            margin = step / o.rhs
            if min_margin is None or to_mpf(margin.mid()) < to_mpf(min_margin.mid()):
                min_margin, worst = margin, {"config": o.witness["config"], "t": t, "m": m}
            if margin < 0:
                status, counter = "violated", {"config": o.witness["config"], "t": t, "m": m,
                                               "inequality": "(a) per-step decrease"}
            elif not margin > 0 and status == "holds":
                status = "inconclusive"
            if t >= 1:
                if o.rhs > 4 / (t * eta * kappa * kappa):  # (b)
                    status, counter = "violated", {"config": o.witness["config"], "t": t, "m": m,
                                                   "inequality": "(b) O(1/t) bound"}
                c = t * eta * o.rhs / (r * w_max)
                if to_mpf(c.mid()) > to_mpf(rate_c.mid()):
                    rate_c = c
        constants[m, start] = to_mpf(rate_c.mid())
        last = group[-1].witness
        run = last["run"]
        late = [(o.witness["t"], o.rhs) for o in group if o.witness["t"] >= max(2, run.steps // 10)]
        fit = fit_exponent([t for t, _ in late], [L for _, L in late])
        exponents[m, start] = None if fit is None else fit[0]
        a0, a1 = last["angles"]
        # (c) the mass-weighted squared angle (Lemma C.6's sum ||w_j||^2 delta_j^2) must
        # shrink.  Single heavy students (||w||^2 >= 5% of the largest) may turn away for a
        # while, and the largest angle may grow slightly within the horizon: reported only.
        spread0 = sum(n * n * x * x for n, x in a0 if n > 0)
        spread1 = sum(n * n * x * x for n, x in a1 if n > 0)
        big = max(n for n, _ in a0)
        heavy = [j for j, (n, _) in enumerate(a0) if n * n >= 0.05 * big * big]
        turned = [j for j in heavy if a1[j][1] > a0[j][1] + 1e-12]
        shrunk = sum(1 for (n0, _), (n1, _) in zip(a0, a1) if n1 < 0.5 * n0)
        if not spread1 < spread0 and status == "holds":
            status = "violated"
            counter = {"config": last["config"], "m": m,
                       "inequality": "(c) student directions do not approach the teachers"}
        moved = [(j, a0[j][1], a1[j][1]) for j in heavy]
        notes.append(f"m = {m} (start {start}): {run.steps} steps ({run.stopped}), L from "
                     f"{mpmath.nstr(to_mpf(group[0].rhs.mid()), 3)} to {float(run.loss[-1]):.3g}; "
                     f"late exponent of L_t in t = "
                     f"{'n/a' if exponents[m, start] is None else f'{exponents[m, start]:.3f}'}; "
                     f"C_m = max t eta L_t/(r w_max) = {mpmath.nstr(constants[m, start], 4)}; max final angle "
                     f"{max((x1 for _, _, x1 in moved), default=0):.2e} (start "
                     f"{max((x0 for _, x0, _ in moved), default=0):.2e}); sum ||w||^2 angle^2 from {spread0:.2e} to {spread1:.2e}; {len(turned)} of {len(heavy)} heavy students turned away; {shrunk} students shrank by > 1/2")
        if start == 0:
            figure_runs.append({"m": m, "r": r, "loss": [f"{x:.10e}" for x in run.loss]})
    # (d) The theorem's rate constant is uniform in m.  Finite widths cannot prove
    # uniformity; what they can show is a clear growth with m.  Per width, the worst
    # constant over the starts; its exponent in m is fitted with a 95% interval, and (d)
    # is called into question only when the whole interval lies above m_trend_tolerance
    # (declared in params before looking at data).
    widths = sorted({m for m, _ in constants})
    worst_c = [max(v for (mm, _), v in constants.items() if mm == m) for m in widths]
    trend = fit_exponent(widths, worst_c) if len(widths) >= 3 else None
    tol_m = p.get("m_trend_tolerance", 0.25)
    if trend is not None and trend[1][0] > tol_m and status == "holds":
        status = "inconclusive"
        counter = {"inequality": "(d) the worst rate constant grows with m",
                   "constants": {str(m): mpmath.nstr(c, 5) for m, c in zip(widths, worst_c)}}
    notes.insert(0, f"eta = {mpmath.nstr(to_mpf(eta.mid()), 4)} = {p.get('eta_factor', Fraction(1, 10))}/(r w_max); "
                    f"kappa = min ||grad L||/L over checked iterates = {mpmath.nstr(to_mpf(kappa.mid()), 5)}; "
                    f"(a), (b) decided by balls at the float64 iterates (exact rationals); "
                    f"(d) worst C_m over {p.get('starts', 3)} starts per width: "
                    + ", ".join(f"m = {m}: {mpmath.nstr(c, 3)}" for m, c in zip(widths, worst_c))
                    + ("" if trend is None else
                       f"; exponent of worst C_m in m = {trend[0]:.2f} [{trend[1][0]:.2f}, {trend[1][1]:.2f}] "
                       f"(called into question only if the interval lies above {tol_m})"))
    return _base_verdict(claim, obs, status=status, min_margin=min_margin,
                         error=None if min_margin is None else to_mpf(min_margin.rad()),
                         worst=worst, counterexample=counter, notes="; ".join(notes),
                         figures={"gd": {"eta": mpmath.nstr(to_mpf(eta.mid()), 10),
                                         "kappa": mpmath.nstr(to_mpf(kappa.mid()), 10),
                                         "runs": [f for f in figure_runs if f["m"] <= 4 * r]}})


THM5 = Claim(
    id="zgj.thm5",
    title="Theorem 5: GD from below eps0 converges at rate O(1/t), independently of m",
    source="Zhou, Ge, Jin (COLT 2021), Theorem 5, p.6 (proof p.46-47)",
    statement=r"L(W^{(0)})\le\epsilon_0,\ \eta\le\eta_0=O(r^{-1}w_{\max}^{-1})\ \Rightarrow\ "
              r"L_{t+1}\le L_t-\tfrac{\eta\kappa^2}{4}L_t^2,\ L_t\le\tfrac{4}{t\eta\kappa^2}",
    hypotheses=r"Assumptions 1, 2; $m\ge r$; $L(W^{(0)})\le\epsilon_0$; $\eta\le\eta_0$",
    lhs=r"L(W^{(t+1)})",
    rhs=r"L(W^{(t)})-\tfrac{\eta\kappa^2}{4}L^2(W^{(t)})",
    relation="<=",
    expected="holds",
    observe=_observe,
    judge=_judge,
    default_samples=24,
    params={"eta_factor": Fraction(1, 10), "steps": 1500, "start_level": 1e-3, "starts": 3,
            "m_trend_tolerance": 0.25},
    paper_constant=r"$\kappa=\Theta(r^{-1/2}w_{\max}^{-1/2})$, $\eta_0=O(1/(rw_{\max}))$ (hidden)",
)

CLAIMS = (THM5,)
