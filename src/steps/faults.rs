//! Steps that break things on purpose: a restarted issuer, a status-list host that fails or
//! is slow (through the recording proxy), an issuer container frozen by the Docker engine.
//! Every fault is recorded (`fault-injected`) when the step ends, and lifted when the
//! scenario ends, so the next scenario of the cell meets healthy players.

use cucumber::step::Context;
use futures::FutureExt as _;
use futures::future::LocalBoxFuture;
use serde_json::{Value, json};

use super::{AcademicWorld, arg, context, judge, record_fault};
use crate::events::Part;
use crate::requirements::catalogue as req;
use crate::roles::control::Answer;
use crate::roles::proxy::Fault;

/// What a fault scenario has done so far.
#[derive(Debug, Default)]
pub struct FaultState {
    /// The issuer and the offer it made (URI, transaction code).
    offer: Option<(Part, String, Option<String>)>,
    /// The wallet's answer to accepting it, and how many credentials it held before and
    /// after (when it can list them).
    accepted: Option<(Answer, Option<usize>, Option<usize>)>,
    /// Faults to lift when the scenario ends.
    proxied: Vec<Part>,
    paused: Vec<Part>,
}

impl FaultState {
    pub(super) async fn end_of_scenario(&mut self) {
        let Some(ctx) = context() else { return };
        let Some(cast) = ctx.cast.clone() else { return };
        let mut failed = Vec::new();
        for part in std::mem::take(&mut self.proxied) {
            if let Err(e) = cast.set_fault(part, Fault::None) {
                failed.push(format!("could not lift the fault on {}: {e}", part.name()));
            }
        }
        for part in std::mem::take(&mut self.paused) {
            if let Err(e) = cast.pause(part, false) {
                failed.push(format!("could not resume {}: {e}", part.name()));
            }
        }
        if !failed.is_empty() {
            let why = failed.join("; ");
            *ctx.spoiled.borrow_mut() = Some(why.clone());
            panic!("{why}");
        }
    }
}

fn cast() -> std::rc::Rc<crate::run::cast::Cast> {
    let Some(ctx) = context() else {
        panic!("no run context installed")
    };
    super::http::cast(&ctx)
}

async fn held_credentials(cast: &crate::run::cast::Cast) -> Option<usize> {
    let wallet = cast.player(Part::Wallet);
    let a = cast
        .control(Part::Wallet)
        .credentials(wallet.base_url())
        .await
        .ok()?;
    // `total` when the wallet pages its list (Accord's does), else the list's length.
    a.ok()
        .then(|| {
            a.body["total"]
                .as_u64()
                .and_then(|n| usize::try_from(n).ok())
                .or_else(|| a.body["credentials"].as_array().map(Vec::len))
        })
        .flatten()
}

/// `Given the (EU|JP) university has made an offer to the wallet`
pub(super) fn offer_step(w: &mut AcademicWorld, c: Context) -> LocalBoxFuture<'_, ()> {
    async move {
        let cast = cast();
        let part = Part::issuer(arg(&c, 1));
        let issuer = cast.player(part);
        let offer = cast
            .control(part)
            .create_offer(issuer.base_url(), &json!({}))
            .await
            .unwrap_or_else(|e| panic!("create offer: {e}"));
        assert!(
            offer.ok(),
            "the issuer refused to make an offer: {}",
            offer.body
        );
        let uri = offer.body["uri"]
            .as_str()
            .unwrap_or_else(|| panic!("no offer uri in {}", offer.body))
            .to_owned();
        let tx = offer.body["tx_code"].as_str().map(str::to_owned);
        w.faults.offer = Some((part, uri, tx));
    }
    .boxed_local()
}

/// `When the (EU|JP) university's issuer restarts`
pub(super) fn restart_step(_w: &mut AcademicWorld, c: Context) -> LocalBoxFuture<'_, ()> {
    async move {
        let cast = cast();
        let part = Part::issuer(arg(&c, 1));
        record_fault(part.name(), "restart (state in memory lost)");
        if let Err(e) = cast.restart(part).await {
            panic!("could not restart {}: {e}", part.name());
        }
    }
    .boxed_local()
}

/// `When the (EU|JP) university's issuer container is (paused|resumed)`
pub(super) fn pause_step(w: &mut AcademicWorld, c: Context) -> LocalBoxFuture<'_, ()> {
    async move {
        let cast = cast();
        let part = Part::issuer(arg(&c, 1));
        let pause = arg(&c, 2) == "paused";
        record_fault(
            part.name(),
            if pause {
                "container paused"
            } else {
                "container resumed"
            },
        );
        if let Err(e) = cast.pause(part, pause) {
            panic!("{e}");
        }
        if pause {
            w.faults.paused.push(part);
        } else {
            w.faults.paused.retain(|p| *p != part);
        }
    }
    .boxed_local()
}

/// `Given the status-list host (answers 503|truncates its answers|drops the connection|answers after N ms)`
pub(super) fn status_host_step(w: &mut AcademicWorld, c: Context) -> LocalBoxFuture<'_, ()> {
    async move {
        let cast = cast();
        let what = arg(&c, 1);
        let Some(fault) = Fault::from_words(what) else {
            panic!("unknown status-list fault {what:?}");
        };
        record_fault(Part::StatusList.name(), what);
        if let Err(e) = cast.set_fault(Part::StatusList, fault) {
            panic!("{e}");
        }
        w.faults.proxied.push(Part::StatusList);
    }
    .boxed_local()
}

/// `When the wallet accepts the offer`
pub(super) fn accept_step(w: &mut AcademicWorld, _c: Context) -> LocalBoxFuture<'_, ()> {
    async move {
        let cast = cast();
        let Some((_, uri, tx)) = w.faults.offer.clone() else {
            panic!("no offer was made")
        };
        let before = held_credentials(&cast).await;
        let wallet = cast.player(Part::Wallet);
        let answer = cast
            .control(Part::Wallet)
            .accept_offer(wallet.base_url(), &uri, tx.as_deref())
            .await
            .unwrap_or_else(|e| {
                // The harness's own limit is longer than the wallet's: a wallet that does not
                // answer in it hangs, which is itself the finding.
                Answer {
                    status: 0,
                    body: json!({"error": "no_answer", "detail": e.to_string()}),
                }
            });
        let after = held_credentials(&cast).await;
        w.faults.accepted = Some((answer, before, after));
    }
    .boxed_local()
}

/// The issuer that made this scenario's offer.
fn offering_issuer(w: &AcademicWorld) -> Part {
    match &w.faults.offer {
        Some((part, _, _)) => *part,
        None => panic!("no offer was made"),
    }
}

/// What the wallet's failed attempt looked like: failed cleanly (an answer, the step named,
/// no credential gained), and the counterpart's error if it reported one.
fn clean_failure(w: &AcademicWorld) -> (bool, String, Value) {
    let Some((a, before, after)) = &w.faults.accepted else {
        panic!("the wallet was not asked to accept the offer")
    };
    let gained = match (before, after) {
        (Some(b), Some(a)) => a > b,
        _ => false,
    };
    let clean = a.status == 422 && a.body["step"].is_string() && !gained;
    let described = format!(
        "HTTP {} {} at step {} ({}){}",
        a.status,
        a.body["error"],
        a.body["step"],
        a.body["detail"].as_str().unwrap_or(""),
        if gained {
            "; yet a credential was added"
        } else {
            ""
        }
    );
    // The reference wallet reports the counterpart's answer as {status, body}; an
    // adapter may report the body alone.
    let counterpart = &a.body["counterpart_response"];
    let error = if counterpart["body"].is_object() {
        counterpart["body"]["error"].clone()
    } else {
        counterpart["error"].clone()
    };
    (clean, described, error)
}

/// `Then the wallet's attempt fails cleanly with the issuer's "ERROR"`
pub(super) fn failed_with_step(w: &mut AcademicWorld, c: Context) -> LocalBoxFuture<'_, ()> {
    async move {
        let expected = arg(&c, 1).to_owned();
        let (clean, described, error) = clean_failure(w);
        judge(
            Part::Wallet,
            &req::ROBUST_FAIL_CLEANLY,
            "the attempt ends with a reported failure and no credential",
            described.clone(),
            clean,
        );
        // The issuer's answer is seen only through the wallet's report of it; a wallet
        // whose adapter does not relay it leaves the issuer unjudged here, said in the log.
        if error.is_null() {
            super::http::unjudged(
                offering_issuer(w),
                &req::OID4VCI_INVALID_GRANT,
                "the wallet did not report the issuer's answer (no counterpart_response)",
            );
            return;
        }
        judge(
            offering_issuer(w),
            &req::OID4VCI_INVALID_GRANT,
            format!("the issuer refuses the code it no longer knows with {expected}"),
            format!("the issuer answered {error}"),
            error == json!(expected),
        );
    }
    .boxed_local()
}

/// `Then the wallet's attempt fails cleanly, the issuer unreachable`
pub(super) fn unreachable_step(w: &mut AcademicWorld, _c: Context) -> LocalBoxFuture<'_, ()> {
    async move {
        let (clean, described, _) = clean_failure(w);
        judge(
            Part::Wallet,
            &req::ROBUST_FAIL_CLEANLY,
            "the attempt ends within the wallet's time limit with a reported failure and no credential",
            described,
            clean,
        );
    }
    .boxed_local()
}
