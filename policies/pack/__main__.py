"""Entry point Pulumi runs for `pulumi preview --policy-pack policies/pack`.

Constructing a PolicyPack starts the analyzer's gRPC server and never returns, so it happens only
when Pulumi runs this file (`runpy` with `__name__ == "__main__"`), never on import.
"""

if __name__ == "__main__":
    from guardian.policies.pack.crossguard import POLICIES
    from pulumi_policy import EnforcementLevel, PolicyPack

    PolicyPack(
        name="guardian-privacy",
        enforcement_level=EnforcementLevel.MANDATORY,
        policies=POLICIES,
    )
