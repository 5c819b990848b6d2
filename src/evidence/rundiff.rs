//! Comparing two recorded runs (`accord diff`): which scenarios and requirements changed
//! verdict, and the first exchange that differs in each scenario after normalisation.
//!
//! Pure: two [`RunView`]s in, a [`RunDiff`] out. Scenarios are matched by feature, name and
//! occurrence (an outline's examples share a name), and by cell when both runs are matrices;
//! a single-cell run matches another whoever played, so a vendor's run compares with the
//! baseline recorded against another build.

use std::collections::BTreeMap;

use crate::events::Verdict;
use crate::evidence::transcript::{Difference, Normaliser, differences};
use crate::projections::{RunView, ScenarioView};

/// What differs in one scenario.
#[derive(Debug, Clone, PartialEq)]
pub struct ScenarioDiff {
    pub feature: String,
    pub scenario: String,
    /// `None` on the side where the scenario did not run.
    pub verdicts: (Option<Verdict>, Option<Verdict>),
    /// Requirement id, its level, and its verdict on each side (`None`: not checked there).
    pub requirements: Vec<(String, String, Option<Verdict>, Option<Verdict>)>,
    /// The first exchange that differs: its position (from 1), method and normalised URL,
    /// and the fields that differ.
    pub first_exchange: Option<(usize, String, Vec<Difference>)>,
}

/// Everything that differs between run A and run B.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct RunDiff {
    pub scenarios: Vec<ScenarioDiff>,
    /// Scenarios compared.
    pub compared: usize,
}

impl RunDiff {
    pub fn is_empty(&self) -> bool {
        self.scenarios.is_empty()
    }

    /// The report `accord diff` prints.
    pub fn render(&self, a: &str, b: &str) -> String {
        let mut out = String::new();
        if self.is_empty() {
            out.push_str(&format!(
                "runs {a} and {b}: no difference in {} scenario(s) (verdicts, requirements, normalised exchanges)\n",
                self.compared
            ));
            return out;
        }
        out.push_str(&format!(
            "runs {a} (A) and {b} (B): {} of {} scenario(s) differ\n",
            self.scenarios.len(),
            self.compared
        ));
        let word = |v: Option<Verdict>| v.map_or("(not run)", Verdict::as_str);
        for s in &self.scenarios {
            out.push_str(&format!("scenario \"{}\" ({})\n", s.scenario, s.feature));
            if s.verdicts.0 != s.verdicts.1 {
                out.push_str(&format!(
                    "  verdict: {} → {}\n",
                    word(s.verdicts.0),
                    word(s.verdicts.1)
                ));
            }
            for (id, level, x, y) in &s.requirements {
                out.push_str(&format!(
                    "  requirement {id} [{level}]: {} → {}\n",
                    word(*x),
                    word(*y)
                ));
            }
            if let Some((n, request, diffs)) = &s.first_exchange {
                out.push_str(&format!("  first differing exchange: {n} ({request})\n"));
                for d in diffs {
                    out.push_str(&format!("    {}\n", d.describe()));
                }
            }
        }
        out
    }
}

type Key = (String, String, String, usize);

fn keyed(view: &RunView, by_cell: bool) -> Vec<(Key, &ScenarioView)> {
    let mut seen: BTreeMap<(String, String, String), usize> = BTreeMap::new();
    view.scenarios
        .iter()
        .map(|s| {
            let cell = if by_cell {
                s.cell.clone().unwrap_or_default()
            } else {
                String::new()
            };
            // An outline row is matched by its values (its title), so runs that select
            // different rows still pair each row with itself; the count tells apart what
            // still shares a title (logs before format 9 recorded no values).
            let base = (cell, s.feature.clone(), s.title());
            let n = seen.entry(base.clone()).or_default();
            *n += 1;
            ((base.0, base.1, base.2, *n), s)
        })
        .collect()
}

fn players_of(view: &RunView, s: &ScenarioView) -> Vec<crate::events::PlayerRecord> {
    s.cell
        .as_ref()
        .and_then(|id| view.cells.iter().find(|c| &c.id == id))
        .map(|c| c.players.clone())
        .unwrap_or_default()
}

/// Per requirement id: its level and the scenario's verdict on it (the worst of its checks).
fn requirement_verdicts(s: &ScenarioView) -> BTreeMap<String, (String, Verdict)> {
    let mut out: BTreeMap<String, (String, Verdict)> = BTreeMap::new();
    for c in &s.checks {
        out.entry(c.requirement.clone())
            .and_modify(|(_, v)| *v = v.combine(c.verdict))
            .or_insert((c.level.clone(), c.verdict));
    }
    out
}

/// Compares run `a` with run `b`.
pub fn diff(a: &RunView, b: &RunView) -> RunDiff {
    let by_cell = a.cells.len() > 1 && b.cells.len() > 1;
    let left = keyed(a, by_cell);
    let right = keyed(b, by_cell);
    let mut keys: Vec<&Key> = left.iter().map(|(k, _)| k).collect();
    for (k, _) in &right {
        if !keys.contains(&k) {
            keys.push(k);
        }
    }
    let mut out = RunDiff {
        scenarios: Vec::new(),
        compared: keys.len(),
    };
    for key in keys {
        let x = left.iter().find(|(k, _)| k == key).map(|(_, s)| *s);
        let y = right.iter().find(|(k, _)| k == key).map(|(_, s)| *s);
        let mut d = ScenarioDiff {
            feature: key.1.clone(),
            scenario: key.2.clone(),
            verdicts: (x.and_then(|s| s.verdict), y.and_then(|s| s.verdict)),
            requirements: Vec::new(),
            first_exchange: None,
        };
        let (rx, ry) = (
            x.map(requirement_verdicts).unwrap_or_default(),
            y.map(requirement_verdicts).unwrap_or_default(),
        );
        let mut ids: Vec<&String> = rx.keys().chain(ry.keys()).collect();
        ids.sort();
        ids.dedup();
        for id in ids {
            let (vx, vy) = (rx.get(id), ry.get(id));
            if vx.map(|v| v.1) != vy.map(|v| v.1) {
                let level = vx.or(vy).map(|v| v.0.clone()).unwrap_or_default();
                d.requirements
                    .push((id.clone(), level, vx.map(|v| v.1), vy.map(|v| v.1)));
            }
        }
        if let (Some(x), Some(y)) = (x, y) {
            let ex = Normaliser::new(&players_of(a, x)).exchanges(&x.exchanges);
            let ey = Normaliser::new(&players_of(b, y)).exchanges(&y.exchanges);
            for i in 0..ex.len().max(ey.len()) {
                let (p, q) = (ex.get(i), ey.get(i));
                let diffs = match (p, q) {
                    (Some(p), Some(q)) => differences(p, q, 10),
                    _ => vec![Difference {
                        path: String::new(),
                        recorded: p.map(summary),
                        replayed: q.map(summary),
                    }],
                };
                if !diffs.is_empty() {
                    let shown = p.or(q).map(|v| {
                        format!(
                            "{} {}",
                            v["request"]["method"].as_str().unwrap_or("?"),
                            v["request"]["url"].as_str().unwrap_or("?")
                        )
                    });
                    d.first_exchange = Some((i + 1, shown.unwrap_or_default(), diffs));
                    break;
                }
            }
        }
        if d.verdicts.0 != d.verdicts.1 || !d.requirements.is_empty() || d.first_exchange.is_some()
        {
            out.scenarios.push(d);
        }
    }
    out
}

/// An exchange in one line, for "present on one side only".
fn summary(v: &serde_json::Value) -> serde_json::Value {
    serde_json::Value::String(format!(
        "{} {} → {}",
        v["request"]["method"].as_str().unwrap_or("?"),
        v["request"]["url"].as_str().unwrap_or("?"),
        v["response"]["status"]
            .as_u64()
            .map_or_else(|| "no response".to_owned(), |s| s.to_string())
    ))
}
