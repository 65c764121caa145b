"""Example user-defined claims (see docs/user_claims.md)."""
