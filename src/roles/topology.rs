//! The whole reference topology in one process, on loopback: the trust-list host, the
//! status-list host, the EU and JP university issuers, the wallet and the EU and JP
//! verifiers, each on its own port and talking to the others over real HTTP through one
//! recording [`Transport`]. Keys and certificates come from the seeded [`TestPki`], so a seed
//! fixes every key; randomness of each role is a labelled stream of the same seed.
//!
//! The same constructors serve `accord serve <role>` (one role per process).

use std::collections::BTreeMap;
use std::net::SocketAddr;
use std::sync::Arc;

use super::issuer::{self, IssuerRole};
use super::status_list::{self, HostedList, LIST_SIZE, StatusListHost};
use super::trust_list::{self, TrustListHost, XmlSource};
use super::verifier::{self, SealLists, TrustSource, VerifierRole};
use super::wallet::{self, WalletRole, WalletTrust};
use super::{Listen, Running, copy_key, serve};
use crate::entropy::{Clock, SeededEntropy};
use crate::formats::status_list::StatusList;
use crate::profiles::Profile;
use crate::protocol::jwe::ContentEncryption;
use crate::protocol::oid4vci::{Issuer, IssuerConfig, IssuerVariant};
use crate::protocol::oid4vp::{
    ClientIdPrefix, ResponseMode, Verifier, VerifierConfig, VerifierFlaw,
};
use crate::tls::Security;
use crate::transport::Transport;
use crate::trust::etsi_tl::{self, lotl::Pins};
use crate::trust::pki::{JurisdictionPki, TestPki};

#[derive(Debug, thiserror::Error)]
pub enum TopologyError {
    #[error("could not listen: {0}")]
    Listen(#[from] std::io::Error),
    #[error("key material: {0}")]
    Key(String),
    #[error("{0}")]
    Tls(#[from] crate::tls::TlsError),
}

fn key_err(e: impl ToString) -> TopologyError {
    TopologyError::Key(e.to_string())
}

fn loopback() -> SocketAddr {
    SocketAddr::from(([127, 0, 0, 1], 0))
}

/// A verifier variant: which client identifier prefix and response modes it uses.
#[derive(Debug, Clone)]
pub struct VerifierVariant {
    pub prefix: ClientIdPrefix,
    pub response_modes: Vec<ResponseMode>,
    pub enc_values: Vec<ContentEncryption>,
    /// Deliberate defects (none for the reference verifier).
    pub flaws: Vec<VerifierFlaw>,
}

impl Default for VerifierVariant {
    fn default() -> Self {
        Self {
            prefix: ClientIdPrefix::X509SanDns,
            response_modes: vec![ResponseMode::DirectPost, ResponseMode::DirectPostJwt],
            enc_values: vec![ContentEncryption::A128Gcm],
            flaws: Vec::new(),
        }
    }
}

pub fn jurisdiction<'a>(pki: &'a TestPki, code: &str) -> &'a JurisdictionPki {
    if code.eq_ignore_ascii_case("jp") {
        &pki.jp
    } else {
        &pki.eu
    }
}

/// Starts an issuer for `code` (`eu` or `jp`).
pub async fn start_issuer(
    pki: &TestPki,
    code: &str,
    seed: u64,
    clock: Arc<dyn Clock>,
    status_host: Option<&str>,
    variant: &IssuerVariant,
    bind: impl Into<Listen>,
) -> Result<Running, TopologyError> {
    let variant = variant.clone();
    let j = jurisdiction(pki, code);
    let profile = if j.code == "jp" {
        Profile::JpDegree
    } else {
        Profile::EuDiploma
    };
    let key = copy_key(&j.issuer.key).map_err(key_err)?;
    let chain = j.issuer_chain();
    let iss = j.issuer_url.clone();
    let name = format!("issuer:{}", j.code);
    let status_list_uri = status_host.map(|h| StatusListHost::list_uri(h, j.code));
    let display = if j.code == "jp" {
        "Accord reference university (Japan)"
    } else {
        "Accord reference university (EU)"
    };
    let entropy = SeededEntropy::new(seed, &format!("role/{name}"));
    let role_name = name.clone();
    let jurisdiction_code = j.code.to_uppercase();
    // The identifier has a path (`/eu`, `/jp`), as a multi-tenant issuer's would, so the
    // well-known insertion rule of OpenID4VCI §12.2.2 is exercised.
    let path = format!("/{}", j.code);
    Ok(serve(&name, bind, move |base_url| {
        let config = IssuerConfig {
            credential_issuer: format!("{base_url}{path}"),
            profile,
            iss,
            signing_key: key,
            chain,
            status_list_uri,
            display_name: display.to_owned(),
            variant,
        };
        issuer::router(
            Arc::new(IssuerRole::new(
                &role_name,
                &jurisdiction_code,
                Issuer::new(config, entropy).with_status_capacity(LIST_SIZE as u64),
                clock,
            )),
            &path,
        )
    })
    .await?)
}

/// Starts a verifier for `code` with `variant`.
#[expect(clippy::too_many_arguments)]
pub async fn start_verifier(
    pki: &TestPki,
    code: &str,
    seed: u64,
    clock: Arc<dyn Clock>,
    transport: Transport,
    trust_host: Option<&str>,
    variant: &VerifierVariant,
    bind: impl Into<Listen>,
) -> Result<Running, TopologyError> {
    let j = jurisdiction(pki, code);
    let key = copy_key(&j.verifier.key).map_err(key_err)?;
    let name = format!("verifier:{}", j.code);
    let trust = match trust_host {
        Some(host) => TrustSource::Fetch(vec![
            (
                TrustListHost::list_uri(host, "eu"),
                pki.eu.tl_operator.cert_der.clone(),
            ),
            (
                TrustListHost::list_uri(host, "jp"),
                pki.jp.tl_operator.cert_der.clone(),
            ),
        ]),
        None => {
            let mut lists = Vec::new();
            for jj in [&pki.eu, &pki.jp] {
                let token = jj.signed_trust_list().map_err(key_err)?;
                let verified = crate::trust::trust_list::verify(
                    &token,
                    Some(&jj.tl_operator.cert_der),
                    clock.now(),
                )
                .map_err(|v| key_err(format!("{v:?}")))?;
                lists.push(verified);
            }
            TrustSource::Fixed(lists)
        }
    };
    let arrangement = Some(pki.arrangement.clone());
    let seals = trust_host.map(|host| seal_lists(pki, host));
    let entropy = SeededEntropy::new(seed, &format!("role/{name}"));
    let role_name = name.clone();
    let dns_name = j.verifier_host.clone();
    let chain = j.verifier_chain();
    let jurisdiction_code = j.code.to_uppercase();
    let variant = variant.clone();
    Ok(serve(&name, bind, move |base_url| {
        let config = VerifierConfig {
            base_url,
            jurisdiction: jurisdiction_code.clone(),
            prefix: variant.prefix,
            dns_name,
            signing_key: key,
            chain,
            response_modes: variant.response_modes.clone(),
            enc_values: variant.enc_values.clone(),
            request_lifetime: 300,
            display_name: format!("Accord reference admissions office ({jurisdiction_code})"),
            flaws: variant.flaws.clone(),
        };
        let role = VerifierRole::new(
            &role_name,
            Verifier::new(config, entropy),
            transport,
            clock,
            trust,
            arrangement,
        );
        let role = match seals {
            Some(lists) => role.with_seal_lists(lists),
            None => role,
        };
        verifier::router(Arc::new(role))
    })
    .await?)
}

/// Starts the wallet, holding the PKI's holder key and trusting both RP CAs.
pub async fn start_wallet(
    pki: &TestPki,
    prefixes: &[ClientIdPrefix],
    seed: u64,
    clock: Arc<dyn Clock>,
    transport: Transport,
    bind: impl Into<Listen>,
) -> Result<Running, TopologyError> {
    let holder = copy_key(&pki.holder).map_err(key_err)?;
    let anchors = vec![pki.eu.rp_ca.cert_der.clone(), pki.jp.rp_ca.cert_der.clone()];
    // The reference verifiers are known to the wallet by name (their response URIs are on
    // loopback, not on the DNS names in their certificates).
    let trusted = vec![
        format!("x509_san_dns:{}", pki.eu.verifier_host),
        format!("x509_san_dns:{}", pki.jp.verifier_host),
    ];
    let entropy = SeededEntropy::new(seed, "role/wallet");
    Ok(serve("wallet", bind, move |base_url| {
        wallet::router(Arc::new(WalletRole::new(
            "wallet",
            base_url,
            holder,
            WalletTrust {
                rp_anchors: anchors,
                trusted_client_ids: trusted,
                client_id_prefixes: prefixes.to_vec(),
            },
            entropy,
            transport,
            clock,
        )))
    })
    .await?)
}

/// Starts the status-list host with one list per jurisdiction, signed by that issuer.
pub async fn start_status_list(
    pki: &TestPki,
    clock: Arc<dyn Clock>,
    bind: impl Into<Listen>,
) -> Result<Running, TopologyError> {
    let mut lists = BTreeMap::new();
    for j in [&pki.eu, &pki.jp] {
        lists.insert(
            j.code.to_owned(),
            HostedList {
                list: StatusList::new(2, LIST_SIZE).map_err(key_err)?,
                key: copy_key(&j.issuer.key).map_err(key_err)?,
                chain: j.issuer_chain(),
            },
        );
    }
    Ok(serve("status-list", bind, move |base_url| {
        status_list::router(Arc::new(StatusListHost::new(base_url, lists, clock)))
    })
    .await?)
}

/// Starts the trust-list host publishing both jurisdictions' signed lists, and the XML
/// trusted lists of the seeded trust-service providers (the LOTL and the DE, FR and JP
/// lists, issued at [`etsi_tl::generate::issue_time`] of the clock's now, pointing to
/// themselves at the host's address).
pub async fn start_trust_list(
    pki: &TestPki,
    clock: Arc<dyn Clock>,
    bind: impl Into<Listen>,
) -> Result<(Running, Arc<TrustListHost>), TopologyError> {
    let mut lists = BTreeMap::new();
    for j in [&pki.eu, &pki.jp] {
        lists.insert(j.code.to_owned(), j.signed_trust_list().map_err(key_err)?);
    }
    // The lists name the host's address, known once it listens: the router reads the host
    // through a cell filled right after.
    let cell: Arc<std::sync::OnceLock<Arc<TrustListHost>>> = Arc::new(std::sync::OnceLock::new());
    let pki_tsp = pki.tsp.clone();
    let issued_at = etsi_tl::generate::issue_time(clock.now());
    let made = cell.clone();
    let running = serve("trust-list", bind, move |base_url| {
        let host = TrustListHost::new(lists).with_xml_source(XmlSource {
            pki: pki_tsp,
            base_url,
            issued_at,
        });
        let host = Arc::new(host);
        let _ = made.set(host.clone());
        trust_list::router(host)
    })
    .await?;
    let host = cell
        .get()
        .cloned()
        .ok_or_else(|| key_err("the trust-list host did not start"))?;
    host.stage(None).map_err(key_err)?;
    Ok((running, host))
}

/// What a verifier reads to judge seals when the trust-list host at `host` serves the XML
/// lists: the LOTL, pinned to the seeded LOTL operator, and through it every list.
pub fn seal_lists(pki: &TestPki, host: &str) -> SealLists {
    SealLists {
        lotl_url: format!("{}/tl/lotl.xml", host.trim_end_matches('/')),
        other_urls: vec![],
        pins: Pins {
            lotl_signers: vec![pki.tsp.lotl_operator.cert_der.clone()],
            list_signers: vec![],
        },
    }
}

/// Every reference role, running.
pub struct Topology {
    pub trust_list: Running,
    pub trust_list_host: Arc<TrustListHost>,
    pub status_list: Running,
    pub eu_issuer: Running,
    pub jp_issuer: Running,
    pub wallet: Running,
    pub eu_verifier: Running,
    pub jp_verifier: Running,
    /// The DE qualified TSA of the seeded trust-service providers (RFC 3161).
    pub tsa: Running,
    pub transport: Transport,
}

/// The host each part of the reference topology serves under ([`crate::tls::host_for`]).
pub mod hosts {
    pub fn issuer(code: &str) -> String {
        crate::tls::host_for("issuer", Some(code))
    }
    pub fn verifier(code: &str) -> String {
        crate::tls::host_for("verifier", Some(code))
    }
    pub fn wallet() -> String {
        crate::tls::host_for("wallet", None)
    }
    pub fn status_list() -> String {
        crate::tls::host_for("status-list", None)
    }
    pub fn trust_list() -> String {
        crate::tls::host_for("trust-list", None)
    }
    pub fn tsa() -> String {
        crate::roles::tsa::host(crate::trust::tsp::TsaSite::De)
    }
}

impl Topology {
    /// Starts all roles over HTTPS on loopback ports chosen by the OS.
    pub async fn start(
        pki: &TestPki,
        seed: u64,
        clock: Arc<dyn Clock>,
        transport: Transport,
    ) -> Result<Self, TopologyError> {
        Self::start_with(pki, seed, clock, transport, Security::Https).await
    }

    /// Starts all roles on loopback ports chosen by the OS, over HTTPS or plain HTTP.
    pub async fn start_with(
        pki: &TestPki,
        seed: u64,
        clock: Arc<dyn Clock>,
        transport: Transport,
        security: Security,
    ) -> Result<Self, TopologyError> {
        let at = |host: String| Listen::role(security, pki, &host, loopback());
        let (trust, trust_host) =
            start_trust_list(pki, clock.clone(), at(hosts::trust_list())?).await?;
        let status = start_status_list(pki, clock.clone(), at(hosts::status_list())?).await?;
        let eu_issuer = start_issuer(
            pki,
            "eu",
            seed,
            clock.clone(),
            Some(&status.base_url),
            &IssuerVariant::default(),
            at(hosts::issuer("eu"))?,
        )
        .await?;
        let jp_issuer = start_issuer(
            pki,
            "jp",
            seed,
            clock.clone(),
            Some(&status.base_url),
            &IssuerVariant::default(),
            at(hosts::issuer("jp"))?,
        )
        .await?;
        let variant = VerifierVariant::default();
        let eu_verifier = start_verifier(
            pki,
            "eu",
            seed,
            clock.clone(),
            transport.clone(),
            Some(&trust.base_url),
            &variant,
            at(hosts::verifier("eu"))?,
        )
        .await?;
        let jp_verifier = start_verifier(
            pki,
            "jp",
            seed,
            clock.clone(),
            transport.clone(),
            Some(&trust.base_url),
            &variant,
            at(hosts::verifier("jp"))?,
        )
        .await?;
        let providers = crate::trust::tsp_pki::TrustServicePki::generate(seed).map_err(key_err)?;
        let tsa = super::tsa::start_tsa(
            Arc::new(providers),
            crate::trust::tsp::TsaSite::De,
            clock.clone(),
            None,
            at(hosts::tsa())?,
        )
        .await?;
        let wallet = start_wallet(
            pki,
            &WalletTrust::ALL_PREFIXES,
            seed,
            clock,
            transport.clone(),
            at(hosts::wallet())?,
        )
        .await?;
        Ok(Self {
            trust_list: trust,
            trust_list_host: trust_host,
            status_list: status,
            eu_issuer,
            jp_issuer,
            wallet,
            eu_verifier,
            jp_verifier,
            tsa,
            transport,
        })
    }

    pub fn issuer(&self, code: &str) -> &Running {
        if code.eq_ignore_ascii_case("jp") {
            &self.jp_issuer
        } else {
            &self.eu_issuer
        }
    }

    pub fn verifier(&self, code: &str) -> &Running {
        if code.eq_ignore_ascii_case("jp") {
            &self.jp_verifier
        } else {
            &self.eu_verifier
        }
    }
}
