//! Which implementations play together: the cells of a run. Without `--matrix` a run has
//! one cell, where each manifest plays the parts it claims and Accord's reference roles play
//! the rest. With `--matrix`, every issuer × wallet × verifier combination whose declared
//! capabilities meet is a cell, and each cell runs the scenarios its members can take part
//! in (a scenario that needs a flow or response mode a member does not declare is not
//! applicable there, and the cell says so). A manifest that cannot be read is a cell of its
//! own that is inconclusive with the manifest's problems; it never stops the other cells.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};
use std::sync::{Arc, LazyLock};

use regex::Regex;

use crate::events::Part;
use crate::run::cast::{Casting, REFERENCE};
use crate::run::manifest::{self, Manifest};

/// A manifest given to the run, read or not.
#[derive(Debug, Clone)]
pub struct Entry {
    pub path: PathBuf,
    pub manifest: Result<Arc<Manifest>, String>,
}

/// Reads every manifest; problems are kept, not raised.
pub fn load_all(paths: &[PathBuf]) -> Vec<Entry> {
    paths
        .iter()
        .map(|p| Entry {
            path: p.clone(),
            manifest: manifest::load(p).map(Arc::new).map_err(|e| e.to_string()),
        })
        .collect()
}

/// Why a cell of the matrix ran nothing although its members could work together.
pub const NO_SCENARIO: &str = "no scenario of the features needs this combination";

/// The roles that make the matrix's axes.
pub const AXES: [&str; 3] = ["issuer", "wallet", "verifier"];

/// One combination of implementations.
#[derive(Debug, Clone)]
pub struct Cell {
    /// `issuer × wallet × verifier` by implementation id (`accord-reference` where Accord
    /// plays the role).
    pub id: String,
    /// The implementation chosen on each axis (`None`: the reference roles, both
    /// jurisdictions).
    pub members: BTreeMap<&'static str, Option<Arc<Manifest>>>,
    pub castings: BTreeMap<Part, Casting>,
    /// Why the cell cannot run at all (capabilities that do not meet, a broken manifest).
    pub blocked: Option<Blocked>,
    /// Whether members must be the ones playing every part a scenario needs (matrix mode);
    /// otherwise reference roles stand in for parts no manifest claims.
    pub strict: bool,
    /// The roles whose member meets no other here: scenarios that involve that role alone
    /// (the harness playing every counterpart) run in this cell, the first that can run with
    /// the member, and in no other, so a matrix runs them once per implementation.
    pub solo: BTreeSet<&'static str>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Blocked {
    /// The members' declared capabilities do not meet: no scenario can run.
    NotCombinable(String),
    /// A manifest could not be read: the cell is inconclusive.
    BadManifest(String),
}

fn id_of(m: &Option<Arc<Manifest>>) -> String {
    m.as_ref()
        .map_or_else(|| REFERENCE.to_owned(), |m| m.id.get_ref().clone())
}

fn strings(v: &[toml::Spanned<String>]) -> BTreeSet<String> {
    v.iter().map(|s| s.get_ref().clone()).collect()
}

fn declared(
    m: &Option<Arc<Manifest>>,
    f: fn(&Manifest) -> &[toml::Spanned<String>],
) -> Option<BTreeSet<String>> {
    m.as_ref().map(|m| strings(f(m))).filter(|s| !s.is_empty())
}

fn formats(m: &Manifest) -> &[toml::Spanned<String>] {
    &m.capabilities.formats
}

fn prefixes(m: &Manifest) -> &[toml::Spanned<String>] {
    &m.capabilities.client_id_prefixes
}

/// Why the members of a cell cannot work together, if they cannot.
fn meets(members: &BTreeMap<&'static str, Option<Arc<Manifest>>>) -> Option<String> {
    let none = None;
    let member = |role: &str| members.get(role).unwrap_or(&none);
    let (i, w, v) = (member("issuer"), member("wallet"), member("verifier"));
    type Pick = fn(&Manifest) -> &[toml::Spanned<String>];
    type Member<'a> = &'a Option<Arc<Manifest>>;
    let pairs: [(Member<'_>, Member<'_>, Pick, &str); 3] = [
        (w, v, prefixes, "client identifier prefix"),
        (w, v, formats, "format"),
        (i, w, formats, "format"),
    ];
    for (a, b, pick, what) in pairs {
        if let (Some(x), Some(y)) = (declared(a, pick), declared(b, pick))
            && x.is_disjoint(&y)
        {
            return Some(format!(
                "no {what} in common: {} declares {}, {} declares {}",
                id_of(a),
                x.into_iter().collect::<Vec<_>>().join(", "),
                id_of(b),
                y.into_iter().collect::<Vec<_>>().join(", ")
            ));
        }
    }
    None
}

fn stem(path: &Path) -> String {
    path.file_stem().map_or_else(
        || path.display().to_string(),
        |s| s.to_string_lossy().into(),
    )
}

/// The cells of a run. `Err` is a usage error (two manifests claiming one part without
/// `--matrix`).
pub fn plan(entries: &[Entry], matrix: bool) -> Result<Vec<Cell>, String> {
    let mut cells = Vec::new();
    let mut good: Vec<(&Entry, Arc<Manifest>)> = Vec::new();
    for e in entries {
        match &e.manifest {
            Ok(m) if good.iter().any(|(_, g)| g.id.get_ref() == m.id.get_ref()) => {
                cells.push(Cell {
                    id: stem(&e.path),
                    members: BTreeMap::new(),
                    castings: BTreeMap::new(),
                    blocked: Some(Blocked::BadManifest(format!(
                        "{}: id {:?} is already used by another manifest of this run (ids name the cells)",
                        e.path.display(),
                        m.id.get_ref()
                    ))),
                    strict: matrix,
                    solo: BTreeSet::new(),
                });
            }
            Ok(m) => good.push((e, m.clone())),
            Err(problems) => cells.push(Cell {
                id: stem(&e.path),
                members: BTreeMap::new(),
                castings: BTreeMap::new(),
                blocked: Some(Blocked::BadManifest(problems.clone())),
                strict: matrix,
                solo: BTreeSet::new(),
            }),
        }
    }
    let casting = |e: &Entry, m: &Arc<Manifest>| Casting::Manifest {
        manifest: m.clone(),
        path: e.path.clone(),
    };
    // Hosts (status list, trust list) are infrastructure, never an axis: one each at most.
    let mut shared: BTreeMap<Part, Casting> = BTreeMap::new();
    for (e, m) in &good {
        for part in Part::played_by(m) {
            if matches!(part, Part::StatusList | Part::TrustList) {
                if shared.contains_key(&part) {
                    return Err(format!(
                        "{}: a second {} (one host of each kind per run)",
                        e.path.display(),
                        part.name()
                    ));
                }
                shared.insert(part, casting(e, m));
            }
        }
    }
    if !matrix {
        let mut castings = shared;
        let mut members: BTreeMap<&'static str, Option<Arc<Manifest>>> =
            AXES.iter().map(|a| (*a, None)).collect();
        for (e, m) in &good {
            for part in Part::played_by(m) {
                if matches!(part, Part::StatusList | Part::TrustList) {
                    continue;
                }
                if let Some(Casting::Manifest { path, .. }) = castings.get(&part) {
                    return Err(format!(
                        "{} and {} both play {}; run them side by side with --matrix",
                        path.display(),
                        e.path.display(),
                        part.name()
                    ));
                }
                castings.insert(part, casting(e, m));
                members.insert(part.role(), Some(m.clone()));
            }
        }
        if good.is_empty() && !cells.is_empty() {
            return Ok(cells);
        }
        // Every pair of implementations that meet in some scenario must be able to.
        let of_role = |role: &str| -> Vec<Option<Arc<Manifest>>> {
            let mut list: Vec<Option<Arc<Manifest>>> = Vec::new();
            for c in castings.values() {
                if let Casting::Manifest { manifest, .. } = c
                    && manifest.plays(role)
                    && !list.iter().flatten().any(|m| Arc::ptr_eq(m, manifest))
                {
                    list.push(Some(manifest.clone()));
                }
            }
            if list.is_empty() { vec![None] } else { list }
        };
        let mut blocked = None;
        for i in of_role("issuer") {
            for w in of_role("wallet") {
                for v in of_role("verifier") {
                    let combo = BTreeMap::from([
                        ("issuer", i.clone()),
                        ("wallet", w.clone()),
                        ("verifier", v),
                    ]);
                    blocked = blocked.or_else(|| meets(&combo).map(Blocked::NotCombinable));
                }
            }
        }
        // Every implementation of a role is named (an EU and a JP issuer, say).
        let id = AXES
            .iter()
            .map(|role| {
                let ids: BTreeSet<String> = castings
                    .iter()
                    .filter(|(p, _)| p.role() == *role)
                    .map(|(_, c)| c.implementation())
                    .collect();
                if ids.is_empty() {
                    REFERENCE.to_owned()
                } else {
                    ids.into_iter().collect::<Vec<_>>().join(" + ")
                }
            })
            .collect::<Vec<_>>()
            .join(" × ");
        cells.push(Cell {
            id,
            members,
            castings,
            blocked,
            strict: false,
            solo: AXES.iter().copied().collect(),
        });
        return Ok(cells);
    }
    let axis = |role: &str| -> Vec<Option<(PathBuf, Arc<Manifest>)>> {
        let list: Vec<Option<(PathBuf, Arc<Manifest>)>> = good
            .iter()
            .filter(|(_, m)| m.plays(role))
            .map(|(e, m)| Some((e.path.clone(), m.clone())))
            .collect();
        if list.is_empty() { vec![None] } else { list }
    };
    for i in axis("issuer") {
        for w in axis("wallet") {
            for v in axis("verifier") {
                let mut castings = shared.clone();
                let mut members = BTreeMap::new();
                for (role, chosen) in [("issuer", &i), ("wallet", &w), ("verifier", &v)] {
                    members.insert(role, chosen.as_ref().map(|(_, m)| m.clone()));
                    if let Some((path, m)) = chosen {
                        for part in Part::played_by(m) {
                            if part.role() == role {
                                castings.insert(
                                    part,
                                    Casting::Manifest {
                                        manifest: m.clone(),
                                        path: path.clone(),
                                    },
                                );
                            }
                        }
                    }
                }
                let blocked = meets(&members).map(Blocked::NotCombinable);
                cells.push(Cell {
                    id: cell_id(&members),
                    members,
                    castings,
                    blocked,
                    strict: true,
                    solo: BTreeSet::new(),
                });
            }
        }
    }
    // Each member's solo scenarios run in the first of its cells that is not blocked.
    for role in AXES {
        let mut seen: BTreeSet<String> = BTreeSet::new();
        for c in cells.iter_mut().filter(|c| c.blocked.is_none()) {
            let member = id_of(c.members.get(role).unwrap_or(&None));
            if seen.insert(member) {
                c.solo.insert(role);
            }
        }
    }
    Ok(cells)
}

fn cell_id(members: &BTreeMap<&'static str, Option<Arc<Manifest>>>) -> String {
    AXES.iter()
        .map(|a| id_of(members.get(a).unwrap_or(&None)))
        .collect::<Vec<_>>()
        .join(" × ")
}

/// What a scenario needs of the implementations, read from its steps: which parts it
/// involves, which issuance flows and response modes it uses.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Needs {
    pub parts: BTreeSet<Part>,
    /// Parts the scenario pauses, so they must run in containers.
    pub containers: BTreeSet<Part>,
    /// Parts the scenario restarts, so the harness must control their process.
    pub restarts: BTreeSet<Part>,
    /// Whether the scenario injects faults between the status-list host and the others
    /// (through the recording proxy, which fronts Accord's in-process host).
    pub status_faults: bool,
    pub flows: BTreeSet<&'static str>,
    pub response_modes: BTreeSet<String>,
    /// Credential formats beyond SD-JWT VC the scenario carries over the protocols
    /// (`jwt_vc_json`); every part must declare them.
    pub formats: BTreeSet<&'static str>,
}

static UNIVERSITY: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"\bthe (EU|JP) university\b").expect("valid regex"));
static VERIFIER: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"\bthe (EU|JP) verifier\b").expect("valid regex"));
static MODE: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r#"\bby "(direct_post(?:\.jwt)?)""#).expect("valid regex"));

/// The needs of a scenario; `None` for scenarios that involve no implementation: the
/// credential-level features, which drive the credential core in process and speak of a
/// holder, never of the wallet. Every flow over HTTP goes through the wallet.
pub fn needs(
    feature: &gherkin::Feature,
    rule: Option<&gherkin::Rule>,
    scenario: &gherkin::Scenario,
) -> Option<Needs> {
    let steps = || {
        feature
            .background
            .iter()
            .flat_map(|b| &b.steps)
            .chain(
                rule.into_iter()
                    .flat_map(|r| r.background.iter().flat_map(|b| &b.steps)),
            )
            .chain(&scenario.steps)
    };
    // The harness itself plays the wallet in the one-rule scenarios (`steps::rules`).
    // The trust-services scenarios hand a sealed document to a verifier (`steps::seals`).
    if !steps().any(|s| {
        s.value.contains("the wallet")
            || s.value.starts_with("the harness")
            || s.value.contains("verifier judges the")
    }) {
        return None;
    }
    let mut n = Needs::default();
    for step in steps() {
        let text = &step.value;
        if let Some(c) = UNIVERSITY.captures(text) {
            n.parts.insert(Part::issuer(&c[1]));
            if text.contains("to the wallet") {
                n.parts.insert(Part::Wallet);
                n.flows.insert(if text.contains("authorization code flow") {
                    "authorization_code"
                } else {
                    "pre_authorized_code"
                });
            }
        }
        if text.contains("by the pre-authorized code flow") {
            n.flows.insert("pre_authorized_code");
        }
        if let Some(c) = UNIVERSITY.captures(text) {
            if text.contains("issuer container is") {
                n.containers.insert(Part::issuer(&c[1]));
            }
            if text.contains("issuer restarts") {
                n.restarts.insert(Part::issuer(&c[1]));
            }
        }
        if text.starts_with("the status-list host ") {
            n.status_faults = true;
        }
        if let Some(c) = VERIFIER.captures(text) {
            n.parts.insert(Part::verifier(&c[1]));
        }
        if text.contains("the wallet") {
            n.parts.insert(Part::Wallet);
        }
        if let Some(c) = MODE.captures(text) {
            n.response_modes.insert(c[1].to_owned());
        }
        if text.contains("as jwt_vc_json") {
            n.formats.insert("jwt_vc_json");
        }
    }
    Some(n)
}

/// Whether `cell` runs a scenario with `needs` (`None`: it does not involve the cast), and
/// if not, why.
pub fn applicable(cell: &Cell, needs: Option<&Needs>) -> Result<(), String> {
    let Some(needs) = needs else {
        return if cell.strict {
            Err("involves no implementation under test (credential-level scenario)".into())
        } else {
            Ok(())
        };
    };
    let kind = |part: &Part| match cell.castings.get(part) {
        Some(c) => c.kind(),
        None => "builtin".to_owned(),
    };
    for part in &needs.containers {
        if !matches!(kind(part).as_str(), "container" | "compose") {
            return Err(format!(
                "pauses the {}, which does not run in a container here",
                part.name()
            ));
        }
    }
    for part in &needs.restarts {
        if kind(part) == "url" {
            return Err(format!(
                "restarts the {}, which runs at a URL the harness does not control",
                part.name()
            ));
        }
    }
    if needs.status_faults && kind(&Part::StatusList) != "builtin" {
        return Err(
            "injects faults on the status-list host, which only Accord's in-process host allows"
                .into(),
        );
    }
    let roles: BTreeSet<&str> = needs.parts.iter().map(|p| p.role()).collect();
    if let [role] = roles.iter().copied().collect::<Vec<_>>()[..]
        && cell.strict
        && !cell.solo.contains(role)
    {
        return Err(format!(
            "involves the {role} alone: it runs once per implementation, in the first cell with {}",
            id_of(cell.members.get(role).unwrap_or(&None))
        ));
    }
    for part in &needs.parts {
        let role = part.role();
        let member = cell.members.get(role).cloned().flatten();
        let playing = matches!(cell.castings.get(part), Some(Casting::Manifest { .. }));
        if cell.strict && member.is_some() && !playing {
            return Err(format!(
                "needs the {} {}, which {} does not play",
                part.jurisdiction().unwrap_or("").to_uppercase(),
                role,
                id_of(&member)
            ));
        }
        let Some(Casting::Manifest { manifest: m, .. }) = cell.castings.get(part) else {
            continue;
        };
        let caps = &m.capabilities;
        if matches!(role, "issuer" | "wallet") && !caps.flows.is_empty() {
            let have = strings(&caps.flows);
            if let Some(f) = needs.flows.iter().find(|f| !have.contains(**f)) {
                return Err(format!(
                    "uses the {f} flow, which {} does not declare",
                    m.id.get_ref()
                ));
            }
        }
        if !caps.formats.is_empty() {
            let have = strings(&caps.formats);
            if let Some(f) = needs.formats.iter().find(|f| !have.contains(**f)) {
                return Err(format!(
                    "carries {f} credentials, which {} does not declare",
                    m.id.get_ref()
                ));
            }
        }
        if matches!(role, "verifier" | "wallet") && !caps.response_modes.is_empty() {
            let have = strings(&caps.response_modes);
            if let Some(r) = needs.response_modes.iter().find(|r| !have.contains(*r)) {
                return Err(format!(
                    "uses response mode {r}, which {} does not declare",
                    m.id.get_ref()
                ));
            }
        }
    }
    Ok(())
}
