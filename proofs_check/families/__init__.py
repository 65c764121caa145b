"""Certified stationary families in r by symmetry (issue 22): fixed-point subspaces,
continuation in r, Krawczyk in reduced coordinates, inertia from isotypic blocks."""
from proofs_check.families.definitions import FAMILIES, FamilySpec, families_of
from proofs_check.families.follow import (FollowSettings, Member, certify_member, fitted_exponent,
                                          follow_family, lowest_spurious, r_schedule)

__all__ = ["FAMILIES", "FamilySpec", "families_of", "FollowSettings", "Member", "certify_member",
           "fitted_exponent", "follow_family", "lowest_spurious", "r_schedule"]
