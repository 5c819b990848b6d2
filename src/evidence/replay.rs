//! Re-driving a recorded run against an implementation (`accord replay RUN --against IMPL`).
//!
//! A run's log holds every HTTP exchange in full. To regression-test one implementation
//! without its original counterparts, the replay:
//!
//! 1. starts the implementation for the parts it plays, with the recorded seed and clock, at
//!    the address its part had in the recording when that address is free (URLs inside
//!    recorded tokens, such as a client identifier or an audience, then still point at it);
//! 2. stands a *recording double* in for every other part, on its recorded address: a server
//!    that answers each request with the recorded response to the same method and path
//!    (the status list a verifier fetches, the trust list it reads);
//! 3. sends, scenario by scenario and in recorded order, every recorded request addressed to
//!    the implementation (the harness's control calls and the counterparts' protocol
//!    messages alike), and compares each answer with the recorded one after normalisation
//!    ([`crate::evidence::transcript`]).
//!
//! The replay is a run of its own in the store: its exchanges are recorded, every difference
//! is a `replay-differed` event and a failed check of `REGRESS-1-same-answer`, and the
//! reports are projections of that log like any other's.

use std::collections::BTreeMap;
use std::net::SocketAddr;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use axum::Router;
use axum::body::Bytes;
use axum::http::{HeaderMap, Method, StatusCode, Uri};
use axum::response::{IntoResponse, Response};
use serde_json::Value;

use crate::entropy::{Clock, FixedClock};
use crate::events::{Envelope, Event, FORMAT_VERSION, Verdict};
use crate::events::{Part, PlayerRecord};
use crate::evidence::transcript::{Normaliser, differences};
use crate::projections::{self, RunStatus, RunView, ScenarioView};
use crate::requirements::catalogue::REGRESS_SAME_ANSWER;
use crate::roles::{Listen, Running};
use crate::run::cast::{Cast, Casting, Stage};
use crate::run::engine::new_run_id;
use crate::store::{EventStore, RunRecorder, StoreError, Tail};
use crate::tls::Security;
use crate::transport::{Exchange, ExchangeSink, Limits, Request, Transport};
use crate::trust::pki::TestPki;

/// Kind recorded for the parts a replay's doubles stand in for.
pub const RECORDING: &str = "recording";

/// At most this many differences are recorded per exchange (the first ones, depth first).
const DIFFERENCES_PER_EXCHANGE: usize = 20;

#[derive(Debug, thiserror::Error)]
pub enum ReplayError {
    /// The log cannot be replayed: broken, truncated, interrupted, or without exchanges.
    #[error("{0}")]
    Recording(String),
    /// What to replay against does not fit the recording.
    #[error("{0}")]
    Usage(String),
    #[error("cannot record the replay: {0}")]
    Store(#[from] StoreError),
    #[error("{0}")]
    Harness(String),
}

/// A recorded run, checked to be whole, and what reproducing it needs.
#[derive(Debug, Clone)]
pub struct Recording {
    pub view: RunView,
    pub seed: u64,
    /// The roles' clock in the recording (Unix seconds).
    pub now: i64,
    /// Per cell id, the PKI seed its players shared (the run's seed unless recorded).
    pub pki_seeds: BTreeMap<String, u64>,
    /// Per scenario (in the order of `view.scenarios`), the faults the harness injected and
    /// how many of the scenario's exchanges came before each.
    pub faults: Vec<Vec<RecordedFault>>,
}

/// A fault injected during the recorded run, and where among its scenario's exchanges.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RecordedFault {
    /// How many of the scenario's exchanges were recorded before the fault.
    pub after_exchanges: usize,
    pub part: String,
    pub fault: String,
}

impl Recording {
    /// The recorded faults of `scenario` (one of `self.view.scenarios`).
    fn faults_of(&self, scenario: &ScenarioView) -> &[RecordedFault] {
        self.view
            .scenarios
            .iter()
            .position(|s| std::ptr::eq(s, scenario))
            .and_then(|i| self.faults.get(i))
            .map_or(&[], Vec::as_slice)
    }
}

impl Recording {
    /// Reads a run's events as a recording: the hash chain must verify, the log must not end
    /// torn, and the run must have finished.
    pub fn from_log(run: &str, events: &[Envelope], tail: &Tail) -> Result<Self, ReplayError> {
        if let Err(b) = crate::events::verify_chain(events) {
            return Err(ReplayError::Recording(format!(
                "run `{run}`: the log is broken at event {}: {}",
                b.seq, b.reason
            )));
        }
        if let Tail::Torn { line, bytes } = tail {
            return Err(ReplayError::Recording(format!(
                "run `{run}`: the log is truncated (line {line} is torn, {bytes} bytes): the run was interrupted while it was written and cannot be replayed"
            )));
        }
        let view = projections::project(events, tail);
        if view.status != RunStatus::Finished {
            return Err(ReplayError::Recording(format!(
                "run `{run}`: the log ends after event {} without `run-finished`: the run was interrupted (or the log was cut at a line boundary)",
                events.len().saturating_sub(1)
            )));
        }
        if let Some((e, err)) = events
            .iter()
            .find_map(|e| e.event().err().map(|err| (e, err)))
        {
            return Err(ReplayError::Recording(format!(
                "run `{run}`: event {} (kind `{}`) cannot be read by this build: {err}",
                e.seq, e.kind
            )));
        }
        let seed = view.seed.ok_or_else(|| {
            ReplayError::Recording(format!("run `{run}`: `run-started` has no readable seed"))
        })?;
        let mut pki_seeds = BTreeMap::new();
        let mut faults: Vec<Vec<RecordedFault>> = Vec::new();
        let mut exchanges = 0;
        for e in events {
            match e.event() {
                Ok(Event::CellStarted { cell, pki_seed, .. }) => {
                    let s = pki_seed.and_then(|s| s.parse().ok()).unwrap_or(seed);
                    pki_seeds.insert(cell, s);
                }
                Ok(Event::ScenarioStarted { .. }) => {
                    faults.push(Vec::new());
                    exchanges = 0;
                }
                Ok(Event::HttpExchange { .. }) => exchanges += 1,
                Ok(Event::FaultInjected { part, fault, .. }) => {
                    if let Some(list) = faults.last_mut() {
                        list.push(RecordedFault {
                            after_exchanges: exchanges,
                            part,
                            fault,
                        });
                    }
                }
                _ => {}
            }
        }
        // Logs before format 4 did not record the clock; their first event's time is the
        // best reading of it (the engine fixed the clock when the run started).
        let now = view.now.unwrap_or_else(|| {
            time::OffsetDateTime::parse(
                &view.started_at,
                &time::format_description::well_known::Rfc3339,
            )
            .map(|t| t.unix_timestamp())
            .unwrap_or(0)
        });
        Ok(Self {
            view,
            seed,
            now,
            pki_seeds,
            faults,
        })
    }
}

/// What to replay against: the implementation and the parts it plays.
#[derive(Debug, Clone)]
pub struct Target {
    pub casting: Casting,
    pub parts: Vec<Part>,
    /// The docker-compose.yml a `compose` manifest names its service in.
    pub compose_file: std::path::PathBuf,
}

/// How a replay ended.
#[derive(Debug, Clone)]
pub struct ReplayOutcome {
    pub run_id: String,
    pub verdict: Verdict,
    /// Scenarios re-driven.
    pub scenarios: usize,
    pub differences: usize,
}

/// One recorded answer a double can give.
#[derive(Debug, Clone)]
struct Answer {
    scenario: usize,
    method: String,
    /// Path and query, as requested.
    target: String,
    /// `None`: no response arrived in the recording (a dropped connection); the double
    /// aborts the connection the same way.
    status: Option<u16>,
    /// The recorded response headers, but those the server sets itself (length, date,
    /// connection handling).
    headers: Vec<(String, String)>,
    body: String,
    used: bool,
}

/// Response headers a double does not copy from the recording.
const SERVER_HEADERS: &[&str] = &[
    "content-length",
    "date",
    "connection",
    "transfer-encoding",
    "keep-alive",
];

/// A part's stand-in: answers from the recording.
struct Double {
    answers: Mutex<Vec<Answer>>,
    /// The scenario being replayed (its answers are preferred).
    scenario: Mutex<usize>,
    /// Requests no recorded exchange answers: `METHOD path`.
    unrecorded: Mutex<Vec<String>>,
}

impl Double {
    fn answer(&self, method: &Method, uri: &Uri) -> Response {
        let target = uri
            .path_and_query()
            .map_or_else(|| uri.path().to_owned(), |p| p.as_str().to_owned());
        let scenario = *lock(&self.scenario);
        let mut answers = lock(&self.answers);
        let same = |a: &Answer| a.method == method.as_str() && a.target == target;
        // This scenario's next unused answer, then any unused one, then a repeat (an
        // implementation may fetch a list more often than the recorded one did).
        let pick = answers
            .iter()
            .position(|a| same(a) && a.scenario == scenario && !a.used)
            .or_else(|| answers.iter().position(|a| same(a) && !a.used))
            .or_else(|| {
                answers
                    .iter()
                    .rposition(|a| same(a) && a.scenario <= scenario)
            })
            .or_else(|| answers.iter().position(same));
        match pick {
            Some(i) => {
                answers[i].used = true;
                let a = &answers[i];
                let Some(status) = a.status else {
                    let aborted: Vec<Result<Bytes, std::io::Error>> =
                        vec![Err(std::io::Error::new(
                            std::io::ErrorKind::ConnectionAborted,
                            "no response in the recording",
                        ))];
                    return (
                        StatusCode::OK,
                        axum::body::Body::from_stream(futures::stream::iter(aborted)),
                    )
                        .into_response();
                };
                let mut response = (
                    StatusCode::from_u16(status).unwrap_or(StatusCode::BAD_GATEWAY),
                    a.body.clone(),
                )
                    .into_response();
                for (name, value) in &a.headers {
                    if let (Ok(n), Ok(v)) = (
                        axum::http::HeaderName::from_bytes(name.as_bytes()),
                        axum::http::HeaderValue::from_str(value),
                    ) {
                        response.headers_mut().insert(n, v);
                    }
                }
                response
            }
            None => {
                drop(answers);
                lock(&self.unrecorded).push(format!("{method} {target}"));
                (
                    StatusCode::NOT_FOUND,
                    [(axum::http::header::CONTENT_TYPE, "application/json")],
                    r#"{"error":"not_recorded","error_description":"the recording holds no answer to this request"}"#,
                )
                    .into_response()
            }
        }
    }
}

fn lock<T>(m: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    m.lock().unwrap_or_else(std::sync::PoisonError::into_inner)
}

fn addr_of(base_url: &str) -> Option<SocketAddr> {
    let url = url::Url::parse(base_url).ok()?;
    let host = url.host_str()?;
    let port = url.port_or_known_default()?;
    let ip: std::net::IpAddr = match host {
        "localhost" => std::net::Ipv4Addr::LOCALHOST.into(),
        // The test domain's names are loopback (crate::tls).
        h if crate::tls::is_test_host(h) => std::net::Ipv4Addr::LOCALHOST.into(),
        h => h.trim_matches(['[', ']']).parse().ok()?,
    };
    ip.is_loopback().then(|| SocketAddr::new(ip, port))
}

/// The player (recorded) whose base URL the exchange was sent to.
fn addressee<'a>(players: &'a [PlayerRecord], url: &str) -> Option<&'a PlayerRecord> {
    players
        .iter()
        .filter(|p| {
            !p.base_url.is_empty()
                && url.starts_with(p.base_url.as_str())
                && url[p.base_url.len()..]
                    .chars()
                    .next()
                    .is_none_or(|c| matches!(c, '/' | '?'))
        })
        .max_by_key(|p| p.base_url.len())
}

/// Re-drives `recording` against `target`, recording the replay in `store`.
pub fn redrive(
    recording: &Recording,
    target: &Target,
    store: Arc<dyn EventStore>,
    clock: Arc<dyn Clock>,
) -> Result<ReplayOutcome, ReplayError> {
    redrive_signed(recording, target, store, clock, None)
}

/// [`redrive`], the replay's checkpoints signed with `key`.
pub fn redrive_signed(
    recording: &Recording,
    target: &Target,
    store: Arc<dyn EventStore>,
    clock: Arc<dyn Clock>,
    key: Option<Arc<crate::evidence::checkpoint::HarnessKey>>,
) -> Result<ReplayOutcome, ReplayError> {
    let view = &recording.view;
    let cells: Vec<_> = view
        .cells
        .iter()
        .filter(|c| c.players.iter().any(|p| target.parts.contains(&p.part)))
        .collect();
    if cells.is_empty() {
        let parts: Vec<&str> = target.parts.iter().map(|p| p.name()).collect();
        return Err(ReplayError::Usage(format!(
            "run `{}` has no exchanges with {} to replay (it recorded no cell with that part; credential-level runs have no HTTP exchanges)",
            view.id,
            parts.join(" or ")
        )));
    }
    // Replays of one recording may start within the same millisecond (a test suite, a
    // script): the next free id is taken.
    let mut attempt = 0u64;
    let (run_id, mut recorder) = loop {
        let id = new_run_id(clock.as_ref(), recording.seed.wrapping_add(attempt));
        match RunRecorder::create(store.clone(), clock.clone(), &id) {
            Ok(r) => break (id, r.with_checkpoints(key.clone())),
            Err(StoreError::RunExists(_)) if attempt < 1000 => attempt += 1,
            Err(e) => return Err(e.into()),
        }
    };
    recorder.record(&Event::RunStarted {
        profile: None,
        format: FORMAT_VERSION,
        harness_version: env!("CARGO_PKG_VERSION").to_owned(),
        seed: recording.seed.to_string(),
        features: view.features.clone().unwrap_or_default(),
        tags: view.tags.clone(),
        now: Some(recording.now),
        replay_of: Some(view.id.clone()),
        security: Some(recording.view.security),
    })?;
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .map_err(|e| ReplayError::Harness(format!("cannot start the runtime: {e}")))?;
    let mut verdict = Verdict::Passed;
    let mut scenarios = 0;
    let mut total_differences = 0;
    for cell in cells {
        let pki_seed = recording
            .pki_seeds
            .get(&cell.id)
            .copied()
            .unwrap_or(recording.seed);
        let recorded: Vec<&ScenarioView> = view
            .scenarios
            .iter()
            .filter(|s| s.cell.as_ref() == Some(&cell.id))
            .collect();
        let result = runtime.block_on(redrive_cell(
            &mut recorder,
            CellToReplay {
                recording,
                target,
                id: &cell.id,
                players: &cell.players,
                pki_seed,
                scenarios: &recorded,
            },
        ));
        match result {
            Ok(r) => {
                scenarios += r.scenarios;
                total_differences += r.differences;
                verdict = verdict.combine(r.verdict);
            }
            // The store itself failing: nothing more can be recorded.
            Err(ReplayError::Store(e)) => return Err(ReplayError::Store(e)),
            // Anything else ends the replay as inconclusive, said in its own log, so the
            // replay never looks interrupted.
            Err(e) => {
                recorder.record(&Event::HarnessFaulted {
                    message: e.to_string(),
                })?;
                verdict = Verdict::Inconclusive;
                break;
            }
        }
    }
    if scenarios == 0 && verdict == Verdict::Passed {
        // Nothing was compared: no evidence either way.
        verdict = Verdict::Inconclusive;
    }
    recorder.record(&Event::RunFinished { verdict })?;
    recorder.sync()?;
    Ok(ReplayOutcome {
        run_id,
        verdict,
        scenarios,
        differences: total_differences,
    })
}

struct CellResult {
    verdict: Verdict,
    scenarios: usize,
    differences: usize,
}

async fn start_double(
    pki: &TestPki,
    record: &PlayerRecord,
    answers: Vec<Answer>,
) -> Result<(Running, Arc<Double>), ReplayError> {
    let double = Arc::new(Double {
        answers: Mutex::new(answers),
        scenario: Mutex::new(0),
        unrecorded: Mutex::new(Vec::new()),
    });
    let handle = double.clone();
    let build = move |_: String| {
        Router::new().fallback(move |method: Method, uri: Uri, _: HeaderMap, _: Bytes| {
            let d = handle.clone();
            async move { d.answer(&method, &uri) }
        })
    };
    let name = format!("double:{}", record.part.name());
    let fail = |e: String| {
        ReplayError::Harness(format!(
            "cannot start the double of {}: {e}",
            record.part.name()
        ))
    };
    let recorded = url::Url::parse(&record.base_url).ok();
    let security = if recorded.as_ref().is_some_and(|u| u.scheme() == "https") {
        Security::Https
    } else {
        Security::PlainHttp
    };
    let host = recorded
        .as_ref()
        .and_then(|u| u.host_str().map(str::to_owned))
        .unwrap_or_else(|| record.part.host());
    let listen = |addr| Listen::role(security, pki, &host, addr).map_err(|e| fail(e.to_string()));
    // On its recorded address when free (URLs in recorded credentials point there); on any
    // other port otherwise.
    let running = match addr_of(&record.base_url) {
        Some(addr) => match crate::roles::serve(&name, listen(addr)?, build.clone()).await {
            Ok(r) => Ok(r),
            Err(_) => crate::roles::serve(&name, listen(loopback())?, build).await,
        },
        None => crate::roles::serve(&name, listen(loopback())?, build).await,
    }
    .map_err(|e| fail(e.to_string()))?;
    Ok((running, double))
}

fn loopback() -> SocketAddr {
    SocketAddr::from(([127, 0, 0, 1], 0))
}

/// One recorded cell to re-drive, and against what.
#[derive(Clone, Copy)]
struct CellToReplay<'a> {
    recording: &'a Recording,
    target: &'a Target,
    id: &'a str,
    /// The players as recorded.
    players: &'a [PlayerRecord],
    pki_seed: u64,
    /// The cell's recorded scenarios, in order.
    scenarios: &'a [&'a ScenarioView],
}

async fn redrive_cell(
    recorder: &mut RunRecorder,
    cell: CellToReplay<'_>,
) -> Result<CellResult, ReplayError> {
    let CellToReplay {
        target,
        players,
        scenarios: recorded,
        pki_seed,
        ..
    } = cell;
    // Doubles serve HTTPS where the recorded players did, with certificates of the cell's
    // TLS CA for the recorded hosts.
    let pki = TestPki::generate(pki_seed)
        .map_err(|e| ReplayError::Harness(format!("cannot prepare the test PKI: {e}")))?;
    // Doubles for every recorded player the target does not play.
    let mut doubles: Vec<(PlayerRecord, Running, Arc<Double>)> = Vec::new();
    for p in players.iter().filter(|p| !target.parts.contains(&p.part)) {
        let answers: Vec<Answer> = recorded
            .iter()
            .enumerate()
            .flat_map(|(i, s)| s.exchanges.iter().map(move |e| (i, e)))
            .filter(|(_, e)| addressee(players, &e.url).is_some_and(|a| a.part == p.part))
            .filter_map(|(i, e)| Some((i, e, e.url.strip_prefix(p.base_url.as_str())?)))
            .map(|(i, e, target)| Answer {
                scenario: i,
                method: e.method.clone(),
                target: target.to_owned(),
                status: e.status,
                headers: e
                    .response_headers
                    .iter()
                    .filter(|(k, _)| !SERVER_HEADERS.contains(&k.to_ascii_lowercase().as_str()))
                    .map(|(k, v)| (k.clone(), v.clone()))
                    .collect(),
                body: e.response_body.clone(),
                used: false,
            })
            .map(|mut a| {
                if a.target.is_empty() {
                    a.target = "/".into();
                }
                a
            })
            .collect();
        let (running, double) = start_double(&pki, p, answers).await?;
        doubles.push((p.clone(), running, double));
    }
    let elsewhere: BTreeMap<Part, PlayerRecord> = doubles
        .iter()
        .map(|(p, running, _)| {
            (
                p.part,
                PlayerRecord::new(p.part, RECORDING, RECORDING, &running.base_url),
            )
        })
        .collect();
    let result = drive(recorder, cell, &elsewhere, &doubles).await;
    for (_, running, _) in doubles {
        running.stop().await;
    }
    result
}

async fn drive(
    recorder: &mut RunRecorder,
    cell: CellToReplay<'_>,
    elsewhere: &BTreeMap<Part, PlayerRecord>,
    doubles: &[(PlayerRecord, Running, Arc<Double>)],
) -> Result<CellResult, ReplayError> {
    let CellToReplay {
        recording,
        target,
        id: cell_id,
        players,
        pki_seed,
        scenarios: recorded,
    } = cell;
    let sink = ExchangeSink::default();
    // The harness's control calls had 30 s in the recording; so do all replayed requests.
    let limits = Limits {
        timeout: Duration::from_secs(30),
        ..Limits::default()
    };
    let pki = TestPki::generate(pki_seed)
        .map_err(|e| ReplayError::Harness(format!("cannot prepare the test PKI: {e}")))?;
    let trust = crate::tls::ClientTrust::of(&pki);
    let transport = Transport::new(sink.clone(), limits, &trust)
        .map_err(|e| ReplayError::Harness(e.to_string()))?;
    let stage = Stage {
        pki: Arc::new(pki),
        seed: recording.seed,
        clock: Arc::new(FixedClock(recording.now)),
        transport: transport.clone(),
        trust,
        security: recording.view.security,
        label: format!("accord-replay-{}", std::process::id()),
        compose_file: target.compose_file.clone(),
    };
    let castings: BTreeMap<Part, Casting> = target
        .parts
        .iter()
        .map(|p| (*p, target.casting.clone()))
        .collect();
    let recorded_at: BTreeMap<Part, SocketAddr> = players
        .iter()
        .filter(|p| target.parts.contains(&p.part))
        .filter_map(|p| Some((p.part, addr_of(&p.base_url)?)))
        .collect();
    // The recorded address when it is free (URLs inside recorded tokens point there);
    // anywhere else otherwise, recorded URLs then being rewritten.
    let free: BTreeMap<Part, SocketAddr> = recorded_at
        .into_iter()
        .filter(|(_, addr)| std::net::TcpListener::bind(addr).is_ok())
        .collect();
    let cast = match Cast::start_partial(stage, castings, &target.parts, &free, elsewhere).await {
        Ok(c) => c,
        Err(e) => {
            recorder.record(&Event::CellFinished {
                cell: cell_id.to_owned(),
                verdict: Verdict::Inconclusive,
                blocked: Some(format!("the implementation could not start: {e}")),
                not_applicable: Vec::new(),
            })?;
            return Ok(CellResult {
                verdict: Verdict::Inconclusive,
                scenarios: 0,
                differences: 0,
            });
        }
    };
    let replay_players = cast.records();
    let cell_id = format!("{} replaying {cell_id}", target.casting.implementation());
    let cell_id = cell_id.as_str();
    recorder.record(&Event::CellStarted {
        cell: cell_id.to_owned(),
        players: replay_players.clone(),
        pki_seed: (pki_seed != recording.seed).then(|| pki_seed.to_string()),
    })?;
    let outcome = drive_scenarios(
        recorder,
        recording,
        &cast,
        players,
        &replay_players,
        target,
        recorded,
        doubles,
        &transport,
        &sink,
    )
    .await;
    // Stopped on every path: an implementation must not outlive its replay.
    cast.stop().await;
    let (verdict, scenarios, total, not_applicable) = outcome?;
    recorder.record(&Event::CellFinished {
        cell: cell_id.to_owned(),
        verdict,
        blocked: None,
        not_applicable,
    })?;
    Ok(CellResult {
        verdict,
        scenarios,
        differences: total,
    })
}

/// Sends each scenario's recorded requests to the target and records what differs.
/// Returns the cell's verdict, the scenarios driven, the differences and the scenarios that
/// had nothing to drive.
#[allow(clippy::too_many_arguments)]
async fn drive_scenarios(
    recorder: &mut RunRecorder,
    recording: &Recording,
    cast: &Cast,
    players: &[PlayerRecord],
    replay_players: &[PlayerRecord],
    target: &Target,
    recorded: &[&ScenarioView],
    doubles: &[(PlayerRecord, Running, Arc<Double>)],
    transport: &Transport,
    sink: &ExchangeSink,
) -> Result<(Verdict, usize, usize, Vec<String>), ReplayError> {
    let mut verdict = Verdict::Passed;
    let mut scenarios = 0;
    let mut total = 0;
    let mut not_applicable = Vec::new();
    for (index, s) in recorded.iter().enumerate() {
        for (_, _, d) in doubles {
            *lock(&d.scenario) = index;
        }
        let driven: Vec<(usize, &Exchange)> = s
            .exchanges
            .iter()
            .enumerate()
            .filter(|(_, e)| {
                addressee(players, &e.url).is_some_and(|a| target.parts.contains(&a.part))
            })
            .collect();
        if driven.is_empty() {
            not_applicable.push(format!(
                "{}: no recorded exchange with the implementation",
                s.title()
            ));
            continue;
        }
        scenarios += 1;
        recorder.record(&Event::ScenarioStarted {
            feature: s.feature.clone(),
            scenario: s.scenario.clone(),
            line: s.line,
            tags: Vec::new(),
            example: s.example.clone(),
        })?;
        let mut replayed: Vec<Exchange> = Vec::new();
        let mut unrecorded_during: Vec<(usize, String)> = Vec::new();
        let mut faults = recording.faults_of(s).iter().peekable();
        let mut proxied: Vec<Part> = Vec::new();
        for (position, (recorded_index, e)) in driven.iter().enumerate() {
            // Restarts of the target that the recording injected before this exchange are
            // injected again: what the implementation forgets is part of its behaviour.
            while let Some(f) = faults.next_if(|f| f.after_exchanges <= *recorded_index) {
                let Some(part) = target.parts.iter().find(|p| p.name() == f.part) else {
                    continue;
                };
                // Restarts and faults on the proxied path are repeated; a pause (it only
                // makes the counterparts wait) is not.
                let repeated = if f.fault.starts_with("restart") {
                    Some(cast.restart(*part).await)
                } else {
                    crate::roles::proxy::Fault::from_words(&f.fault).map(|fault| {
                        proxied.push(*part);
                        cast.set_fault(*part, fault)
                    })
                };
                let Some(result) = repeated else { continue };
                recorder.record(&Event::FaultInjected {
                    scenario: s.scenario.clone(),
                    part: f.part.clone(),
                    fault: f.fault.clone(),
                })?;
                if let Err(why) = result {
                    unrecorded_during.push((
                        position,
                        format!(
                            "the recorded fault \"{}\" on {} could not be repeated: {why}",
                            f.fault, f.part
                        ),
                    ));
                }
                for x in sink.drain() {
                    recorder.record(&Event::HttpExchange {
                        scenario: s.scenario.clone(),
                        exchange: x,
                    })?;
                }
            }
            let url = addressee(players, &e.url)
                .and_then(|a| {
                    let now = replay_players.iter().find(|r| r.part == a.part)?;
                    Some(format!(
                        "{}{}",
                        now.base_url,
                        e.url.strip_prefix(a.base_url.as_str())?
                    ))
                })
                .unwrap_or_else(|| e.url.clone());
            let request = Request {
                method: e.method.clone(),
                url: url.clone(),
                headers: e
                    .request_headers
                    .iter()
                    .filter(|(k, _)| {
                        !matches!(
                            k.to_ascii_lowercase().as_str(),
                            "host" | "content-length" | "connection" | "transfer-encoding"
                        )
                    })
                    .map(|(k, v)| (k.clone(), v.clone()))
                    .collect(),
                body: e.request_body.clone().into_bytes(),
            };
            // A transport error is an answer too (recorded in the exchange): compared below.
            let _ = transport.send(&e.from, &e.to, request).await;
            let drained = sink.drain();
            let answer = drained
                .iter()
                .rev()
                .find(|x| x.url == url && x.method == e.method && x.from == e.from)
                .cloned()
                .unwrap_or_else(|| Exchange {
                    from: e.from.clone(),
                    to: e.to.clone(),
                    method: e.method.clone(),
                    url: url.clone(),
                    request_headers: e.request_headers.clone(),
                    request_body: e.request_body.clone(),
                    status: None,
                    response_headers: BTreeMap::new(),
                    response_body: String::new(),
                    error: Some("the transport recorded no exchange".into()),
                });
            for x in drained {
                recorder.record(&Event::HttpExchange {
                    scenario: s.scenario.clone(),
                    exchange: x,
                })?;
            }
            replayed.push(answer);
            // What the doubles could not answer while the target handled this request.
            for (_, _, d) in doubles {
                for u in std::mem::take(&mut *lock(&d.unrecorded)) {
                    unrecorded_during.push((
                        position,
                        format!("{u} (a request the recording does not hold)"),
                    ));
                }
            }
        }
        // Normalise both sides alike: the same placeholders for the same behaviour.
        let originals: Vec<Exchange> = driven.iter().map(|(_, e)| (*e).clone()).collect();
        let a = Normaliser::new(players).exchanges(&originals);
        let b = Normaliser::new(replay_players).exchanges(&replayed);
        let mut found = 0;
        for (position, ((recorded_index, _), (x, y))) in
            driven.iter().zip(a.iter().zip(&b)).enumerate()
        {
            let exchange = *recorded_index as u64 + 1;
            let request = format!(
                "{} {}",
                x["request"]["method"].as_str().unwrap_or("?"),
                x["request"]["url"].as_str().unwrap_or("?")
            );
            let mut diffs = differences(
                &strip_request(x),
                &strip_request(y),
                DIFFERENCES_PER_EXCHANGE,
            );
            for (_, u) in unrecorded_during.iter().filter(|(p, _)| *p == position) {
                diffs.push(crate::evidence::transcript::Difference {
                    path: "outgoing".into(),
                    recorded: None,
                    replayed: Some(Value::String(u.clone())),
                });
            }
            if diffs.is_empty() {
                continue;
            }
            found += diffs.len();
            let first = diffs[0].describe();
            let mut requirements: Vec<String> = Vec::new();
            for d in &diffs {
                let named = d.requirements();
                recorder.record(&Event::ReplayDiffered {
                    scenario: s.scenario.clone(),
                    exchange,
                    request: request.clone(),
                    path: d.path.clone(),
                    recorded: d.recorded.clone(),
                    replayed: d.replayed.clone(),
                    requirements: named.clone(),
                })?;
                for r in named {
                    if !requirements.contains(&r) {
                        requirements.push(r);
                    }
                }
            }
            recorder.record(&Event::CheckEvaluated {
                scenario: s.scenario.clone(),
                subject: target.parts.first().map(|p| p.name().to_owned()),
                requirement: REGRESS_SAME_ANSWER.id.to_owned(),
                level: REGRESS_SAME_ANSWER.level.as_str().to_owned(),
                section: REGRESS_SAME_ANSWER.section.to_owned(),
                expected: format!("exchange {exchange} ({request}) answered as recorded"),
                actual: if requirements.is_empty() {
                    format!("{} difference(s), first {first}", diffs.len())
                } else {
                    format!(
                        "{} difference(s), first {first}; requirements at stake: {}",
                        diffs.len(),
                        requirements.join(", ")
                    )
                },
                verdict: Verdict::Failed,
            })?;
        }
        // Faults are lifted when a scenario ends, as the recorded run's after-hook did.
        for part in proxied {
            let _ = cast.set_fault(part, crate::roles::proxy::Fault::None);
        }
        let scenario_verdict = if found == 0 {
            Verdict::Passed
        } else {
            Verdict::Failed
        };
        total += found;
        verdict = verdict.combine(scenario_verdict);
        recorder.record(&Event::ScenarioFinished {
            feature: s.feature.clone(),
            scenario: s.scenario.clone(),
            verdict: scenario_verdict,
        })?;
        recorder.sync()?;
    }
    Ok((verdict, scenarios, total, not_applicable))
}

/// An exchange without its request (identical on both sides by construction): the answer.
fn strip_request(v: &Value) -> Value {
    let mut v = v.clone();
    if let Value::Object(m) = &mut v {
        m.remove("request");
        m.remove("from");
        m.remove("to");
    }
    v
}
