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
    for line in readme.lines() {
        let t = line.trim();
        if t.starts_with("```") {
            in_sh = t == "```sh";
            continue;
        }
        if in_sh && t.starts_with("ccplan ") {
            let without_comment = match t.find("  #") {
                Some(i) => &t[..i],
                None => t,
            };
            cmds.push(without_comment.trim().to_string());
        }
    }
    cmds
}

#[test]
fn every_readme_example_runs_on_the_demo_market() {
    let cmds = readme_commands();
    assert!(cmds.len() >= 15, "{cmds:?}");
    let dir = tempfile::tempdir().unwrap();
    let examples = Path::new(env!("CARGO_MANIFEST_DIR")).join("examples");
    std::os::unix::fs::symlink(&examples, dir.path().join("examples")).unwrap();
    let store = dir.path().join("store.sqlite3");
    let market = ["suggest", "plan", "regime", "chain"];
    for line in &cmds {
        let (cmd, redirect) = match line.split_once(" > ") {
            Some((c, f)) => (c.trim(), Some(f.trim())),
            None => (line.as_str(), None),
        };
        let mut args: Vec<String> = cmd.split_whitespace().skip(1).map(String::from).collect();
        if market.contains(&args[0].as_str()) {
            if !args.iter().any(|a| a == "--source") {
                args.extend(["--source".into(), "demo".into()]);
            }
            if !args.iter().any(|a| a == "--as-of") {
                args.extend(["--as-of".into(), "2026-11-20".into()]);
            }
        }
        let out = Command::new(env!("CARGO_BIN_EXE_ccplan"))
            .args(&args)
            .current_dir(dir.path())
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
        assert!(
            out.status.success(),
            "README example `{line}` (run as {args:?}) exited {:?}: {err}",
            out.status.code()
        );
        assert!(!err.contains("panicked"), "{line}: {err}");
        if !(args[0] == "history" && args[1] == "export") {
            assert!(!out.stdout.is_empty(), "{line}: no output");
        }
        if let Some(f) = redirect {
            std::fs::write(dir.path().join(f), &out.stdout).unwrap();
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
    ] {
        assert!(dir.path().join(f).exists(), "{f}");
    }
}
