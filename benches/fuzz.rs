//! Fuzzing throughput and memory: `accord fuzz --role verifier` against the in-process
//! reference verifier over loopback HTTPS (the release binary, as a user runs it).
//!
//! Prints cases per second (as `accord fuzz` measures it: cases run over wall time, shrinking
//! and recording of findings included; the reference verifier has none) and the campaign's
//! peak resident memory (VmHWM, sampled from /proc while it runs).
//!
//! `ACCORD_FUZZ_BENCH_CASES` sets the campaign's size (default 20000); the README's
//! million-case figure is `ACCORD_FUZZ_BENCH_CASES=1000000 cargo bench --bench fuzz`.

use std::process::{Command, Stdio};
use std::time::Duration;

fn peak_kib(pid: u32) -> Option<u64> {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).ok()?;
    status
        .lines()
        .find(|l| l.starts_with("VmHWM:"))
        .and_then(|l| l.split_whitespace().nth(1))
        .and_then(|v| v.parse().ok())
}

fn main() {
    if std::env::args().any(|a| a == "--list") {
        return;
    }
    let cases: u64 = std::env::var("ACCORD_FUZZ_BENCH_CASES")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(20_000);
    let store = std::env::temp_dir().join(format!("accord-fuzz-bench-{}", std::process::id()));
    // The campaign's default (a builtin verifier holds the trust lists), then the verifier
    // fetching both lists from the trust-list host for every response, as in runs.
    let mut rates = Vec::new();
    for (label, extra, n) in [
        ("lists given at start-up", None, cases),
        (
            "lists fetched per response",
            Some("--fetch-trust-lists"),
            cases.min(20_000),
        ),
    ] {
        let mut command = Command::new(env!("CARGO_BIN_EXE_accord"));
        command
            .args([
                "fuzz", "--role", "verifier", "--quiet", "--seed", "1", "--jobs", "8",
            ])
            .args(["--cases", &n.to_string()])
            .arg("--store")
            .arg(&store)
            .arg("--regressions")
            .arg(store.join("seeds"))
            .stdout(Stdio::piped());
        if let Some(flag) = extra {
            command.arg(flag);
        }
        let mut child = command.spawn().expect("the accord binary runs");
        let pid = child.id();
        let mut peak = 0;
        while child.try_wait().ok().flatten().is_none() {
            if let Some(k) = peak_kib(pid) {
                peak = peak.max(k);
            }
            std::thread::sleep(Duration::from_millis(200));
        }
        let out = child.wait_with_output().expect("accord finishes");
        let text = String::from_utf8_lossy(&out.stdout);
        let line = text
            .lines()
            .find(|l| l.contains("cases/s"))
            .unwrap_or("(no rate printed)")
            .to_owned();
        let rate: f64 = line
            .split(": ")
            .nth(1)
            .and_then(|r| r.split_whitespace().next())
            .and_then(|r| r.parse().ok())
            .unwrap_or(0.0);
        println!("fuzz verifier, {label}, {n} cases, --jobs 8: {line}");
        println!("  peak resident memory: {:.0} MiB", peak as f64 / 1024.0);
        rates.push(rate);
    }
    if let [a, b] = rates[..]
        && a > 0.0
    {
        println!("ratio (fetched / given): {:.2}", b / a);
    }
    let _ = std::fs::remove_dir_all(&store);
}
