//! Finding the issuer's key through `x5c` and the trust lists, then asking the arrangement
//! whether this verifier accepts this issuer for this credential type.

use serde_json::Value;

use super::mra::{AcceptanceDecision, Arrangement, TrustPath};
use super::trust_list::{STATUS_GRANTED, VerifiedTrustList};
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

/// An [`IssuerKeyResolver`] over a [`TrustContext`]. Chain failures refuse the key; `iss`
/// and arrangement failures are kept in `findings` so the claims can still be shown.
pub struct ChainResolver<'a> {
    ctx: &'a TrustContext,
    use_arrangement: bool,
    pub outcome: Option<TrustOutcome>,
    pub findings: Vec<Violation>,
}

impl<'a> ChainResolver<'a> {
    pub fn new(ctx: &'a TrustContext) -> Self {
        Self {
            ctx,
            use_arrangement: true,
            outcome: None,
            findings: Vec::new(),
        }
    }
}

impl ChainResolver<'_> {
    /// For tokens that are not credentials (status lists): chain and trust list only.
    pub fn without_arrangement(mut self) -> Self {
        self.use_arrangement = false;
        self
    }
}

impl IssuerKeyResolver for ChainResolver<'_> {
    fn resolve(&mut self, jws: &CompactJws) -> Result<VerifyingKey, Vec<Violation>> {
        let chain = decode_x5c(jws.header.get("x5c")).map_err(|v| vec![v])?;
        let mut anchors = Vec::new();
        let mut ders = Vec::new();
        for (li, l) in self.ctx.lists.iter().enumerate() {
            for (ei, e) in l.list.entries.iter().enumerate() {
                if e.status != STATUS_GRANTED {
                    continue;
                }
                for c in &e.certificates {
                    use base64::Engine as _;
                    if let Ok(der) = base64::engine::general_purpose::STANDARD.decode(c) {
                        ders.push((der, (li, ei)));
                    }
                }
            }
        }
        for (der, tag) in &ders {
            anchors.push(Anchor { der, tag: *tag });
        }
        let validated = validate(&chain, &anchors, self.ctx.now)?;
        let (li, ei) = validated.anchor;
        let list = &self.ctx.lists[li];
        let entry = &list.list.entries[ei];
        self.findings.extend(list.findings.iter().cloned());

        match jws.payload.get("iss").and_then(Value::as_str) {
            Some(iss) if iss_matches(iss, &validated.leaf_uris, &validated.leaf_dns) => {}
            Some(iss) => self.findings.push(
                Violation::new(
                    &req::SDJWTVC_X5C_ISS_SAN,
                    format!(
                        "`iss` {iss} matches no SAN of the signing certificate (URIs {:?}, dNSNames {:?})",
                        validated.leaf_uris, validated.leaf_dns
                    ),
                )
                .at("issuer-jwt.payload.iss"),
            ),
            None => {}
        }
        let path = TrustPath {
            list_jurisdiction: list.list.jurisdiction.clone(),
            entity_name: entry.entity_name.clone(),
            entry_type: entry.entry_type,
            entry_credential_types: entry.credential_types.clone(),
        };
        let arrangement = self
            .ctx
            .arrangement
            .as_ref()
            .filter(|_| self.use_arrangement);
        let decision = arrangement.map(|(mra, verifier)| {
            let vct = jws.payload.get("vct").and_then(Value::as_str).unwrap_or("");
            let (d, v) = mra.decide(verifier, &path, vct);
            self.findings.extend(v);
            d
        });
        self.outcome = Some(TrustOutcome { path, decision });
        Ok(validated.leaf_key)
    }
}
