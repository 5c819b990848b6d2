//! The seeded trust-service providers: who signs the XML trusted lists, and the qualified (EU)
//! and accredited (JP) services those lists name, with the certificates of the seals,
//! signatures and time-stamps made under them.
//!
//! ```text
//! EU LOTL operator ──pins──► DE scheme operator ──signs──► DE list: QTSP "Beispiel Trust" CA/QC (seals, granted)
//!  (and its successor,        FR scheme operator            └ seal "Universität Beispiel"      TSA/QTST (granted)
//!   for the re-keyed LOTL)                                   CA/QC "Widerruf" (granted, withdrawn at WITHDRAWN_AT)
//!                                                            └ seal "Hochschule Widerruf"
//!                                                            TSA/QTST "Widerruf TSU" (withdrawn at WITHDRAWN_AT)
//!                                                          FR list: QTSP CA/QC (seals), TSA/QTST, an expired TSA
//! JP list (Accord's proposal) operator ──signs──► accredited TSA, accredited e-seal CA └ university seal,
//!                                                 accredited e-signature CA └ university registrar (PDF signer)
//! an unlisted TSA (self-signed, on no list)
//! ```
//!
//! Like [`super::pki::TestPki`], every key comes from the seed (forked under `tsp/…`, so
//! adding a party never changes another's key) and certificates are valid over the fixed
//! window 2025-01-01 to 2036-01-01, except the expired TSA (2025-01-01 to 2025-12-31).

use rcgen::{CustomExtension, KeyUsagePurpose};
use time::macros::datetime;

use super::pki::{Party, PkiError, dn, params, self_signed, signed_by};
use crate::entropy::SeededEntropy;
use crate::formats::jose::{Algorithm, SigningKey};

/// When every seeded service was first granted: the start of the certificates' window.
pub const GRANTED_SINCE: i64 = 1_735_689_600; // 2025-01-01T00:00:00Z
/// When the DE "Widerruf" CA/QC service was withdrawn: seals made before it stay valid
/// (judged by the status at signing time), seals made after it are not.
pub const WITHDRAWN_AT: i64 = 1_780_272_000; // 2026-06-01T00:00:00Z
/// When the expired FR TSA's certificate ends.
pub const EXPIRED_TSA_NOT_AFTER: i64 = 1_767_139_200; // 2025-12-31T00:00:00Z

/// id-kp-timeStamping, RFC 3161 §2.3: the one extended key usage of a TSA certificate, and
/// the extension critical. rcgen writes the extension non-critical, so it is built by hand:
/// `SEQUENCE { OID 1.3.6.1.5.5.7.3.8 }`.
const EKU_TIME_STAMPING_DER: &[u8] = &[
    0x30, 0x0a, 0x06, 0x08, 0x2b, 0x06, 0x01, 0x05, 0x05, 0x07, 0x03, 0x08,
];

/// A provider's CA and what it certified.
pub struct SealProvider {
    pub provider: String,
    pub service_name: String,
    pub ca: Party,
    /// A university's e-seal (or, in Japan's e-signature CA, its registrar's signing key).
    pub leaf: Party,
}

impl SealProvider {
    /// The organisation the leaf certificate names: the university that seals (or whose
    /// registrar signs).
    pub fn leaf_name(&self) -> String {
        use x509_parser::prelude::FromDer;
        x509_parser::certificate::X509Certificate::from_der(&self.leaf.cert_der)
            .ok()
            .and_then(|(_, c)| {
                c.subject()
                    .iter_organization()
                    .next()
                    .and_then(|o| o.as_str().ok())
                    .map(str::to_owned)
            })
            .unwrap_or_default()
    }
}

/// A member state's list and what it names.
pub struct MemberState {
    /// ISO 3166 code, as in `SchemeTerritory`: `DE`, `FR`.
    pub territory: &'static str,
    /// Signs the member state's list; pinned by the LOTL.
    pub operator: Party,
    /// A CA/QC service for e-seals, granted.
    pub seals: SealProvider,
    /// A qualified time-stamping unit (TSA/QTST), granted; its certificate is the identity.
    pub tsa: Party,
    pub tsa_name: String,
    /// DE: a CA/QC service withdrawn at [`WITHDRAWN_AT`]. FR: none.
    pub withdrawn: Option<SealProvider>,
    /// FR: a listed TSA whose certificate expired at [`EXPIRED_TSA_NOT_AFTER`]. DE: none.
    pub expired_tsa: Option<Party>,
    /// DE: a TSA/QTST service withdrawn at [`WITHDRAWN_AT`] (the TSA's "withdrawn service"
    /// fault). FR: none.
    pub withdrawn_tsa: Option<Party>,
}

/// The JP list (a proposal: Japan publishes no ETSI-style list).
pub struct Japan {
    pub operator: Party,
    /// 総務大臣認定タイムスタンプ: a time-stamping service accredited by the Minister.
    pub tsa: Party,
    pub tsa_name: String,
    /// eシール認定制度: an accredited e-seal certification service and a university's seal.
    pub seals: SealProvider,
    /// 電子署名法 認定認証業務: an accredited certification service and the registrar of a
    /// university who signs its PDF certificates (学位記, 学修歴証明書).
    pub signatures: SealProvider,
}

/// Every trust-service party of the seed.
pub struct TrustServicePki {
    /// Signs the EU List of the Lists.
    pub lotl_operator: Party,
    /// The LOTL operator after a key change: a LOTL signed by it no longer matches the pin
    /// the previous LOTL announced.
    pub lotl_operator_next: Party,
    pub de: MemberState,
    pub fr: MemberState,
    pub jp: Japan,
    /// A TSA on no list (self-signed, id-kp-timeStamping).
    pub unlisted_tsa: Party,
}

fn ca(cn: &str, org: &str, country: &str, serial: u64, key: SigningKey) -> Result<Party, PkiError> {
    self_signed(params(dn(cn, org, country), Some(0), vec![], serial), key)
}

/// An e-seal or signing certificate: digital signature and non-repudiation
/// (content commitment), as EN 319 412-3 asks of seal certificates.
fn seal_leaf(
    cn: &str,
    org: &str,
    country: &str,
    serial: u64,
    key: SigningKey,
    by: &Party,
) -> Result<Party, PkiError> {
    let mut p = params(dn(cn, org, country), None, vec![], serial);
    p.key_usages = vec![
        KeyUsagePurpose::DigitalSignature,
        KeyUsagePurpose::ContentCommitment,
    ];
    signed_by(p, key, by)
}

/// A TSA certificate: self-signed (the list names it as the service's identity), the
/// critical id-kp-timeStamping extended key usage alone.
fn tsa(
    cn: &str,
    org: &str,
    country: &str,
    serial: u64,
    key: SigningKey,
    not_after: Option<time::OffsetDateTime>,
) -> Result<Party, PkiError> {
    let mut p = params(dn(cn, org, country), None, vec![], serial);
    let mut eku = CustomExtension::from_oid_content(&[2, 5, 29, 37], EKU_TIME_STAMPING_DER.into());
    eku.set_criticality(true);
    p.custom_extensions = vec![eku];
    if let Some(t) = not_after {
        p.not_after = t;
    }
    self_signed(p, key)
}

impl TrustServicePki {
    pub fn generate(seed: u64) -> Result<Self, PkiError> {
        let root = SeededEntropy::new(seed, "tsp");
        let key = |name: &str| SigningKey::generate(Algorithm::ES256, &mut root.fork(name));
        let lotl_operator = ca(
            "Accord EU LOTL Signer",
            "Accord European Commission (test)",
            "EU",
            0x4001,
            key("lotl")?,
        )?;
        let lotl_operator_next = ca(
            "Accord EU LOTL Signer 2",
            "Accord European Commission (test)",
            "EU",
            0x4002,
            key("lotl-next")?,
        )?;

        let de_ca = ca(
            "Beispiel Trust Qualified Seal CA",
            "Beispiel Trust GmbH",
            "DE",
            0x4101,
            key("de/ca")?,
        )?;
        let de_seal = seal_leaf(
            "Universität Beispiel",
            "Universität Beispiel",
            "DE",
            0x4102,
            key("de/seal")?,
            &de_ca,
        )?;
        let withdrawn_ca = ca(
            "Widerruf Trust Qualified Seal CA",
            "Widerruf Trust AG",
            "DE",
            0x4111,
            key("de/withdrawn-ca")?,
        )?;
        let withdrawn_seal = seal_leaf(
            "Hochschule Widerruf",
            "Hochschule Widerruf",
            "DE",
            0x4112,
            key("de/withdrawn-seal")?,
            &withdrawn_ca,
        )?;
        let de = MemberState {
            territory: "DE",
            operator: ca(
                "Accord DE Trusted List Scheme Operator",
                "Accord Bundesnetzagentur (test)",
                "DE",
                0x4100,
                key("de/operator")?,
            )?,
            seals: SealProvider {
                provider: "Beispiel Trust GmbH".into(),
                service_name: "Beispiel Trust Qualified Seal CA".into(),
                ca: de_ca,
                leaf: de_seal,
            },
            tsa: tsa(
                "Beispiel Trust Qualified TSU 1",
                "Beispiel Trust GmbH",
                "DE",
                0x4103,
                key("de/tsa")?,
                None,
            )?,
            tsa_name: "Beispiel Trust Qualified Time-Stamping Unit 1".into(),
            withdrawn: Some(SealProvider {
                provider: "Widerruf Trust AG".into(),
                service_name: "Widerruf Trust Qualified Seal CA".into(),
                ca: withdrawn_ca,
                leaf: withdrawn_seal,
            }),
            expired_tsa: None,
            withdrawn_tsa: Some(tsa(
                "Widerruf Trust TSU",
                "Widerruf Trust AG",
                "DE",
                0x4113,
                key("de/withdrawn-tsa")?,
                None,
            )?),
        };

        let fr_ca = ca(
            "Exemple Confiance CA Cachets Qualifiés",
            "Exemple Confiance SAS",
            "FR",
            0x4201,
            key("fr/ca")?,
        )?;
        let fr_seal = seal_leaf(
            "Université Exemple",
            "Université Exemple",
            "FR",
            0x4202,
            key("fr/seal")?,
            &fr_ca,
        )?;
        let fr = MemberState {
            territory: "FR",
            operator: ca(
                "Accord FR Trusted List Scheme Operator",
                "Accord ANSSI (test)",
                "FR",
                0x4200,
                key("fr/operator")?,
            )?,
            seals: SealProvider {
                provider: "Exemple Confiance SAS".into(),
                service_name: "Exemple Confiance CA Cachets Qualifiés".into(),
                ca: fr_ca,
                leaf: fr_seal,
            },
            tsa: tsa(
                "Exemple Confiance Horodatage Qualifié",
                "Exemple Confiance SAS",
                "FR",
                0x4203,
                key("fr/tsa")?,
                None,
            )?,
            tsa_name: "Exemple Confiance Horodatage Qualifié".into(),
            withdrawn: None,
            expired_tsa: Some(tsa(
                "Exemple Confiance Horodatage 2025",
                "Exemple Confiance SAS",
                "FR",
                0x4204,
                key("fr/expired-tsa")?,
                Some(datetime!(2025-12-31 00:00 UTC)),
            )?),
            withdrawn_tsa: None,
        };

        let jp_seal_ca = ca(
            "Accord JP Accredited e-Seal CA",
            "Accord Nippon Trust KK",
            "JP",
            0x4301,
            key("jp/seal-ca")?,
        )?;
        let jp_seal = seal_leaf(
            "Osaka Exemplar University e-Seal",
            "Osaka Exemplar University",
            "JP",
            0x4302,
            key("jp/seal")?,
            &jp_seal_ca,
        )?;
        let jp_sig_ca = ca(
            "Accord JP Accredited Certification Service",
            "Accord Nippon Trust KK",
            "JP",
            0x4311,
            key("jp/sig-ca")?,
        )?;
        let jp_registrar = seal_leaf(
            "Registrar, Osaka Exemplar University",
            "Osaka Exemplar University",
            "JP",
            0x4312,
            key("jp/registrar")?,
            &jp_sig_ca,
        )?;
        let jp = Japan {
            operator: ca(
                "Accord JP Trusted List Operator (proposal)",
                "Accord Digital Agency (test)",
                "JP",
                0x4300,
                key("jp/operator")?,
            )?,
            tsa: tsa(
                "Accord Nippon Time-Stamp Unit",
                "Accord Nippon Trust KK",
                "JP",
                0x4303,
                key("jp/tsa")?,
                None,
            )?,
            tsa_name: "Accord Nippon Accredited Time-Stamping Service".into(),
            seals: SealProvider {
                provider: "Accord Nippon Trust KK".into(),
                service_name: "Accord JP Accredited e-Seal CA".into(),
                ca: jp_seal_ca,
                leaf: jp_seal,
            },
            signatures: SealProvider {
                provider: "Accord Nippon Trust KK".into(),
                service_name: "Accord JP Accredited Certification Service".into(),
                ca: jp_sig_ca,
                leaf: jp_registrar,
            },
        };

        let unlisted_tsa = tsa(
            "Unlisted Time-Stamp Unit",
            "Nobody Listed Ltd",
            "GB",
            0x4401,
            key("unlisted-tsa")?,
            None,
        )?;
        Ok(Self {
            lotl_operator,
            lotl_operator_next,
            de,
            fr,
            jp,
            unlisted_tsa,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use x509_parser::prelude::*;

    #[test]
    fn tsa_certificates_carry_a_critical_time_stamping_usage() {
        let pki = TrustServicePki::generate(1).unwrap();
        let (_, cert) = X509Certificate::from_der(&pki.de.tsa.cert_der).unwrap();
        let eku = cert
            .extensions()
            .iter()
            .find(|e| e.oid.to_id_string() == "2.5.29.37")
            .unwrap();
        assert!(eku.critical);
        let (_, expired) =
            X509Certificate::from_der(&pki.fr.expired_tsa.as_ref().unwrap().cert_der).unwrap();
        assert_eq!(
            expired.validity().not_after.timestamp(),
            EXPIRED_TSA_NOT_AFTER
        );
    }

    #[test]
    fn the_same_seed_gives_the_same_keys() {
        let a = TrustServicePki::generate(7).unwrap();
        let b = TrustServicePki::generate(7).unwrap();
        assert_eq!(
            a.jp.seals.leaf.key.public_jwk(),
            b.jp.seals.leaf.key.public_jwk()
        );
    }
}
