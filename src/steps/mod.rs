//! Gherkin step definitions: the cucumber `World` of the EU–JP academic scenarios, and the
//! steps that drive the credential core (issue, present, verify, recognise).
//!
//! Steps never panic on a conformance failure: they record checks (requirement, expected,
//! actual, verdict) with [`record_check`], which the [`bridge`] turns into `check-evaluated`
//! events. A step that panics or returns early is a harness fault, and its scenario is
//! inconclusive. Steps are registered explicitly ([`collection`]) rather than through
//! cucumber's inventory macros, which can silently lose steps defined in a library crate.

pub mod bridge;
mod faults;
mod formats;
mod http;
mod rules;
mod seals;

use std::cell::RefCell;
use std::rc::Rc;

use cucumber::step::{Collection, Context};
use futures::FutureExt as _;
use futures::future::LocalBoxFuture;
use regex::Regex;
use serde_json::Value;

use crate::credential::{
    CredentialReport, IssueCredentialError, IssueInput, IssuerTrust, StatusInput, VerifyConfig,
    issue_credential, verify_credential,
};
use crate::entropy::{Entropy, SeededEntropy};
use crate::events::Part;
use crate::events::Verdict;
use crate::formats::jose::b64;
use crate::formats::sd_jwt::issue::Decoys;
use crate::formats::sd_jwt::present::{KeyBinding, present};
use crate::formats::sd_jwt::verify::KbExpectation;
use crate::formats::sd_jwt::{ClaimPath, SdJwt};
use crate::formats::sd_jwt_vc::TypMode;
use crate::profiles::recognition::{self, Recognition};
use crate::profiles::{Profile, eu_diploma, jp_degree};
use crate::requirements::{Level, Requirement, catalogue};
use crate::trust::pki::{JurisdictionPki, TestPki};
use crate::trust::resolver::TrustContext;
use crate::trust::trust_list::{self, VerifiedTrustList};

/// What every scenario of a cell shares: the seeded PKI, verified trust lists, the run's
/// clock, the cast.
pub struct RunContext {
    pub seed: u64,
    /// Where the recording transport collects exchanges until the bridge records them.
    pub sink: crate::transport::ExchangeSink,
    /// Who plays each part of the topology in this cell (`None` when no scenario of the cell
    /// needs it).
    pub cast: Option<Rc<crate::run::cast::Cast>>,
    /// Why the cast can no longer be trusted (a staged change that could not be undone);
    /// every later scenario of the cell is then inconclusive with this reason.
    pub spoiled: RefCell<Option<String>>,
    /// The run's fixed "now" (from the injected clock at run start), seconds.
    pub now: i64,
    pub pki: std::sync::Arc<TestPki>,
    pub lists: Vec<VerifiedTrustList>,
}

impl RunContext {
    /// A context whose test PKI comes from `pki_seed` (the run's seed unless an
    /// implementation was configured with another) and whose randomness from `seed`.
    pub fn new(seed: u64, pki_seed: u64, now: i64) -> Result<Self, String> {
        let pki = TestPki::generate(pki_seed).map_err(|e| e.to_string())?;
        let mut lists = Vec::new();
        for j in [&pki.eu, &pki.jp] {
            let token = j.signed_trust_list().map_err(|e| e.to_string())?;
            let verified = trust_list::verify(&token, Some(&j.tl_operator.cert_der), now)
                .map_err(|v| format!("{v:?}"))?;
            lists.push(verified);
        }
        Ok(Self {
            seed,
            sink: crate::transport::ExchangeSink::default(),
            cast: None,
            spoiled: RefCell::new(None),
            now,
            pki: std::sync::Arc::new(pki),
            lists,
        })
    }
}

/// One check a step made, before it becomes an event.
#[derive(Debug, Clone, PartialEq)]
pub struct CheckRecord {
    /// The part whose answer was judged; `None` for Accord's own credential core.
    pub subject: Option<Part>,
    pub requirement: &'static Requirement,
    pub expected: String,
    pub actual: String,
    pub verdict: Verdict,
}

thread_local! {
    /// The run context of the run in progress on this thread (cucumber runs every scenario
    /// on the calling task).
    static CONTEXT: RefCell<Option<Rc<RunContext>>> = const { RefCell::new(None) };
    /// Checks recorded by the step in progress; the bridge drains them when the step ends.
    /// Scenarios run one at a time, so the buffer belongs to one step.
    static CHECKS: RefCell<Vec<CheckRecord>> = const { RefCell::new(Vec::new()) };
    /// Faults injected since the bridge last drained, as (part, fault, how many exchanges
    /// were waiting in the sink when it was injected), drained with the exchanges.
    static FAULTS: RefCell<Vec<(String, String, usize)>> = const { RefCell::new(Vec::new()) };
}

/// Notes a fault the step injected; the bridge records it as a `fault-injected` event, in
/// its place among the exchanges (a replay repeats a restart where it happened).
pub fn record_fault(part: &str, fault: impl Into<String>) {
    let waiting = context().map_or(0, |c| c.sink.len());
    FAULTS.with(|f| {
        f.borrow_mut()
            .push((part.to_owned(), fault.into(), waiting))
    });
}

/// What the bridge records after a step, in the order it happened.
pub enum Happened {
    Fault { part: String, fault: String },
    Exchange(crate::transport::Exchange),
}

/// Every exchange and fault since the last drain, in order. cucumber may report a step's end
/// after the next step ran, so the order is taken from when each was noted, not from when
/// the bridge hears of it.
pub fn drain_in_order() -> Vec<Happened> {
    let faults = FAULTS.with(|f| std::mem::take(&mut *f.borrow_mut()));
    let exchanges = drain_exchanges();
    let mut out = Vec::with_capacity(faults.len() + exchanges.len());
    let mut faults = faults.into_iter().peekable();
    for (i, exchange) in exchanges.into_iter().enumerate() {
        while let Some((part, fault, _)) = faults.next_if(|f| f.2 <= i) {
            out.push(Happened::Fault { part, fault });
        }
        out.push(Happened::Exchange(exchange));
    }
    out.extend(faults.map(|(part, fault, _)| Happened::Fault { part, fault }));
    out
}

/// Installs the context for the run about to start on this thread.
pub fn install(ctx: Rc<RunContext>) {
    CONTEXT.with(|c| *c.borrow_mut() = Some(ctx));
    CHECKS.with(|c| c.borrow_mut().clear());
    FAULTS.with(|f| f.borrow_mut().clear());
}

pub fn uninstall() {
    CONTEXT.with(|c| *c.borrow_mut() = None);
}

fn context() -> Option<Rc<RunContext>> {
    CONTEXT.with(|c| c.borrow().clone())
}

/// Records a check of Accord's own credential core (the in-process features).
pub fn record_check(
    requirement: &'static Requirement,
    expected: impl Into<String>,
    actual: impl Into<String>,
    passed: bool,
) {
    push_check(None, requirement, expected.into(), actual.into(), passed);
}

/// Records a check of what the implementation playing `subject` answered: coverage and
/// certification reports credit (or debit) that implementation with it.
pub fn judge(
    subject: Part,
    requirement: &'static Requirement,
    expected: impl Into<String>,
    actual: impl Into<String>,
    passed: bool,
) {
    push_check(
        Some(subject),
        requirement,
        expected.into(),
        actual.into(),
        passed,
    );
}

/// Records a check whose subject may be unknown (`None`: the answer cannot be placed on
/// one player, so coverage credits and debits nobody with it).
pub fn judge_maybe(
    subject: Option<Part>,
    requirement: &'static Requirement,
    expected: impl Into<String>,
    actual: impl Into<String>,
    passed: bool,
) {
    push_check(subject, requirement, expected.into(), actual.into(), passed);
}

fn push_check(
    subject: Option<Part>,
    requirement: &'static Requirement,
    expected: String,
    actual: String,
    passed: bool,
) {
    let record = CheckRecord {
        subject,
        requirement,
        expected,
        actual,
        verdict: if passed {
            Verdict::Passed
        } else {
            Verdict::Failed
        },
    };
    CHECKS.with(|c| c.borrow_mut().push(record));
}

/// Takes the checks recorded since the last call.
pub fn drain_checks() -> Vec<CheckRecord> {
    CHECKS.with(|c| std::mem::take(&mut *c.borrow_mut()))
}

/// Takes the exchanges recorded since the last call.
pub fn drain_exchanges() -> Vec<crate::transport::Exchange> {
    context().map(|c| c.sink.drain()).unwrap_or_default()
}

/// The scenario's state.
#[derive(Debug, Default)]
pub struct AcademicWorld {
    issued: Option<(Profile, SdJwt)>,
    refused: Option<IssueCredentialError>,
    report: Option<CredentialReport>,
    recognition: Option<Recognition>,
    /// How many nonces this scenario has drawn (nonces come from the run's seed).
    draws: u64,
    /// The flows over HTTP (see [`http`]).
    http: http::HttpState,
    faults: faults::FaultState,
    /// The one-rule presentations (see [`rules`]).
    rules: rules::RuleState,
    /// Seals, signed PDFs and the trusted lists they are judged by (see [`seals`]).
    seals: seals::SealState,
    /// Credentials in the formats universities issue, handed over as files (see [`formats`]).
    formats: formats::FormatState,
}

impl cucumber::World for AcademicWorld {
    type Error = std::convert::Infallible;

    async fn new() -> Result<Self, Self::Error> {
        Ok(Self::default())
    }
}

fn jurisdiction<'a>(ctx: &'a RunContext, code: &str) -> &'a JurisdictionPki {
    if code == "EU" {
        &ctx.pki.eu
    } else {
        &ctx.pki.jp
    }
}

fn arg(c: &Context, i: usize) -> &str {
    c.matches.get(i).map_or("", |(_, v)| v.as_str())
}

/// `Given the (EU|JP) university issues its example (diploma|degree)[ with "PATH" set to JSON]`
fn issue_step(w: &mut AcademicWorld, c: Context) -> LocalBoxFuture<'_, ()> {
    async move {
        let Some(ctx) = context() else {
            panic!("no run context installed")
        };
        let j = jurisdiction(&ctx, arg(&c, 1));
        let (profile, mut claims) = if arg(&c, 1) == "EU" {
            (Profile::EuDiploma, eu_diploma::example_claims())
        } else {
            (Profile::JpDegree, jp_degree::example_claims())
        };
        let path = arg(&c, 2);
        if !path.is_empty() {
            let value: Value = serde_json::from_str(arg(&c, 3))
                .unwrap_or_else(|e| panic!("step value {:?} is not JSON: {e}", arg(&c, 3)));
            let p = ClaimPath::parse_dotted(path).unwrap_or_else(|e| panic!("{e}"));
            set_claim(&mut claims, &p, value);
        }
        let input = IssueInput {
            profile: Some(profile),
            claims,
            issuer_key: &j.issuer.key,
            issuer_chain: Some(j.issuer_chain()),
            holder_key: Some(ctx.pki.holder.public_jwk()),
            iat: ctx.now,
            iss: Some(j.issuer_url.clone()),
            status: None,
            disclosable: None,
            decoys: Decoys::UpTo(2),
            enforce_profile: true,
        };
        let mut entropy = SeededEntropy::new(ctx.seed, &format!("issue/{}/{path}", profile.name()));
        match issue_credential(input, &mut entropy) {
            Ok(sd) => w.issued = Some((profile, sd)),
            Err(e) => w.refused = Some(e),
        }
    }
    .boxed_local()
}

fn set_claim(claims: &mut serde_json::Map<String, Value>, path: &ClaimPath, value: Value) {
    use crate::formats::sd_jwt::PathSegment;
    let mut target = claims;
    let (last, parents) = path
        .0
        .split_last()
        .unwrap_or_else(|| panic!("empty claim path"));
    for seg in parents {
        let PathSegment::Key(k) = seg else {
            panic!("only object paths can be set")
        };
        target = target
            .entry(k.clone())
            .or_insert_with(|| Value::Object(serde_json::Map::new()))
            .as_object_mut()
            .unwrap_or_else(|| panic!("`{k}` is not an object"));
    }
    let PathSegment::Key(k) = last else {
        panic!("only object paths can be set")
    };
    target.insert(k.clone(), value);
}

/// How a presentation is spoiled before the verifier sees it.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Spoil {
    None,
    StaleNonce,
    OtherAudience,
    TamperedDisclosure,
}

/// `When the holder presents "PATHS" to the (EU|JP) verifier[ SPOIL]`
fn present_step(w: &mut AcademicWorld, c: Context) -> LocalBoxFuture<'_, ()> {
    async move {
        let Some(ctx) = context() else {
            panic!("no run context installed")
        };
        let Some((_, issued)) = &w.issued else {
            panic!("nothing was issued in this scenario")
        };
        let verifier = arg(&c, 2).to_owned();
        let spoil = match arg(&c, 3) {
            "" => Spoil::None,
            " with a stale nonce" => Spoil::StaleNonce,
            " bound to another verifier" => Spoil::OtherAudience,
            " after tampering with a disclosure" => Spoil::TamperedDisclosure,
            other => panic!("unknown presentation variant {other:?}"),
        };
        let paths: Vec<ClaimPath> = arg(&c, 1)
            .split(',')
            .map(|p| ClaimPath::parse_dotted(p.trim()).unwrap_or_else(|e| panic!("{e}")))
            .collect();
        let verifier_pki = jurisdiction(&ctx, &verifier);
        let client_id = format!("x509_san_dns:{}", verifier_pki.verifier_host);
        w.draws += 1;
        let mut entropy = SeededEntropy::new(ctx.seed, &format!("nonce/{}", w.draws));
        let nonce = b64(entropy.bytes(16));
        let aud = if spoil == Spoil::OtherAudience {
            let other = if verifier == "EU" {
                &ctx.pki.jp
            } else {
                &ctx.pki.eu
            };
            format!("x509_san_dns:{}", other.verifier_host)
        } else {
            client_id.clone()
        };
        let kb = KeyBinding {
            holder_key: &ctx.pki.holder,
            aud,
            nonce: nonce.clone(),
            iat: ctx.now,
        };
        let mut presentation = present(issued, &paths, Some(kb)).unwrap_or_else(|e| panic!("{e}"));
        if spoil == Spoil::TamperedDisclosure
            && let Some(d) = presentation.disclosures.first_mut()
        {
            // Re-encode the first disclosure with a changed value: same salt, same name.
            let parsed =
                crate::formats::sd_jwt::Disclosure::parse(d).unwrap_or_else(|e| panic!("{e}"));
            let forged = serde_json::json!([parsed.salt, parsed.name, "forged"]);
            *d = b64(forged.to_string());
        }
        let expected_nonce = if spoil == Spoil::StaleNonce {
            "stale".to_owned()
        } else {
            nonce
        };
        let config = VerifyConfig {
            now: ctx.now,
            skew: 300,
            key_binding: Some(KbExpectation {
                aud: client_id,
                nonce: expected_nonce,
            }),
            typ_mode: TypMode::Strict,
            trust: IssuerTrust::Lists(TrustContext {
                lists: ctx.lists.clone(),
                arrangement: Some((ctx.pki.arrangement.clone(), verifier.clone())),
                now: ctx.now,
            }),
            status: StatusInput::Skip,
            check_profile: true,
        };
        let report = verify_credential(&presentation, None, &config);
        w.recognition = report.valid.then(|| {
            if verifier == "EU" {
                recognition::recognise_jp_in_eu(&report.claims)
            } else {
                recognition::recognise_eu_in_jp(&report.claims)
            }
        });
        w.report = Some(report);
    }
    .boxed_local()
}

/// Requirements a successful verification exercises; each becomes a check.
const ACCEPTANCE: &[&Requirement] = &[
    &catalogue::SDJWT_ISSUER_SIGNATURE,
    &catalogue::SDJWT_KB_SD_HASH,
    &catalogue::SDJWT_KB_NONCE,
    &catalogue::SDJWT_KB_AUD,
    &catalogue::X509_PATH_TO_ANCHOR,
    &catalogue::SDJWTVC_X5C_ISS_SAN,
    &catalogue::MRA_EUJP_TRUSTED_LIST,
];

/// `Then the (EU|JP) verifier accepts the presentation`
fn accepts_step(w: &mut AcademicWorld, _c: Context) -> LocalBoxFuture<'_, ()> {
    async move {
        let Some(report) = &w.report else {
            panic!("nothing was presented in this scenario")
        };
        for r in ACCEPTANCE {
            let broken: Vec<String> = report
                .violations
                .iter()
                .filter(|v| v.requirement.id == r.id)
                .map(|v| v.message.clone())
                .collect();
            let actual = if broken.is_empty() {
                "met".to_owned()
            } else {
                broken.join("; ")
            };
            record_check(r, "met", actual, broken.is_empty());
        }
        for v in report
            .violations
            .iter()
            .filter(|v| !ACCEPTANCE.iter().any(|r| r.id == v.requirement.id))
        {
            record_check(v.requirement, "met", v.message.clone(), !v.is_fatal());
        }
    }
    .boxed_local()
}

fn find(id: &str) -> &'static Requirement {
    catalogue::ALL
        .iter()
        .copied()
        .find(|r| r.id == id)
        .unwrap_or_else(|| panic!("no requirement {id:?} in the catalogue"))
}

/// `Then the (EU|JP) verifier rejects it citing "ID"`
fn rejects_step(w: &mut AcademicWorld, c: Context) -> LocalBoxFuture<'_, ()> {
    async move {
        let Some(report) = &w.report else {
            panic!("nothing was presented in this scenario")
        };
        let r = find(arg(&c, 2));
        let cited = report.violations.iter().any(|v| v.requirement.id == r.id);
        let actual = if report.valid {
            "accepted".to_owned()
        } else {
            let ids: Vec<&str> = report.violations.iter().map(|v| v.requirement.id).collect();
            format!("rejected citing {}", ids.join(", "))
        };
        record_check(
            r,
            format!("rejected citing {}", r.id),
            actual,
            !report.valid && cited,
        );
    }
    .boxed_local()
}

/// `Then the issuer refuses it citing "ID"`
fn refused_step(w: &mut AcademicWorld, c: Context) -> LocalBoxFuture<'_, ()> {
    async move {
        let r = find(arg(&c, 1));
        let (actual, ok) = match &w.refused {
            Some(IssueCredentialError::Profile { violations, .. }) => {
                let ids: Vec<&str> = violations.iter().map(|v| v.requirement.id).collect();
                (
                    format!("refused citing {}", ids.join(", ")),
                    ids.contains(&r.id),
                )
            }
            Some(other) => (format!("refused: {other}"), false),
            None => ("issued".to_owned(), false),
        };
        record_check(r, format!("refused citing {}", r.id), actual, ok);
    }
    .boxed_local()
}

/// `Then the recognition verdict is "VERDICT"`
fn recognition_step(w: &mut AcademicWorld, c: Context) -> LocalBoxFuture<'_, ()> {
    async move {
        let expected = arg(&c, 1).to_owned();
        let actual = w
            .recognition
            .as_ref()
            .and_then(|r| serde_json::to_value(r).ok())
            .and_then(|v| v["verdict"].as_str().map(str::to_owned))
            .unwrap_or_else(|| "no recognition (the presentation was not accepted)".into());
        record_check(
            &catalogue::MRA_EUJP_LEVEL,
            expected.clone(),
            actual.clone(),
            expected == actual,
        );
    }
    .boxed_local()
}

/// `Then the credential is (not )?treated as qualified`
fn qualified_step(w: &mut AcademicWorld, c: Context) -> LocalBoxFuture<'_, ()> {
    async move {
        let Some(report) = &w.report else {
            panic!("nothing was presented in this scenario")
        };
        let expected = arg(&c, 1).is_empty();
        let actual = report.trust["path"]["decision"]["qualified"].as_bool();
        record_check(
            &catalogue::MRA_EUJP_JP_NOT_QEAA,
            format!("qualified = {expected}"),
            qualified(actual),
            actual == Some(expected),
        );
    }
    .boxed_local()
}

/// What a trust decision said about qualification, for a check's `actual` (read by people in
/// every report, so never Rust's `Some(false)`).
pub(super) fn qualified(decision: Option<bool>) -> String {
    decision.map_or_else(
        || "qualified not reported".to_owned(),
        |q| format!("qualified = {q}"),
    )
}

fn re(pattern: &str) -> Regex {
    // The patterns are literals in this file; a bad one is a programming error caught by the
    // conformance test on first use.
    Regex::new(pattern).unwrap_or_else(|e| panic!("step pattern {pattern:?}: {e}"))
}

/// Every step, registered explicitly.
pub fn collection() -> Collection<AcademicWorld> {
    Collection::new()
        .given(None, re(r#"^the (EU|JP) university issues its example (?:diploma|degree)(?: with "([^"]+)" set to (.+))?$"#), issue_step)
        .when(
            None,
            re(r#"^the holder presents "([^"]+)" to the (EU|JP) verifier( with a stale nonce| bound to another verifier| after tampering with a disclosure)?$"#),
            present_step,
        )
        .then(None, re(r"^the (EU|JP) verifier accepts the presentation$"), accepts_step)
        .then(None, re(r#"^the (EU|JP) verifier rejects it citing "([^"]+)"$"#), rejects_step)
        .then(None, re(r#"^the issuer refuses it citing "([^"]+)"$"#), refused_step)
        .then(None, re(r#"^the recognition verdict is "([^"]+)"$"#), recognition_step)
        .then(None, re(r"^the credential is (not )?treated as qualified$"), qualified_step)
        .given(None, re(r"^the (EU|JP) university has issued its (?:diploma|degree|micro-credential as jwt_vc_json) to the wallet(?: (with a transaction code|by the authorization code flow|by reference))?$"), http::issued_step)
        .given(None, re(r"^the (EU|JP) university revokes it$"), http::revoke_step)
        .given(None, re(r"^the (EU|JP) trust list (no longer lists the university|lists the university as a qualified provider)$"), http::trust_list_step)
        .when(None, re(r#"^the (EU|JP) verifier asks for (?:the claims recognition needs|the micro-credential as jwt_vc_json) by "([^"]+)"( with an expired request object| with a mismatched client_id| with an untyped request object| with transaction data)?$"#), http::ask_step)
        .when(None, re(r#"^the wallet presents to the verifier(?: misbehaving as "([^"]+)")?$"#), http::present_step)
        .when(None, re(r"^the same presentation is replayed to a new request of the verifier$"), http::replay_step)
        .then(None, re(r"^the verifier accepts the presentation over OpenID4VP$"), http::accepts_step)
        .then(None, re(r"^only the requested claims were disclosed$"), http::minimal_step)
        .then(None, re(r#"^the recognition verdict over OpenID4VP is "([^"]+)"(?: for "([^"]+)")?$"#), http::recognition_step)
        .then(None, re(r"^the credential was not treated as qualified$"), http::not_qualified_step)
        .then(None, re(r#"^the verifier rejects the presentation citing "([^"]+)"$"#), http::rejects_step)
        .then(None, re(r#"^the wallet refuses the request citing "([^"]+)"$"#), http::wallet_refuses_step)
        .given(None, re(r"^the (EU|JP) university has made an offer to the wallet$"), faults::offer_step)
        .when(None, re(r"^the (EU|JP) university's issuer restarts$"), faults::restart_step)
        .when(None, re(r"^the (EU|JP) university's issuer container is (paused|resumed)$"), faults::pause_step)
        .given(None, re(r"^the status-list host (answers 503|truncates its answers|drops the connection|answers after \d+ ms)$"), faults::status_host_step)
        .when(None, re(r"^the wallet accepts the offer$"), faults::accept_step)
        .then(None, re(r#"^the wallet's attempt fails cleanly with the issuer's "([^"]+)"$"#), faults::failed_with_step)
        .then(None, re(r"^the wallet's attempt fails cleanly, the issuer unreachable$"), faults::unreachable_step)
        .when(None, re(r#"^the harness presents the (EU diploma|JP degree) to the (EU|JP) verifier, spoiled by "([^"]+)"$"#), rules::spoiled_step)
        .when(None, re(r#"^the harness, as a wallet, asks the (EU|JP) university for its credential by the pre-authorized code flow, spoiled by "([^"]+)"$"#), rules::issuer_step)
        .then(None, re(r"^the (?:verifier's verdict|issuer's answer) is the one the rule requires$"), rules::verdict_step)
        .given(None, re(r#"^"([^"]+)" seals its diploma as JAdES (B|T|LT|LTA) on (\d{4}-\d{2}-\d{2})( time-stamped by a TSA on no list| naming another certificate in x5t#S256)?$"#), seals::seal_step)
        .given(None, re(r"^the JP university signs its degree certificate as PAdES (B|T|LT|LTA) on (\d{4}-\d{2}-\d{2})( with its degree data)?$"), seals::sign_pdf_step)
        .given(None, re(r"^the PDF('s page is changed| gains validation data) in an incremental update after signing$"), seals::update_pdf_step)
        .given(None, re(r"^the trust-list host publishes (the DE list signed by a key the LOTL does not pin|the LOTL signed by its operator's new key|the FR list past its next update)$"), seals::publish_step)
        .when(None, re(r"^the (EU|JP) verifier judges the (seal|PDF)(?: requiring level (B|T|LT|LTA))?$"), seals::judge_step)
        .then(None, re(r#"^the seal's indication is "([^"]+)" citing "([^"]+)"$"#), seals::indication_step)
        .then(None, re(r#"^the seal is recognised as "([^"]+)"$"#), seals::recognised_step)
        .then(None, re(r#"^the seal's time-stamp indication is "([^"]+)"$"#), seals::timestamp_step)
        .then(None, re(r#"^the verifier refused the (LOTL|DE|FR|JP) list citing "([^"]+)"$"#), seals::refused_list_step)
        .given(None, re(r#"^"([^"]+)" issues a Europass master's degree at EQF level (\d) sealed as JAdES (B|T|LT|LTA) on (\d{4}-\d{2}-\d{2})$"#), formats::edc_step)
        .given(None, re(r#"^"([^"]+)" of (BE|JP) issues its micro-credential as an Open Badge (jwt_vc_json|ldp_vc)( whose JWT iss is not its issuer profile| whose context is changed after signing)?$"#), formats::badge_step)
        .when(None, re(r"^the (EU|JP) verifier judges the (?:credential|PDF|badge) handed over as a file$"), formats::judge_step)
        .then(None, re(r#"^the recognition verdict is "([^"]+)" for "([^"]+)" citing "([^"]+)"$"#), formats::verdict_step)
        .then(None, re(r#"^the equivalent is "([^"]+)" citing "([^"]+)"$"#), formats::equivalent_step)
        .then(None, re(r#"^the credential's own layer does not hold, citing "([^"]+)"$"#), formats::layer_step)
}

/// A check's level as stored in events.
pub fn level_name(level: Level) -> &'static str {
    level.as_str()
}

impl AcademicWorld {
    /// Run by the engine after every scenario: undoes what the scenario staged on players
    /// the cell's scenarios share.
    pub async fn end_of_scenario(&mut self) {
        self.faults.end_of_scenario().await;
        self.http.end_of_scenario().await;
        self.seals.end_of_scenario().await;
    }
}
