//! Steps that run the cross-border flows over real HTTP: OpenID4VCI issuance into the
//! wallet and OpenID4VP presentation to a verifier, between the in-process reference roles,
//! driven through their control APIs. Every exchange is recorded by the transport and
//! becomes an `http-exchange` event when the step ends.
//!
//! A control operation that answers `501` becomes a `not-implemented` check, never a pass.

use std::rc::Rc;

use cucumber::step::Context;
use futures::FutureExt as _;
use futures::future::LocalBoxFuture;
use serde_json::{Value, json};

use super::{
    ACCEPTANCE, AcademicWorld, CheckRecord, RunContext, arg, context, find, judge, judge_maybe,
};
use crate::events::Part;
use crate::events::Verdict;
use crate::protocol::oid4vp::ClientIdPrefix;
use crate::requirements::{Requirement, catalogue as req};
use crate::roles::control::Answer;
use crate::run::cast::Cast;
use crate::trust::trust_list::EntryType;

/// What an HTTP scenario has done so far.
#[derive(Default)]
pub struct HttpState {
    /// Status list and index of the credential issued in this scenario.
    status: Option<(String, u64)>,
    /// The verifier, its base URL and the created request.
    request: Option<(Part, String, Value)>,
    /// The query the verifier asked with.
    query: Option<Value>,
    wallet: Option<Answer>,
    outcome: Option<Value>,
    /// The form the wallet posted to the response URI (for the replay step).
    posted_form: Option<String>,
    /// Trust lists this scenario replaced (jurisdiction, original), put back when the
    /// scenario ends.
    restore: Vec<(String, String)>,
    /// The wallet and verifier share no signed-request prefix, so a spoiled request object
    /// could not be sent.
    unsigned_only: bool,
}

impl std::fmt::Debug for HttpState {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("HttpState")
            .field("request", &self.request)
            .finish_non_exhaustive()
    }
}

impl HttpState {
    /// Puts back what the scenario staged on shared players: scenarios of a cell share the
    /// cast, and the next one must see the scheme operator's real trust lists.
    pub(super) async fn end_of_scenario(&mut self) {
        let staged = std::mem::take(&mut self.restore);
        if staged.is_empty() {
            return;
        }
        let Some(ctx) = context() else { return };
        let Some(cast) = ctx.cast.clone() else { return };
        let host = cast.player(Part::TrustList);
        for (j, token) in staged {
            let restored = cast
                .control(Part::TrustList)
                .publish_trust_list(host.base_url(), &j, &token)
                .await;
            if !restored.as_ref().is_ok_and(Answer::ok) {
                // The following scenarios would judge against a wrong list: they become
                // inconclusive with this reason (see `cast`).
                let answer = match &restored {
                    Ok(a) => format!("HTTP {} {}", a.status, a.body),
                    Err(e) => e.to_string(),
                };
                let why = format!("could not restore the {j} trust list: {answer}");
                *ctx.spoiled.borrow_mut() = Some(why.clone());
                panic!("{why}");
            }
        }
    }
}

/// The cell's cast; every scenario over HTTP runs with one.
pub(super) fn cast(ctx: &RunContext) -> Rc<Cast> {
    if let Some(why) = ctx.spoiled.borrow().as_ref() {
        panic!("an earlier scenario of this cell left the cast unusable: {why}");
    }
    match &ctx.cast {
        Some(c) => c.clone(),
        None => panic!("this scenario needs the cast of a cell, and none was started"),
    }
}

fn not_implemented(subject: Part, requirement: &'static Requirement, operation: &str) {
    not_implemented_because(
        subject,
        requirement,
        operation,
        "the implementation answered 501 (not implemented)",
    );
}

/// A check the harness could not perform with these players: recorded as inconclusive, with
/// why, so it is neither passed nor charged to anyone as a failure.
pub(super) fn unjudged(subject: Part, requirement: &'static Requirement, why: &str) {
    super::CHECKS.with(|c| {
        c.borrow_mut().push(CheckRecord {
            subject: Some(subject),
            requirement,
            expected: "a judgement".into(),
            actual: format!("not judged: {why}"),
            verdict: Verdict::Inconclusive,
        });
    });
}

pub(super) fn not_implemented_because(
    subject: Part,
    requirement: &'static Requirement,
    operation: &str,
    actual: &str,
) {
    super::CHECKS.with(|c| {
        c.borrow_mut().push(CheckRecord {
            subject: Some(subject),
            requirement,
            expected: format!("{operation} supported"),
            actual: actual.into(),
            verdict: Verdict::NotImplemented,
        });
    });
}

fn answer_or_panic(step: &str, a: Result<Answer, crate::transport::TransportError>) -> Answer {
    a.unwrap_or_else(|e| panic!("{step}: the control call failed: {e}"))
}

/// `Given the (EU|JP) university has issued its diploma|degree to the wallet[ VARIANT]`
pub(super) fn issued_step(w: &mut AcademicWorld, c: Context) -> LocalBoxFuture<'_, ()> {
    async move {
        let Some(ctx) = context() else {
            panic!("no run context installed")
        };
        let t = cast(&ctx);
        let code = arg(&c, 1).to_ascii_lowercase();
        let mut options = match arg(&c, 2) {
            "" => json!({}),
            "with a transaction code" => json!({"tx_code": true}),
            "by the authorization code flow" => {
                json!({"flow": "authorization_code", "by_reference": true})
            }
            "by reference" => json!({"by_reference": true}),
            other => panic!("unknown issuance variant {other:?}"),
        };
        if c.step.value.contains("micro-credential as jwt_vc_json") {
            options["credential"] = json!("micro-credential");
        }
        let issuer = Part::issuer(&code);
        let offer = answer_or_panic(
            "create offer",
            t.control(issuer)
                .create_offer(t.player(issuer).base_url(), &options)
                .await,
        );
        if offer.not_implemented() {
            return not_implemented(issuer, &req::OID4VCI_OFFER, "issuer: create offer");
        }
        let uri = offer.body["uri"]
            .as_str()
            .unwrap_or_else(|| panic!("no offer uri in {}", offer.body));
        let accepted = answer_or_panic(
            "accept offer",
            t.control(Part::Wallet)
                .accept_offer(
                    t.player(Part::Wallet).base_url(),
                    uri,
                    offer.body["tx_code"].as_str(),
                )
                .await,
        );
        if accepted.not_implemented() {
            return not_implemented(
                Part::Wallet,
                &req::OID4VCI_CREDENTIAL_RESPONSE,
                "wallet: accept offer",
            );
        }
        let issued = accepted.status == 200;
        // Whose answer this judges: the issuer's when Accord's own wallet took the offer (it
        // checks the credential response itself), the wallet's when Accord's issuer made
        // it; between two implementations under test a failure cannot be placed.
        let accords = |part: Part| t.player(part).record.kind == "builtin";
        let accounted = if accords(Part::Wallet) {
            Some(issuer)
        } else if accords(issuer) {
            Some(Part::Wallet)
        } else {
            None
        };
        judge_maybe(
            accounted,
            &req::OID4VCI_CREDENTIAL_RESPONSE,
            "a credential issued into the wallet",
            if issued {
                "issued".to_owned()
            } else {
                format!("failed: {}", accepted.body)
            },
            issued,
        );
        // What the wallet checked of the issuer along the way: evidence only when the wallet
        // is Accord's, whose checks are known (another wallet's silence proves nothing).
        if issued && accords(Part::Wallet) {
            let findings = accepted.body["findings"]
                .as_array()
                .cloned()
                .unwrap_or_default();
            for r in [
                &req::OID4VCI_METADATA,
                &req::OID4VCI_TOKEN_RESPONSE,
                &req::OID4VCI_NONCE_NO_STORE,
            ] {
                let broken: Vec<&str> = findings
                    .iter()
                    .filter(|f| f["requirement"] == r.id)
                    .filter_map(|f| f["message"].as_str())
                    .collect();
                judge(
                    issuer,
                    r,
                    "met",
                    if broken.is_empty() {
                        "met".to_owned()
                    } else {
                        broken.join("; ")
                    },
                    broken.is_empty(),
                );
            }
        }
        let status = &accepted.body["credentials"][0]["claims"]["status"]["status_list"];
        if let Some(idx) = status["idx"].as_u64() {
            w.http.status = Some((code, idx));
        }
    }
    .boxed_local()
}

/// `Given the (EU|JP) university revokes it`
pub(super) fn revoke_step(w: &mut AcademicWorld, c: Context) -> LocalBoxFuture<'_, ()> {
    async move {
        let Some(ctx) = context() else {
            panic!("no run context installed")
        };
        let t = cast(&ctx);
        let Some((list, idx)) = w.http.status.clone() else {
            // Nothing to revoke: the issuer's credential carries no status list entry. The
            // issuer does not implement revocation; the rest of the scenario cannot run.
            not_implemented_because(
                Part::issuer(arg(&c, 1)),
                &req::TSL_REFERENCED_TOKEN,
                "issuer: credentials that reference a status list",
                "the issued credential has no status claim",
            );
            panic!("nothing with a status was issued, so nothing can be revoked")
        };
        let a = answer_or_panic(
            "set status",
            t.control(Part::StatusList)
                .set_status(t.player(Part::StatusList).base_url(), &list, idx, "invalid")
                .await,
        );
        assert!(a.ok(), "the status-list host refused: {}", a.body);
    }
    .boxed_local()
}

/// `Given the (EU|JP) trust list (no longer lists the university|lists the university as a qualified provider)`
pub(super) fn trust_list_step(w: &mut AcademicWorld, c: Context) -> LocalBoxFuture<'_, ()> {
    async move {
        let Some(ctx) = context() else {
            panic!("no run context installed")
        };
        let t = cast(&ctx);
        let j = crate::roles::topology::jurisdiction(&ctx.pki, arg(&c, 1));
        let mut list = j.trust_list.clone();
        let issuer_entry = |e: &crate::trust::trust_list::TrustListEntry| {
            e.entry_type != EntryType::RelyingPartyCa
        };
        match arg(&c, 2) {
            "no longer lists the university" => list.entries.retain(|e| !issuer_entry(e)),
            "lists the university as a qualified provider" => {
                for e in list.entries.iter_mut().filter(|e| issuer_entry(e)) {
                    e.entry_type = EntryType::QeaaProvider;
                    e.service_type = EntryType::QeaaProvider.service_type_uri().into();
                }
            }
            other => panic!("unknown trust list change {other:?}"),
        }
        list.sequence_number += 1;
        let signed = list
            .sign(&j.tl_operator.key, &j.tl_operator.cert_der)
            .unwrap_or_else(|e| panic!("{e}"));
        let original = j.signed_trust_list().unwrap_or_else(|e| panic!("{e}"));
        let published = answer_or_panic(
            "publish trust list",
            t.control(Part::TrustList)
                .publish_trust_list(t.player(Part::TrustList).base_url(), j.code, &signed)
                .await,
        );
        if published.not_implemented() {
            return not_implemented(
                Part::TrustList,
                &req::TSL_FETCH_FAIL_CLOSED,
                "trust-list host: publish",
            );
        }
        assert!(
            published.ok(),
            "the trust-list host refused: {}",
            published.body
        );
        // Keep the first original of each list: a scenario may stage several changes.
        if !w.http.restore.iter().any(|(code, _)| code == j.code) {
            w.http.restore.push((j.code.to_owned(), original));
        }
    }
    .boxed_local()
}

/// The DCQL query a verifier in `verifier` uses for the other side's credential: what
/// recognition needs and nothing else (data minimisation).
fn recognition_query(verifier: &str) -> Value {
    if verifier == "JP" {
        json!({"credentials": [{
            "id": "diploma", "format": "dc+sd-jwt",
            "meta": {"vct_values": [crate::profiles::Profile::EuDiploma.vct()]},
            "claims": [{"path": ["qualification"]}, {"path": ["family_name"]}, {"path": ["given_name"]}]
        }]})
    } else {
        json!({"credentials": [{
            "id": "degree", "format": "dc+sd-jwt",
            "meta": {"vct_values": [crate::profiles::Profile::JpDegree.vct()]},
            "claims": [{"path": ["degree"]}, {"path": ["credits"]}, {"path": ["family_name_latin"]}, {"path": ["given_name_latin"]}]
        }]})
    }
}

/// `When the (EU|JP) verifier asks for the claims recognition needs by "MODE"[ FAULT]`
pub(super) fn ask_step(w: &mut AcademicWorld, c: Context) -> LocalBoxFuture<'_, ()> {
    async move {
        let Some(ctx) = context() else {
            panic!("no run context installed")
        };
        let t = cast(&ctx);
        let verifier = arg(&c, 1).to_owned();
        let misbehave: Vec<&str> = match arg(&c, 3) {
            "" => vec![],
            " with an expired request object" => vec!["expired-request-object"],
            " with a mismatched client_id" => vec!["mismatched-client-id"],
            " with an untyped request object" => vec!["untyped-request-object"],
            " with transaction data" => vec!["transaction-data"],
            other => panic!("unknown request variant {other:?}"),
        };
        let query = if c.step.value.contains("micro-credential as jwt_vc_json") {
            micro_credential_query()
        } else {
            recognition_query(&verifier)
        };
        let part = Part::verifier(&verifier);
        let base = t.player(part).base_url().to_owned();
        let mut body =
            json!({"dcql_query": query, "response_mode": arg(&c, 2), "misbehave": misbehave});
        // The first of the verifier's prefixes the wallet declares too (the matrix paired
        // them because one exists); asked for only when it is not the verifier's first.
        let offered = t
            .declared_prefixes(part)
            .unwrap_or_else(|| ClientIdPrefix::ALL.map(|p| p.name().to_owned()).to_vec());
        let chosen = match t.declared_prefixes(Part::Wallet) {
            Some(wallet) => offered.iter().find(|p| wallet.contains(p)).cloned(),
            None => offered.first().cloned(),
        };
        if let Some(prefix) = &chosen
            && offered.first() != Some(prefix)
        {
            body["client_id_prefix"] = json!(prefix);
        }
        // The request-object faults spoil a signed request; under `redirect_uri` there is
        // none to spoil, so the wallet's refusal cannot be judged with these players.
        if !misbehave.is_empty() && chosen.as_deref() == Some("redirect_uri") {
            w.http.unsigned_only = true;
        }
        let created = answer_or_panic(
            "create request",
            t.control(part).create_request(&base, &body).await,
        );
        if created.not_implemented() {
            return not_implemented(part, &req::OID4VP_QUERY_PRESENT, "verifier: create request");
        }
        assert!(
            created.ok(),
            "the verifier refused to create the request: {}",
            created.body
        );
        w.http.query = Some(query);
        w.http.request = Some((part, base, created.body));
    }
    .boxed_local()
}

/// Requirements a successful `jwt_vc_json` verification exercises.
const JWT_VC_ACCEPTANCE: &[&Requirement] = &[
    &crate::requirements::vc_jwt::VCDM_SIGNATURE,
    &crate::requirements::vc_jwt::OB3_REQUIRED_CLAIMS,
    &req::OID4VP_W3C_VP,
    &req::OID4VP_W3C_HOLDER_BINDING,
    &req::X509_PATH_TO_ANCHOR,
    &req::MRA_EUJP_TRUSTED_LIST,
];

/// The DCQL query of a verifier asking for a micro-credential as `jwt_vc_json` (OpenID4VP
/// B.1.1: `meta.type_values`; claim paths from the credential's root, B.1.2): what the EU
/// micro-credential elements and the Japanese counterpart are read from.
fn micro_credential_query() -> Value {
    json!({"credentials": [{
        "id": "micro_credential",
        "format": "jwt_vc_json",
        // B.1.1: the types as IRIs, after applying the credential's @context.
        "meta": {"type_values": [[
            "https://www.w3.org/2018/credentials#VerifiableCredential",
            "https://purl.imsglobal.org/spec/vc/ob/vocab.html#OpenBadgeCredential"
        ]]},
        "claims": [
            {"path": ["credentialSubject", "achievement", "name"]},
            {"path": ["credentialSubject", "achievement", "creditsAvailable"]},
            {"path": ["credentialSubject", "achievement", "alignment"]},
            {"path": ["issuer", "name"]}
        ]
    }]})
}

/// `When the wallet presents to the verifier[ misbehaving as "FAULT"]`
pub(super) fn present_step(w: &mut AcademicWorld, c: Context) -> LocalBoxFuture<'_, ()> {
    async move {
        let Some(ctx) = context() else {
            panic!("no run context installed")
        };
        let t = cast(&ctx);
        let Some((verifier, base, created)) = w.http.request.clone() else {
            panic!("no request was created")
        };
        let mut body = json!({"request": created["authorization_request"]});
        if !arg(&c, 1).is_empty() {
            body["misbehave"] = json!([arg(&c, 1)]);
        }
        let answer = answer_or_panic(
            "present",
            t.control(Part::Wallet)
                .present(t.player(Part::Wallet).base_url(), &body)
                .await,
        );
        if answer.not_implemented() {
            return not_implemented(Part::Wallet, &req::OID4VP_DIRECT_POST, "wallet: present");
        }
        // What the wallet posted: seen on the wire when the wallet sends through Accord's
        // transport, else as the wallet's control answer reports it.
        w.http.posted_form = ctx
            .sink
            .last_matching(|e| {
                e.from == "wallet" && e.method == "POST" && e.url.ends_with("/response")
            })
            .map(|e| e.request_body)
            .or_else(|| answer.body["posted_form"].as_str().map(str::to_owned));
        let id = created["id"].as_str().unwrap_or_default();
        let outcome = answer_or_panic("read result", t.control(verifier).result(&base, id).await);
        w.http.wallet = Some(answer);
        w.http.outcome = Some(outcome.body);
    }
    .boxed_local()
}

/// `When the same presentation is replayed to a new request of the verifier`
pub(super) fn replay_step(w: &mut AcademicWorld, _c: Context) -> LocalBoxFuture<'_, ()> {
    async move {
        let Some(ctx) = context() else {
            panic!("no run context installed")
        };
        let t = cast(&ctx);
        let Some((verifier, base, _)) = w.http.request.clone() else {
            panic!("no request was created")
        };
        let Some(form) = w.http.posted_form.clone() else {
            panic!(
                "the harness did not see what the wallet posted (it does not send through Accord's \
                 recording transport and its control answer has no posted_form), so it has \
                 nothing to replay"
            )
        };
        let client = t.control(verifier);
        let query = w.http.query.clone().unwrap_or(Value::Null);
        let created = answer_or_panic(
            "create request",
            client
                .create_request(
                    &base,
                    &json!({"dcql_query": query, "response_mode": "direct_post"}),
                )
                .await,
        );
        // The attacker kept the old vp_token and answers the new transaction with it.
        let mut pairs: Vec<(String, String)> = url::form_urlencoded::parse(form.as_bytes())
            .into_owned()
            .filter(|(k, _)| k != "state")
            .collect();
        pairs.push((
            "state".into(),
            created.body["state"]
                .as_str()
                .unwrap_or_default()
                .to_owned(),
        ));
        let refs: Vec<(&str, &str)> = pairs
            .iter()
            .map(|(k, v)| (k.as_str(), v.as_str()))
            .collect();
        let url = format!("{base}/response");
        let r = t
            .transport()
            .send(
                "attacker",
                "verifier",
                crate::transport::Request::post_form(&url, &refs),
            )
            .await;
        let (status, body) = match r {
            Ok(r) => (
                r.status,
                serde_json::from_slice(&r.body).unwrap_or(Value::Null),
            ),
            Err(e) => panic!("replay: {e}"),
        };
        let outcome = answer_or_panic(
            "read result",
            client
                .result(&base, created.body["id"].as_str().unwrap_or_default())
                .await,
        );
        w.http.wallet = Some(Answer {
            status: 200,
            body: json!({"verifier_status": status, "verifier_response": body}),
        });
        w.http.outcome = Some(outcome.body);
    }
    .boxed_local()
}

/// The verifier this scenario asked (the subject of what it answered).
fn verifier_part(w: &AcademicWorld) -> Part {
    match &w.http.request {
        Some((part, _, _)) => *part,
        None => panic!("no verifier was asked in this scenario"),
    }
}

fn cited_by_verifier(w: &AcademicWorld) -> Vec<String> {
    let mut ids: Vec<String> = Vec::new();
    if let Some(o) = &w.http.outcome {
        // The judged result's violations, and those of responses the verifier refused before
        // judging them (the request then stays pending).
        let refused = o["refused_responses"]
            .as_array()
            .into_iter()
            .flatten()
            .flat_map(|r| r["violations"].as_array().into_iter().flatten());
        for v in o["result"]["violations"]
            .as_array()
            .into_iter()
            .flatten()
            .chain(refused)
        {
            if let Some(id) = v["requirement"].as_str() {
                ids.push(id.to_owned());
            }
        }
    }
    if let Some(a) = &w.http.wallet {
        for id in a.body["verifier_response"]["accord_requirements"]
            .as_array()
            .into_iter()
            .flatten()
        {
            if let Some(id) = id.as_str() {
                ids.push(id.to_owned());
            }
        }
    }
    ids.sort();
    ids.dedup();
    ids
}

/// `Then the verifier accepts the presentation over OpenID4VP`
pub(super) fn accepts_step(w: &mut AcademicWorld, _c: Context) -> LocalBoxFuture<'_, ()> {
    async move {
        let Some(outcome) = w.http.outcome.clone() else {
            panic!("nothing was presented")
        };
        let verified = outcome["status"] == "verified";
        let never_arrived = outcome["status"] == "pending"
            && outcome["refused_responses"]
                .as_array()
                .is_none_or(|r| r.is_empty());
        if never_arrived {
            // The wallet's response never reached the verifier: the wallet's failure (its own
            // checks say so), not the verifier's; there is nothing of the verifier to judge.
            let why = match &w.http.wallet {
                Some(a) => format!(
                    "the wallet's response never reached the verifier (the wallet answered HTTP {}: {})",
                    a.status,
                    a.body["detail"].as_str().unwrap_or("")
                ),
                None => "the wallet presented nothing".to_owned(),
            };
            panic!("{why}");
        }
        let cited = cited_by_verifier(w);
        let w3c = w.http.query.as_ref().is_some_and(|q| {
            q["credentials"][0]["format"] == crate::protocol::oid4vci::FORMAT_JWT_VC_JSON
        });
        let checks: Vec<&Requirement> = if w3c {
            // A VC-JWT in a VP JWT: its own rules, and the same path to a listed anchor.
            JWT_VC_ACCEPTANCE.to_vec()
        } else {
            ACCEPTANCE
                .iter()
                .copied()
                .chain([&req::OID4VP_KB_CLIENT_ID])
                .collect()
        }
        .into_iter()
        .chain([
            &req::OID4VP_DCQL_SATISFIED,
            &req::OID4VP_STATE,
            &req::OID4VP_VALIDATION,
        ])
        .collect();
        for r in checks {
            let broken = cited.iter().any(|c| c == r.id);
            let actual = if !verified {
                format!(
                    "the verifier answered {}: {}",
                    outcome["status"],
                    cited.join(", ")
                )
            } else if broken {
                "violated".into()
            } else {
                "met".into()
            };
            judge(verifier_part(w), r, "met", actual, verified && !broken);
        }
    }
    .boxed_local()
}

/// `Then only the requested claims were disclosed`
pub(super) fn minimal_step(w: &mut AcademicWorld, _c: Context) -> LocalBoxFuture<'_, ()> {
    async move {
        let Some(outcome) = w.http.outcome.clone() else {
            panic!("nothing was presented")
        };
        let asked: Vec<String> = w.http.query.as_ref().map_or(Vec::new(), |q| {
            q["credentials"][0]["claims"]
                .as_array()
                .into_iter()
                .flatten()
                .filter_map(|c| c["path"][0].as_str().map(str::to_owned))
                .collect()
        });
        let disclosed: Vec<String> = outcome["result"]["presentations"][0]["disclosed"]
            .as_array()
            .into_iter()
            .flatten()
            .filter_map(|d| d.as_str().map(str::to_owned))
            .collect();
        let extra: Vec<&String> = disclosed
            .iter()
            .filter(|d| {
                !asked
                    .iter()
                    .any(|a| *d == a || d.starts_with(&format!("{a}.")))
            })
            .collect();
        judge(
            verifier_part(w),
            &req::OID4VP_DCQL_SATISFIED,
            format!("disclosures only under {}", asked.join(", ")),
            if extra.is_empty() {
                format!("disclosed {}", disclosed.join(", "))
            } else {
                format!(
                    "also disclosed {}",
                    extra
                        .iter()
                        .map(|d| d.as_str())
                        .collect::<Vec<_>>()
                        .join(", ")
                )
            },
            !disclosed.is_empty() && extra.is_empty(),
        );
    }
    .boxed_local()
}

/// `Then the recognition verdict over OpenID4VP is "VERDICT"`
pub(super) fn recognition_step(w: &mut AcademicWorld, c: Context) -> LocalBoxFuture<'_, ()> {
    async move {
        let expected = arg(&c, 1).to_owned();
        // A verifier that accepted and reports no `recognition` member at all does not
        // assess recognition under the EU–JP arrangement (an OpenID4VP verifier need not):
        // not implemented, rather than a wrong verdict.
        if let Some(o) = &w.http.outcome
            && o["status"] == "verified"
            && o["result"].get("recognition").is_none()
        {
            return not_implemented_because(
                verifier_part(w),
                &req::MRA_EUJP_LEVEL,
                "verifier: an EU–JP recognition verdict in its result",
                "the verifier accepted and reported no recognition member",
            );
        }
        let actual = w
            .http
            .outcome
            .as_ref()
            .and_then(|o| {
                let r = &o["result"]["recognition"][0]["recognition"];
                let verdict = r["verdict"].as_str()?;
                // With a format named, the verdict is read with the format beside it.
                Some(if arg(&c, 2).is_empty() {
                    verdict.to_owned()
                } else {
                    format!(
                        "{verdict} for {}",
                        r["format"].as_str().unwrap_or("no format")
                    )
                })
            })
            .unwrap_or_else(|| "no recognition (the presentation was not accepted)".into());
        let expected = if arg(&c, 2).is_empty() {
            expected
        } else {
            format!("{expected} for {}", arg(&c, 2))
        };
        judge(
            verifier_part(w),
            &req::MRA_EUJP_LEVEL,
            expected.clone(),
            actual.clone(),
            expected == actual,
        );
    }
    .boxed_local()
}

/// `Then the credential was not treated as qualified`
pub(super) fn not_qualified_step(w: &mut AcademicWorld, _c: Context) -> LocalBoxFuture<'_, ()> {
    async move {
        let q = w.http.outcome.as_ref().and_then(|o| {
            o["result"]["presentations"][0]["trust"]["path"]["decision"]["qualified"].as_bool()
        });
        judge(
            verifier_part(w),
            &req::MRA_EUJP_JP_NOT_QEAA,
            "qualified = false",
            super::qualified(q),
            q == Some(false),
        );
    }
    .boxed_local()
}

/// `Then the verifier rejects the presentation citing "ID"`
pub(super) fn rejects_step(w: &mut AcademicWorld, c: Context) -> LocalBoxFuture<'_, ()> {
    async move {
        let r = find(arg(&c, 1));
        // Nothing presented (the wallet did not implement it, said by the present step):
        // nothing for the verifier to reject.
        let Some(answer) = &w.http.wallet else { return };
        // The verifier's HTTP answer as the wallet relays it; a third-party wallet's adapter
        // may not, and then the verifier's own report (control API) decides.
        let status = answer.body["verifier_status"].clone();
        let outcome = w.http.outcome.clone().unwrap_or(Value::Null);
        let refused_before_judging = outcome["refused_responses"]
            .as_array()
            .is_some_and(|r| !r.is_empty());
        if status.is_null() && outcome["status"] == "pending" && !refused_before_judging {
            return unjudged(
                verifier_part(w),
                r,
                "the wallet's response never reached the verifier (its request is still pending)",
            );
        }
        let rejected = outcome["status"] != "verified"
            && (status.is_number() && status != json!(200)
                || outcome["status"] == "rejected"
                || refused_before_judging);
        let cited = cited_by_verifier(w);
        let error = w
            .http
            .wallet
            .as_ref()
            .map(|a| a.body["verifier_response"]["error"].clone())
            .unwrap_or(Value::Null);
        // The spec requires the refusal; naming the rule is Accord's catalogue. A verifier
        // that cites catalogue ids (Accord's own, or an adapter that maps its reasons) must
        // cite this one: otherwise it refused for another reason. One that cites none is
        // judged on the refusal alone, and what it said is kept in the check.
        let speaks_catalogue = cited
            .iter()
            .any(|c| req::ALL.iter().any(|known| known.id == c));
        let reason_ok = cited.iter().any(|c| c == r.id) || !speaks_catalogue;
        judge(
            verifier_part(w),
            r,
            format!("rejected (HTTP 400 invalid_request) citing {}", r.id),
            format!("HTTP {status} {error} citing {}", cited.join(", ")),
            rejected && (error == "invalid_request" || status.is_null()) && reason_ok,
        );
    }
    .boxed_local()
}

/// `Then the wallet refuses the request citing "ID"`
pub(super) fn wallet_refuses_step(w: &mut AcademicWorld, c: Context) -> LocalBoxFuture<'_, ()> {
    async move {
        let r = find(arg(&c, 1));
        if w.http.unsigned_only {
            return unjudged(
                Part::Wallet,
                r,
                "the wallet and the verifier share only redirect_uri, whose requests are unsigned: no request object to spoil",
            );
        }
        let Some(a) = &w.http.wallet else {
            panic!("the wallet was not asked to present")
        };
        let refusal = &a.body["counterpart_response"]["refusal"];
        let ids: Vec<&str> = refusal["accord_requirements"]
            .as_array()
            .into_iter()
            .flatten()
            .filter_map(Value::as_str)
            .collect();
        judge(
            Part::Wallet,
            r,
            format!("refused citing {}", r.id),
            format!(
                "HTTP {} {} citing {}",
                a.status,
                refusal["error"],
                ids.join(", ")
            ),
            a.status == 422 && ids.contains(&r.id),
        );
    }
    .boxed_local()
}
