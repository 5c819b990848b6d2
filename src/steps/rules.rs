//! Steps that hold a verifier or an issuer to one rule at a time, over HTTP.
//!
//! The harness plays the wallet. Against a verifier it asks for a request, builds a
//! presentation that breaks exactly one rule (the fuzzer's mutations, validly signed over),
//! posts it to the response URI and reads the verdict; against an issuer it takes a
//! pre-authorized offer and spoils one step of the token or credential request (a key proof,
//! a token, a code). The check names the rule the mutation breaks and judges the answer by
//! the fuzzing oracle (`fuzz::judge`): a wrong accept, a wrong reject, a 5xx or silence fails
//! it.
//!
//! The claims are fixed; the random values (salts, decoys, holder keys) come from the run's
//! seed, so the scenario is reproducible and its normalised transcript the same under any
//! seed.

use std::sync::Arc;

use cucumber::step::Context;
use futures::FutureExt as _;
use futures::future::LocalBoxFuture;
use proptest::strategy::Strategy as _;

use super::{AcademicWorld, arg, context, judge};
use crate::entropy::FixedClock;
use crate::events::Part;
use crate::fuzz::issuer::{IssuerCase, IssuerMutation};
use crate::fuzz::subjects::{IssuerSubject, StatusBoard, Subject as _, VerifierSubject};
use crate::fuzz::verifier::{self, Issuer, Mutation, VerifierCase};
use crate::fuzz::{Expectation, Expected, Observed, campaign};

/// What the rule step left for the verdict step: the part asked, what was expected of it,
/// the mutation and what came back.
#[derive(Debug, Default)]
pub struct RuleState {
    played: Option<Played>,
}

#[derive(Debug)]
struct Played {
    part: Part,
    expectation: Expectation,
    mutation: String,
    observed: Observed,
}

/// The claims every one-rule scenario uses: drawn once by the fuzzer's generators from this
/// fixed seed, not the run's, so that another seed changes the random values on the wire
/// (salts, keys, nonces) and never what is claimed (the normalised transcript stays the same).
const CLAIMS_SEED: u64 = 1;

fn claims_of(issuer: Issuer) -> serde_json::Map<String, serde_json::Value> {
    match issuer {
        Issuer::Eu => campaign::case_at(&verifier::eu_claims().sboxed(), CLAIMS_SEED, 0),
        Issuer::Jp => campaign::case_at(&verifier::jp_claims().sboxed(), CLAIMS_SEED, 0),
    }
    // The generators always give a value; an empty claim set would be refused downstream.
    .unwrap_or_default()
}

/// The presentation a scenario sends: the credential of `issuer` with the fixed claims, the
/// first four disclosable claims revealed, two decoys, salts from the run's seed, and
/// `mutation`.
fn case_for(seed: u64, issuer: Issuer, mutation: Mutation) -> Result<VerifierCase, String> {
    let claims = claims_of(issuer);
    let bound = issuer.issuer_bound();
    let reveal: Vec<String> = claims
        .keys()
        .filter(|k| !crate::profiles::ALWAYS_DISCLOSED.contains(&k.as_str()) && k.as_str() != bound)
        .take(4)
        .cloned()
        .collect();
    // No `status` claim: a case's list would need a host of the harness's own, which is no
    // player of the cell, so a replay could not answer for it (the status rules have their
    // own scenarios, with the cell's status-list host; `accord fuzz` varies the lists).
    if mutation == Mutation::StatusIndexOutOfRange {
        return Err(format!(
            "{} needs a status list of its own: it is fuzzed (accord fuzz), not a scenario",
            mutation.name()
        ));
    }
    Ok(VerifierCase {
        issuer,
        claims,
        reveal,
        decoys: 2,
        status: None,
        mutation,
        salt_seed: seed,
    })
}

/// `When the harness presents the (EU diploma|JP degree) to the (EU|JP) verifier, spoiled by
/// "MUTATION"`, in `direct_post`, or in the mode the verifier's manifest declares when it does
/// not take `direct_post` (`direct_post.jwt`, encrypted to its key).
pub(super) fn spoiled_step(w: &mut AcademicWorld, c: Context) -> LocalBoxFuture<'_, ()> {
    async move {
        let Some(ctx) = context() else {
            panic!("no run context installed")
        };
        let Some(cast) = ctx.cast.clone() else {
            panic!("this scenario needs the cast of a cell, and none was started")
        };
        let issuer = match arg(&c, 1) {
            "EU diploma" => Issuer::Eu,
            _ => Issuer::Jp,
        };
        let part = Part::verifier(arg(&c, 2));
        let name = arg(&c, 3);
        let Some(mutation) = Mutation::ALL.into_iter().find(|m| m.name() == name) else {
            panic!("no mutation {name:?}");
        };
        let case = case_for(ctx.seed, issuer, mutation).unwrap_or_else(|e| panic!("{e}"));
        let player = cast.player(part);
        // The cases carry no status list, so the board is never asked; the cell's status-list
        // host is named for form.
        let subject = VerifierSubject::new(
            player.base_url(),
            &player.control_path,
            ctx.pki.clone(),
            Arc::new(FixedClock(ctx.now)),
            cast.player(Part::StatusList).base_url(),
            Arc::new(StatusBoard::default()),
        )
        .with_declared_modes(cast.declared_response_modes(part).as_deref());
        let observed = subject.run(&case, cast.transport()).await;
        w.rules.played = Some(Played {
            part,
            expectation: case.expectation(),
            mutation: case.mutation.name(),
            observed,
        });
    }
    .boxed_local()
}

/// `When the harness, as a wallet, asks the (EU|JP) university for its credential by the
/// pre-authorized code flow, spoiled by "MUTATION"`
pub(super) fn issuer_step(w: &mut AcademicWorld, c: Context) -> LocalBoxFuture<'_, ()> {
    async move {
        let Some(ctx) = context() else {
            panic!("no run context installed")
        };
        let Some(cast) = ctx.cast.clone() else {
            panic!("this scenario needs the cast of a cell, and none was started")
        };
        let code = arg(&c, 1);
        let part = Part::issuer(code);
        let issuer = if code == "EU" { Issuer::Eu } else { Issuer::Jp };
        let name = arg(&c, 2);
        let Some(mutation) = IssuerMutation::ALL.into_iter().find(|m| m.name() == name) else {
            panic!("no issuer mutation {name:?}");
        };
        let case = IssuerCase {
            subject: claims_of(issuer),
            tx_code: mutation == IssuerMutation::TxCodeWrong,
            mutation,
            key_seed: ctx.seed,
        };
        let player = cast.player(part);
        let subject = IssuerSubject::new(
            player.base_url(),
            &player.control_path,
            issuer,
            Arc::new(FixedClock(ctx.now)),
        );
        let observed = subject.run(&case, cast.transport()).await;
        // Read after the run: what is expected depends on the issuer's metadata (the
        // binding methods it offers, whether it has a Nonce Endpoint).
        w.rules.played = Some(Played {
            part,
            expectation: subject.expectation(&case),
            mutation: case.mutation.name(),
            observed,
        });
    }
    .boxed_local()
}

/// `Then the (verifier's verdict|issuer's answer) is the one the rule requires`
pub(super) fn verdict_step(w: &mut AcademicWorld, _c: Context) -> LocalBoxFuture<'_, ()> {
    async move {
        let Some(Played {
            part,
            expectation,
            mutation,
            observed,
        }) = w.rules.played.take()
        else {
            panic!("nothing was sent")
        };
        let finding = crate::fuzz::judge(expectation.verdict, &observed);
        let expected = match expectation.verdict {
            Expected::Accept => "accepted".to_owned(),
            Expected::Reject => format!("rejected ({mutation} breaks it)"),
            Expected::Either => "accepted or rejected, cleanly".to_owned(),
        };
        judge(
            part,
            expectation.requirement,
            expected,
            match finding {
                None => observed.describe(),
                Some(kind) => format!("{}: {}", kind.as_str(), observed.describe()),
            },
            finding.is_none(),
        );
    }
    .boxed_local()
}
