//! Run ids as people type them: the whole id, a unique prefix of it, or `latest` / `last`.
//!
//! Run ids are UUID v7 strings, too long to type. Every command that takes a run resolves
//! what it was given here, so they all accept the same things and refuse the same way:
//!
//! 1. an id of the store, exactly: that run (an exact match wins over everything below);
//! 2. `latest` or `last` (any case): the run that started most recently;
//! 3. otherwise a prefix, compared ignoring ASCII case: the one run whose id begins with it.
//!    A prefix that begins several ids is refused, naming them, never guessed; one that
//!    begins none is refused.
//!
//! A prefix that resolves today keeps resolving to the same run as runs are added: a new
//! run can only make it ambiguous (refused), never make it name another run.

use super::{EventStore, StoreError};

/// The words that stand for the most recently started run.
pub const LATEST_WORDS: [&str; 2] = ["latest", "last"];

/// How many of the matching ids an ambiguity error names.
const NAMED_CANDIDATES: usize = 5;

/// Why a run id given by a person names no single run.
#[derive(Debug, thiserror::Error)]
pub enum ResolveError {
    #[error("an empty run id")]
    Empty,
    #[error("no run `{0}`: no run id is or begins with it")]
    NoMatch(String),
    #[error("run id `{wanted}` is ambiguous: it begins {} runs ({}); give more of the id", matches.len(), name_some(matches))]
    Ambiguous {
        wanted: String,
        /// Every id it begins, in the store's order.
        matches: Vec<String>,
    },
    #[error("`{0}` stands for the most recently started run, and there is none")]
    NoRuns(String),
    #[error(transparent)]
    Store(#[from] StoreError),
}

/// The first few of `ids`, and how many more there are: how an ambiguity names its
/// candidates.
pub fn name_some(ids: &[String]) -> String {
    let mut text = ids
        .iter()
        .take(NAMED_CANDIDATES)
        .map(String::as_str)
        .collect::<Vec<_>>()
        .join(", ");
    if ids.len() > NAMED_CANDIDATES {
        text.push_str(&format!(" and {} more", ids.len() - NAMED_CANDIDATES));
    }
    text
}

fn is_latest_word(text: &str) -> bool {
    LATEST_WORDS.iter().any(|w| w.eq_ignore_ascii_case(text))
}

fn begins_with(id: &str, prefix: &str) -> bool {
    id.len() >= prefix.len()
        && id.is_char_boundary(prefix.len())
        && id[..prefix.len()].eq_ignore_ascii_case(prefix)
}

/// The run `wanted` names in `store` (see the module's rules).
pub fn resolve_run(store: &dyn EventStore, wanted: &str) -> Result<String, ResolveError> {
    if wanted.is_empty() {
        return Err(ResolveError::Empty);
    }
    let ids = store.list()?;
    if ids.iter().any(|id| id == wanted) {
        return Ok(wanted.to_owned());
    }
    if is_latest_word(wanted) {
        let started = ids
            .iter()
            .map(|id| Ok((id.clone(), store.started_at(id)?)))
            .collect::<Result<Vec<_>, StoreError>>()?;
        return in_start_order(started)
            .into_iter()
            .rev()
            .find_map(|(id, at)| at.map(|_| id))
            .ok_or_else(|| ResolveError::NoRuns(wanted.to_owned()));
    }
    let mut matches: Vec<String> = Vec::new();
    for id in ids {
        if begins_with(&id, wanted) && !matches.contains(&id) {
            matches.push(id);
        }
    }
    match matches.len() {
        0 => Err(ResolveError::NoMatch(wanted.to_owned())),
        1 => Ok(matches.remove(0)),
        _ => Err(ResolveError::Ambiguous {
            wanted: wanted.to_owned(),
            matches,
        }),
    }
}

/// Runs ordered by when they started (the time of their first event, RFC 3339 UTC with
/// milliseconds, which sorts as text), runs that started at the same instant in the order
/// given (the store's creation order). A run with no start to read (an empty or unreadable
/// log) keeps its place after the run it follows in the order given, so it is still shown
/// where it was created rather than gathered at one end.
pub fn in_start_order<T>(runs: Vec<(T, Option<String>)>) -> Vec<(T, Option<String>)> {
    let mut previous = String::new();
    let mut keyed: Vec<(String, (T, Option<String>))> = runs
        .into_iter()
        .map(|(run, at)| {
            if let Some(at) = &at {
                previous.clone_from(at);
            }
            (previous.clone(), (run, at))
        })
        .collect();
    // Stable: equal keys keep the order given.
    keyed.sort_by(|a, b| a.0.cmp(&b.0));
    keyed.into_iter().map(|(_, run)| run).collect()
}

/// For each of `ids`, in the same order, the shortest prefix of at least `min` characters
/// that [`resolve_run`] resolves to it among `ids` alone: longer where ids share a longer
/// beginning, the whole id where it begins another id (an exact match wins). A prefix is
/// never left ending in `-` (a UUID's group separator reads as a typo), nor is it one of
/// [`LATEST_WORDS`].
pub fn shortest_unique_prefixes(ids: &[String], min: usize) -> Vec<String> {
    let folded: Vec<Vec<char>> = ids
        .iter()
        .map(|id| id.chars().map(|c| c.to_ascii_lowercase()).collect())
        .collect();
    let mut order: Vec<usize> = (0..ids.len()).collect();
    order.sort_by(|&a, &b| folded[a].cmp(&folded[b]));
    let common = |a: usize, b: usize| {
        folded[a]
            .iter()
            .zip(&folded[b])
            .take_while(|(x, y)| x == y)
            .count()
    };
    let mut needed = vec![min; ids.len()];
    // In sorted order, the id sharing the longest beginning with an id is one of its two
    // neighbours; equal ids (after folding case) are neighbours too.
    for pair in order.windows(2) {
        let shared = common(pair[0], pair[1]) + 1;
        for &i in pair {
            needed[i] = needed[i].max(shared);
        }
    }
    ids.iter()
        .zip(needed)
        .map(|(id, n)| {
            let chars: Vec<char> = id.chars().collect();
            let mut n = n.min(chars.len());
            while n < chars.len() {
                let prefix: String = chars[..n].iter().collect();
                if chars[n - 1] == '-' || is_latest_word(&prefix) {
                    n += 1;
                } else {
                    break;
                }
            }
            chars[..n].iter().collect()
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;

    use super::*;
    use crate::entropy::FixedClock;
    use crate::events::Event;
    use crate::store::RunRecorder;
    use crate::store::memory::MemoryStore;

    /// A store holding `runs` (id, and the second it started at), created in that order.
    fn store(runs: &[(&str, i64)]) -> Arc<MemoryStore> {
        let store = Arc::new(MemoryStore::new());
        for (id, at) in runs {
            let mut r = RunRecorder::create(store.clone(), Arc::new(FixedClock(*at)), id).unwrap();
            r.record(&Event::HarnessFaulted {
                message: "a start".into(),
            })
            .unwrap();
        }
        store
    }

    const A: &str = "0190aaaa-1111-7000-8000-000000000001";
    const B: &str = "0190aaaa-1122-7000-8000-000000000002";
    const C: &str = "0190bbbb-0000-7000-8000-000000000003";

    fn abc() -> Arc<MemoryStore> {
        store(&[(A, 3_000), (B, 1_000), (C, 2_000)])
    }

    #[test]
    fn an_exact_id_resolves_to_itself() {
        let s = abc();
        assert_eq!(resolve_run(s.as_ref(), B).unwrap(), B);
    }

    #[test]
    fn an_exact_id_wins_over_a_longer_id_it_begins() {
        let s = store(&[("run-a", 1), ("run-ab", 2)]);
        assert_eq!(resolve_run(s.as_ref(), "run-a").unwrap(), "run-a");
        assert_eq!(resolve_run(s.as_ref(), "run-ab").unwrap(), "run-ab");
    }

    #[test]
    fn a_unique_prefix_resolves_in_any_case() {
        let s = abc();
        assert_eq!(resolve_run(s.as_ref(), "0190b").unwrap(), C);
        assert_eq!(resolve_run(s.as_ref(), "0190aaaa-111").unwrap(), A);
        assert_eq!(resolve_run(s.as_ref(), "0190AAAA-112").unwrap(), B);
    }

    #[test]
    fn an_ambiguous_prefix_is_refused_naming_the_candidates() {
        let s = abc();
        let err = resolve_run(s.as_ref(), "0190aaaa").unwrap_err();
        let ResolveError::Ambiguous { matches, .. } = &err else {
            panic!("{err}");
        };
        assert_eq!(matches, &[A.to_owned(), B.to_owned()]);
        let text = err.to_string();
        assert!(
            text.contains(A) && text.contains(B) && !text.contains(C),
            "{text}"
        );
        assert!(text.contains("2 runs"), "{text}");
    }

    #[test]
    fn an_ambiguity_names_a_few_candidates_and_counts_the_rest() {
        let ids: Vec<String> = (0..8).map(|i| format!("run-{i}")).collect();
        let runs: Vec<(&str, i64)> = ids.iter().map(|i| (i.as_str(), 1)).collect();
        let err = resolve_run(store(&runs).as_ref(), "run-").unwrap_err();
        let text = err.to_string();
        assert!(text.contains("run-4") && !text.contains("run-5"), "{text}");
        assert!(
            text.contains("8 runs") && text.contains("and 3 more"),
            "{text}"
        );
    }

    #[test]
    fn an_id_that_matches_nothing_is_refused() {
        let s = abc();
        assert!(matches!(
            resolve_run(s.as_ref(), "0191"),
            Err(ResolveError::NoMatch(w)) if w == "0191"
        ));
        // A longer string that an id begins is not a prefix of it.
        assert!(matches!(
            resolve_run(s.as_ref(), &format!("{C}0")),
            Err(ResolveError::NoMatch(_))
        ));
        assert!(matches!(
            resolve_run(s.as_ref(), ""),
            Err(ResolveError::Empty)
        ));
        assert!(matches!(
            resolve_run(&MemoryStore::new(), "0190"),
            Err(ResolveError::NoMatch(_))
        ));
    }

    #[test]
    fn latest_is_the_run_that_started_last() {
        let s = abc();
        for word in ["latest", "last", "LATEST"] {
            assert_eq!(resolve_run(s.as_ref(), word).unwrap(), A, "{word}");
        }
        // Started at the same instant: the one created last.
        let s = store(&[("run-x", 5), ("run-y", 5)]);
        assert_eq!(resolve_run(s.as_ref(), "latest").unwrap(), "run-y");
        assert!(matches!(
            resolve_run(&MemoryStore::new(), "last"),
            Err(ResolveError::NoRuns(_))
        ));
    }

    #[test]
    fn a_run_with_the_name_latest_is_still_found_by_it() {
        let s = store(&[("latest", 1), ("other", 2)]);
        assert_eq!(resolve_run(s.as_ref(), "latest").unwrap(), "latest");
        assert_eq!(resolve_run(s.as_ref(), "last").unwrap(), "other");
    }

    #[test]
    fn a_run_with_no_start_is_never_latest_and_keeps_its_place() {
        let s = store(&[("run-a", 9)]);
        s.create_run("run-empty").unwrap();
        assert_eq!(resolve_run(s.as_ref(), "latest").unwrap(), "run-a");
        let order = in_start_order(vec![
            ("b", Some("2026-01-02T00:00:00.000Z".to_owned())),
            ("none", None),
            ("a", Some("2026-01-01T00:00:00.000Z".to_owned())),
            ("c", Some("2026-01-02T00:00:00.000Z".to_owned())),
        ]);
        let names: Vec<&str> = order.iter().map(|(n, _)| *n).collect();
        assert_eq!(names, ["a", "b", "none", "c"]);
    }

    #[test]
    fn shortest_prefixes_are_unique_and_resolve_back() {
        let ids: Vec<String> = [A, B, C, "run-a", "run-ab", "Run-Ab", "latest-run-x"]
            .iter()
            .map(|s| (*s).to_owned())
            .collect();
        let short = shortest_unique_prefixes(&ids, 8);
        assert_eq!(short[0], "0190aaaa-111");
        assert_eq!(short[1], "0190aaaa-112");
        // Eight characters where they are enough.
        assert_eq!(short[2], "0190bbbb");
        // Shorter than 8: the whole id; an id that begins another, or differs only in case
        // from one, is shown whole.
        assert_eq!(short[3], "run-a");
        assert_eq!(short[4], "run-ab");
        assert_eq!(short[5], "Run-Ab");
        assert_eq!(short[6], "latest-r");
        let runs: Vec<(&str, i64)> = ids[..5].iter().map(|i| (i.as_str(), 1)).collect();
        let s = store(&runs);
        for (id, p) in ids[..5].iter().zip(&short) {
            assert_eq!(&resolve_run(s.as_ref(), p).unwrap(), id, "{p}");
        }
    }

    #[test]
    fn a_prefix_that_would_end_in_a_separator_is_lengthened() {
        let ids = vec![
            "0190aaaa-1111".to_owned(),
            "0190aaab-2222".to_owned(),
            "0190aaab-3333".to_owned(),
        ];
        let short = shortest_unique_prefixes(&ids, 8);
        assert_eq!(short, ["0190aaaa", "0190aaab-2", "0190aaab-3"]);
        // Nine characters would end in the separator: ten are shown.
        assert_eq!(shortest_unique_prefixes(&ids[..1], 9), ["0190aaaa-1"]);
    }
}
