"""Three kinds of result (proved / checked / empirical), one status vocabulary, and the
paper's statement recorded apart from the tool's verdict: in the run table, the JSON and the
exit status."""
from __future__ import annotations

from fractions import Fraction

import pytest
from flint import arb, ctx
from hypothesis import given, settings
from hypothesis import strategies as st

from proofs_check.registry import all_claims
from proofs_check.claim import Claim
from proofs_check.verdict import Observation
from proofs_check.claim_judgement import judge
from proofs_check.cli import main
from proofs_check.judgement import (ACCEPTED, KINDS, PAPER_SAYS, STATUSES, STATUSES_OF_KIND, Decision,
                                    certified_digits, decide_identity, decide_instances, decide_proof,
                                    kind_of, versus_paper)
from proofs_check.schema import example_verdict, validate_results
from proofs_check.suite import format_table


def _identity_claim(**kw):
    return Claim(id="test.identity", title="t", source="nowhere", statement="a = b", hypotheses="none",
                 lhs="a", rhs="b", relation="==", expected=kw.pop("expected", "checked"),
                 observe=lambda c, r: [], **kw)


def test_every_status_has_one_kind_and_every_kind_its_statuses():
    for status in STATUSES:
        if status != "inconclusive":
            assert kind_of(status) in KINDS
            owners = [k for k in KINDS if status in STATUSES_OF_KIND[k]]
            assert owners == [kind_of(status)], status
    assert all("inconclusive" in STATUSES_OF_KIND[k] for k in KINDS)
    assert kind_of("refuted") == "proved"  # one certified counterexample is a proof


def test_a_checked_status_carries_its_instances_and_where_they_were_drawn():
    d = decide_instances([arb(1), arb(2), arb(3)], drawn_from="3 draws with L in [1e-8, 1e-4]")
    assert (d.status, d.kind, d.instances) == ("checked", "checked", 3)
    assert "3 draws with L in [1e-8, 1e-4]" in d.statement and "not proved beyond them" in d.statement
    with pytest.raises(ValueError, match="where the instances were drawn"):
        decide_instances([arb(1)], drawn_from="")


def test_a_non_strict_inequality_accepts_exact_zeros_only_when_asked():
    zeros = [arb(0), arb(1)]
    assert decide_instances(zeros, drawn_from="2 points").status == "inconclusive"
    assert decide_instances(zeros, drawn_from="2 points", strict=False).status == "checked"
    assert decide_instances([arb(0, 1e-9)], drawn_from="1 point", strict=False).status == "inconclusive"


def test_a_proof_is_proved_only_when_every_part_is_certain():
    assert decide_proof([arb(1), arb("1e-40")], proves="f < 0 on 2 boxes").status == "proved"
    assert decide_proof([arb(1), arb(0, 1e-40)], proves="f < 0 on 2 boxes").status == "inconclusive"
    assert decide_proof([arb(1), arb("-1e-40")], proves="f < 0 on 2 boxes").status == "refuted"


@pytest.mark.parametrize("says, status, wanted", [
    ("holds", "proved", "agrees"), ("holds", "checked", "agrees"), ("holds", "consistent", "agrees"),
    ("holds", "refuted", "against"), ("holds", "contradicted", "against"), ("holds", "inconclusive", "open"),
    ("fails", "contradicted", "agrees"), ("fails", "refuted", "agrees"), ("fails", "consistent", "against"),
    ("silent", "consistent", "-"), ("silent", "refuted", "-"),
])
def test_versus_paper(says, status, wanted):
    assert versus_paper(says, status) == wanted


# -- identities: proved only by exact algebra ---------------------------------------------

def test_an_identity_off_by_one_part_in_1e30_is_refuted_not_accepted():
    """The false twin of an identity, 1e-30 away (a relative tolerance of 1e-20 used to accept
    it): a certainly non-zero difference is a certified counterexample."""
    with ctx.workdps(60):
        exact = arb(2).sqrt()
        twin = exact * (1 + arb(10) ** -30)
        true = Observation(lhs=exact, rhs=arb(2).sqrt(), scale=None, dps=60)
        false = Observation(lhs=twin, rhs=arb(2).sqrt(), scale=None, dps=60)
    claim = _identity_claim(tolerance=Fraction(1, 10**20))
    v = judge(claim, [true])
    assert v.status == "checked" and v.kind == "checked" and v.margin_kind == "digits"
    assert int(v.min_margin) >= 50 and "certified digits" in v.shown
    assert judge(claim, [true, false]).status == "refuted"


@settings(max_examples=60, deadline=None)
@given(st.integers(-40, 40), st.integers(1, 10**6), st.integers(-60, -1), st.booleans())
def test_an_identity_whose_difference_is_not_exactly_zero_is_never_proved(exp10, mantissa, rad10, sign):
    """Without exact algebra no enclosure makes an identity proved: only checked (to N
    digits), refuted or inconclusive."""
    with ctx.workdps(80):
        gap = arb(mantissa) * arb(10) ** exp10 * (1 if sign else -1)
        lhs = arb(3) + gap + arb(0, float(f"1e{rad10}"))
        obs = Observation(lhs=lhs, rhs=arb(3), scale=None, dps=80)
    v = judge(_identity_claim(), [obs])
    assert v.status != "proved" and v.kind != "proved" or v.status == "refuted"
    assert v.status in ("checked", "refuted", "inconclusive")


def test_an_identity_is_proved_by_exact_algebra_and_says_so():
    claim = _identity_claim(expected="proved", symbolic_proof=lambda c: "SymPy: simplify(lhs - rhs) == 0")
    assert claim.kind == "proved"
    with ctx.workdps(40):
        obs = Observation(lhs=arb(1, 1e-35), rhs=arb(1), scale=None, dps=40)
    v = judge(claim, [obs])
    assert v.status == "proved" and "SymPy" in v.shown
    d = decide_identity([arb(0, 1e-35)], [arb(1)], drawn_from="1 instance")
    assert d.status == "checked" and d.margin == certified_digits(arb(0, 1e-35), arb(1))


def test_a_claim_decided_as_another_kind_than_it_declares_is_an_internal_error():
    claim = Claim(id="test.kind", title="t", source="s", statement="x", hypotheses="h", lhs="a", rhs="b",
                  relation=">=", expected="proved", kind="proved", constant=1,
                  observe=lambda c, r: [Observation(lhs=arb(2), rhs=arb(1), scale=None, dps=15)],
                  judge=judge)  # the default judgement checks instances: it cannot prove
    with pytest.raises(RuntimeError, match="declares kind 'proved' but was decided as 'checked'"):
        claim.check()


def test_claims_with_their_own_judge_must_declare_a_kind():
    with pytest.raises(ValueError, match="declare its kind"):
        Claim(id="test.k", title="t", source="s", statement="x", hypotheses="h", lhs="a", rhs="b",
              relation=">=", expected="inconclusive", observe=lambda c, r: [], judge=judge)
    with pytest.raises(ValueError, match="not a status of kind"):
        Claim(id="test.k", title="t", source="s", statement="x", hypotheses="h", lhs="a", rhs="b",
              relation=">=", expected="proved", observe=lambda c, r: [], constant=1)


# -- the run table ------------------------------------------------------------------------

def _results_for_every_claim():
    """A verdict per registered claim, with the widest cells each column can hold."""
    claims = []
    for cid, claim in all_claims().items():
        status = "inconclusive"
        claims.append(example_verdict(
            cid, status, kind=claim.kind, expected="contradicted" if claim.kind == "empirical" else "refuted",
            samples=12345, instances=12345, min_margin="-1.23456789e-123", margin_kind="relative",
            paper={"says": claim.paper.says, "detail": claim.paper.detail},
            versus_paper="against", loss_range=["1e-60", "1e-2"], error="1e-30", dps=100,
            drawn_from="somewhere far away " * 5))
    return {"schema_version": 2, "seed": 0, "samples": None, "claims": claims}


def test_the_default_table_fits_100_columns_and_wide_has_the_rest():
    results = _results_for_every_claim()
    validate_results(results)
    narrow = format_table(results)
    assert max(len(line) for line in narrow.splitlines()) <= 100, max(narrow.splitlines(), key=len)
    header = narrow.splitlines()[0].split()
    assert header[:4] == ["claim", "kind", "status", "paper"] and "margin" in header
    wide = format_table(results, wide=True)
    assert max(len(line) for line in wide.splitlines()) > 100
    for column in ("expected", "scale range", "dps", "drawn from"):
        assert column in wide.splitlines()[0] and column not in narrow.splitlines()[0]


def test_the_margin_column_says_what_kind_of_margin_it_is():
    results = {"schema_version": 2, "seed": 0, "samples": None, "claims": [
        example_verdict("a", "checked", min_margin="0.5", margin_kind="relative"),
        example_verdict("b", "consistent", kind="empirical", min_margin="0.012", margin_kind="exponent"),
        example_verdict("c", "checked", min_margin="29", margin_kind="digits")]}
    rows = format_table(results).splitlines()[2:5]
    assert rows[0].endswith("rel +5.00e-01") and rows[1].endswith("exp +0.0120") and rows[2].endswith("dig 29")


def test_a_finding_against_the_paper_shows_as_such_and_a_recorded_one_exits_0(capsys):
    """Lemma C.11's decay as printed (k^-3/2) is contradicted: the paper says it holds, so the
    row says `against`; the tool records that verdict, so the run is consistent (exit 0)."""
    assert main(["run", "--claims", "zgj.lemmaC11.decay", "--no-progress"]) == 0
    out = capsys.readouterr().out
    row = next(line for line in out.splitlines() if line.startswith("zgj.lemmaC11.decay"))
    assert row.split()[1:6] == ["empirical", "contradicted", "holds", "against", "ok"]
    assert "findings against the paper: zgj.lemmaC11.decay" in out
    assert max(len(line) for line in out.splitlines()) <= 100


def test_a_regression_exits_1_and_says_so(capsys, monkeypatch):
    """The exit status is about the tool's consistency: a verdict other than the recorded one."""
    import proofs_check.suite as suite

    real = suite.get_claim
    changed = real("zgj.lemmaC7").variant(expected="refuted")
    monkeypatch.setattr(suite, "get_claim", lambda cid: changed if cid == "zgj.lemmaC7" else real(cid))
    code = main(["run", "--claims", "zgj.lemmaC7", "--no-progress"])
    out = capsys.readouterr().out
    assert code == 1 and "MISMATCH" in out and "regression" in out


def test_every_registered_claim_states_what_the_paper_says():
    for cid, claim in all_claims().items():
        assert claim.paper is not None and claim.paper.says in PAPER_SAYS, cid
        assert claim.kind in KINDS and claim.expected in STATUSES_OF_KIND[claim.kind] + ("refuted",), cid


def test_decisions_refuse_a_status_of_another_kind():
    for status in STATUSES:
        for kind in KINDS:
            ok = status == "inconclusive" or kind_of(status) == kind
            extra = {"instances": 1, "drawn_from": "x"} if status == "checked" else {}
            if ok:
                Decision(status, kind, **extra)
            else:
                with pytest.raises(ValueError):
                    Decision(status, kind, **extra)
    assert set(ACCEPTED) == {"proved", "checked", "consistent"}
