//! Finding the issuer's key through `x5c` and the trust lists, then asking the arrangement
//! whether this verifier accepts this issuer for this credential type.

use serde_json::Value;

use super::mra::{AcceptanceDecision, Arrangement, TrustPath};
use super::trust_list::{EntryType, STATUS_GRANTED, VerifiedTrustList};
use super::x5c::{Anchor, decode_x5c, iss_matches, validate};
use crate::formats::jose::{CompactJws, VerifyingKey};
use crate::formats::sd_jwt::verify::IssuerKeyResolver;
use crate::requirements::{Violation, catalogue as req};

/// The trust configuration of a verifier.
pub struct TrustContext {
    pub lists: Vec<VerifiedTrustList>,
    /// With an arrangement, acceptance follows its rules for `verifier_jurisdiction`.
    pub arrangement: Option<(Arrangement, String)>,
    pub now: i64,
}

/// What the chain established, for reports.
#[derive(Debug, Clone, serde::Serialize)]
pub struct TrustOutcome {
    pub path: TrustPath,
    pub decision: Option<AcceptanceDecision>,
}

/// What the resolved key is for.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Purpose {
    /// A credential: the anchor's entry must be an attestation provider registered for the
    /// credential's `vct`, and the arrangement (if any) must accept it.
    Credential,
    /// The status list token of a credential: it must chain to the same trust-list entry as
    /// the credential and its signing certificate must name the credential's issuer, so no
    /// other party under a trusted anchor can revoke or revive it (Token Status List §11.3).
    StatusListOf {
        anchor: (usize, usize),
        iss: Option<String>,
    },
}

/// An [`IssuerKeyResolver`] over a [`TrustContext`]. Chain failures refuse the key; `iss`,
/// registration and arrangement failures are kept in `findings` so the claims can still be
/// shown (they make the credential invalid all the same).
pub struct ChainResolver<'a> {
    ctx: &'a TrustContext,
    purpose: Purpose,
    pub outcome: Option<TrustOutcome>,
    /// The trust-list entry (list index, entry index) the chain ended at.
    pub anchor: Option<(usize, usize)>,
    pub findings: Vec<Violation>,
}

impl<'a> ChainResolver<'a> {
    pub fn new(ctx: &'a TrustContext) -> Self {
        Self {
            ctx,
            purpose: Purpose::Credential,
            outcome: None,
            anchor: None,
            findings: Vec::new(),
        }
    }

    /// For the status list token of a credential whose chain ended at `anchor` and whose
    /// `iss` is `iss`.
    pub fn for_status_list(
        ctx: &'a TrustContext,
        anchor: (usize, usize),
        iss: Option<String>,
    ) -> Self {
        Self {
            purpose: Purpose::StatusListOf { anchor, iss },
            ..Self::new(ctx)
        }
    }

    fn anchors(&self) -> Vec<(Vec<u8>, (usize, usize))> {
        use base64::Engine as _;
        let mut ders = Vec::new();
        for (li, l) in self.ctx.lists.iter().enumerate() {
            for (ei, e) in l.list.entries.iter().enumerate() {
                if e.status != STATUS_GRANTED {
                    continue;
                }
                for c in &e.certificates {
                    if let Ok(der) = base64::engine::general_purpose::STANDARD.decode(c) {
                        ders.push((der, (li, ei)));
                    }
                }
            }
        }
        ders
    }
}

impl IssuerKeyResolver for ChainResolver<'_> {
    fn resolve(&mut self, jws: &CompactJws) -> Result<VerifyingKey, Vec<Violation>> {
        let chain = decode_x5c(jws.header.get("x5c")).map_err(|v| vec![v])?;
        let ders = self.anchors();
        let anchors: Vec<Anchor<'_, (usize, usize)>> = ders
            .iter()
            .map(|(der, tag)| Anchor { der, tag: *tag })
            .collect();
        let validated = validate(&chain, &anchors, self.ctx.now)?;
        let (li, ei) = validated.anchor;
        let list = &self.ctx.lists[li];
        let entry = &list.list.entries[ei];
        self.anchor = Some((li, ei));
        let names = |v: &super::x5c::ValidatedChain<(usize, usize)>| {
            format!("URIs {:?}, dNSNames {:?}", v.leaf_uris, v.leaf_dns)
        };

        if let Purpose::StatusListOf { anchor, iss } = &self.purpose {
            let mut refused = Vec::new();
            if *anchor != (li, ei) {
                refused.push(Violation::new(
                    &req::TSL_SIGNATURE,
                    format!("the status list token chains to `{}`, not to the credential issuer's trust-list entry", entry.entity_name),
                ));
            }
            match iss {
                Some(iss) if iss_matches(iss, &validated.leaf_uris, &validated.leaf_dns) => {}
                Some(iss) => refused.push(Violation::new(
                    &req::TSL_SIGNATURE,
                    format!("the status list token's signing certificate does not name the credential issuer {iss} ({})", names(&validated)),
                )),
                None => refused.push(Violation::new(
                    &req::TSL_SIGNATURE,
                    "the credential has no `iss` to tie the status list token's signer to",
                )),
            }
            if refused.is_empty() {
                return Ok(validated.leaf_key);
            }
            return Err(refused
                .into_iter()
                .map(|v| v.at("status-list.header.x5c"))
                .collect());
        }

        self.findings.extend(list.findings.iter().cloned());
        // With x5c, `iss` is what binds the credential to the certificate (SD-JWT VC §2.5).
        match jws.payload.get("iss").and_then(Value::as_str) {
            Some(iss) if iss_matches(iss, &validated.leaf_uris, &validated.leaf_dns) => {}
            Some(iss) => self.findings.push(
                Violation::new(
                    &req::SDJWTVC_X5C_ISS_SAN,
                    format!(
                        "`iss` {iss} matches no SAN of the signing certificate ({})",
                        names(&validated)
                    ),
                )
                .at("issuer-jwt.payload.iss"),
            ),
            None => self.findings.push(
                Violation::new(
                    &req::SDJWTVC_X5C_ISS_SAN,
                    "no `iss`: nothing binds the credential to the signing certificate's subject",
                )
                .at("issuer-jwt.payload"),
            ),
        }
        // The type a trust-list entry registers: the `vct` of an SD-JWT VC, or for a W3C
        // credential (a VC-JWT's `vc`) its most specific type, the first other than
        // `VerifiableCredential` (Accord's registration of W3C types: docs/trust-services.md).
        let w3c_type = jws
            .payload
            .get("vc")
            .and_then(|vc| vc.get("type"))
            .and_then(Value::as_array)
            .and_then(|types| {
                types
                    .iter()
                    .filter_map(Value::as_str)
                    .find(|t| *t != "VerifiableCredential")
            });
        let vct = jws
            .payload
            .get("vct")
            .and_then(Value::as_str)
            .or(w3c_type)
            .unwrap_or("");
        // The anchor's entry must be an attestation provider registered for this type: a
        // relying-party CA, or a provider registered for other types, issues nothing here.
        if entry.entry_type == EntryType::RelyingPartyCa {
            self.findings.push(
                Violation::new(
                    &req::TL_ENTRY_SERVICE_TYPE,
                    format!("the chain ends at `{}`, a relying-party CA, which does not issue attestations", entry.entity_name),
                )
                .at("trust-list"),
            );
        } else if !entry.credential_types.iter().any(|t| t == vct) {
            self.findings.push(
                Violation::new(
                    &req::TL_ENTRY_SERVICE_TYPE,
                    format!(
                        "`{}` is not registered in its trust list to issue `{vct}`",
                        entry.entity_name
                    ),
                )
                .at("trust-list"),
            );
        }
        let path = TrustPath {
            list_jurisdiction: list.list.jurisdiction.clone(),
            entity_name: entry.entity_name.clone(),
            entry_type: entry.entry_type,
            entry_credential_types: entry.credential_types.clone(),
        };
        let decision = self.ctx.arrangement.as_ref().map(|(mra, verifier)| {
            let (d, v) = mra.decide(verifier, &path, vct);
            self.findings.extend(v);
            d
        });
        self.outcome = Some(TrustOutcome { path, decision });
        Ok(validated.leaf_key)
    }
}
