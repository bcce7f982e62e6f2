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
        "id,vol,kind,spot,strike,t_years,rate,div_yield,price,delta,gamma,vega,theta,rho,\
         european_price,early_exercise_premium,critical_spot,p_early_exercise"
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
    assert!(rows[0].ends_with(
        ",rho,european_price,early_exercise_premium,critical_spot,p_early_exercise,error"
    ));
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

#[test]
fn iv_batch_round_trips_and_reports_bounds() {
    // Prices produced by `price --batch` go back through `iv --batch` to the same vol.
    let priced = ccplan(
        &["price", "--batch", "-"],
        "kind,spot,strike,t_years,rate,div_yield,vol\ncall,42,40,0.5,0.1,0,0.2\nput,187.5,150,0.02,0.04,0.004,0.65\n",
    );
    assert!(priced.status.success(), "{}", stderr(&priced));
    let out = stdout(&priced);
    let mut input = String::from("kind,spot,strike,t_years,rate,div_yield,price,note\n");
    for line in out.lines().skip(1) {
        let f: Vec<&str> = line.split(',').collect();
        input.push_str(&format!(
            "{},{},{},{},{},{},{},ok\n",
            f[0], f[1], f[2], f[3], f[4], f[5], f[7]
        ));
    }
    // Below the discounted intrinsic value of a deep in-the-money call: no volatility.
    input.push_str("call,100,50,1,0.05,0,40,below\n");
    let o = ccplan(&["iv", "--batch", "-"], &input);
    assert!(o.status.success(), "{}", stderr(&o));
    let out = stdout(&o);
    let rows: Vec<Vec<&str>> = out.lines().map(|l| l.split(',').collect()).collect();
    assert_eq!(
        rows[0].join(","),
        "kind,spot,strike,t_years,rate,div_yield,price,note,implied_vol,error"
    );
    let v1: f64 = rows[1][8].parse().unwrap();
    let v2: f64 = rows[2][8].parse().unwrap();
    assert!((v1 - 0.2).abs() < 1e-13, "{v1}");
    assert!((v2 - 0.65).abs() < 1e-13, "{v2}");
    assert_eq!(rows[3][8], "");
    assert!(
        rows[3][9].contains("below the discounted intrinsic"),
        "{}",
        rows[3][9]
    );
}

#[test]
fn single_iv_solves_hull() {
    let o = ccplan(
        &[
            "iv",
            "call",
            "--spot",
            "42",
            "--strike",
            "40",
            "--years",
            "0.5",
            "--rate",
            "10%",
            "--price",
            "4.759422392871546",
        ],
        "",
    );
    assert!(o.status.success(), "{}", stderr(&o));
    assert!(
        stdout(&o).contains("implied volatility 20.000000 %"),
        "{}",
        stdout(&o)
    );
}

#[test]
fn american_batch_rows_carry_the_early_exercise_columns() {
    let input = "kind,spot,strike,t_years,rate,div_yield,vol,style,dividends\n\
                 call,105,100,0.2,0.04,0,0.25,american,0.1:1.5\n\
                 call,105,100,0.2,0.04,0,0.25,,\n\
                 put,95,100,0.3,0.04,0,0.3,american,\n";
    let o = ccplan(&["price", "--batch", "-"], input);
    assert!(o.status.success(), "{}", stderr(&o));
    let out = stdout(&o);
    let rows: Vec<Vec<&str>> = out.lines().map(|l| l.split(',').collect()).collect();
    let col = |name: &str| rows[0].iter().position(|h| *h == name).unwrap();
    let num = |r: usize, name: &str| rows[r][col(name)].parse::<f64>().unwrap();
    // The American call spanning the ex-date: the library's own figures, written in full.
    let am = ccplan::pricing::american::AmericanInputs {
        right: ccplan::model::Right::Call,
        spot: 105.0,
        strike: 100.0,
        t: 0.2,
        rate: 0.04,
        div_yield: 0.0,
        dividends: vec![ccplan::pricing::american::CashDividend {
            t: 0.1,
            amount: 1.5,
        }],
    };
    let r = ccplan::pricing::american::early_exercise(&am, 0.25).unwrap();
    assert_eq!(num(1, "price"), r.price);
    assert_eq!(num(1, "european_price"), r.european_price);
    assert_eq!(num(1, "critical_spot"), r.critical_spot.unwrap());
    assert_eq!(num(1, "p_early_exercise"), r.p_early_exercise.unwrap());
    assert!(num(1, "early_exercise_premium") > 0.2);
    // The European row leaves the four empty; the put has no critical spot.
    for c in [
        "european_price",
        "early_exercise_premium",
        "critical_spot",
        "p_early_exercise",
    ] {
        assert_eq!(rows[2][col(c)], "", "{c}");
    }
    assert!(num(3, "early_exercise_premium") > 0.0);
    assert_eq!(rows[3][col("critical_spot")], "");
    // The iv batch inverts the American price (shape unchanged).
    let price = rows[1][col("price")];
    let iv_in = format!(
        "kind,spot,strike,t_years,rate,div_yield,price,style,dividends\ncall,105,100,0.2,0.04,0,{price},american,0.1:1.5\n"
    );
    let o = ccplan(&["iv", "--batch", "-"], &iv_in);
    let out = stdout(&o);
    let row: Vec<&str> = out.lines().nth(1).unwrap().split(',').collect();
    let iv: f64 = row[9].parse().unwrap();
    assert!((iv - 0.25).abs() < 1e-9, "{iv}");
    assert_eq!(
        out.lines().next().unwrap(),
        "kind,spot,strike,t_years,rate,div_yield,price,style,dividends,implied_vol,error"
    );
}

#[test]
fn american_single_option_and_refusals() {
    let o = ccplan(
        &[
            "price",
            "call",
            "--spot",
            "105",
            "--strike",
            "100",
            "--years",
            "0.2",
            "--vol",
            "25%",
            "--style",
            "american",
            "--dividend-years",
            "0.1:1.5",
        ],
        "",
    );
    assert!(o.status.success(), "{}", stderr(&o));
    let out = stdout(&o);
    assert!(out.contains("early-exercise premium"), "{out}");
    assert!(out.contains("optimal above 107.01"), "{out}");
    // Dividends without the American style are a usage error.
    let o = ccplan(
        &[
            "price",
            "call",
            "--spot",
            "105",
            "--strike",
            "100",
            "--years",
            "0.2",
            "--vol",
            "25%",
            "--dividend-years",
            "0.1:1.5",
        ],
        "",
    );
    assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
    assert!(stderr(&o).contains("--style american"), "{}", stderr(&o));
    // A price below intrinsic has no American implied vol.
    let o = ccplan(
        &[
            "iv",
            "call",
            "--spot",
            "105",
            "--strike",
            "100",
            "--years",
            "0.2",
            "--price",
            "4",
            "--style",
            "american",
            "--dividend-years",
            "0.1:1.5",
        ],
        "",
    );
    assert_eq!(o.status.code(), Some(1));
    assert!(
        stderr(&o).contains("below the discounted intrinsic"),
        "{}",
        stderr(&o)
    );
}
