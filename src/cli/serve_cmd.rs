//! `accord serve ROLE`: one reference role as a standalone HTTP service, for trying the
//! protocols by hand, for vendors' implementations to test against, and for the container
//! images. Keys come from the seeded test PKI, so separate processes started with the same
//! `--seed` trust each other.

use std::collections::BTreeMap;
use std::net::{IpAddr, SocketAddr};
use std::path::PathBuf;
use std::process::ExitCode;
use std::sync::Arc;

use clap::{Args, ValueEnum};

use super::CliError;
use crate::entropy::{Clock, SystemClock};
use crate::protocol::oid4vp::{ClientIdPrefix, ResponseMode};
use crate::roles::topology;
use crate::roles::variant::RoleVariant;
use crate::tls::{ClientTrust, Security};
use crate::transport::{ExchangeSink, Limits, Transport};
use crate::trust::pki::TestPki;

#[derive(Debug, Clone, Copy, ValueEnum)]
pub enum Role {
    Issuer,
    Wallet,
    Verifier,
    StatusList,
    TrustList,
    /// An RFC 3161 time-stamping authority of the seeded trust-service providers.
    Tsa,
}

#[derive(Debug, Clone, Copy, ValueEnum)]
pub enum TsaSiteArg {
    De,
    Fr,
    Jp,
}

#[derive(Debug, Clone, Copy, ValueEnum)]
pub enum TsaFaultArg {
    WrongImprint,
    ExpiredCertificate,
    WithdrawnService,
    UnlistedTsa,
}

#[derive(Debug, Clone, Copy, ValueEnum)]
pub enum Jurisdiction {
    Eu,
    Jp,
}

#[derive(Debug, Clone, Copy, ValueEnum)]
pub enum Prefix {
    X509SanDns,
    X509Hash,
    RedirectUri,
}

#[derive(Debug, Args)]
pub struct ServeArgs {
    /// The reference role to run.
    role: Role,
    /// Whose issuer or verifier (ignored by the other roles).
    #[arg(long, value_enum, default_value = "eu")]
    jurisdiction: Jurisdiction,
    /// Port to listen on; 0 picks a free one (the chosen address is logged).
    #[arg(long, default_value_t = 0)]
    port: u16,
    /// Address to bind. Loopback by default; any other address needs --control-token (or
    /// --insecure-bind), since whoever reaches the role can drive its control API.
    #[arg(long, default_value = "127.0.0.1")]
    bind: IpAddr,
    /// The bearer token every control call but `GET /control/health` must carry
    /// (`Authorization: Bearer TOKEN`). Prefer the environment variable, which other users
    /// of the machine cannot read in the process list.
    #[arg(long, env = "ACCORD_CONTROL_TOKEN", hide_env_values = true)]
    control_token: Option<String>,
    /// Bind a non-loopback address without a control token: anyone who can reach the
    /// address can drive the role (for a private container network). Prints a warning.
    #[arg(long)]
    insecure_bind: bool,
    /// A further host name the control API answers to (repeatable), such as a compose
    /// service name; loopback, the role's TLS host and the host of --public-url always are.
    #[arg(long = "allow-host", value_name = "NAME")]
    allow_hosts: Vec<String>,
    /// The URL other roles reach this one at, when it is not the bound address (a container's
    /// service name or published port); it is the role's identifier (issuer) and the base of
    /// its request and response URIs (verifier).
    #[arg(long)]
    public_url: Option<String>,
    /// Seed of the test PKI and of the role's randomness.
    #[arg(long, default_value_t = 1)]
    seed: u64,
    /// Fix the role's clock at this instant (RFC 3339), as a run fixes its roles' clocks;
    /// the system clock when omitted. Manifests pass the run's with `--now {now}`.
    #[arg(long)]
    now: Option<String>,
    /// Issuer: the status-list host credentials point at.
    #[arg(long)]
    status_list_url: Option<String>,
    /// Verifier: the trust-list host to fetch lists from (default: the seeded lists, built in).
    #[arg(long)]
    trust_list_url: Option<String>,
    /// Verifier: client identifier prefix (default x509-san-dns).
    #[arg(long, value_enum)]
    client_id_prefix: Option<Prefix>,
    /// Wallet: the client identifier prefixes it accepts (default: all three).
    #[arg(long = "wallet-client-id-prefix", value_enum)]
    wallet_prefixes: Vec<Prefix>,
    /// Verifier: accept only this response mode (default: both).
    #[arg(long)]
    response_mode: Option<String>,
    /// A variant option, as in a manifest's `launch.options` (repeatable): issuer
    /// `flows=pre_authorized_code`, `binding=did:jwk`; wallet `client_id_prefixes=x509_hash`;
    /// verifier `client_id_prefix=x509_hash`, `response_mode=direct_post.jwt`,
    /// `enc=A128GCM,A256GCM`, `flaw=skip-status-check`.
    #[arg(long = "option", value_name = "KEY=VALUE")]
    options: Vec<String>,
    /// Serve plain HTTP instead of HTTPS (by default the role serves HTTPS under its
    /// host, `issuer.eu.accord.test` …, or the host of --public-url, with a certificate
    /// from the seed's TLS CA: `accord pki generate DIR --seed N` writes it as tls-ca.pem).
    #[arg(long)]
    plain_http: bool,
    /// A CA certificate (PEM) the role's HTTP client trusts besides the seed's TLS CA, for
    /// counterparts with certificates of their own (repeatable).
    #[arg(long = "trust-ca", value_name = "PEM")]
    trust_cas: Vec<PathBuf>,
    /// TSA: whose time-stamping unit answers (the DE, FR or JP seeded provider).
    #[arg(long, value_enum, default_value = "de")]
    site: TsaSiteArg,
    /// TSA: misbehave from the start (the control API's `PUT /control/fault` changes it):
    /// stamp another hash, sign with the expired FR certificate, with the withdrawn DE
    /// service's, or with a TSA on no list.
    #[arg(long, value_enum)]
    fault: Option<TsaFaultArg>,
}

fn prefix(p: Prefix) -> ClientIdPrefix {
    match p {
        Prefix::X509SanDns => ClientIdPrefix::X509SanDns,
        Prefix::X509Hash => ClientIdPrefix::X509Hash,
        Prefix::RedirectUri => ClientIdPrefix::RedirectUri,
    }
}

fn role_variant(args: &ServeArgs) -> Result<RoleVariant, CliError> {
    let mut options = BTreeMap::new();
    for o in &args.options {
        let (k, v) = o
            .split_once('=')
            .ok_or_else(|| CliError::Usage(format!("--option {o:?}: expected KEY=VALUE")))?;
        options.insert(k.trim().to_owned(), v.trim().to_owned());
    }
    let role = args
        .role
        .to_possible_value()
        .map(|v| v.get_name().to_owned())
        .unwrap_or_default();
    let mut variant = crate::roles::variant::parse(&role, &options)
        .map_err(|e| CliError::Usage(format!("--option {e}")))?;
    if let Some(p) = args.client_id_prefix {
        variant.verifier.prefix = prefix(p);
    }
    if let Some(m) = &args.response_mode {
        let mode = ResponseMode::from_name(m)
            .ok_or_else(|| CliError::Usage(format!("unknown response mode {m:?}")))?;
        variant.verifier.response_modes = vec![mode];
    }
    if !args.wallet_prefixes.is_empty() {
        variant.wallet_prefixes = args.wallet_prefixes.iter().copied().map(prefix).collect();
    }
    Ok(variant)
}

fn tsa_site(s: TsaSiteArg) -> crate::trust::tsp::TsaSite {
    use crate::trust::tsp::TsaSite;
    match s {
        TsaSiteArg::De => TsaSite::De,
        TsaSiteArg::Fr => TsaSite::Fr,
        TsaSiteArg::Jp => TsaSite::Jp,
    }
}

fn tsa_fault(f: TsaFaultArg) -> crate::trust::tsp::TsaFault {
    use crate::trust::tsp::TsaFault;
    match f {
        TsaFaultArg::WrongImprint => TsaFault::WrongImprint,
        TsaFaultArg::ExpiredCertificate => TsaFault::ExpiredCertificate,
        TsaFaultArg::WithdrawnService => TsaFault::WithdrawnService,
        TsaFaultArg::UnlistedTsa => TsaFault::UnlistedTsa,
    }
}

pub fn run(args: ServeArgs) -> Result<ExitCode, CliError> {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .map_err(|e| CliError::Usage(format!("could not start the runtime: {e}")))?;
    runtime.block_on(serve(args))
}

/// Refuses to expose a control API nobody guards: a non-loopback address needs a token, or
/// `--insecure-bind` (then a warning says what it means).
fn check_exposure(args: &ServeArgs) -> Result<(), CliError> {
    let token = args.control_token.as_deref().is_some_and(|t| !t.is_empty());
    if args.bind.is_loopback() || token {
        return Ok(());
    }
    if !args.insecure_bind {
        return Err(CliError::Usage(format!(
            "--bind {}: a role reachable beyond loopback needs --control-token (or ACCORD_CONTROL_TOKEN), \
             or --insecure-bind to let anyone who reaches it drive its control API",
            args.bind
        )));
    }
    eprintln!(
        "accord: warning: --insecure-bind: the control API on {} has no token; anyone who can reach it can drive this role",
        args.bind
    );
    Ok(())
}

async fn serve(args: ServeArgs) -> Result<ExitCode, CliError> {
    check_exposure(&args)?;
    let pki = TestPki::generate(args.seed).map_err(|e| CliError::Usage(e.to_string()))?;
    let clock: Arc<dyn Clock> = match &args.now {
        Some(t) => Arc::new(crate::entropy::FixedClock(super::io::parse_now(Some(t))?)),
        None => Arc::new(SystemClock),
    };
    let mut trust = ClientTrust::of(&pki);
    for ca in &args.trust_cas {
        trust = trust
            .with_pem_file(ca)
            .map_err(|e| CliError::Usage(format!("--trust-ca: {e}")))?;
    }
    let transport = Transport::new(ExchangeSink::disabled(), Limits::default(), &trust)
        .map_err(|e| CliError::Usage(e.to_string()))?;
    let code = match args.jurisdiction {
        Jurisdiction::Eu => "eu",
        Jurisdiction::Jp => "jp",
    };
    let role_name = args
        .role
        .to_possible_value()
        .map(|v| v.get_name().to_owned())
        .unwrap_or_default();
    let jurisdiction = matches!(args.role, Role::Issuer | Role::Verifier).then_some(code);
    // The host is the public URL's when one is given (a container told where it is
    // reached), else the role's own name.
    let host = args
        .public_url
        .as_deref()
        .and_then(|u| url::Url::parse(u).ok())
        .and_then(|u| u.host_str().map(str::to_owned))
        .unwrap_or_else(|| match args.role {
            Role::Tsa => crate::roles::tsa::host(tsa_site(args.site)),
            _ => crate::tls::host_for(&role_name, jurisdiction),
        });
    let security = Security::from_plain_flag(args.plain_http);
    let mut bind =
        crate::roles::Listen::role(security, &pki, &host, SocketAddr::new(args.bind, args.port))
            .map_err(|e| CliError::Usage(format!("cannot serve: {e}")))?;
    bind.public_url = args.public_url.clone();
    bind.access = crate::roles::ControlAccess {
        token: None,
        hosts: args.allow_hosts.clone(),
    }
    .with_token(args.control_token.clone());
    let variant = role_variant(&args)?;
    let fail = |e: topology::TopologyError| CliError::Usage(format!("cannot serve: {e}"));
    let (running, _host) = match args.role {
        Role::Issuer => (
            topology::start_issuer(
                &pki,
                code,
                args.seed,
                clock,
                args.status_list_url.as_deref(),
                &variant.issuer,
                bind,
            )
            .await
            .map_err(fail)?,
            None,
        ),
        Role::Wallet => (
            topology::start_wallet(
                &pki,
                &variant.wallet_prefixes,
                args.seed,
                clock,
                transport,
                bind,
            )
            .await
            .map_err(fail)?,
            None,
        ),
        Role::Verifier => {
            let r = topology::start_verifier(
                &pki,
                code,
                args.seed,
                clock,
                transport,
                args.trust_list_url.as_deref(),
                &variant.verifier,
                bind,
            )
            .await
            .map_err(fail)?;
            (r, None)
        }
        Role::StatusList => (
            topology::start_status_list(&pki, clock, bind)
                .await
                .map_err(fail)?,
            None,
        ),
        Role::TrustList => {
            let (r, h) = topology::start_trust_list(&pki, clock, bind)
                .await
                .map_err(fail)?;
            (r, Some(h))
        }
        Role::Tsa => {
            let providers = crate::trust::tsp_pki::TrustServicePki::generate(args.seed)
                .map_err(|e| CliError::Usage(e.to_string()))?;
            let r = crate::roles::tsa::start_tsa(
                Arc::new(providers),
                tsa_site(args.site),
                clock,
                args.fault.map(tsa_fault),
                bind,
            )
            .await
            .map_err(|e| CliError::Usage(format!("cannot serve: {e}")))?;
            (r, None)
        }
    };
    eprintln!(
        "accord: {} listening on {} (seed {})",
        running.name, running.base_url, args.seed
    );
    eprintln!(
        "accord: control API at {}/control/ ; stop with Ctrl-C",
        running.base_url
    );
    tokio::signal::ctrl_c()
        .await
        .map_err(|e| CliError::Usage(format!("waiting for Ctrl-C: {e}")))?;
    eprintln!("accord: {} stopped", running.name);
    Ok(ExitCode::SUCCESS)
}
