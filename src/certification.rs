//! Certification profiles: what an implementation in one role must show to be certified
//! for the EU–JP academic recognition profile.
//!
//! A profile names the scenarios it needs (by their name in `features/`) and the catalogue
//! requirements that must be exercised and met by the implementation under certification.
//! `accord run --profile ID` runs only those scenarios and records the profile in
//! `run-started`; the coverage projection ([`crate::projections::coverage`]) judges each
//! implementation in the profile's role from the log alone.
//!
//! The lists are data, checked by the tests below against the catalogue (every requirement
//! exists and binds the profile's role) and against `features/` (every scenario exists).

use crate::requirements::Role;

/// One certification profile.
#[derive(Debug, PartialEq, Eq)]
pub struct Profile {
    /// `eu-jp-academic/verifier`.
    pub id: &'static str,
    /// The role it certifies.
    pub role: Role,
    pub title: &'static str,
    /// What it needs of each part of that role: an implementation is judged on the parts
    /// it played (a JP-only verifier on `verifier-jp`).
    pub parts: &'static [PartNeeds],
}

/// What a profile needs of the implementation playing one part.
#[derive(Debug, PartialEq, Eq)]
pub struct PartNeeds {
    /// `verifier-jp`, as [`crate::events::Part::name`] spells it.
    pub part: &'static str,
    /// Scenarios it must take part in and pass (every example of an outline).
    pub scenarios: &'static [&'static str],
    /// Requirements it must be judged on and meet (ids of the catalogue), in groups shared
    /// between parts.
    pub requirement_groups: &'static [&'static [&'static str]],
}

impl PartNeeds {
    /// Every requirement of the part, each once.
    pub fn requirements(&self) -> Vec<&'static str> {
        let mut all: Vec<&'static str> = Vec::new();
        for id in self.requirement_groups.iter().flat_map(|g| g.iter()) {
            if !all.contains(id) {
                all.push(id);
            }
        }
        all
    }
}

impl Profile {
    /// Every scenario any part needs, each once: what `accord run --profile` runs.
    pub fn scenarios(&self) -> Vec<&'static str> {
        let mut all: Vec<&'static str> = Vec::new();
        for p in self.parts {
            for s in p.scenarios {
                if !all.contains(s) {
                    all.push(s);
                }
            }
        }
        all
    }
}

const TX_CODE_TO_JP: &str =
    "An EU diploma issued with a transaction code is presented encrypted to a JP verifier";
const AUTH_CODE_TO_EU: &str =
    "A JP degree issued by the authorization code flow is recognised in the EU, never as qualified";
const SPOILED: &str =
    "A presentation the wallet spoiled is rejected with the requirement it breaks";
const REPLAYED: &str = "A presentation replayed to a new request is rejected";
const REVOKED: &str = "A revoked diploma is rejected";
const DELISTED: &str = "A diploma from a university the EU list no longer names is rejected";
const JP_AS_QUALIFIED: &str = "A JP degree claimed as qualified in the EU is rejected";
const STATUS_HOST_FAILS: &str = "A status-list host that fails makes the verifier fail closed";
const STATUS_HOST_SLOW: &str =
    "A slow status-list host, still within the verifier's time limit, is waited for";
const ISSUER_RESTARTS: &str =
    "The issuer restarts mid-issuance: the forgotten offer fails cleanly, a new one succeeds";
const WALLET_REFUSES: &str = "The wallet refuses a request that breaks a MUST";
const RULES_IN_JP: &str = "A verifier in Japan holds an EU diploma to each presentation rule";
const RULES_IN_EU: &str = "A verifier in the EU holds a JP degree to each presentation rule";
const EU_ISSUANCE_RULES: &str = "The EU university's issuer holds each issuance rule";
const JP_ISSUANCE_RULES: &str = "The JP university's issuer holds each issuance rule";

/// What any issuer must enforce of a wallet's token and credential requests
/// (`features/issuer_rules.feature`).
const ISSUANCE_RULES: &[&str] = &[
    "OID4VCI-8.3-credential-response",
    "OID4VCI-F.1-proof-typ",
    "OID4VCI-F.1-proof-alg",
    "OID4VCI-F.1-proof-aud",
    "OID4VCI-F.1-proof-iat",
    "OID4VCI-F.1-proof-nonce",
    "OID4VCI-F.1-proof-key",
    "OID4VCI-8.2-credential-request",
    "OID4VCI-8.3.1.1-access-token",
    "OID4VCI-6.1-tx-code",
    "OID4VCI-6.3-invalid-grant",
];

/// What any verifier must show when it accepts a valid presentation.
const ACCEPTS: &[&str] = &[
    "SDJWT-RFC9901-7.1-issuer-signature",
    "SDJWT-RFC9901-7.3-kb-sd-hash",
    "SDJWT-RFC9901-7.3-kb-nonce",
    "SDJWT-RFC9901-7.3-kb-aud",
    "SDJWTVC-2.5-x5c-iss-san",
    "X509-RFC5280-6.1-path-to-anchor",
    "MRA-EUJP-c-trusted-list",
    "MRA-EUJP-b-level",
    "OID4VP-B.3.6-kb-aud-nonce",
    "OID4VP-6.4-dcql-satisfied",
    "OID4VP-8.2-state",
    "OID4VP-8.6-vp-validation",
];

/// The presentation rules a verifier is held to one at a time (`features/verifier_rules.feature`),
/// whatever the credential's jurisdiction.
const PRESENTATION_RULES: &[&str] = &[
    "SDJWT-RFC9901-7.1-unreferenced-disclosure",
    "SDJWT-RFC9901-4-duplicate-disclosure",
    "SDJWT-RFC9901-7.1-duplicate-digest",
    "SDJWT-RFC9901-7.1-disclosure-format",
    "SDJWT-RFC9901-4.2.3-digest-over-received",
    "SDJWT-RFC9901-7.1-alg-none-rejected",
    "SDJWT-RFC9901-7.1-time-validity",
    "SDJWT-RFC9901-7.3-kb-required",
    "SDJWT-RFC9901-7.3-kb-typ",
    "SDJWT-RFC9901-7.3-kb-iat",
    "SDJWTVC-2.2.1-typ",
    "SDJWTVC-2.2.2.3-registered-not-disclosable",
    "JOSE-RFC8725-3.1-alg-allowed",
    "JOSE-RFC7515-4.1.6-x5c-chain-order",
    "HAIP-6.1.1-x5c-no-root",
];

const VERIFIER_JP: PartNeeds = PartNeeds {
    part: "verifier-jp",
    scenarios: &[
        TX_CODE_TO_JP,
        SPOILED,
        REVOKED,
        DELISTED,
        STATUS_HOST_FAILS,
        RULES_IN_JP,
    ],
    requirement_groups: &[
        ACCEPTS,
        PRESENTATION_RULES,
        &[
            "PROFILE-EUDIPLOMA-a-names-nfc",
            "PROFILE-EUDIPLOMA-a-dates",
            "TSL-7.1-status-values",
            "TSL-8.3-fetch-fail-closed",
            "OID4VP-8.3-encrypted-response",
            "OID4VP-8.3.1-direct-post-jwt",
        ],
    ],
};

const VERIFIER_EU: PartNeeds = PartNeeds {
    part: "verifier-eu",
    scenarios: &[
        AUTH_CODE_TO_EU,
        REPLAYED,
        JP_AS_QUALIFIED,
        STATUS_HOST_SLOW,
        RULES_IN_EU,
    ],
    requirement_groups: &[
        ACCEPTS,
        PRESENTATION_RULES,
        &[
            "PROFILE-JPDEGREE-a-names-nfc",
            "PROFILE-JPDEGREE-a-dates",
            "MRA-EUJP-c-jp-not-qeaa",
        ],
    ],
};

const ISSUER_EU: PartNeeds = PartNeeds {
    part: "issuer-eu",
    scenarios: &[TX_CODE_TO_JP, REVOKED, ISSUER_RESTARTS, EU_ISSUANCE_RULES],
    requirement_groups: &[
        ISSUANCE_RULES,
        &["OID4VCI-12.2.2-metadata", "OID4VCI-7.2-no-store"],
    ],
};

const ISSUER_JP: PartNeeds = PartNeeds {
    part: "issuer-jp",
    scenarios: &[AUTH_CODE_TO_EU, REPLAYED, JP_ISSUANCE_RULES],
    requirement_groups: &[
        ISSUANCE_RULES,
        &["OID4VCI-12.2.2-metadata", "OID4VCI-7.2-no-store"],
    ],
};

const WALLET: PartNeeds = PartNeeds {
    part: "wallet",
    scenarios: &[
        TX_CODE_TO_JP,
        AUTH_CODE_TO_EU,
        WALLET_REFUSES,
        ISSUER_RESTARTS,
    ],
    requirement_groups: &[&[
        "OAUTH-RFC9101-6.3-request-object-exp",
        "OAUTH-RFC9101-5-client-id",
        "OID4VP-5-request-object-typ",
        "OID4VP-5.1-transaction-data",
        "ROBUST-1-fail-cleanly",
    ]],
};

/// Every profile Accord certifies against.
pub static PROFILES: &[Profile] = &[
    Profile {
        id: "eu-jp-academic/verifier",
        role: Role::Verifier,
        title: "EU-JP academic credentials: verifier (relying party)",
        parts: &[VERIFIER_EU, VERIFIER_JP],
    },
    Profile {
        id: "eu-jp-academic/issuer",
        role: Role::Issuer,
        title: "EU-JP academic credentials: issuer (university)",
        parts: &[ISSUER_EU, ISSUER_JP],
    },
    Profile {
        id: "eu-jp-academic/wallet",
        role: Role::Wallet,
        title: "EU-JP academic credentials: wallet (holder)",
        parts: &[WALLET],
    },
];

/// The profile named `id`.
pub fn find(id: &str) -> Option<&'static Profile> {
    PROFILES.iter().find(|p| p.id == id)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::requirements::catalogue::ALL;

    #[test]
    fn requirements_exist_and_bind_the_profiles_role() {
        for p in PROFILES {
            for id in p.parts.iter().flat_map(|n| n.requirements()) {
                let r = ALL
                    .iter()
                    .find(|r| r.id == id)
                    .unwrap_or_else(|| panic!("{}: no requirement {id}", p.id));
                assert!(
                    r.applies_to.contains(&p.role),
                    "{}: {id} does not bind the {} role",
                    p.id,
                    p.role.as_str()
                );
            }
        }
    }

    #[test]
    fn scenarios_exist_in_the_features() {
        let mut names = Vec::new();
        for entry in std::fs::read_dir("features").expect("features/") {
            let text = std::fs::read_to_string(entry.expect("entry").path()).expect("feature");
            for line in text.lines() {
                let line = line.trim();
                if let Some(name) = line
                    .strip_prefix("Scenario Outline:")
                    .or_else(|| line.strip_prefix("Scenario:"))
                {
                    names.push(name.trim().to_owned());
                }
            }
        }
        for p in PROFILES {
            for s in p.scenarios() {
                assert!(names.iter().any(|n| n == s), "{}: no scenario {s:?}", p.id);
            }
        }
    }

    #[test]
    fn ids_name_the_role() {
        for p in PROFILES {
            assert_eq!(p.id, format!("eu-jp-academic/{}", p.role.as_str()));
            assert_eq!(find(p.id), Some(p));
            for n in p.parts {
                let part = crate::events::Part::ALL
                    .into_iter()
                    .find(|x| x.name() == n.part)
                    .unwrap_or_else(|| panic!("{}: no part {}", p.id, n.part));
                assert_eq!(part.role(), p.role.as_str(), "{}: {}", p.id, n.part);
            }
        }
        assert_eq!(find("eu-jp-academic/nobody"), None);
    }
}
