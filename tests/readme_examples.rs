//! Every `ccplan …` example in the README runs as written, on the demo market (offline): the
//! market commands get `--source demo` (and a fixed `--as-of`) when they name no source, the
//! example files come from `examples/`, `> FILE` redirections are honoured.

use std::path::Path;
use std::process::{Command, Stdio};

fn readme_commands() -> Vec<String> {
    let readme =
        std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("README.md")).unwrap();
    let mut in_sh = false;
    let mut cmds = Vec::new();
    let mut pending: Option<String> = None;
    for line in readme.lines() {
        let t = line.trim();
        if t.starts_with("```") {
            in_sh = t == "```sh";
            continue;
        }
        if !in_sh {
            continue;
        }
        let t = match t.find("  #") {
            Some(i) => t[..i].trim(),
            None => t,
        };
        let joined = match pending.take() {
            Some(p) => format!("{p} {t}"),
            None if t.starts_with("ccplan ") => t.to_string(),
            None => continue,
        };
        match joined.strip_suffix('\\') {
            Some(head) => pending = Some(head.trim().to_string()),
            None => cmds.push(joined),
        }
    }
    cmds
}

#[test]
fn every_readme_example_runs_on_the_demo_market() {
    let cmds = readme_commands();
    assert!(cmds.len() >= 15, "{cmds:?}");
    let dir = tempfile::tempdir().unwrap();
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    std::os::unix::fs::symlink(root.join("examples"), dir.path().join("examples")).unwrap();
    std::os::unix::fs::symlink(root.join("tests"), dir.path().join("tests")).unwrap();
    // `ccplan` on the PATH is the binary under test; the shell runs each line as written.
    let bin = dir.path().join("bin");
    std::fs::create_dir(&bin).unwrap();
    std::os::unix::fs::symlink(env!("CARGO_BIN_EXE_ccplan"), bin.join("ccplan")).unwrap();
    let path = format!(
        "{}:{}",
        bin.display(),
        std::env::var("PATH").unwrap_or_default()
    );
    let store = dir.path().join("store.sqlite3");
    let market = ["suggest", "plan", "regime", "chain", "manage"];
    for line in &cmds {
        let mut words = line.split_whitespace().skip(1);
        let sub = words.next().unwrap_or("").to_string();
        let mut cmd = line.clone();
        if market.contains(&sub.as_str()) {
            let mut extra = String::new();
            if !line.contains("--source") {
                extra.push_str(" --source demo");
            }
            if !line.contains("--as-of") {
                extra.push_str(" --as-of 2026-11-20");
            }
            cmd = line.replacen(&format!("ccplan {sub}"), &format!("ccplan {sub}{extra}"), 1);
        }
        // `; echo "exit $?"` shows the code to a reader; the test checks it instead.
        let cmd = match cmd.split_once("; echo") {
            Some((c, _)) => c.to_string(),
            None => cmd,
        };
        let out = Command::new("sh")
            .arg("-c")
            .arg(&cmd)
            .current_dir(dir.path())
            .env("PATH", &path)
            .env("CCPLAN_CONFIG", "/nonexistent/ccplan-test-config.toml")
            .env("CCPLAN_STORE", &store)
            .env_remove("CCPLAN_SOURCE")
            .env_remove("CCPLAN_HISTORY")
            .env_remove("TRADIER_TOKEN")
            .env_remove("POLYGON_API_KEY")
            .stdin(Stdio::null())
            .output()
            .unwrap();
        let err = String::from_utf8_lossy(&out.stderr);
        let expected = if cmd.contains("--fail-on") { 3 } else { 0 };
        assert_eq!(
            out.status.code(),
            Some(expected),
            "README example `{line}` (run as `{cmd}`): {err}"
        );
        assert!(!err.contains("panicked"), "{line}: {err}");
        let writes_a_file =
            cmd.contains(" > ") || cmd.contains("--out") || cmd.contains("--orders");
        let quiet =
            writes_a_file || sub == "journal" || (sub == "history" && cmd.contains(" export"));
        if !quiet {
            assert!(!out.stdout.is_empty(), "{line}: no output");
        }
    }
    // The files the examples write are there.
    for f in [
        "amd.csv",
        "amd.svg",
        "plan.md",
        "plan.json",
        "nvda.json",
        "priced.csv",
        "solved.csv",
        "nvda_iv.csv",
        "orders.csv",
        "my.toml",
        "income.csv",
        "american_priced.csv",
        "plan_tos.txt",
        "manage_tos.txt",
        "basket.csv",
        "schwab.json",
        "tasty.json",
        "nvda_order.txt",
    ] {
        assert!(dir.path().join(f).exists(), "{f}");
    }
}
