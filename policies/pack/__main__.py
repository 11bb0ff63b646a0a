"""Entry point Pulumi runs for `pulumi preview --policy-pack policies/pack`.

Constructing a PolicyPack starts the analyzer's gRPC server and never returns, so it happens only
when Pulumi runs this file (`runpy` with `__name__ == "__main__"`), never on import.
"""

if __name__ == "__main__":
    from guardian.policies.pack.crossguard import POLICIES
    from pulumi_policy import EnforcementLevel, PolicyPack

    # Each policy carries its own default enforcement (from its rule's severity); Pulumi's
    # --policy-pack-config overrides it per policy, by rule id, or for "all".
    PolicyPack(
        name="guardian-privacy",
        enforcement_level=EnforcementLevel.ADVISORY,
        policies=POLICIES,
    )
