//! Judging an academic credential handed over as a file, whatever its format: first its own
//! security layer (a JAdES seal or PAdES signature through the trusted lists and the EU-JP
//! arrangement, a VC-JWT signature, a Data Integrity proof), then what it says through the
//! crosswalk ([`crate::profiles::crosswalk`], [`crate::profiles::micro_credential`]). One
//! [`DocumentJudgement`] for every format, the format recorded in its recognition.
//!
//! Pure: the caller fetches the trusted lists and passes the time. The reference verifier
//! answers `POST /control/recognitions` with it; `accord credential recognise` prints it.

use serde::Serialize;
use serde_json::Value;

use crate::formats::data_integrity::{self, rdfc::Contexts};
use crate::formats::{jades, pdf, vc_jwt};
use crate::profiles::crosswalk;
use crate::profiles::micro_credential;
use crate::profiles::recognition::{Direction, Format, Recognition};
use crate::trust::ades::Level;
use crate::trust::mra::Arrangement;
use crate::trust::seal_judgement::{self, SealJudgement, SealVerdict, ViolationView};
use crate::trust::services::{ServiceDirectory, ServiceKind};

/// A credential handed over as a file.
#[derive(Debug, Clone)]
pub enum Handed {
    /// A Europass Digital Credential sealed with JAdES (JSON or compact serialisation).
    Edc(String),
    /// A signed PDF certificate.
    Pdf(Vec<u8>),
    /// An Open Badges 3.0 credential: a VC-JWT (compact) or a JSON-LD document with a Data
    /// Integrity proof.
    Badge(String),
}

/// What the relying party judges with.
pub struct Judge<'a> {
    /// `EU` or `JP`: the side that assesses.
    pub relying: &'a str,
    /// The services read from the trusted lists the relying party accepted.
    pub directory: &'a ServiceDirectory,
    pub arrangement: &'a Arrangement,
    /// Unix seconds.
    pub now: i64,
    /// The lowest AdES baseline level accepted for seals and signed PDFs.
    pub required_level: Level,
    pub contexts: &'a Contexts,
}

/// Whether the credential's own security layer holds, and what it found.
#[derive(Debug, Clone, Serialize)]
pub struct Authenticity {
    /// `jades-seal`, `pades-signature`, `vc-jwt-signature`, `data-integrity-proof`.
    pub layer: &'static str,
    pub holds: bool,
    /// For a seal or a signed PDF: the relying party's judgement (EN 319 102-1 and the
    /// arrangement).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub seal: Option<SealJudgement>,
    /// For a badge: every requirement its proof or JWT broke.
    pub violations: Vec<ViolationView>,
    /// One line on why it holds or not.
    pub summary: String,
}

/// The judgement of a handed-over credential.
#[derive(Debug, Clone, Serialize)]
pub struct DocumentJudgement {
    pub format: Format,
    pub authenticity: Authenticity,
    /// The crosswalk's verdict, when the credential crosses the border (`None`: issued on the
    /// relying party's own side, or not a credential the crosswalk reads; `note` says which).
    pub recognition: Option<Recognition>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub note: Option<String>,
}

/// A refusal to judge: the input is not what its format says.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Unreadable(pub String);

impl std::fmt::Display for Unreadable {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

fn seal_authenticity(layer: &'static str, judgement: SealJudgement) -> Authenticity {
    let holds = judgement.verdict == SealVerdict::Recognised;
    let summary = match judgement.verdict {
        SealVerdict::Recognised => format!(
            "{layer} {}; its trust service is recognised here",
            judgement.indication
        ),
        SealVerdict::NotRecognised => format!(
            "{layer} {}, but no rule of the arrangement recognises its trust service here",
            judgement.indication
        ),
        _ => format!("{layer} {}", judgement.indication),
    };
    Authenticity {
        layer,
        holds,
        seal: Some(judgement),
        violations: Vec::new(),
        summary,
    }
}

/// Judges `handed` for the relying party `judge` describes.
pub fn judge(handed: &Handed, judge: &Judge<'_>) -> Result<DocumentJudgement, Unreadable> {
    let relying_jp = judge.relying.eq_ignore_ascii_case("JP");
    match handed {
        Handed::Edc(text) => {
            let payload = jades::payload(text)
                .ok_or_else(|| Unreadable("not a JAdES seal with an attached payload".into()))?;
            let edc: Value = serde_json::from_slice(&payload)
                .map_err(|e| Unreadable(format!("the sealed payload is not JSON: {e}")))?;
            if !crate::profiles::edc::is_edc(&edc) {
                return Err(Unreadable(
                    "the sealed payload is not a EuropeanDigitalCredential".into(),
                ));
            }
            let policy = jades::Policy {
                directory: judge.directory,
                at: judge.now,
                kind: ServiceKind::ESeal,
                required_level: judge.required_level,
            };
            let report = jades::validate_seal(text, None, &policy);
            let seal = seal_judgement::judge(
                judge.relying,
                report,
                judge.directory,
                ServiceKind::ESeal,
                judge.arrangement,
            );
            let authenticity = seal_authenticity("jades-seal", seal);
            let (recognition, note) = if relying_jp {
                let r = crosswalk::recognise_edc_in_jp(&edc, None)
                    .require_authentic(authenticity.holds, authenticity.summary.clone());
                (Some(r), None)
            } else {
                (
                    None,
                    Some("an EDC judged on its own side: no crosswalk applies".into()),
                )
            };
            Ok(DocumentJudgement {
                format: Format::EdcJades,
                authenticity,
                recognition,
                note,
            })
        }
        Handed::Pdf(bytes) => {
            if !bytes.starts_with(b"%PDF-") {
                return Err(Unreadable("not a PDF (no %PDF- header)".into()));
            }
            let mut report = pdf::pades::validate(bytes, judge.directory, judge.now);
            report.require_level(judge.required_level);
            let seal = seal_judgement::judge(
                judge.relying,
                report,
                judge.directory,
                ServiceKind::ESignature,
                judge.arrangement,
            );
            let authenticity = seal_authenticity("pades-signature", seal);
            let (recognition, note) = if relying_jp {
                (
                    None,
                    Some(
                        "a Japanese certificate judged on its own side: no crosswalk applies"
                            .into(),
                    ),
                )
            } else {
                let data = pdf::attachments::degree_data(bytes);
                let r = crosswalk::recognise_pdf_in_eu(&data, None)
                    .require_authentic(authenticity.holds, authenticity.summary.clone());
                (Some(r), None)
            };
            Ok(DocumentJudgement {
                format: Format::PdfPades,
                authenticity,
                recognition,
                note,
            })
        }
        Handed::Badge(text) => judge_badge(text.trim(), judge, relying_jp),
    }
}

/// The DID a verification method or key id belongs to (`did:…#frag` → `did:…`).
fn did_of(method: &str) -> &str {
    method.split('#').next().unwrap_or(method)
}

fn judge_badge(
    text: &str,
    judge: &Judge<'_>,
    relying_jp: bool,
) -> Result<DocumentJudgement, Unreadable> {
    let (format, credential, mut violations, verified, method) = if text.starts_with('{') {
        let doc: Value =
            serde_json::from_str(text).map_err(|e| Unreadable(format!("not JSON: {e}")))?;
        let checked = data_integrity::verify(&doc, None, judge.contexts)
            .map_err(|e| Unreadable(e.to_string()))?;
        (
            Format::LdpVc,
            checked.document,
            checked.violations,
            checked.signature_verified,
            checked.verification_method,
        )
    } else {
        // The issuer's key: a did:jwk `kid` carries it; otherwise the header's `jwk`, which
        // proves nothing about who holds it unless the issuer's id is that did:jwk.
        let jws = crate::formats::jose::CompactJws::parse(text)
            .map_err(|e| Unreadable(format!("neither a JSON-LD document nor a JWT: {e}")))?;
        let kid = jws
            .header
            .get("kid")
            .and_then(Value::as_str)
            .map(str::to_owned);
        let key = kid.as_deref().and_then(|k| {
            crate::formats::jose::resolve_did_jwk(k)
                .ok()
                .and_then(|jwk| serde_json::to_value(jwk).ok())
        });
        let checked =
            vc_jwt::verify(text, key.as_ref(), judge.now).map_err(|e| Unreadable(e.to_string()))?;
        (
            Format::JwtVcJson,
            checked.credential,
            checked.violations,
            checked.signature_verified,
            kid,
        )
    };
    if !micro_credential::is_open_badge(&credential) {
        return Err(Unreadable(
            "not an Open Badges 3.0 credential (OpenBadgeCredential or AchievementCredential)"
                .into(),
        ));
    }
    // The key must be the issuer's: its DID is the issuer's id. A URL issuer's keys would be
    // fetched from its profile, which a verifier without network cannot do: not implemented,
    // so never holding.
    let issuer_id = match credential.get("issuer") {
        Some(Value::String(s)) => Some(s.as_str()),
        Some(o) => o.get("id").and_then(Value::as_str),
        None => None,
    };
    let bound = match (&method, issuer_id) {
        (Some(m), Some(i)) if did_of(m) == i => Ok(()),
        (Some(m), Some(i)) if i.starts_with("did:") => Err(format!(
            "the key {m} is not the issuer's: the issuer is {i}"
        )),
        (Some(m), Some(i)) => Err(format!(
            "not implemented: the issuer {i} is not a DID, and reading its keys from its profile needs the network; the key {m} is not shown to be the issuer's"
        )),
        _ => Err("no key id to tie the signature to the issuer".into()),
    };
    let layer = match format {
        Format::LdpVc => "data-integrity-proof",
        _ => "vc-jwt-signature",
    };
    let must_broken = !crate::requirements::no_must_broken(&violations);
    let holds = verified == Some(true) && !must_broken && bound.is_ok();
    let summary = match (&bound, verified) {
        _ if must_broken => format!(
            "{layer} breaks {}",
            violations
                .iter()
                .map(|v| v.requirement.id)
                .collect::<Vec<_>>()
                .join(", ")
        ),
        (Err(why), _) => format!("{layer}: {why}"),
        (Ok(()), Some(true)) => format!("{layer} verifies with the issuer's key"),
        (Ok(()), _) => format!("{layer} not verified"),
    };
    violations.sort_by_key(|v| v.requirement.id);
    let direction = if relying_jp {
        Direction::EuInJp
    } else {
        Direction::JpInEu
    };
    let recognition = micro_credential::assess(&credential, direction, format)
        .require_authentic(holds, summary.clone());
    Ok(DocumentJudgement {
        format,
        authenticity: Authenticity {
            layer,
            holds,
            seal: None,
            violations: violations.iter().map(ViolationView::from).collect(),
            summary,
        },
        recognition: Some(recognition),
        note: None,
    })
}

/// A reference Open Badges 3.0 micro-credential ([`micro_credential::example_badge`]) from
/// `issuer_name` in `country` to `subject_id`, signed by `key` as `format`: a VC-JWT whose
/// issuer is the key's `did:jwk` (`kid` `did:jwk:…#0`), or a document with an
/// `eddsa-rdfc-2022` proof whose issuer is the key's `did:key` (an Ed25519 key).
pub fn signed_badge(
    format: Format,
    key: &crate::formats::jose::SigningKey,
    issuer_name: &str,
    country: &str,
    subject_id: &str,
    valid_from: &str,
) -> Result<String, String> {
    use crate::formats::jose::{b64, b64_decode};
    let jwk = key.public_jwk();
    match format {
        Format::JwtVcJson => {
            let jwk_json = serde_json::to_vec(&jwk).map_err(|e| e.to_string())?;
            let did = format!("did:jwk:{}", b64(&jwk_json));
            let badge =
                micro_credential::example_badge(&did, issuer_name, country, subject_id, valid_from);
            vc_jwt::issue(&badge, key, Some(&format!("{did}#0"))).map_err(|e| e.to_string())
        }
        Format::LdpVc => {
            let public = b64_decode(&jwk.x).map_err(|e| e.to_string())?;
            let (did, method) = data_integrity::did_key(&public);
            let badge =
                micro_credential::example_badge(&did, issuer_name, country, subject_id, valid_from);
            let secured =
                data_integrity::issue(&badge, key, &method, valid_from, Contexts::bundled())
                    .map_err(|e| e.to_string())?;
            serde_json::to_string_pretty(&secured).map_err(|e| e.to_string())
        }
        other => Err(format!("a badge is not issued as {}", other.as_str())),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::entropy::SeededEntropy;
    use crate::formats::jose::{Algorithm, SigningKey};
    use crate::profiles::recognition::Verdict;

    const NOW: i64 = 1_790_000_000;

    fn arrangement() -> Arrangement {
        Arrangement::eu_jp_academic("eu", "jp")
    }

    fn judged(handed: &Handed, relying: &str) -> DocumentJudgement {
        let directory = ServiceDirectory::default();
        let arrangement = arrangement();
        judge(
            handed,
            &Judge {
                relying,
                directory: &directory,
                arrangement: &arrangement,
                now: NOW,
                required_level: Level::B,
                contexts: Contexts::bundled(),
            },
        )
        .unwrap()
    }

    fn ed25519() -> SigningKey {
        SigningKey::from_ed25519_seed(&[7; 32]).unwrap()
    }

    fn es256() -> SigningKey {
        SigningKey::generate(Algorithm::ES256, &mut SeededEntropy::new(5, "badge")).unwrap()
    }

    fn badge(format: Format, key: &SigningKey) -> String {
        signed_badge(
            format,
            key,
            "Universiteit Dijleland",
            "BE",
            "did:example:learner",
            "2026-03-02T09:00:00Z",
        )
        .unwrap()
    }

    #[test]
    fn both_badge_formats_are_judged_alike() {
        for (format, key) in [(Format::JwtVcJson, es256()), (Format::LdpVc, ed25519())] {
            let j = judged(&Handed::Badge(badge(format, &key)), "JP");
            assert!(j.authenticity.holds, "{format:?}: {:#?}", j.authenticity);
            let r = j.recognition.unwrap();
            assert_eq!(r.format, format);
            assert_eq!(r.equivalent.as_deref(), Some("履修証明プログラム相当"));
            assert_eq!(r.verdict, Verdict::RecognisedWithReview);
        }
    }

    #[test]
    fn a_badge_whose_issuer_is_not_the_jwt_iss_is_not_recognised() {
        let key = es256();
        let token = badge(Format::JwtVcJson, &key);
        let jws = crate::formats::jose::CompactJws::parse(&token).unwrap();
        let mut claims = jws.payload.clone();
        claims.insert("iss".into(), "did:web:another.example".into());
        let forged = crate::formats::jose::sign_compact(jws.header.clone(), &claims, &key).unwrap();
        let j = judged(&Handed::Badge(forged), "EU");
        assert!(!j.authenticity.holds);
        assert!(
            j.authenticity
                .violations
                .iter()
                .any(|v| v.requirement == "OB3-8.2-required-claims"),
            "{:#?}",
            j.authenticity
        );
        assert_eq!(j.recognition.unwrap().verdict, Verdict::NotRecognised);
    }

    #[test]
    fn a_badge_signed_by_a_key_that_is_not_the_issuers_does_not_hold() {
        let key = es256();
        let mut badge_doc = micro_credential::example_badge(
            "did:jwk:eyJub3QiOiJ0aGlzIn0",
            "Universiteit Dijleland",
            "BE",
            "did:example:learner",
            "2026-03-02T09:00:00Z",
        );
        badge_doc["id"] = "urn:uuid:other".into();
        let jwk_json = serde_json::to_vec(&key.public_jwk()).unwrap();
        let kid = format!("did:jwk:{}#0", crate::formats::jose::b64(&jwk_json));
        let token = vc_jwt::issue(&badge_doc, &key, Some(&kid)).unwrap();
        let j = judged(&Handed::Badge(token), "EU");
        assert!(!j.authenticity.holds);
        assert!(
            j.authenticity.summary.contains("not the issuer's"),
            "{}",
            j.authenticity.summary
        );
    }

    #[test]
    fn a_proof_over_a_changed_context_does_not_hold() {
        let secured = badge(Format::LdpVc, &ed25519());
        // Another context version defines the same terms: the JSON looks alike, the canonical
        // form differs, the proof fails.
        let changed = secured.replace("context-3.0.3.json", "context-3.0.2.json");
        assert_ne!(changed, secured);
        let j = judged(&Handed::Badge(changed), "JP");
        assert!(!j.authenticity.holds, "{:#?}", j.authenticity);
        assert_eq!(j.recognition.unwrap().verdict, Verdict::NotRecognised);
    }

    #[test]
    fn what_is_not_its_format_is_unreadable() {
        let directory = ServiceDirectory::default();
        let arrangement = arrangement();
        let j = Judge {
            relying: "EU",
            directory: &directory,
            arrangement: &arrangement,
            now: NOW,
            required_level: Level::B,
            contexts: Contexts::bundled(),
        };
        assert!(judge(&Handed::Pdf(b"GIF89a".to_vec()), &j).is_err());
        assert!(judge(&Handed::Edc("{}".into()), &j).is_err());
        assert!(judge(&Handed::Badge("[]".into()), &j).is_err());
    }
}
