//! The seeded test PKI: for the EU and for Japan, a trust anchor, an intermediate CA, a
//! university issuer certificate, a relying-party (verifier) certificate and a trust-list
//! operator certificate; a holder key; the signed trust lists and the arrangement; and a TLS
//! CA of the seed, whose server certificates name the roles' hosts (`issuer.eu.accord.test`,
//! …) so every role can serve HTTPS that a strict client accepts.
//!
//! Every key comes from the seed, so `accord pki generate --seed N` always yields the same
//! keys. Certificate *signatures* differ between runs because ECDSA draws its nonce inside
//! aws-lc; the certificates' content and keys do not.

use std::path::Path;

use rcgen::{
    BasicConstraints, CertificateParams, DistinguishedName, DnType, ExtendedKeyUsagePurpose, IsCa,
    Issuer, KeyPair, KeyUsagePurpose, SanType, SerialNumber,
};
use time::macros::datetime;

use super::mra::Arrangement;
use super::trust_list::{EntryType, STATUS_GRANTED, TrustList, TrustListEntry, base64_std};
use crate::entropy::SeededEntropy;
use crate::formats::jose::{Algorithm, JoseError, SigningKey};

pub use crate::profiles::{EU_DIPLOMA_VCT, JP_DEGREE_VCT};

/// Certificates are valid over a fixed window so a seed gives the same certificates' content.
pub(crate) const NOT_BEFORE: time::OffsetDateTime = datetime!(2025-01-01 00:00 UTC);
pub(crate) const NOT_AFTER: time::OffsetDateTime = datetime!(2036-01-01 00:00 UTC);
/// Trust lists are issued at the start of the window and stay fresh through it.
const TL_ISSUED: i64 = 1_735_689_600; // 2025-01-01
const TL_NEXT_UPDATE: i64 = 2_082_758_400; // 2036-01-01

#[derive(Debug, thiserror::Error)]
pub enum PkiError {
    #[error("key generation: {0}")]
    Key(#[from] JoseError),
    #[error("certificate generation: {0}")]
    Cert(#[from] rcgen::Error),
    #[error("{path}: {source}")]
    Io {
        path: String,
        source: std::io::Error,
    },
    #[error("output directory {0} exists and is not empty; choose another or remove it")]
    NotEmpty(String),
}

/// A key and its certificate.
pub struct Party {
    pub key: SigningKey,
    pub cert_der: Vec<u8>,
    pub(crate) params: CertificateParams,
}

/// One jurisdiction's part of the PKI.
pub struct JurisdictionPki {
    /// `eu` or `jp`.
    pub code: &'static str,
    pub anchor: Party,
    pub intermediate: Party,
    pub issuer: Party,
    pub verifier: Party,
    pub tl_operator: Party,
    /// The CA of relying-party access certificates (a separate root, its own list entry).
    pub rp_ca: Party,
    pub issuer_url: String,
    pub verifier_host: String,
    pub trust_list: TrustList,
}

impl JurisdictionPki {
    /// The issuer's `x5c`: leaf then intermediate, never the anchor.
    pub fn issuer_chain(&self) -> Vec<Vec<u8>> {
        vec![
            self.issuer.cert_der.clone(),
            self.intermediate.cert_der.clone(),
        ]
    }

    /// The verifier's `x5c`: its access certificate alone (the RP CA is the anchor).
    pub fn verifier_chain(&self) -> Vec<Vec<u8>> {
        vec![self.verifier.cert_der.clone()]
    }

    /// The signed trust list.
    pub fn signed_trust_list(&self) -> Result<String, JoseError> {
        self.trust_list
            .sign(&self.tl_operator.key, &self.tl_operator.cert_der)
    }
}

pub struct TestPki {
    pub seed: u64,
    pub eu: JurisdictionPki,
    pub jp: JurisdictionPki,
    pub holder: SigningKey,
    pub arrangement: Arrangement,
    /// The CA of the roles' TLS server certificates: a root of its own, which no trust list
    /// names, so a TLS key can never vouch for a credential or a verifier.
    pub tls_ca: Party,
    /// The trust-service providers of the XML trusted lists (LOTL, DE, FR, JP), their
    /// seals, signatures and TSAs. Generated with the rest so that the trust-list host and
    /// every verifier of a process pin the very same certificates.
    pub tsp: std::sync::Arc<super::tsp_pki::TrustServicePki>,
}

/// A TLS server's certificate chain (leaf, then the seed's TLS CA) and its private key.
pub struct TlsServerIdentity {
    pub chain: Vec<Vec<u8>>,
    /// PKCS#8 DER.
    pub key_pkcs8: Vec<u8>,
}

pub(crate) fn rcgen_key(key: &SigningKey) -> Result<KeyPair, PkiError> {
    Ok(KeyPair::try_from(key.pkcs8_der()?.as_slice())?)
}

pub(crate) fn dn(cn: &str, org: &str, country: &str) -> DistinguishedName {
    let mut d = DistinguishedName::new();
    d.push(DnType::CountryName, country);
    d.push(DnType::OrganizationName, org);
    d.push(DnType::CommonName, cn);
    d
}

pub(crate) fn params(
    subject: DistinguishedName,
    ca: Option<u8>,
    sans: Vec<SanType>,
    serial: u64,
) -> CertificateParams {
    let mut p = CertificateParams::default();
    p.distinguished_name = subject;
    p.not_before = NOT_BEFORE;
    p.not_after = NOT_AFTER;
    p.serial_number = Some(SerialNumber::from(serial));
    p.subject_alt_names = sans;
    p.use_authority_key_identifier_extension = ca != Some(u8::MAX);
    match ca {
        Some(path_len) => {
            p.is_ca = IsCa::Ca(BasicConstraints::Constrained(path_len));
            p.key_usages = vec![KeyUsagePurpose::KeyCertSign, KeyUsagePurpose::CrlSign];
        }
        None => {
            p.is_ca = IsCa::ExplicitNoCa;
            p.key_usages = vec![KeyUsagePurpose::DigitalSignature];
        }
    }
    p
}

pub(crate) fn self_signed(p: CertificateParams, key: SigningKey) -> Result<Party, PkiError> {
    let kp = rcgen_key(&key)?;
    let cert = p.self_signed(&kp)?;
    Ok(Party {
        key,
        cert_der: cert.der().to_vec(),
        params: p,
    })
}

pub(crate) fn signed_by(
    p: CertificateParams,
    key: SigningKey,
    by: &Party,
) -> Result<Party, PkiError> {
    let kp = rcgen_key(&key)?;
    let issuer_kp = rcgen_key(&by.key)?;
    let issuer = Issuer::from_params(&by.params, &issuer_kp);
    let cert = p.signed_by(&kp, &issuer)?;
    Ok(Party {
        key,
        cert_der: cert.der().to_vec(),
        params: p,
    })
}

fn jurisdiction(code: &'static str, entropy: &SeededEntropy) -> Result<JurisdictionPki, PkiError> {
    let mut keys = entropy.fork(code);
    let mut key = || SigningKey::generate(Algorithm::ES256, &mut keys);
    let (country, org, univ, entry_type, vct, list_format) = match code {
        "eu" => (
            "BE",
            "Accord EU Test PKI",
            "Universitas Lovaniensis Exempli",
            EntryType::QeaaProvider,
            EU_DIPLOMA_VCT,
            "ETSI TS 119 612 Trusted List (Accord JSON model)",
        ),
        _ => (
            "JP",
            "Accord JP Test PKI",
            "Osaka Exemplar University",
            EntryType::MicEsealProvider,
            JP_DEGREE_VCT,
            "ETSI TS 119 602 List of Trusted Entities (Accord JSON model)",
        ),
    };
    let issuer_host = format!("issuer.{code}.accord.test");
    let issuer_url = format!("https://{issuer_host}");
    let verifier_host = format!("verifier.{code}.accord.test");
    let serial_base = if code == "eu" { 0x1000 } else { 0x2000 };
    let uri = |s: &str| -> Result<SanType, PkiError> { Ok(SanType::URI(s.try_into()?)) };
    let dns = |s: &str| -> Result<SanType, PkiError> { Ok(SanType::DnsName(s.try_into()?)) };

    let anchor = self_signed(
        params(
            dn(
                &format!("Accord {} Test Trust Anchor", code.to_uppercase()),
                org,
                country,
            ),
            Some(1),
            vec![],
            serial_base + 1,
        ),
        key()?,
    )?;
    let intermediate = signed_by(
        params(
            dn(
                &format!("Accord {} Test Issuing CA", code.to_uppercase()),
                org,
                country,
            ),
            Some(0),
            vec![],
            serial_base + 2,
        ),
        key()?,
        &anchor,
    )?;
    let issuer = signed_by(
        params(
            dn(univ, univ, country),
            None,
            vec![uri(&issuer_url)?, dns(&issuer_host)?],
            serial_base + 3,
        ),
        key()?,
        &intermediate,
    )?;
    // Keys are drawn in a fixed order (anchor, intermediate, issuer, verifier, operator,
    // relying-party CA) so adding a party never changes the keys of the others.
    let verifier_key = key()?;
    let tl_operator = self_signed(
        params(
            dn(
                &format!("Accord {} Trust List Operator", code.to_uppercase()),
                org,
                country,
            ),
            None,
            vec![],
            serial_base + 5,
        ),
        key()?,
    )?;
    // Relying-party (access) certificates come from their own CA, listed under its own entry
    // type: a verifier's key must never be able to sign credentials or status lists.
    let rp_ca = self_signed(
        params(
            dn(
                &format!("Accord {} Relying Party Access CA", code.to_uppercase()),
                org,
                country,
            ),
            Some(0),
            vec![],
            serial_base + 6,
        ),
        key()?,
    )?;
    let verifier = signed_by(
        params(
            dn(
                &format!("Admissions office ({})", code.to_uppercase()),
                org,
                country,
            ),
            None,
            vec![dns(&verifier_host)?],
            serial_base + 4,
        ),
        verifier_key,
        &rp_ca,
    )?;
    let trust_list = TrustList {
        jurisdiction: code.to_uppercase(),
        format: list_format.into(),
        scheme_operator: format!("Accord {} Trust List Operator", code.to_uppercase()),
        sequence_number: 1,
        issue_date: TL_ISSUED,
        next_update: TL_NEXT_UPDATE,
        entries: vec![
            TrustListEntry {
                entity_name: univ.into(),
                entry_type,
                service_type: entry_type.service_type_uri().into(),
                status: STATUS_GRANTED.into(),
                // The university's degree (its vct) and its micro-credentials (the W3C type
                // of the Open Badges it issues as jwt_vc_json).
                credential_types: vec![vct.into(), crate::profiles::BADGE_TYPE.into()],
                certificates: vec![base64_std(&anchor.cert_der)],
            },
            TrustListEntry {
                entity_name: format!("Accord {} Relying Party Access CA", code.to_uppercase()),
                entry_type: EntryType::RelyingPartyCa,
                service_type: EntryType::RelyingPartyCa.service_type_uri().into(),
                status: STATUS_GRANTED.into(),
                credential_types: vec![],
                certificates: vec![base64_std(&rp_ca.cert_der)],
            },
        ],
    };
    Ok(JurisdictionPki {
        code,
        anchor,
        intermediate,
        issuer,
        verifier,
        tl_operator,
        rp_ca,
        issuer_url,
        verifier_host,
        trust_list,
    })
}

impl TestPki {
    pub fn generate(seed: u64) -> Result<Self, PkiError> {
        let root = SeededEntropy::new(seed, "pki");
        let eu = jurisdiction("eu", &root)?;
        let jp = jurisdiction("jp", &root)?;
        let holder = SigningKey::generate(Algorithm::ES256, &mut root.fork("holder"))?;
        let tls_ca = self_signed(
            params(
                dn("Accord Test TLS CA", "Accord Test PKI", "BE"),
                Some(0),
                vec![],
                0x3000,
            ),
            SigningKey::generate(Algorithm::ES256, &mut root.fork("tls-ca"))?,
        )?;
        Ok(Self {
            seed,
            eu,
            jp,
            holder,
            arrangement: Arrangement::eu_jp_academic(EU_DIPLOMA_VCT, JP_DEGREE_VCT),
            tls_ca,
            tsp: std::sync::Arc::new(super::tsp_pki::TrustServicePki::generate(seed)?),
        })
    }

    /// A TLS server certificate for `names` (DNS names), issued by the seed's TLS CA. The
    /// key comes from the seed and the first name, so a role started twice, or in another
    /// process with the same seed, presents the same key.
    pub fn tls_server(&self, names: &[&str]) -> Result<TlsServerIdentity, PkiError> {
        let first = names.first().copied().unwrap_or("localhost");
        let key = SigningKey::generate(
            Algorithm::ES256,
            &mut SeededEntropy::new(self.seed, &format!("pki/tls-server/{first}")),
        )?;
        let sans = names
            .iter()
            .map(|n| Ok(SanType::DnsName((*n).try_into()?)))
            .collect::<Result<Vec<_>, PkiError>>()?;
        let mut p = params(dn(first, "Accord Test PKI", "BE"), None, sans, 0x3001);
        p.extended_key_usages = vec![ExtendedKeyUsagePurpose::ServerAuth];
        let key_pkcs8 = key.pkcs8_der()?;
        let leaf = signed_by(p, key, &self.tls_ca)?;
        Ok(TlsServerIdentity {
            chain: vec![leaf.cert_der, self.tls_ca.cert_der.clone()],
            key_pkcs8,
        })
    }

    /// Writes the PKI under `dir`, all or nothing: files go to a sibling temporary directory
    /// that is renamed into place at the end, so an interrupted run leaves no half PKI.
    pub fn write_to(&self, dir: &Path) -> Result<Vec<String>, PkiError> {
        let io = |path: &Path| {
            let p = path.display().to_string();
            move |source| PkiError::Io { path: p, source }
        };
        if dir.exists() {
            let mut entries = std::fs::read_dir(dir).map_err(io(dir))?;
            if entries.next().is_some() {
                return Err(PkiError::NotEmpty(dir.display().to_string()));
            }
        }
        let parent = dir
            .parent()
            .filter(|p| !p.as_os_str().is_empty())
            .unwrap_or(Path::new("."));
        std::fs::create_dir_all(parent).map_err(io(parent))?;
        let name = dir
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_else(|| "pki".into());
        let tmp = parent.join(format!(".{name}.partial-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&tmp);
        let result = self.write_files(&tmp);
        match result {
            Ok(files) => {
                if dir.exists() {
                    std::fs::remove_dir(dir).map_err(io(dir))?;
                }
                std::fs::rename(&tmp, dir).map_err(io(dir))?;
                Ok(files)
            }
            Err(e) => {
                let _ = std::fs::remove_dir_all(&tmp);
                Err(e)
            }
        }
    }

    fn write_files(&self, root: &Path) -> Result<Vec<String>, PkiError> {
        let mut written = Vec::new();
        let put = |written: &mut Vec<String>, rel: &str, content: &[u8]| -> Result<(), PkiError> {
            let path = root.join(rel);
            if let Some(p) = path.parent() {
                std::fs::create_dir_all(p).map_err(|source| PkiError::Io {
                    path: p.display().to_string(),
                    source,
                })?;
            }
            std::fs::write(&path, content).map_err(|source| PkiError::Io {
                path: path.display().to_string(),
                source,
            })?;
            written.push(rel.to_owned());
            Ok(())
        };
        let jwk = |k: &SigningKey, public: bool| -> Vec<u8> {
            let j = if public {
                k.public_jwk()
            } else {
                k.private_jwk().clone()
            };
            let mut s = serde_json::to_string_pretty(&j).unwrap_or_default();
            s.push('\n');
            s.into_bytes()
        };
        // What an implementation under test trusts for Accord's roles' HTTPS.
        put(
            &mut written,
            "tls-ca.pem",
            pem("CERTIFICATE", &self.tls_ca.cert_der).as_bytes(),
        )?;
        for j in [&self.eu, &self.jp] {
            let c = j.code;
            for (name, party) in [
                ("anchor", &j.anchor),
                ("intermediate", &j.intermediate),
                ("issuer", &j.issuer),
                ("verifier", &j.verifier),
                ("tl-operator", &j.tl_operator),
                ("rp-ca", &j.rp_ca),
            ] {
                put(
                    &mut written,
                    &format!("{c}/{name}.jwk"),
                    &jwk(&party.key, false),
                )?;
                put(
                    &mut written,
                    &format!("{c}/{name}.pub.jwk"),
                    &jwk(&party.key, true),
                )?;
                put(
                    &mut written,
                    &format!("{c}/{name}.pem"),
                    pem("CERTIFICATE", &party.cert_der).as_bytes(),
                )?;
            }
            let chain: String = j
                .issuer_chain()
                .iter()
                .map(|d| pem("CERTIFICATE", d))
                .collect();
            put(
                &mut written,
                &format!("{c}/issuer-chain.pem"),
                chain.as_bytes(),
            )?;
            let chain: String = j
                .verifier_chain()
                .iter()
                .map(|d| pem("CERTIFICATE", d))
                .collect();
            put(
                &mut written,
                &format!("{c}/verifier-chain.pem"),
                chain.as_bytes(),
            )?;
            let mut tl = j.signed_trust_list()?;
            tl.push('\n');
            put(&mut written, &format!("trust-lists/{c}.jwt"), tl.as_bytes())?;
            let mut tl_json = serde_json::to_string_pretty(&j.trust_list).unwrap_or_default();
            tl_json.push('\n');
            put(
                &mut written,
                &format!("trust-lists/{c}.json"),
                tl_json.as_bytes(),
            )?;
        }
        put(&mut written, "holder.jwk", &jwk(&self.holder, false))?;
        put(&mut written, "holder.pub.jwk", &jwk(&self.holder, true))?;
        let mut mra = serde_json::to_string_pretty(&self.arrangement).unwrap_or_default();
        mra.push('\n');
        put(&mut written, "mra.json", mra.as_bytes())?;
        let manifest = serde_json::json!({
            "seed": self.seed,
            "eu": {"issuer": self.eu.issuer_url, "verifier": self.eu.verifier_host, "vct": EU_DIPLOMA_VCT},
            "jp": {"issuer": self.jp.issuer_url, "verifier": self.jp.verifier_host, "vct": JP_DEGREE_VCT},
            "files": written.clone(),
        });
        let mut m = serde_json::to_string_pretty(&manifest).unwrap_or_default();
        m.push('\n');
        put(&mut written, "pki.json", m.as_bytes())?;
        Ok(written)
    }
}

/// PEM armour (RFC 7468).
pub fn pem(label: &str, der: &[u8]) -> String {
    let b64 = base64_std(der);
    let mut out = format!("-----BEGIN {label}-----\n");
    for chunk in b64.as_bytes().chunks(64) {
        out.push_str(&String::from_utf8_lossy(chunk));
        out.push('\n');
    }
    out.push_str(&format!("-----END {label}-----\n"));
    out
}

/// Reads every `CERTIFICATE` block of a PEM file, in order.
pub fn parse_pem_certs(text: &str) -> Result<Vec<Vec<u8>>, String> {
    use base64::Engine as _;
    let mut out = Vec::new();
    let mut body: Option<String> = None;
    for (n, line) in text.lines().enumerate() {
        let line = line.trim();
        if line == "-----BEGIN CERTIFICATE-----" {
            body = Some(String::new());
        } else if line == "-----END CERTIFICATE-----" {
            let b = body
                .take()
                .ok_or(format!("line {}: END without BEGIN", n + 1))?;
            let der = base64::engine::general_purpose::STANDARD
                .decode(b)
                .map_err(|e| format!("line {}: certificate is not base64: {e}", n + 1))?;
            out.push(der);
        } else if let Some(b) = body.as_mut() {
            b.push_str(line);
        }
    }
    if body.is_some() {
        return Err("a BEGIN CERTIFICATE block is not closed".into());
    }
    if out.is_empty() {
        return Err("no CERTIFICATE block found".into());
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::trust::x5c::{Anchor, Cert, validate};

    #[test]
    fn same_seed_same_keys() {
        let a = TestPki::generate(42).unwrap();
        let b = TestPki::generate(42).unwrap();
        let c = TestPki::generate(43).unwrap();
        assert_eq!(a.eu.issuer.key.private_jwk(), b.eu.issuer.key.private_jwk());
        assert_eq!(a.holder.private_jwk(), b.holder.private_jwk());
        assert_ne!(a.eu.issuer.key.private_jwk(), c.eu.issuer.key.private_jwk());
        assert_ne!(a.eu.issuer.key.private_jwk(), a.jp.issuer.key.private_jwk());
    }

    #[test]
    fn issuer_chain_validates_to_its_anchor_only() {
        let pki = TestPki::generate(1).unwrap();
        let now = 1_800_000_000;
        for (j, other) in [(&pki.eu, &pki.jp), (&pki.jp, &pki.eu)] {
            let chain: Vec<Cert> = j
                .issuer_chain()
                .into_iter()
                .map(|der| Cert { der })
                .collect();
            let ok = validate(
                &chain,
                &[Anchor {
                    der: &j.anchor.cert_der,
                    tag: (),
                }],
                now,
            );
            let ok = ok.unwrap_or_else(|v| panic!("{v:?}"));
            assert!(ok.leaf_uris.contains(&j.issuer_url));
            assert!(
                validate(
                    &chain,
                    &[Anchor {
                        der: &other.anchor.cert_der,
                        tag: ()
                    }],
                    now
                )
                .is_err()
            );
        }
    }

    #[test]
    fn pem_round_trip() {
        let pki = TestPki::generate(1).unwrap();
        let text: String = pki
            .eu
            .issuer_chain()
            .iter()
            .map(|d| pem("CERTIFICATE", d))
            .collect();
        assert_eq!(parse_pem_certs(&text).unwrap(), pki.eu.issuer_chain());
        assert!(parse_pem_certs("junk").is_err());
    }
}
