//! TLS between the harness, its reference roles and the implementations under test.
//!
//! Real implementations refuse plain HTTP to a loopback address (OpenID4VCI identifiers are
//! `https` URLs, HAIP requires TLS, a wallet checks that an `x509_san_dns` verifier's response
//! URI is on the host its certificate names), so every reference role serves HTTPS under a
//! DNS name of the test domain [`TEST_DOMAIN`] with a certificate from the seed's TLS CA
//! ([`crate::trust::pki::TestPki::tls_server`]). This module owns:
//!
//! - the names: [`host_for`] gives each role its host (`issuer.eu.accord.test`, …);
//! - resolution without `/etc/hosts`: [`TestDomainResolver`] sends every name under the test
//!   domain to loopback, and any other name to the system resolver (containers get host
//!   entries instead, see `launch.rs`);
//! - the server side: [`ServerTls`] (a rustls server configuration for one role's names);
//!   the roles' server (`roles::server`) completes handshakes off its accept loop, each
//!   within [`HANDSHAKE_TIMEOUT`], so a client that never finishes one cannot stall the
//!   others;
//! - the client side: [`ClientTrust`], the CAs Accord's HTTP clients trust (the seed's TLS CA
//!   and whatever CAs implementation manifests name), nothing else.
//!
//! Plain HTTP remains, by an explicit flag only ([`Security::PlainHttp`]), and a run records
//! which one it used.
//!
//! rustls with the aws-lc-rs provider, the crypto backend Accord already uses.

use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use rustls::pki_types::{CertificateDer, PrivateKeyDer, PrivatePkcs8KeyDer};
use serde::{Deserialize, Serialize};

use crate::trust::pki::{PkiError, TestPki, parse_pem_certs};

/// The domain of the roles' hosts. `.test` is reserved for testing (RFC 6761 §6.2): no real
/// name can collide with it, and resolvers treat it as local.
pub const TEST_DOMAIN: &str = "accord.test";

/// A TLS handshake that has not completed by then is dropped.
pub const HANDSHAKE_TIMEOUT: Duration = Duration::from_secs(10);

/// Whether a run's roles speak HTTPS (the default) or plain HTTP (`--plain-http`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Security {
    #[default]
    Https,
    /// Plain HTTP on loopback addresses, only when asked for; recorded and reported.
    PlainHttp,
}

impl Security {
    pub fn from_plain_flag(plain_http: bool) -> Self {
        if plain_http {
            Security::PlainHttp
        } else {
            Security::Https
        }
    }

    pub fn is_plain(self) -> bool {
        self == Security::PlainHttp
    }

    /// How reports name it.
    pub fn describe(self) -> &'static str {
        match self {
            Security::Https => "HTTPS (the seed's test TLS CA)",
            Security::PlainHttp => "plain HTTP: not what real deployments accept",
        }
    }
}

/// The host a reference role serves under: `<role>.<jurisdiction>.accord.test` for the
/// issuers and verifiers, `<role>.accord.test` for the others.
pub fn host_for(role: &str, jurisdiction: Option<&str>) -> String {
    match jurisdiction {
        Some(j) => format!("{role}.{}.{TEST_DOMAIN}", j.to_ascii_lowercase()),
        None => format!("{role}.{TEST_DOMAIN}"),
    }
}

/// Whether `host` is one of the test domain's names (resolved to loopback by Accord).
pub fn is_test_host(host: &str) -> bool {
    let host = host.trim_end_matches('.').to_ascii_lowercase();
    host == TEST_DOMAIN || host.ends_with(&format!(".{TEST_DOMAIN}"))
}

#[derive(Debug, thiserror::Error)]
pub enum TlsError {
    #[error("TLS certificate: {0}")]
    Pki(#[from] PkiError),
    #[error("TLS configuration: {0}")]
    Config(#[from] rustls::Error),
    #[error("{path}: {message}")]
    CaFile { path: String, message: String },
}

fn provider() -> Arc<rustls::crypto::CryptoProvider> {
    Arc::new(rustls::crypto::aws_lc_rs::default_provider())
}

/// A role's TLS server configuration: its host name and certificate.
#[derive(Clone)]
pub struct ServerTls {
    pub host: String,
    pub config: Arc<rustls::ServerConfig>,
}

impl std::fmt::Debug for ServerTls {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ServerTls")
            .field("host", &self.host)
            .finish_non_exhaustive()
    }
}

impl ServerTls {
    /// A server certificate for `host` from the seed's TLS CA.
    pub fn for_host(pki: &TestPki, host: &str) -> Result<Self, TlsError> {
        let identity = pki.tls_server(&[host])?;
        let chain = identity
            .chain
            .into_iter()
            .map(CertificateDer::from)
            .collect();
        let key = PrivateKeyDer::Pkcs8(PrivatePkcs8KeyDer::from(identity.key_pkcs8));
        let mut config = rustls::ServerConfig::builder_with_provider(provider())
            .with_safe_default_protocol_versions()?
            .with_no_client_auth()
            .with_single_cert(chain, key)?;
        // The roles speak HTTP/1.1 only.
        config.alpn_protocols = vec![b"http/1.1".to_vec()];
        Ok(Self {
            host: host.to_owned(),
            config: Arc::new(config),
        })
    }
}

/// The certificate authorities Accord's HTTP clients trust: the seed's TLS CA and the CAs
/// named by implementation manifests, and nothing else (no system roots: every server a run
/// talks to is the harness's own or an implementation that declared its CA).
#[derive(Debug, Clone, Default)]
pub struct ClientTrust {
    roots: Vec<Vec<u8>>,
}

impl ClientTrust {
    /// Trusts the seed's TLS CA.
    pub fn of(pki: &TestPki) -> Self {
        Self {
            roots: vec![pki.tls_ca.cert_der.clone()],
        }
    }

    /// Also trusts the CA certificate `der`.
    pub fn with_root(mut self, der: Vec<u8>) -> Self {
        if !self.roots.contains(&der) {
            self.roots.push(der);
        }
        self
    }

    /// Also trusts every certificate of the PEM file at `path`.
    pub fn with_pem_file(mut self, path: &std::path::Path) -> Result<Self, TlsError> {
        let bad = |message: String| TlsError::CaFile {
            path: path.display().to_string(),
            message,
        };
        let text = crate::files::read_text(path, crate::files::CERTIFICATES)
            .map_err(|e| bad(e.reason()))?;
        let ders = parse_pem_certs(&text).map_err(bad)?;
        for der in ders {
            self = self.with_root(der);
        }
        Ok(self)
    }

    pub fn roots(&self) -> &[Vec<u8>] {
        &self.roots
    }

    /// The rustls client configuration: these roots, HTTP/1.1.
    pub fn client_config(&self) -> Result<rustls::ClientConfig, TlsError> {
        let mut store = rustls::RootCertStore::empty();
        for der in &self.roots {
            store.add(CertificateDer::from(der.clone()))?;
        }
        let mut config = rustls::ClientConfig::builder_with_provider(provider())
            .with_safe_default_protocol_versions()?
            .with_root_certificates(store)
            .with_no_client_auth();
        config.alpn_protocols = vec![b"http/1.1".to_vec()];
        Ok(config)
    }
}

/// reqwest's resolver for Accord's clients: names under [`TEST_DOMAIN`] are loopback; any
/// other name goes to the system resolver.
#[derive(Debug, Clone, Copy, Default)]
pub struct TestDomainResolver;

impl reqwest::dns::Resolve for TestDomainResolver {
    fn resolve(&self, name: reqwest::dns::Name) -> reqwest::dns::Resolving {
        let host = name.as_str().to_owned();
        Box::pin(async move {
            let addrs: Vec<SocketAddr> = if is_test_host(&host) {
                vec![SocketAddr::from(([127, 0, 0, 1], 0))]
            } else {
                tokio::net::lookup_host((host.as_str(), 0))
                    .await
                    .map_err(|e| Box::new(e) as Box<dyn std::error::Error + Send + Sync>)?
                    .collect()
            };
            Ok(Box::new(addrs.into_iter()) as reqwest::dns::Addrs)
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn role_hosts_are_in_the_test_domain() {
        assert_eq!(host_for("issuer", Some("EU")), "issuer.eu.accord.test");
        assert_eq!(host_for("wallet", None), "wallet.accord.test");
        assert!(is_test_host("verifier.jp.accord.test"));
        assert!(is_test_host("Accord.Test."));
        assert!(!is_test_host("accord.test.example"));
        assert!(!is_test_host("notaccord.test"));
    }
}
