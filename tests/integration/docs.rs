//! The README and the pages under docs/ against the code they describe: the counts and the
//! log format they state, the flags of every command they show, the files they link to, the
//! README's length, and the credential CLI's worked example, run as written. When the code
//! changes and the docs do not follow, these fail, naming the page, the line and what to
//! write. Nothing here records a run, so they stay fast.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};
use std::process::Command;

use clap::CommandFactory as _;
use cucumber::feature::Ext as _;
use regex::Regex;
use serde_json::Value;

use crate::support::{repo, text};

/// The README at most this long: it must fit on a screen or two; the rest is in docs/.
const README_LINES: usize = 200;

/// A Markdown page: its path from the repository root, and its text.
struct Page {
    path: PathBuf,
    text: String,
}

impl Page {
    /// Where a line of the page is, for a message: `docs/runs.md:12`.
    fn at(&self, line: usize) -> String {
        format!("{}:{line}", self.path.display())
    }
}

/// README.md and every `docs/*.md`, in that order.
fn pages() -> Vec<Page> {
    let mut paths: Vec<PathBuf> = std::fs::read_dir(repo().join("docs"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|x| x == "md"))
        .map(|p| Path::new("docs").join(p.file_name().unwrap()))
        .collect();
    paths.sort();
    paths.insert(0, PathBuf::from("README.md"));
    paths
        .into_iter()
        .map(|path| {
            let text = std::fs::read_to_string(repo().join(&path))
                .unwrap_or_else(|e| panic!("{}: {e}", path.display()));
            Page { path, text }
        })
        .collect()
}

/// A page's lines (numbered from 1), each marked whether it is inside a fenced code block.
/// Fence lines themselves are left out.
fn lines(page: &Page) -> Vec<(usize, bool, &str)> {
    let mut fenced = false;
    let mut out = Vec::new();
    for (i, line) in page.text.lines().enumerate() {
        if line.trim_start().starts_with("```") {
            fenced = !fenced;
            continue;
        }
        out.push((i + 1, fenced, line));
    }
    out
}

/// The page's prose (no fenced blocks) as paragraphs, each with its first line, lines joined
/// by spaces so an inline code span broken across lines reads whole.
fn paragraphs(page: &Page) -> Vec<(usize, String)> {
    let mut out: Vec<(usize, String)> = Vec::new();
    let mut open = false;
    for (n, fenced, line) in lines(page) {
        if fenced || line.trim().is_empty() {
            open = false;
            continue;
        }
        match out.last_mut() {
            Some((_, text)) if open => {
                text.push(' ');
                text.push_str(line.trim());
            }
            _ => out.push((n, line.trim().to_owned())),
        }
        open = true;
    }
    out
}

// ---------------------------------------------------------------------------------------
// (a) What the docs state as today's numbers

/// Scenarios of `features/` as a run counts them: each row of an outline's examples is one.
fn scenario_count() -> usize {
    let features = accord::run::features::load(&repo().join("features")).unwrap();
    features
        .into_iter()
        .map(|f| {
            let f = f.expand_examples().unwrap();
            f.scenarios.len() + f.rules.iter().map(|r| r.scenarios.len()).sum::<usize>()
        })
        .sum()
}

/// Today's counts are written in bold (`**124 scenarios**`, `**120 requirements**`), so a
/// dated figure (a benchmark's "30 scenarios on that date") is not mistaken for one. The log's
/// format is today's wherever it is called "format version N" (docs/evidence.md's "log format
/// 8" says which version brought checkpoints, and stays true).
#[test]
fn the_docs_state_the_counts_and_the_log_format_the_code_has() {
    let pages = pages();
    let facts = [
        (
            r"\*\*([0-9][0-9,]*) scenarios\*\*",
            scenario_count(),
            "scenarios in features/ (each example row of an outline counted)",
        ),
        (
            r"\*\*([0-9][0-9,]*) requirements\*\*",
            accord::requirements::catalogue::ALL.len(),
            "requirements in the catalogue",
        ),
        (
            r"format version \**([0-9]+)",
            usize::try_from(accord::events::FORMAT_VERSION).unwrap(),
            "as the event log's format version (accord::events::FORMAT_VERSION)",
        ),
    ];
    let mut problems = Vec::new();
    for (pattern, actual, what) in facts {
        let re = Regex::new(pattern).unwrap();
        let mut stated = 0;
        for page in &pages {
            for (n, line) in page.text.lines().enumerate() {
                for c in re.captures_iter(line) {
                    stated += 1;
                    let said: usize = c[1].replace(',', "").parse().unwrap();
                    if said != actual {
                        problems.push(format!(
                            "{}: says {said} {what}; the code has {actual}",
                            page.at(n + 1)
                        ));
                    }
                }
            }
        }
        if stated == 0 {
            problems.push(format!(
                "no page states the {what} (matching `{pattern}`); docs/runs.md should: {actual}"
            ));
        }
    }
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}

// ---------------------------------------------------------------------------------------
// (b) Every flag the docs show exists, and every flag that exists is shown

/// An `accord` command the docs show: where, whether in a code block, and its words after
/// the program name.
struct Shown {
    at: String,
    fenced: bool,
    words: Vec<String>,
}

/// The words of `text` after the program, when it is a command of Accord's: `accord …`,
/// `target/debug/accord …` or `cargo run -- …`.
fn accord_words(text: &str) -> Option<Vec<String>> {
    let words: Vec<&str> = text.split_whitespace().collect();
    let words = words.strip_prefix(&["$"]).unwrap_or(&words);
    let rest = match words {
        [program, rest @ ..] if *program == "accord" || program.ends_with("/accord") => rest,
        ["cargo", "run", "--", rest @ ..] => rest,
        _ => return None,
    };
    Some(rest.iter().map(|w| (*w).to_owned()).collect())
}

/// A code line without its shell comment.
fn without_comment(line: &str) -> &str {
    if line.trim_start().starts_with('#') {
        return "";
    }
    line.find(" #").map_or(line, |i| &line[..i])
}

/// Every `accord` command of a page: in code blocks (a command goes on over a line ending in
/// `\` and over indented lines that begin with `[`, `(` or `-`, as the usage summaries are
/// written; `&&` starts another) and in inline code spans of the prose.
fn shown_commands(page: &Page) -> Vec<Shown> {
    let mut shown: Vec<Shown> = Vec::new();
    let mut open = false;
    let mut continued = false;
    for (n, fenced, line) in lines(page) {
        if !fenced {
            open = false;
            continued = false;
            continue;
        }
        let code = without_comment(line);
        let goes_on = continued
            || (line.starts_with(char::is_whitespace)
                && matches!(code.trim_start().chars().next(), Some('[' | '(' | '-')));
        continued = code.trim_end().ends_with('\\');
        let code = code.trim_end().trim_end_matches('\\');
        if goes_on
            && open
            && let Some(last) = shown.last_mut()
        {
            last.words
                .extend(code.split_whitespace().map(str::to_owned));
            continue;
        }
        open = false;
        for part in code.split("&&") {
            if let Some(words) = accord_words(part) {
                shown.push(Shown {
                    at: page.at(n),
                    fenced: true,
                    words,
                });
                open = true;
            } else {
                open = false;
            }
        }
    }
    let span = Regex::new(r"`([^`]+)`").unwrap();
    for (n, paragraph) in paragraphs(page) {
        for c in span.captures_iter(&paragraph) {
            if let Some(words) = accord_words(&c[1]) {
                shown.push(Shown {
                    at: page.at(n),
                    fenced: false,
                    words,
                });
            }
        }
    }
    shown
}

/// The subcommand a shown command names (`["bundle", "verify"]`), the command itself, and
/// the flags its words name (`--tsa-cert`, `-o`); an unknown subcommand is a problem.
fn resolve<'a>(
    root: &'a clap::Command,
    words: &[String],
) -> Result<(Vec<String>, &'a clap::Command, Vec<String>), String> {
    let long = Regex::new(r"--([a-z0-9][a-z0-9-]*)").unwrap();
    let short = Regex::new(r"^[\[(]*-([A-Za-z])[\])]*$").unwrap();
    let mut command = root;
    let mut path = Vec::new();
    let mut descending = true;
    let mut flags = Vec::new();
    for word in words {
        if descending && !word.starts_with('-') {
            if let Some(sub) = command.find_subcommand(word) {
                command = sub;
                path.push(sub.get_name().to_owned());
                continue;
            }
            if command.has_subcommands() && command.get_positionals().next().is_none() {
                return Err(format!(
                    "`accord {}` has no subcommand `{word}`",
                    path.join(" ")
                ));
            }
        }
        descending = false;
        flags.extend(long.captures_iter(word).map(|c| format!("--{}", &c[1])));
        flags.extend(short.captures_iter(word).map(|c| format!("-{}", &c[1])));
    }
    Ok((path, command, flags))
}

/// Whether `command` takes `flag` (its long name, a long alias, its short name).
fn takes(command: &clap::Command, flag: &str) -> bool {
    if flag == "--help" || flag == "-h" || (flag == "--version" && command.get_version().is_some())
    {
        return true;
    }
    command.get_arguments().any(|a| {
        if let Some(name) = flag.strip_prefix("--") {
            a.get_long() == Some(name)
                || a.get_all_aliases()
                    .is_some_and(|aliases| aliases.contains(&name))
        } else {
            let c = flag.chars().nth(1);
            c.is_some() && a.get_short() == c
        }
    })
}

/// Every command of the CLI that has flags of its own, with its path: those the docs must
/// summarise, flag by flag.
fn commands_with_flags(
    command: &clap::Command,
    path: &mut Vec<String>,
    out: &mut Vec<(String, Vec<String>)>,
) {
    let flags: Vec<String> = command
        .get_arguments()
        .filter(|a| !a.is_hide_set())
        .filter_map(|a| a.get_long())
        .filter(|l| *l != "help" && *l != "version")
        .map(|l| format!("--{l}"))
        .collect();
    if !path.is_empty() && (!flags.is_empty() || !command.has_subcommands()) {
        out.push((path.join(" "), flags));
    }
    for sub in command.get_subcommands() {
        path.push(sub.get_name().to_owned());
        commands_with_flags(sub, path, out);
        path.pop();
    }
}

/// Every flag a page shows in an `accord` command (a code block or an inline code span) is a
/// flag of that subcommand; every subcommand is shown in a code block of some page, and each
/// of its flags is named in one, so a flag added without documenting it fails here by name.
#[test]
fn every_flag_the_docs_show_exists_and_every_flag_is_shown() {
    let root = accord::cli::Cli::command();
    let mut problems = Vec::new();
    let mut documented: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    for page in pages() {
        for shown in shown_commands(&page) {
            let (path, command, flags) = match resolve(&root, &shown.words) {
                Ok(found) => found,
                Err(problem) => {
                    problems.push(format!("{}: {problem}", shown.at));
                    continue;
                }
            };
            let name = path.join(" ");
            for flag in &flags {
                if !takes(command, flag) {
                    problems.push(format!(
                        "{}: `accord {name}` has no flag {flag} (see `accord {name} --help`)",
                        shown.at
                    ));
                }
            }
            if shown.fenced {
                documented.entry(name).or_default().extend(flags);
            }
        }
    }
    let mut all = Vec::new();
    commands_with_flags(&root, &mut Vec::new(), &mut all);
    for (name, flags) in all {
        let Some(shown) = documented.get(&name) else {
            problems.push(format!(
                "`accord {name}` is shown in no code block of README.md or docs/*.md: add its \
                 usage, every flag, to the page about it"
            ));
            continue;
        };
        for flag in flags {
            if !shown.contains(&flag) {
                problems.push(format!(
                    "`accord {name} {flag}` is in `accord {name} --help` but named in no code \
                     block of README.md or docs/*.md: add it to the usage summary of \
                     `accord {name}`"
                ));
            }
        }
    }
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}

// ---------------------------------------------------------------------------------------
// (c) Links

/// GitHub's anchor for a heading: lower case, punctuation dropped, spaces made hyphens.
fn anchor(heading: &str) -> String {
    heading
        .trim()
        .to_lowercase()
        .chars()
        .filter_map(|c| match c {
            ' ' => Some('-'),
            c if c.is_alphanumeric() || c == '-' || c == '_' => Some(c),
            _ => None,
        })
        .collect()
}

/// The anchors of a Markdown file's headings, repeated headings numbered as GitHub does.
fn anchors(path: &Path) -> BTreeSet<String> {
    let text = std::fs::read_to_string(path).unwrap();
    let page = Page {
        path: path.to_path_buf(),
        text,
    };
    let mut seen: BTreeMap<String, usize> = BTreeMap::new();
    let mut out = BTreeSet::new();
    for (_, fenced, line) in lines(&page) {
        let Some(heading) = line.strip_prefix('#') else {
            continue;
        };
        if fenced {
            continue;
        }
        let a = anchor(heading.trim_start_matches('#'));
        let n = seen.entry(a.clone()).or_insert(0);
        out.insert(if *n == 0 {
            a.clone()
        } else {
            format!("{a}-{n}")
        });
        *n += 1;
    }
    out
}

/// Every relative link of README.md and docs/*.md reaches a file that exists, and a link to
/// a heading (`runs.md#inputs-and-outputs`) reaches a heading that exists.
#[test]
fn every_relative_link_of_the_docs_resolves() {
    let link = Regex::new(r"\]\(([^)\s]+)\)").unwrap();
    let code = Regex::new(r"`[^`]*`").unwrap();
    let mut problems = Vec::new();
    let mut checked = 0;
    for page in pages() {
        let dir = repo().join(page.path.parent().unwrap());
        for (n, paragraph) in paragraphs(&page) {
            let prose = code.replace_all(&paragraph, "");
            for c in link.captures_iter(&prose) {
                let target = &c[1];
                if target.contains("://") || target.starts_with("mailto:") {
                    continue;
                }
                checked += 1;
                let (file, heading) = target.split_once('#').unwrap_or((target, ""));
                let file = if file.is_empty() {
                    repo().join(&page.path)
                } else {
                    dir.join(file)
                };
                if !file.exists() {
                    problems.push(format!("{}: ({target}): no such file", page.at(n)));
                } else if !heading.is_empty() && !anchors(&file).contains(heading) {
                    problems.push(format!(
                        "{}: ({target}): {} has no heading with that anchor",
                        page.at(n),
                        file.strip_prefix(repo()).unwrap_or(&file).display()
                    ));
                }
            }
        }
    }
    assert!(
        checked > 0,
        "no relative link found: is the link pattern right?"
    );
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}

// ---------------------------------------------------------------------------------------
// (d) The README fits on a screen

#[test]
fn the_readme_fits_on_a_screen_or_two() {
    let readme = std::fs::read_to_string(repo().join("README.md")).unwrap();
    let n = readme.lines().count();
    assert!(
        n <= README_LINES,
        "README.md has {n} lines, more than {README_LINES}: move the detail into a page of docs/ \
         and link it"
    );
}

// ---------------------------------------------------------------------------------------
// The credential CLI's worked example

/// The `sh` blocks of docs/credentials.md under "## Worked example", in order.
fn worked_example() -> Vec<String> {
    let page = Page {
        path: PathBuf::from("docs/credentials.md"),
        text: std::fs::read_to_string(repo().join("docs/credentials.md")).unwrap(),
    };
    let mut blocks: Vec<String> = Vec::new();
    let mut inside = false;
    let mut in_block = false;
    for line in page.text.lines() {
        if line.starts_with("## ") {
            inside = line == "## Worked example";
        }
        if line.starts_with("```") {
            if in_block {
                in_block = false;
            } else if inside && line == "```sh" {
                in_block = true;
                blocks.push(String::new());
            }
            continue;
        }
        if in_block {
            let block = blocks.last_mut().unwrap();
            block.push_str(line);
            block.push('\n');
        }
    }
    blocks
}

/// `a/{b,c}/d.{x,y}` → the four paths it stands for, as a shell would expand it.
fn expand(pattern: &str) -> Vec<String> {
    let Some(open) = pattern.find('{') else {
        return vec![pattern.to_owned()];
    };
    let close = open + pattern[open..].find('}').unwrap();
    let (head, tail) = (&pattern[..open], &pattern[close + 1..]);
    pattern[open + 1..close]
        .split(',')
        .flat_map(|choice| expand(&format!("{head}{choice}{tail}")))
        .collect()
}

/// Every file under `dir`, as paths from `base`.
fn files_under(base: &Path, dir: &Path, out: &mut BTreeSet<String>) {
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            files_under(base, &path, out);
        } else {
            out.insert(path.strip_prefix(base).unwrap().display().to_string());
        }
    }
}

/// The worked example runs as written, with `accord` on the PATH: each profile's claims are
/// issued, presented and verified (valid, with a recognition verdict), and the comment that
/// lists what `accord pki generate` writes names exactly the files it wrote.
#[test]
fn the_credential_cli_worked_example_runs_as_written() {
    let blocks = worked_example();
    assert!(
        blocks.len() >= 3,
        "docs/credentials.md: expected the worked example's sh blocks (pki, JP degree, EU \
         diploma) under \"## Worked example\", found {}",
        blocks.len()
    );
    let dir = tempfile::tempdir().unwrap();
    let bin = dir.path().join("bin");
    std::fs::create_dir(&bin).unwrap();
    std::os::unix::fs::symlink(env!("CARGO_BIN_EXE_accord"), bin.join("accord")).unwrap();
    let work = dir.path().join("work");
    std::fs::create_dir(&work).unwrap();
    let path = format!(
        "{}:{}",
        bin.display(),
        std::env::var("PATH").unwrap_or_default()
    );
    let out = Command::new("sh")
        .arg("-eu")
        .arg("-c")
        .arg(blocks.concat())
        .current_dir(&work)
        .env("PATH", path)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "docs/credentials.md: the worked example failed ({}):\n{}",
        out.status,
        text(&out)
    );
    // `pki generate` prints a summary of what it wrote; `verify` prints its report.
    let printed: Vec<Value> = serde_json::Deserializer::from_slice(&out.stdout)
        .into_iter::<Value>()
        .collect::<Result<_, _>>()
        .unwrap_or_else(|e| panic!("the example printed what is not JSON: {e}\n{}", text(&out)));
    let reports: Vec<&Value> = printed
        .iter()
        .filter(|v| v.get("valid").is_some())
        .collect();
    assert_eq!(reports.len(), 2, "one verify per profile:\n{}", text(&out));
    for report in &reports {
        assert_eq!(report["valid"], Value::Bool(true), "{report:#}");
        assert!(report["recognition"]["verdict"].is_string(), "{report:#}");
    }

    let pattern = Regex::new(r"pki/(?:[^\s,(){}]|\{[^}]*\})+").unwrap();
    let listed: BTreeSet<String> = blocks[0]
        .lines()
        .filter(|l| l.trim_start().starts_with('#'))
        .flat_map(|l| pattern.find_iter(l).map(|m| m.as_str().to_owned()))
        .flat_map(|p| expand(&p))
        .collect();
    let mut written = BTreeSet::new();
    files_under(&work, &work.join("pki"), &mut written);
    let unlisted: Vec<_> = written.difference(&listed).collect();
    let missing: Vec<_> = listed.difference(&written).collect();
    assert!(
        unlisted.is_empty() && missing.is_empty(),
        "docs/credentials.md: the worked example's list of what `accord pki generate` writes \
         is wrong.\nwritten but not listed: {unlisted:?}\nlisted but not written: {missing:?}"
    );
}
