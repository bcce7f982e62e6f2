//! The binary under hostile conditions: secrets that must not leak through any output, exit
//! codes, a closed output pipe, full and broken destinations, interrupted saves, and the
//! bad-rows warning. Everything runs against loopback servers and temporary directories.

mod common;

use std::io::{BufRead, BufReader, Read, Write};
use std::path::Path;
use std::process::{Command, Output, Stdio};

use common::{fixture, Reply, TestServer};
use serde_json::Value;

const TOKEN: &str = "trd_tok_7Hq2ZsecretXy9";
const KEY: &str = "pgn_key_K3ysecretW0rd";

fn base_cmd(args: &[&str], env: &[(&str, &str)]) -> Command {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_ccplan"));
    cmd.args(args);
    isolate(&mut cmd, env);
    cmd
}

/// A shell command line (for `ulimit` and `trap`), with the same environment.
fn sh(line: &str) -> Command {
    let mut cmd = Command::new("sh");
    cmd.arg("-c").arg(line);
    isolate(&mut cmd, &[]);
    cmd
}

/// Keep the user's own config, store and keys out of the test; log as much as possible.
fn isolate(cmd: &mut Command, env: &[(&str, &str)]) {
    cmd.env("CCPLAN_CONFIG", "/nonexistent/ccplan-test-config.toml")
        .env("CCPLAN_STORE", "/nonexistent/ccplan-test-store.sqlite")
        .env("RUST_LOG", "trace")
        .env("RUST_BACKTRACE", "1")
        .env_remove("TRADIER_TOKEN")
        .env_remove("POLYGON_API_KEY")
        .env_remove("CCPLAN_SOURCE");
    for (k, v) in env {
        cmd.env(k, v);
    }
}

fn ccplan(args: &[&str], env: &[(&str, &str)]) -> Output {
    base_cmd(args, env).output().expect("run ccplan")
}

fn text(b: &[u8]) -> String {
    String::from_utf8_lossy(b).into_owned()
}

fn code(o: &Output) -> i32 {
    o.status.code().unwrap_or(-1)
}

/// No panic, and the secret nowhere in what the process printed.
fn assert_clean(o: &Output, secret: &str) {
    let (out, err) = (text(&o.stdout), text(&o.stderr));
    assert!(!err.contains("panicked"), "{err}");
    assert!(!out.contains(secret), "secret on stdout: {out}");
    assert!(!err.contains(secret), "secret on stderr: {err}");
}

// ---- Tradier token ------------------------------------------------------------------------

fn tradier_server() -> TestServer {
    let s = TestServer::start();
    s.route(
        "/v1/markets/quotes",
        Reply::fixture("tradier/quote_KO.json"),
    );
    s.route(
        "/v1/markets/options/expirations",
        Reply::fixture("tradier/expirations_KO.json"),
    );
    s.route(
        "/v1/markets/options/chains",
        Reply::fixture("tradier/chain_KO_2026-04-17.json"),
    );
    s
}

fn tradier_chain(s: &TestServer, extra: &[&str], env: &[(&str, &str)]) -> Output {
    let url = s.url();
    let mut args = vec![
        "chain",
        "KO",
        "--source",
        "tradier",
        "--expiry",
        "2026-04-17",
    ];
    args.extend_from_slice(extra);
    let mut e = vec![("CCPLAN_TRADIER_URL", url.as_str())];
    e.extend_from_slice(env);
    ccplan(&args, &e)
}

#[test]
fn tradier_token_never_printed_on_failures() {
    let failures: Vec<(&str, Vec<Reply>)> = vec![
        ("401", vec![Reply::status(401)]),
        ("403", vec![Reply::status(403)]),
        // A 5xx the server asks to retry in an hour: past the budget, reported at once.
        (
            "503",
            vec![Reply::status(503).header("Retry-After", "3600")],
        ),
        (
            "retry then 401",
            vec![Reply::status(500), Reply::status(401)],
        ),
        (
            "html",
            vec![Reply::html("<html><body>Sign in</body></html>")],
        ),
        ("truncated", vec![Reply::json(r#"{"quotes": {"quote": {"#)]),
    ];
    for (what, replies) in failures {
        let s = tradier_server();
        s.route_seq("/v1/markets/quotes", replies);
        let dir = tempfile::tempdir().unwrap();
        let save = dir.path().join("saved.json");
        let o = tradier_chain(
            &s,
            &["--save", save.to_str().unwrap()],
            &[("TRADIER_TOKEN", TOKEN)],
        );
        assert_eq!(code(&o), 1, "{what}: {}", text(&o.stderr));
        assert!(text(&o.stderr).contains("error:"), "{what}");
        assert_clean(&o, TOKEN);
        assert!(!save.exists(), "{what}: nothing saved on failure");
        // The token did go out, in the header only.
        let seen = s.requests();
        assert!(!seen.is_empty());
        for r in seen {
            assert_eq!(
                r.header("authorization"),
                Some(format!("Bearer {TOKEN}").as_str())
            );
            assert!(!r.target.contains(TOKEN));
        }
    }
}

#[test]
fn tradier_token_from_config_file_never_printed() {
    let dir = tempfile::tempdir().unwrap();
    let cfg = dir.path().join("config.toml");
    std::fs::write(&cfg, format!("[tradier]\ntoken = \"{TOKEN}\"\n")).unwrap();
    let s = tradier_server();
    s.route("/v1/markets/quotes", Reply::status(401));
    let o = tradier_chain(&s, &[], &[("CCPLAN_CONFIG", cfg.to_str().unwrap())]);
    assert_eq!(code(&o), 1, "{}", text(&o.stderr));
    assert_clean(&o, TOKEN);
    assert_eq!(
        s.requests()[0].header("authorization"),
        Some(format!("Bearer {TOKEN}").as_str())
    );
}

#[test]
fn tradier_token_not_in_output_or_saved_snapshot() {
    let s = tradier_server();
    let dir = tempfile::tempdir().unwrap();
    let save = dir.path().join("saved.json");
    for format in ["json", "csv", "table", "markdown"] {
        let o = tradier_chain(
            &s,
            &["--format", format, "--save", save.to_str().unwrap()],
            &[("TRADIER_TOKEN", TOKEN)],
        );
        assert_eq!(code(&o), 0, "{format}: {}", text(&o.stderr));
        assert_clean(&o, TOKEN);
        let saved = std::fs::read_to_string(&save).unwrap();
        assert!(saved.contains("KO260417"), "the save worked");
        assert!(!saved.contains(TOKEN));
    }
}

// ---- Polygon key --------------------------------------------------------------------------

#[test]
fn polygon_key_never_printed_even_when_next_url_carries_it() {
    for (what, reply) in [
        ("401", Reply::status(401)),
        ("503", Reply::status(503).header("Retry-After", "3600")),
        ("html", Reply::html("<html>error</html>")),
        ("invalid json", Reply::json("{\"results\": [}")),
    ] {
        let s = TestServer::start();
        let mut page: Value =
            serde_json::from_str(&fixture("polygon/snapshot_KO_page1.json")).unwrap();
        page["next_url"] = Value::String(format!(
            "{}/v3/snapshot/options/KO?cursor=abc&apiKey={KEY}",
            s.url()
        ));
        s.route("/v3/snapshot/options/KO", Reply::json(page.to_string()));
        s.route(
            &format!("/v3/snapshot/options/KO?cursor=abc&apiKey={KEY}"),
            reply,
        );
        let url = s.url();
        let dir = tempfile::tempdir().unwrap();
        let save = dir.path().join("saved.json");
        let o = ccplan(
            &[
                "chain",
                "KO",
                "--source",
                "polygon",
                "--save",
                save.to_str().unwrap(),
            ],
            &[
                ("POLYGON_API_KEY", KEY),
                ("CCPLAN_POLYGON_URL", url.as_str()),
            ],
        );
        assert_eq!(code(&o), 1, "{what}: {}", text(&o.stderr));
        assert_clean(&o, KEY);
        assert!(!save.exists());
        assert_eq!(
            s.hits("/v3/snapshot/options/KO"),
            2,
            "{what}: the second page was fetched"
        );
        if what == "503" {
            assert!(text(&o.stderr).contains("apiKey=REDACTED"), "{what}");
        }
    }
}

#[test]
fn polygon_key_not_in_saved_snapshot_or_output() {
    let s = TestServer::start();
    let mut page: Value = serde_json::from_str(&fixture("polygon/snapshot_KO_page1.json")).unwrap();
    page["next_url"] = Value::Null;
    s.route("/v3/snapshot/options/KO", Reply::json(page.to_string()));
    let url = s.url();
    let dir = tempfile::tempdir().unwrap();
    let save = dir.path().join("saved.json");
    let o = ccplan(
        &[
            "chain",
            "KO",
            "--source",
            "polygon",
            "--format",
            "json",
            "--save",
            save.to_str().unwrap(),
        ],
        &[
            ("POLYGON_API_KEY", KEY),
            ("CCPLAN_POLYGON_URL", url.as_str()),
        ],
    );
    assert_eq!(code(&o), 0, "{}", text(&o.stderr));
    assert_clean(&o, KEY);
    assert!(!std::fs::read_to_string(&save).unwrap().contains(KEY));
}

// ---- exit codes ---------------------------------------------------------------------------

#[test]
fn exit_codes_zero_one_two() {
    let demo = [
        "chain",
        "NVDA",
        "--source",
        "demo",
        "--as-of",
        "2026-11-26",
        "--format",
        "csv",
    ];
    assert_eq!(code(&ccplan(&demo, &[])), 0);
    assert_eq!(code(&ccplan(&["--version"], &[])), 0);
    // Usage errors: 2.
    for args in [
        &["chain"][..],
        &["chain", "NVDA", "--bogus-flag"],
        &["chain", "NVDA", "--expiry", "2026-13-45"],
        &["chain", "NVDA", "--source", "bloomberg"],
        &["chain", "NVDA", "--format", "xlsx"],
        &["price", "call", "--spot", "abc"],
        &["no-such-command"],
    ] {
        let o = ccplan(args, &[]);
        assert_eq!(code(&o), 2, "{args:?}: {}", text(&o.stderr));
        assert!(!text(&o.stderr).contains("panicked"));
    }
    // Runtime errors: 1.
    let dir = tempfile::tempdir().unwrap();
    let missing = format!("file:{}", dir.path().join("nope.json").display());
    let bad_csv = dir.path().join("bad.csv");
    std::fs::write(&bad_csv, "kind,spot\ncall,abc\n").unwrap();
    for args in [
        vec!["chain", "NVDA", "--source", missing.as_str()],
        vec!["chain", "NVDA", "--source", "tradier"], // no token
        vec!["price", "--batch", bad_csv.to_str().unwrap()],
        vec!["price", "--batch", "/nonexistent/batch.csv"],
    ] {
        let o = ccplan(&args, &[]);
        assert_eq!(code(&o), 1, "{args:?}: {}", text(&o.stderr));
        assert!(text(&o.stderr).starts_with("error: "), "{args:?}");
    }
}

// ---- a closed output pipe -----------------------------------------------------------------

/// A batch big enough that its output overflows any pipe buffer.
fn big_batch() -> String {
    let mut s = String::from("kind,spot,strike,t_years,rate,div_yield,vol\n");
    for i in 0..6000 {
        s.push_str(&format!("call,100,{},0.5,0.04,0.01,0.3\n", 50 + i % 100));
    }
    s
}

/// Commands that write to standard output, with their stdin and whether their output is far
/// larger than a pipe buffer (64 KiB). A new command is one more line here. `dir` holds the
/// holdings file and the store of the commands that need them.
fn output_commands(dir: &Path) -> Vec<(Vec<String>, Option<String>, bool)> {
    let holdings = dir.join("holdings.csv");
    std::fs::write(
        &holdings,
        "symbol,shares,cost_basis\nNVDA,300,118.5\nMSFT,100,402\nAMD,200,120\n",
    )
    .unwrap();
    let store = dir.join("store.sqlite3");
    let (h, st) = (holdings.display().to_string(), store.display().to_string());
    let v = |a: &str| a.split_whitespace().map(String::from).collect::<Vec<_>>();
    // An IV history big enough for `history show` to overflow a pipe.
    let iv = dir.join("iv.csv");
    let mut series = String::from("date,iv30\n");
    let start = chrono::NaiveDate::from_ymd_opt(2010, 1, 1).unwrap();
    for i in 0..4000 {
        let d = start + chrono::Duration::days(i);
        series.push_str(&format!("{d},0.{}\n", 30 + i % 40));
    }
    std::fs::write(&iv, series).unwrap();
    let imported = base_cmd(
        &[
            "history",
            "import",
            iv.to_str().unwrap(),
            "--symbol",
            "NVDA",
            "--store",
            &st,
        ],
        &[],
    )
    .output()
    .unwrap();
    assert!(imported.status.success(), "{}", text(&imported.stderr));
    vec![
        (
            v("chain NVDA --source demo --as-of 2026-11-26 --format json"),
            None,
            true,
        ),
        (
            v(&format!("history show NVDA --store {st} --format json")),
            None,
            true,
        ),
        (v(&format!("history show NVDA --store {st}")), None, true),
        (
            v(&format!(
                "plan --holdings {h} --source demo --as-of 2026-11-20 --store {st} --format json"
            )),
            None,
            false,
        ),
        (
            v(&format!(
                "suggest NVDA --source demo --as-of 2026-11-20 --store {st} --format json --top 40"
            )),
            None,
            false,
        ),
        (
            v("chain NVDA --source demo --as-of 2026-11-26 --format csv"),
            None,
            true,
        ),
        (v("chain NVDA --source demo --as-of 2026-11-26"), None, true),
        (v("price --batch -"), Some(big_batch()), true),
        (v("iv --batch -"), Some(big_iv_batch()), true),
        (
            v(&format!(
                "plan --holdings {h} --source demo --as-of 2026-11-20 --store {st}"
            )),
            None,
            false,
        ),
        (
            v(&format!(
                "suggest NVDA --source demo --as-of 2026-11-20 --store {st} --format csv"
            )),
            None,
            false,
        ),
    ]
}

/// An `iv` batch as big as [`big_batch`].
fn big_iv_batch() -> String {
    let mut s = String::from("kind,spot,strike,t_years,rate,div_yield,price\n");
    for i in 0..6000 {
        s.push_str(&format!(
            "call,100,{},0.5,0.04,0.01,{}\n",
            90 + i % 20,
            12.0 - 0.5 * f64::from(i % 20)
        ));
    }
    s
}

/// Run `args` with `stdin` fed from a thread, stdout piped and handed to `read` (which may
/// drop it early), then wait.
fn run_piped(
    args: &[String],
    stdin: Option<String>,
    stdout: Stdio,
    read: impl FnOnce(Option<std::process::ChildStdout>),
) -> Output {
    let refs: Vec<&str> = args.iter().map(String::as_str).collect();
    let mut cmd = base_cmd(&refs, &[]);
    cmd.stdin(Stdio::piped())
        .stdout(stdout)
        .stderr(Stdio::piped());
    let mut child = cmd.spawn().unwrap();
    let mut input = child.stdin.take().unwrap();
    let feed = stdin.unwrap_or_default();
    let writer = std::thread::spawn(move || {
        let _ = input.write_all(feed.as_bytes());
    });
    read(child.stdout.take());
    let o = child.wait_with_output().unwrap();
    writer.join().unwrap();
    o
}

#[test]
fn closed_pipe_exits_quietly_with_zero() {
    let dir = tempfile::tempdir().unwrap();
    for (args, stdin, big) in output_commands(dir.path()) {
        // The full output, to know that `head -1` really does cut it where it is big.
        let mut len = 0;
        let o = run_piped(&args, stdin.clone(), Stdio::piped(), |out| {
            let mut all = Vec::new();
            out.unwrap().read_to_end(&mut all).unwrap();
            len = all.len();
        });
        assert_eq!(code(&o), 0, "{args:?}: {}", text(&o.stderr));
        assert!(len > 0, "{args:?}");
        if big {
            assert!(len > 256 * 1024, "{args:?}: {len}");
        }
        // Now read one line and close the pipe (`| head -1`).
        let o = run_piped(&args, stdin, Stdio::piped(), |out| {
            let mut out = BufReader::new(out.unwrap());
            let mut first = String::new();
            out.read_line(&mut first).unwrap();
            assert!(!first.is_empty());
        });
        let err = text(&o.stderr);
        assert_eq!(code(&o), 0, "{args:?}: {err}");
        assert!(!err.contains("error"), "{args:?}: {err}");
        assert!(!err.contains("panicked"), "{args:?}: {err}");
        assert!(
            !err.to_lowercase().contains("broken pipe"),
            "{args:?}: {err}"
        );
    }
}

// ---- full and broken destinations ---------------------------------------------------------

#[cfg(target_os = "linux")]
fn is_char_device(p: &Path) -> bool {
    use std::os::unix::fs::FileTypeExt;
    std::fs::metadata(p).is_ok_and(|m| m.file_type().is_char_device())
}

#[cfg(target_os = "linux")]
#[test]
fn full_disk_on_stdout_is_a_clear_error() {
    let full = Path::new("/dev/full");
    if !is_char_device(full) {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    for (args, stdin, _) in output_commands(dir.path()) {
        let dev = std::fs::OpenOptions::new().write(true).open(full).unwrap();
        let o = run_piped(&args, stdin, Stdio::from(dev), |_| {});
        let err = text(&o.stderr);
        assert_eq!(code(&o), 1, "{args:?}: {err}");
        assert!(
            err.lines().any(|l| l.starts_with("error: ")),
            "{args:?}: {err}"
        );
        assert!(err.contains("No space left on device"), "{args:?}: {err}");
        assert!(!err.contains("panicked"), "{args:?}: {err}");
    }
}

#[cfg(target_os = "linux")]
#[test]
fn save_to_dev_full_is_a_clear_error_and_keeps_the_device() {
    let full = Path::new("/dev/full");
    if !is_char_device(full) {
        return;
    }
    let o = ccplan(
        &[
            "chain",
            "NVDA",
            "--source",
            "demo",
            "--as-of",
            "2026-11-26",
            "--save",
            "/dev/full",
        ],
        &[],
    );
    let err = text(&o.stderr);
    assert_eq!(code(&o), 1, "{err}");
    assert!(err.contains("/dev/full"), "{err}");
    assert!(err.contains("No space left on device"), "{err}");
    assert!(is_char_device(full), "/dev/full must still be the device");
}

fn demo_save(path: &Path) -> Command {
    base_cmd(
        &[
            "chain",
            "NVDA",
            "--source",
            "demo",
            "--as-of",
            "2026-11-26",
            "--format",
            "csv",
            "--save",
            path.to_str().unwrap(),
        ],
        &[],
    )
}

fn leftovers(dir: &Path) -> Vec<String> {
    std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| n.contains(".tmp-"))
        .collect()
}

#[test]
fn save_whose_parent_is_a_file_is_a_clear_error() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("plain.txt");
    std::fs::write(&file, "keep me").unwrap();
    let target = file.join("snap.json");
    let o = demo_save(&target).output().unwrap();
    let err = text(&o.stderr);
    assert_eq!(code(&o), 1, "{err}");
    assert!(err.contains("snap.json"), "{err}");
    assert_eq!(std::fs::read_to_string(&file).unwrap(), "keep me");
}

#[test]
fn save_onto_a_directory_fails_and_leaves_it() {
    let dir = tempfile::tempdir().unwrap();
    let target = dir.path().join("taken.json");
    std::fs::create_dir(&target).unwrap();
    std::fs::write(target.join("inside"), "x").unwrap();
    let o = demo_save(&target).output().unwrap();
    assert_eq!(code(&o), 1, "{}", text(&o.stderr));
    assert!(text(&o.stderr).contains("taken.json"));
    assert!(target.join("inside").exists());
    assert!(leftovers(dir.path()).is_empty());
}

/// A save that hits the file-size limit (`ulimit -f`) half way. With SIGXFSZ ignored the
/// write fails with EFBIG and ccplan reports it; with the default action the process is killed
/// mid-write. Either way the previous snapshot must be intact.
#[cfg(target_os = "linux")]
#[test]
fn interrupted_or_failed_save_keeps_the_previous_snapshot() {
    let dir = tempfile::tempdir().unwrap();
    let target = dir.path().join("snap.json");
    // A good previous snapshot (small: one expiry).
    let o = base_cmd(
        &[
            "chain",
            "NVDA",
            "--source",
            "demo",
            "--as-of",
            "2026-11-26",
            "--expiry",
            "2026-11-27",
            "--format",
            "csv",
            "--save",
            target.to_str().unwrap(),
        ],
        &[],
    )
    .output()
    .unwrap();
    assert_eq!(code(&o), 0, "{}", text(&o.stderr));
    let before = std::fs::read(&target).unwrap();
    assert!(before.len() > 1024);
    let bin = env!("CARGO_BIN_EXE_ccplan");
    let cmdline = format!(
        "ulimit -f 16; exec '{bin}' chain NVDA --source demo --as-of 2026-11-26 --format csv \
         --save '{}' >/dev/null",
        target.display()
    );
    // 1. SIGXFSZ ignored (inherited through exec): a clean error.
    let o = sh(&format!("trap '' XFSZ; {cmdline}")).output().unwrap();
    let err = text(&o.stderr);
    assert_eq!(code(&o), 1, "{err}");
    assert!(err.contains("snap.json"), "{err}");
    assert!(err.to_lowercase().contains("file too large"), "{err}");
    assert_eq!(std::fs::read(&target).unwrap(), before);
    assert!(
        leftovers(dir.path()).is_empty(),
        "{:?}",
        leftovers(dir.path())
    );
    // 2. Default action: killed by the signal in the middle of the write.
    let o = sh(&cmdline).output().unwrap();
    assert!(!o.status.success());
    assert_eq!(std::fs::read(&target).unwrap(), before, "old file intact");
    // The killed process could not remove its temporary file; it is a dot-file next to the
    // target and never mistaken for it.
    for name in leftovers(dir.path()) {
        assert!(name.starts_with(".snap.json.tmp-"), "{name}");
    }
}

// ---- the bad-rows warning -----------------------------------------------------------------

#[test]
fn bad_rows_are_dropped_and_named_in_a_warning() {
    let mut doc: Value = serde_json::from_str(&fixture("cboe/options_KO.json")).unwrap();
    let rows = doc["data"]["options"].as_array_mut().unwrap();
    let mut crossed = rows[0].clone();
    crossed["option"] = "KO260417C00091000".into();
    crossed["bid"] = 3.0.into();
    crossed["ask"] = 2.0.into();
    let mut expired = rows[0].clone();
    expired["option"] = "KO260306C00092000".into();
    let mut nan = rows[0].clone();
    nan["option"] = "KO260417C00093000".into();
    nan["ask"] = "NaN".into();
    rows.extend([crossed, expired, nan]);
    let s = TestServer::start();
    s.route(
        "/api/global/delayed_quotes/options/KO.json",
        Reply::json(doc.to_string()),
    );
    let url = s.url();
    let o = ccplan(
        &["chain", "KO", "--format", "csv"],
        &[("CCPLAN_CBOE_URL", url.as_str())],
    );
    let (out, err) = (text(&o.stdout), text(&o.stderr));
    assert_eq!(code(&o), 0, "{err}");
    let already = ccplan::providers::cboe::parse_chain(&fixture("cboe/options_KO.json"), "KO")
        .unwrap()
        .dropped
        .len();
    let warning = format!(
        "warning: KO: dropped {} bad rows from cboe (e.g. ",
        already + 3
    );
    assert!(err.contains(&warning), "{err}");
    // A few are named: three, separated by `; `.
    let named = err.split(&warning).nth(1).unwrap().lines().next().unwrap();
    assert_eq!(named.matches("; ").count(), 2, "{named}");
    for bad in [
        "KO260417C00091000",
        "KO260306C00092000",
        "KO260417C00093000",
    ] {
        assert!(!out.contains(bad), "{bad} reached the output");
    }
}

/// `plan --out` is an export written atomically: a failed write keeps the previous export.
#[cfg(target_os = "linux")]
#[test]
fn failed_plan_export_keeps_the_previous_one() {
    let dir = tempfile::tempdir().unwrap();
    let holdings = dir.path().join("h.csv");
    std::fs::write(&holdings, "symbol,shares\nNVDA,300\nMSFT,100\n").unwrap();
    let out = dir.path().join("plan.csv");
    std::fs::write(&out, "previous export\n").unwrap();
    let bin = env!("CARGO_BIN_EXE_ccplan");
    let line = |target: &Path| {
        format!(
            "trap '' XFSZ; ulimit -f 1; exec '{bin}' plan --holdings '{}' --source demo \
             --as-of 2026-11-20 --store '{}' --format csv --out '{}' >/dev/null",
            holdings.display(),
            dir.path().join("s.sqlite3").display(),
            target.display()
        )
    };
    // Over the file-size limit (512 bytes): EFBIG.
    let o = sh(&line(&out)).output().unwrap();
    let err = text(&o.stderr);
    assert_eq!(code(&o), 1, "{err}");
    assert!(err.contains("plan.csv"), "{err}");
    assert_eq!(std::fs::read_to_string(&out).unwrap(), "previous export\n");
    assert!(
        leftovers(dir.path()).is_empty(),
        "{:?}",
        leftovers(dir.path())
    );
    // A parent that is a file.
    let o = sh(&line(&holdings.join("plan.csv"))).output().unwrap();
    assert_eq!(code(&o), 1, "{}", text(&o.stderr));
    assert!(text(&o.stderr).contains("plan.csv"));
}
