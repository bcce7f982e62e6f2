//! `ccplan price` / `ccplan iv` through the binary: batch CSV contract, errors and exit codes.

use std::io::Write;
use std::process::{Command, Output, Stdio};

fn ccplan(args: &[&str], stdin: &str) -> Output {
    let mut child = Command::new(env!("CARGO_BIN_EXE_ccplan"))
        .args(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("spawn ccplan");
    child
        .stdin
        .take()
        .expect("stdin")
        .write_all(stdin.as_bytes())
        .expect("write stdin");
    child.wait_with_output().expect("wait")
}

fn stdout(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}

fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

#[test]
fn price_batch_any_column_order_and_carried_columns() {
    let input = "id,vol,kind,spot,strike,t_years,rate,div_yield\nhull,0.2,call,42,40,0.5,0.1,0\nhullp,0.2,PUT,42,40,0.5,0.1,0\n";
    let o = ccplan(&["price", "--batch", "-"], input);
    assert!(o.status.success(), "{}", stderr(&o));
    let out = stdout(&o);
    let mut lines = out.lines();
    assert_eq!(
        lines.next().unwrap(),
        "id,vol,kind,spot,strike,t_years,rate,div_yield,price,delta,gamma,vega,theta,rho"
    );
    let call: Vec<&str> = lines.next().unwrap().split(',').collect();
    assert_eq!(call[0], "hull");
    let price: f64 = call[8].parse().unwrap();
    assert!((price - 4.7594).abs() < 5e-5, "{price}");
    let put: Vec<&str> = lines.next().unwrap().split(',').collect();
    assert_eq!(put[2], "PUT");
    let p: f64 = put[8].parse().unwrap();
    assert!((p - 0.8086).abs() < 5e-5);
    // Full precision: more than 12 significant digits are written.
    assert!(call[8].len() > 14, "{}", call[8]);
}

#[test]
fn malformed_row_names_its_line_and_stops() {
    let input = "kind,spot,strike,t_years,rate,div_yield,vol\ncall,42,40,0.5,0.1,0,0.2\ncall,abc,40,0.5,0.1,0,0.2\n";
    let o = ccplan(&["price", "--batch", "-"], input);
    assert_eq!(o.status.code(), Some(1));
    let err = stderr(&o);
    assert!(err.contains("stdin, line 3: spot"), "{err}");
    assert!(err.contains("\"abc\" is not a number"), "{err}");
}

#[test]
fn keep_going_writes_the_error_and_continues() {
    let input = "kind,spot,strike,t_years,rate,div_yield,vol\nswap,42,40,0.5,0.1,0,0.2\ncall,42,40,0.5,0.1,0,-0.2\ncall,42,40,0.5,0.1,0,0.2\n";
    let o = ccplan(&["price", "--batch", "-", "--keep-going"], input);
    assert!(o.status.success(), "{}", stderr(&o));
    let out = stdout(&o);
    let rows: Vec<&str> = out.lines().collect();
    assert_eq!(rows.len(), 4);
    assert!(rows[0].ends_with(",rho,error"));
    assert!(rows[1].contains("line 2: kind"), "{}", rows[1]);
    assert!(rows[2].contains("line 3"), "{}", rows[2]);
    assert!(
        rows[3].ends_with(','),
        "a good row has an empty error: {}",
        rows[3]
    );
}

#[test]
fn missing_column_is_reported() {
    let o = ccplan(
        &["price", "--batch", "-"],
        "kind,spot,strike,t_years,rate,vol\n",
    );
    assert_eq!(o.status.code(), Some(1));
    assert!(
        stderr(&o).contains("div_yield: missing column"),
        "{}",
        stderr(&o)
    );
}

#[test]
fn single_price_shows_labelled_units() {
    let o = ccplan(
        &[
            "price", "call", "--spot", "42", "--strike", "40", "--years", "0.5", "--rate", "10%",
            "--vol", "20%",
        ],
        "",
    );
    assert!(o.status.success(), "{}", stderr(&o));
    let out = stdout(&o);
    assert!(out.contains("4.759422"), "{out}");
    assert!(out.contains("USD per vol point"), "{out}");
    assert!(out.contains("USD per calendar day"), "{out}");
    // Vega per vol point: 8.8134 / 100.
    assert!(out.contains("0.088134"), "{out}");
}

#[test]
fn usage_errors_exit_2() {
    let o = ccplan(&["price", "call", "--spot", "42"], "");
    assert_eq!(o.status.code(), Some(2));
    let o = ccplan(
        &[
            "price", "call", "--spot", "42", "--strike", "40", "--years", "0.5", "--vol", "45",
        ],
        "",
    );
    assert_eq!(o.status.code(), Some(2));
    assert!(stderr(&o).contains("did you mean 45%"));
    let o = ccplan(&["frobnicate"], "");
    assert_eq!(o.status.code(), Some(2));
}
