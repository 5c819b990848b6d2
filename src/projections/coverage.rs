//! Requirement coverage: which requirements a run exercised, and for each implementation
//! which of the requirements binding its roles passed, failed, were not implemented or
//! were never reached; and, for a certification profile, whether each implementation in
//! the profile's role meets it.
//!
//! Pure, like every projection: a check is credited to the implementation that played its
//! `subject` part in the cell its scenario ran in. A requirement no check named is listed as
//! not reached, never left out.

use std::collections::BTreeMap;

use serde::Serialize;

use super::{RunView, ScenarioView};
use crate::certification::{self, Profile};
use crate::events::Verdict;
use crate::requirements::catalogue::ALL;
use crate::requirements::{Level, Requirement, Role, Spec};

/// Where a requirement stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Status {
    /// At least one check failed.
    Failed,
    /// The implementation answered that it does not support what the check needed, and no
    /// check of it failed.
    NotImplemented,
    /// Exercised, and every check passed.
    Passed,
    /// No check named it.
    NotReached,
}

impl Status {
    pub fn as_str(self) -> &'static str {
        match self {
            Status::Failed => "failed",
            Status::NotImplemented => "not implemented",
            Status::Passed => "passed",
            Status::NotReached => "not reached",
        }
    }

    /// A check was evaluated (passed or failed).
    pub fn exercised(self) -> bool {
        matches!(self, Status::Passed | Status::Failed)
    }

    fn of(verdicts: &[Verdict]) -> Status {
        if verdicts.contains(&Verdict::Failed) {
            Status::Failed
        } else if verdicts.contains(&Verdict::Passed) {
            Status::Passed
        } else if verdicts.contains(&Verdict::NotImplemented) {
            Status::NotImplemented
        } else {
            Status::NotReached
        }
    }
}

/// One requirement as a coverage table shows it.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Row {
    pub requirement: &'static str,
    pub spec: Spec,
    pub section: &'static str,
    pub level: Level,
    pub status: Status,
    /// Checks that named it.
    pub checks: usize,
    /// The first failed check: scenario, what was expected and what was seen.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub failure: Option<FailureRef>,
}

/// Where a requirement failed, so a report can link to the evidence.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct FailureRef {
    /// Index into `RunView.scenarios`.
    pub scenario: usize,
    pub expected: String,
    pub actual: String,
}

/// Counts of rows by status, MUST requirements apart.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct Tally {
    pub requirements: usize,
    pub must: usize,
    pub exercised: usize,
    pub must_exercised: usize,
    pub passed: usize,
    pub failed: usize,
    pub must_failed: usize,
    pub not_implemented: usize,
    pub not_reached: usize,
}

impl Tally {
    fn of(rows: &[Row]) -> Tally {
        let mut t = Tally::default();
        for r in rows {
            let must = r.level == Level::Must;
            t.requirements += 1;
            t.must += usize::from(must);
            if r.status.exercised() {
                t.exercised += 1;
                t.must_exercised += usize::from(must);
            }
            match r.status {
                Status::Passed => t.passed += 1,
                Status::Failed => {
                    t.failed += 1;
                    t.must_failed += usize::from(must);
                }
                Status::NotImplemented => t.not_implemented += 1,
                Status::NotReached => t.not_reached += 1,
            }
        }
        t
    }
}

/// One implementation's coverage: the requirements binding the roles it played.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ImplementationCoverage {
    pub implementation: String,
    pub roles: Vec<Role>,
    pub parts: Vec<String>,
    /// Variant parameters it ran with (from its manifest).
    pub options: BTreeMap<String, String>,
    /// Hex SHA-256 of its manifest, when it was read from one.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub manifest_sha256: Option<String>,
    /// The image it ran (name and engine id), for a container.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub image: Option<String>,
    pub tally: Tally,
    pub rows: Vec<Row>,
}

/// Coverage of one spec across the run, for the published summary.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct SpecCoverage {
    pub spec: Spec,
    pub title: &'static str,
    pub tally: Tally,
}

/// Whether an implementation meets a certification profile.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum CertificationVerdict {
    /// Every scenario the profile needs ran and passed, every requirement was met.
    Meets,
    /// A scenario or a requirement of the profile failed.
    DoesNotMeet,
    /// Nothing failed, but something the profile needs was not run, not reached or not
    /// implemented: no claim either way.
    Incomplete,
}

impl CertificationVerdict {
    pub fn as_str(self) -> &'static str {
        match self {
            CertificationVerdict::Meets => "meets the profile",
            CertificationVerdict::DoesNotMeet => "does not meet the profile",
            CertificationVerdict::Incomplete => "incomplete",
        }
    }
}

/// A scenario a profile needs, as the implementation went through it.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct NeededScenario {
    /// The part the implementation played in it.
    pub part: &'static str,
    pub scenario: &'static str,
    /// Its verdicts combined over the cells where the implementation played `part` (an
    /// outline has one per example); `None` when it never ran there.
    pub verdict: Option<Verdict>,
    pub runs: usize,
}

/// One implementation judged against the run's profile.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Certification {
    pub profile: &'static str,
    pub implementation: String,
    /// The parts of the profile's role it played, and was judged as.
    pub parts: Vec<&'static str>,
    pub verdict: CertificationVerdict,
    pub options: BTreeMap<String, String>,
    pub scenarios: Vec<NeededScenario>,
    pub requirements: Vec<Row>,
}

/// Why a requirement the run exercised counts in no implementation's tally.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Uncredited {
    /// Every check that passed or failed on it judged no player's answer: Accord's own checks
    /// of what its credential core built.
    OwnChecks,
    /// The checks judged players whose roles it does not bind (or that played only a
    /// status-list or trust-list host), so no implementation's table lists it as exercised.
    RolesNotBound,
}

impl Uncredited {
    pub fn as_str(self) -> &'static str {
        match self {
            Uncredited::OwnChecks => "only Accord's own checks, which judge no implementation",
            Uncredited::RolesNotBound => {
                "only checks of players whose roles the requirement does not bind"
            }
        }
    }
}

/// A requirement exercised run-wide that no implementation is credited with: what makes the
/// run-wide counts differ from the per-implementation ones.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct UncreditedRow {
    pub requirement: &'static str,
    pub level: Level,
    pub status: Status,
    pub why: Uncredited,
}

/// Everything the coverage section of a report shows.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Coverage {
    pub run: String,
    pub profile: Option<String>,
    /// Every catalogue requirement, judged over every check of the run (Accord's own core
    /// included).
    pub requirements: Vec<Row>,
    pub tally: Tally,
    pub by_spec: Vec<SpecCoverage>,
    pub implementations: Vec<ImplementationCoverage>,
    /// Exercised run-wide, exercised in no implementation's rows: the run-wide exercised
    /// requirements are exactly these and those some implementation is credited with.
    pub uncredited: Vec<UncreditedRow>,
    pub certifications: Vec<Certification>,
}

/// The role a part's player takes; status-list and trust-list hosts are infrastructure,
/// not certified roles.
fn role_of(part: crate::events::Part) -> Option<Role> {
    Role::parse(part.role())
}

/// A check as coverage sees it: which scenario, which implementation it judged.
struct Judged<'a> {
    scenario: usize,
    implementation: Option<&'a str>,
    check: &'a super::CheckView,
}

fn judged(v: &RunView) -> Vec<Judged<'_>> {
    let mut out = Vec::new();
    for (i, s) in v.scenarios.iter().enumerate() {
        for c in &s.checks {
            out.push(Judged {
                scenario: i,
                implementation: implementation_of(v, s, c.subject.as_deref()),
                check: c,
            });
        }
    }
    out
}

fn implementation_of<'a>(
    v: &'a RunView,
    s: &ScenarioView,
    subject: Option<&str>,
) -> Option<&'a str> {
    let subject = subject?;
    let cell = v.cells.iter().find(|c| Some(&c.id) == s.cell.as_ref())?;
    cell.players
        .iter()
        .find(|p| p.part.name() == subject)
        .map(|p| p.implementation.as_str())
}

fn row(r: &'static Requirement, checks: &[&Judged<'_>]) -> Row {
    let mine: Vec<&&Judged<'_>> = checks
        .iter()
        .filter(|j| j.check.requirement == r.id)
        .collect();
    let verdicts: Vec<Verdict> = mine.iter().map(|j| j.check.verdict).collect();
    let failure = mine
        .iter()
        .find(|j| j.check.verdict == Verdict::Failed)
        .map(|j| FailureRef {
            scenario: j.scenario,
            expected: j.check.expected.clone(),
            actual: j.check.actual.clone(),
        });
    Row {
        requirement: r.id,
        spec: r.spec,
        section: r.section,
        level: r.level,
        status: Status::of(&verdicts),
        checks: mine.len(),
        failure,
    }
}

/// The coverage of a run, judged against `profile` (or the one the run recorded).
pub fn coverage(v: &RunView, profile: Option<&'static Profile>) -> Coverage {
    let profile = profile.or_else(|| v.profile.as_deref().and_then(certification::find));
    let all = judged(v);
    let every: Vec<&Judged<'_>> = all.iter().collect();
    let requirements: Vec<Row> = ALL.iter().map(|r| row(r, &every)).collect();
    let by_spec = Spec::ALL
        .iter()
        .map(|spec| {
            let rows: Vec<Row> = requirements
                .iter()
                .filter(|r| r.spec == *spec)
                .cloned()
                .collect();
            SpecCoverage {
                spec: *spec,
                title: spec.title(),
                tally: Tally::of(&rows),
            }
        })
        .filter(|s| s.tally.requirements > 0)
        .collect();

    // Implementations in order of first appearance; the same implementation may play
    // several parts and cells.
    let mut implementations: Vec<ImplementationCoverage> = Vec::new();
    for cell in &v.cells {
        for p in &cell.players {
            let Some(role) = role_of(p.part) else {
                continue;
            };
            let entry = match implementations
                .iter_mut()
                .position(|i| i.implementation == p.implementation)
            {
                Some(i) => &mut implementations[i],
                None => {
                    implementations.push(ImplementationCoverage {
                        implementation: p.implementation.clone(),
                        roles: Vec::new(),
                        parts: Vec::new(),
                        options: p.options.clone(),
                        manifest_sha256: p.manifest.as_ref().map(|m| m.sha256.clone()),
                        image: p.image.as_ref().map(|i| format!("{} ({})", i.name, i.id)),
                        tally: Tally::default(),
                        rows: Vec::new(),
                    });
                    implementations.last_mut().expect("just pushed")
                }
            };
            if !entry.roles.contains(&role) {
                entry.roles.push(role);
            }
            let part = p.part.name().to_owned();
            if !entry.parts.contains(&part) {
                entry.parts.push(part);
            }
        }
    }
    for i in &mut implementations {
        i.roles.sort();
        let mine: Vec<&Judged<'_>> = all
            .iter()
            .filter(|j| j.implementation == Some(i.implementation.as_str()))
            .collect();
        i.rows = ALL
            .iter()
            .filter(|r| r.applies_to.iter().any(|role| i.roles.contains(role)))
            .map(|r| row(r, &mine))
            .collect();
        i.tally = Tally::of(&i.rows);
    }

    let uncredited = uncredited(&requirements, &implementations, &all);
    let certifications = profile
        .map(|p| {
            implementations
                .iter()
                .filter(|i| i.roles.contains(&p.role))
                .map(|i| certify(v, p, i, &all))
                .collect()
        })
        .unwrap_or_default();
    Coverage {
        run: v.id.clone(),
        profile: profile.map(|p| p.id.to_owned()),
        tally: Tally::of(&requirements),
        requirements,
        by_spec,
        implementations,
        uncredited,
        certifications,
    }
}

/// The requirements some check passed or failed on that no implementation's rows show as
/// exercised, each with the reason.
fn uncredited(
    requirements: &[Row],
    implementations: &[ImplementationCoverage],
    all: &[Judged<'_>],
) -> Vec<UncreditedRow> {
    let credited: std::collections::BTreeSet<&str> = implementations
        .iter()
        .flat_map(|i| i.rows.iter())
        .filter(|r| r.status.exercised())
        .map(|r| r.requirement)
        .collect();
    requirements
        .iter()
        .filter(|r| r.status.exercised() && !credited.contains(r.requirement))
        .map(|r| {
            let own = all
                .iter()
                .filter(|j| j.check.requirement == r.requirement)
                .filter(|j| matches!(j.check.verdict, Verdict::Passed | Verdict::Failed))
                .all(|j| j.implementation.is_none());
            UncreditedRow {
                requirement: r.requirement,
                level: r.level,
                status: r.status,
                why: if own {
                    Uncredited::OwnChecks
                } else {
                    Uncredited::RolesNotBound
                },
            }
        })
        .collect()
}

/// Judges one implementation against a profile, for each part of the profile it played:
/// the part's scenarios in the cells where it played that part, and the part's requirements
/// over the checks that judged it there.
fn certify(
    v: &RunView,
    p: &'static Profile,
    i: &ImplementationCoverage,
    all: &[Judged<'_>],
) -> Certification {
    let mut scenarios = Vec::new();
    let mut requirements: Vec<Row> = Vec::new();
    let mut parts = Vec::new();
    for needs in p.parts {
        let cells: Vec<&str> = v
            .cells
            .iter()
            .filter(|c| {
                c.players
                    .iter()
                    .any(|pl| pl.implementation == i.implementation && pl.part.name() == needs.part)
            })
            .map(|c| c.id.as_str())
            .collect();
        if cells.is_empty() {
            continue;
        }
        parts.push(needs.part);
        for name in needs.scenarios {
            let runs: Vec<Verdict> = v
                .scenarios
                .iter()
                .filter(|s| s.scenario == *name)
                .filter(|s| s.cell.as_deref().is_some_and(|c| cells.contains(&c)))
                .map(|s| as_seen_by(s, needs.part))
                .collect();
            scenarios.push(NeededScenario {
                part: needs.part,
                scenario: name,
                verdict: combine_runs(&runs),
                runs: runs.len(),
            });
        }
        let judged: Vec<&Judged<'_>> = all
            .iter()
            .filter(|j| j.implementation == Some(i.implementation.as_str()))
            .filter(|j| j.check.subject.as_deref() == Some(needs.part))
            .collect();
        for id in needs.requirements() {
            if let Some(r) = ALL.iter().find(|r| r.id == id) {
                requirements.push(row(r, &judged));
            }
        }
    }
    let failed = scenarios.iter().any(|s| s.verdict == Some(Verdict::Failed))
        || requirements.iter().any(|r| r.status == Status::Failed);
    let complete = !parts.is_empty()
        && scenarios.iter().all(|s| s.verdict == Some(Verdict::Passed))
        && requirements.iter().all(|r| r.status == Status::Passed);
    let verdict = if failed {
        CertificationVerdict::DoesNotMeet
    } else if complete {
        CertificationVerdict::Meets
    } else {
        CertificationVerdict::Incomplete
    };
    Certification {
        profile: p.id,
        implementation: i.implementation.clone(),
        parts,
        verdict,
        options: i.options.clone(),
        scenarios,
        requirements,
    }
}

/// A scenario's verdict as it bears on the player of `part`: a failure or a "not
/// implemented" counts against it only when a check of its own answers says so; one caused
/// by another player proves nothing either way about it (inconclusive).
fn as_seen_by(s: &ScenarioView, part: &str) -> Verdict {
    let own = |verdict: Verdict| {
        s.checks
            .iter()
            .any(|c| c.verdict == verdict && c.subject.as_deref() == Some(part))
    };
    match s.verdict {
        Some(Verdict::Passed) => Verdict::Passed,
        Some(Verdict::Failed) if own(Verdict::Failed) => Verdict::Failed,
        Some(Verdict::NotImplemented) if own(Verdict::NotImplemented) => Verdict::NotImplemented,
        _ => Verdict::Inconclusive,
    }
}

/// The verdict of every run of a scenario (the examples of an outline, several cells): any
/// failure fails it, it passes only if every run passed.
fn combine_runs(runs: &[Verdict]) -> Option<Verdict> {
    if runs.is_empty() {
        None
    } else if runs.contains(&Verdict::Failed) {
        Some(Verdict::Failed)
    } else if runs.iter().all(|r| *r == Verdict::Passed) {
        Some(Verdict::Passed)
    } else if runs.contains(&Verdict::NotImplemented) {
        Some(Verdict::NotImplemented)
    } else {
        Some(Verdict::Inconclusive)
    }
}

/// The coverage as pretty JSON (`accord report RUN --format coverage`).
pub fn coverage_json(v: &RunView) -> String {
    let mut s = serde_json::to_string_pretty(&coverage(v, None)).unwrap_or_default();
    s.push('\n');
    s
}
