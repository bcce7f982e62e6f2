//! Broker positions exports, one fixture per shape (written for this project in the brokers'
//! layouts, with their quirks), each parsed to the lots and written calls it holds; the
//! account choice, the errors, and the TOML written back.

use std::path::Path;

use ccplan::import::{detect, load_holdings, write_toml, BrokerFormat, Imported};
use ccplan::model::{parse_holdings, Holding, OptionContract};

fn fixture(name: &str) -> String {
    let p = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/brokers")
        .join(name);
    std::fs::read_to_string(&p).unwrap_or_else(|e| panic!("{}: {e}", p.display()))
}

fn load(name: &str, account: Option<&str>) -> Imported {
    load_holdings(&fixture(name), name, account).unwrap_or_else(|e| panic!("{name}: {e}"))
}

fn holding<'a>(imp: &'a Imported, sym: &str) -> &'a Holding {
    imp.portfolio
        .holdings
        .iter()
        .find(|h| h.symbol == sym)
        .unwrap_or_else(|| panic!("no {sym} in {:?}", imp.portfolio))
}

fn occ(s: &str) -> OptionContract {
    OptionContract::parse_occ(s).unwrap()
}

fn close(a: Option<f64>, b: f64) {
    let a = a.expect("a cost basis");
    assert!((a - b).abs() < 1e-9, "{a} vs {b}");
}

/// The written calls of a holding as (OCC, contracts).
fn written(h: &Holding) -> Vec<(String, u32)> {
    h.written
        .iter()
        .map(|w| (w.contract.occ(), w.contracts))
        .collect()
}

/// The open price the export gives for a short call.
fn call_price(imp: &Imported, contract: &str) -> Option<f64> {
    let c = occ(contract);
    imp.positions
        .as_ref()
        .and_then(|p| p.calls.iter().find(|s| s.contract == c))
        .and_then(|s| s.price)
}

fn ignored_items(imp: &Imported) -> Vec<String> {
    imp.ignored.iter().map(|i| i.item.clone()).collect()
}

fn symbols(imp: &Imported) -> Vec<&str> {
    imp.portfolio
        .holdings
        .iter()
        .map(|h| h.symbol.as_str())
        .collect()
}

#[test]
fn every_fixture_is_detected_from_its_content() {
    for (file, want) in [
        ("schwab_positions.csv", BrokerFormat::Schwab),
        ("schwab_all_accounts.csv", BrokerFormat::Schwab),
        ("fidelity_positions.csv", BrokerFormat::Fidelity),
        ("ibkr_activity.csv", BrokerFormat::IbkrStatement),
        ("ibkr_flex.csv", BrokerFormat::IbkrFlex),
        ("ibkr_tws_portfolio.csv", BrokerFormat::IbkrTws),
        ("etrade_portfolio.csv", BrokerFormat::Etrade),
        ("tastytrade_positions.csv", BrokerFormat::Tastytrade),
        ("robinhood_positions.csv", BrokerFormat::Robinhood),
    ] {
        assert_eq!(detect(&fixture(file)), Some(want), "{file}");
    }
    assert_eq!(detect("symbol,shares\nNVDA,100\n"), None);
    assert_eq!(detect("[[holding]]\nsymbol = \"NVDA\"\nshares = 1\n"), None);
}

#[test]
fn schwab_single_account() {
    let imp = load("schwab_positions.csv", None);
    assert_eq!(imp.format, "schwab positions");
    assert_eq!(symbols(&imp), ["NVDA", "MSFT", "SCHD"]);
    let nvda = holding(&imp, "NVDA");
    assert_eq!(nvda.shares, 300);
    close(nvda.cost_basis, 35_550.0 / 300.0);
    assert_eq!(written(nvda), [("NVDA251219C00150000".to_string(), 2)]);
    // $820 of premium over two contracts of 100 shares.
    close(call_price(&imp, "NVDA251219C00150000"), 4.10);
    // 100.25 shares: the quarter share is left out, the basis is the total over all shares.
    let msft = holding(&imp, "MSFT");
    assert_eq!(msft.shares, 100);
    close(msft.cost_basis, 36_060.48 / 100.25);
    close(holding(&imp, "SCHD").cost_basis, 25.0);
    assert!(imp
        .notes
        .iter()
        .any(|n| n.contains("converted to USD per share")));
    assert!(imp
        .notes
        .iter()
        .any(|n| n.contains("MSFT: 0.2500 fractional")));
    let ig = ignored_items(&imp);
    assert_eq!(
        ig,
        [
            "AMD260116C00180000",
            "TSM251219C00200000",
            "Cash & Cash Investments",
            "Account Total"
        ]
    );
    assert!(imp.ignored[0].reason.contains("long call"));
    assert!(imp.ignored[1].reason.contains("without TSM shares"));
    assert_eq!(imp.ignored[0].line, 8);
    assert_eq!(imp.ignored[0].account.as_deref(), Some("Individual ...123"));
}

#[test]
fn schwab_all_accounts_summed_or_one() {
    let all = load("schwab_all_accounts.csv", None);
    let nvda = holding(&all, "NVDA");
    assert_eq!(nvda.shares, 300);
    close(nvda.cost_basis, 35_000.0 / 300.0);
    assert_eq!(written(nvda), [("NVDA251219C00150000".to_string(), 1)]);
    assert!(
        all.notes
            .iter()
            .any(|n| n.contains("2 accounts summed (Individual ...123; Roth IRA ...456)")),
        "{:?}",
        all.notes
    );
    assert!(all
        .ignored
        .iter()
        .any(|i| i.item == "SWVXX" && i.reason.contains("money market")));

    let roth = load("schwab_all_accounts.csv", Some("456"));
    let nvda = holding(&roth, "NVDA");
    assert_eq!(nvda.shares, 100);
    close(nvda.cost_basis, 150.0);
    assert_eq!(nvda.written.len(), 1);
    assert!(roth
        .ignored
        .iter()
        .any(|i| i.line == 5 && i.reason.contains("another account")));
    let e = load_holdings(&fixture("schwab_all_accounts.csv"), "s.csv", Some("joint")).unwrap_err();
    assert!(
        e.to_string()
            .contains("accounts: Individual ...123; Roth IRA ...456"),
        "{e}"
    );
}

#[test]
fn fidelity_accounts_funds_and_disclaimers() {
    let all = load("fidelity_positions.csv", None);
    assert_eq!(symbols(&all), ["NVDA", "MSFT"]);
    let nvda = holding(&all, "NVDA");
    assert_eq!(nvda.shares, 400);
    close(nvda.cost_basis, (300.0 * 118.5 + 100.0 * 90.0) / 400.0);
    assert_eq!(written(nvda), [("NVDA251219C00150000".to_string(), 2)]);
    close(call_price(&all, "NVDA251219C00150000"), 4.10);
    // MSFT has no average cost ("--"): the total over 50.5 shares.
    close(holding(&all, "MSFT").cost_basis, 18_180.0 / 50.5);
    assert_eq!(
        written(holding(&all, "MSFT")),
        [("MSFT251219C00430000".to_string(), 1)]
    );
    assert_eq!(
        ignored_items(&all),
        ["SPAXX**", "FXAIX", "AMD260116P00140000", "Pending Activity"]
    );
    assert!(all.ignored[1].reason.contains("mutual fund"));
    assert!(all.ignored[2].reason.contains("short put"));
    assert!(all.notes.iter().any(|n| n.contains("3 disclaimer lines")));

    let roth = load("fidelity_positions.csv", Some("roth"));
    assert_eq!(holding(&roth, "NVDA").shares, 100);
    close(holding(&roth, "NVDA").cost_basis, 90.0);
    assert!(holding(&roth, "NVDA").written.is_empty());
    let ind = load("fidelity_positions.csv", Some("Z10000001"));
    assert_eq!(symbols(&ind), ["NVDA"]);
}

#[test]
fn ibkr_activity_statement() {
    let imp = load("ibkr_activity.csv", None);
    assert_eq!(symbols(&imp), ["NVDA", "AMD"]);
    let nvda = holding(&imp, "NVDA");
    assert_eq!(nvda.shares, 300, "lot rows are not counted twice");
    close(nvda.cost_basis, 118.5);
    assert_eq!(written(nvda), [("NVDA251219C00150000".to_string(), 2)]);
    let amd = holding(&imp, "AMD");
    assert_eq!(amd.shares, 1000);
    close(amd.cost_basis, 120.25);
    assert_eq!(written(amd), [("AMD260116C00170000".to_string(), 5)]);
    close(call_price(&imp, "AMD260116C00170000"), 5.05);
    assert_eq!(ignored_items(&imp), ["SAP", "AMD260116P00130000"]);
    assert!(imp.ignored[0].reason.contains("currency EUR"));
    assert_eq!(imp.ignored[0].account.as_deref(), Some("U1234567"));
}

#[test]
fn ibkr_flex_two_accounts() {
    let imp = load("ibkr_flex.csv", None);
    assert_eq!(symbols(&imp), ["NVDA", "AMD"]);
    assert_eq!(holding(&imp, "NVDA").shares, 300);
    close(holding(&imp, "AMD").cost_basis, 95.25);
    assert_eq!(
        written(holding(&imp, "AMD")),
        [("AMD260116C00170000".to_string(), 1)]
    );
    assert!(imp.notes.iter().any(|n| n.contains("2 accounts summed")));
    let roth = load("ibkr_flex.csv", Some("Roth"));
    assert_eq!(symbols(&roth), ["AMD"]);
    assert_eq!(ignored_items(&load("ibkr_flex.csv", None)), ["USD"]);
}

#[test]
fn ibkr_tws_portfolio() {
    let imp = load("ibkr_tws_portfolio.csv", None);
    assert_eq!(symbols(&imp), ["NVDA"]);
    assert_eq!(
        written(holding(&imp, "NVDA")),
        [("NVDA251219C00150000".to_string(), 2)]
    );
    close(call_price(&imp, "NVDA251219C00150000"), 4.10);
    assert_eq!(ignored_items(&imp), ["AMD260116P00130000", "ES Mar20'26"]);
}

#[test]
fn etrade_portfolio() {
    let imp = load("etrade_portfolio.csv", None);
    assert_eq!(symbols(&imp), ["NVDA", "MSFT"]);
    close(holding(&imp, "NVDA").cost_basis, 118.5);
    close(holding(&imp, "MSFT").cost_basis, 390.0);
    assert_eq!(holding(&imp, "MSFT").shares, 70);
    assert_eq!(
        written(holding(&imp, "NVDA")),
        [("NVDA251219C00150000".to_string(), 2)]
    );
    assert_eq!(
        ignored_items(&imp),
        ["MSFT260116P00450000", "CASH", "TOTAL"]
    );
    assert_eq!(
        imp.positions.as_ref().unwrap().accounts,
        ["Individual Brokerage -1234"]
    );
}

#[test]
fn tastytrade_positions() {
    let imp = load("tastytrade_positions.csv", None);
    assert_eq!(symbols(&imp), ["NVDA", "PLTR"]);
    close(holding(&imp, "PLTR").cost_basis, 120.0);
    assert_eq!(
        written(holding(&imp, "PLTR")),
        [("PLTR260116C00200000".to_string(), 1)]
    );
    close(call_price(&imp, "NVDA251219C00150000"), 4.10);
    assert_eq!(ignored_items(&imp), ["/ESH6"]);
}

#[test]
fn robinhood_positions_with_fractions() {
    let imp = load("robinhood_positions.csv", None);
    assert_eq!(symbols(&imp), ["NVDA"]);
    assert_eq!(holding(&imp, "NVDA").shares, 300);
    close(holding(&imp, "NVDA").cost_basis, 118.5);
    assert_eq!(
        written(holding(&imp, "NVDA")),
        [("NVDA251219C00150000".to_string(), 2)]
    );
    assert_eq!(ignored_items(&imp), ["SMCI"]);
    assert!(imp.ignored[0].reason.contains("less than one whole share"));
}

#[test]
fn errors_name_line_and_column() {
    let bad = fixture("schwab_positions.csv").replace("\"300\"", "\"lots\"");
    let e = load_holdings(&bad, "s.csv", None).unwrap_err().to_string();
    assert_eq!(
        e,
        "s.csv, line 4, column 3: schwab positions: quantity: \"lots\" is not a number"
    );
    let bad = fixture("fidelity_positions.csv").replace("$118.50", "$1l8.50");
    let e = load_holdings(&bad, "f.csv", None).unwrap_err().to_string();
    assert!(
        e.starts_with("f.csv, line 3, column 15: fidelity positions:"),
        "{e}"
    );
    let bad = fixture("ibkr_activity.csv").replace(",118.5,", ",x,");
    let e = load_holdings(&bad, "i.csv", None).unwrap_err().to_string();
    assert!(e.starts_with("i.csv, line 12, column 9:"), "{e}");
}

#[test]
fn unknown_formats_list_the_known_ones() {
    let e = load_holdings(
        "Date,Open,High,Low,Close\n2025-12-01,1,2,0.5,1.5\n",
        "x.csv",
        None,
    )
    .unwrap_err()
    .to_string();
    assert!(
        e.starts_with("x.csv: not a holdings file ccplan recognizes"),
        "{e}"
    );
    for f in [
        "ccplan toml",
        "schwab positions",
        "fidelity positions",
        "ibkr flex positions",
        "robinhood positions",
    ] {
        assert!(e.contains(f), "{f} missing from {e}");
    }
    // A broker export with nothing to hold says what it ignored.
    let only_cash = "Account Number,Account Name,Symbol,Description,Quantity,Last Price,Current Value\nZ1,Ind,SPAXX**,MONEY MARKET,,,$5.00\n";
    let e = load_holdings(only_cash, "f.csv", None)
        .unwrap_err()
        .to_string();
    assert!(
        e.contains("no stock positions") && e.contains("SPAXX**"),
        "{e}"
    );
    // ccplan's own files have no accounts.
    let e = load_holdings("symbol,shares\nNVDA,100\n", "h.csv", Some("roth")).unwrap_err();
    assert!(e.to_string().contains("has no accounts"), "{e}");
}

#[test]
fn own_formats_still_load() {
    let imp = load_holdings("symbol,shares,cost_basis\nNVDA,300,118.5\n", "h.csv", None).unwrap();
    assert_eq!(imp.format, "ccplan csv");
    assert_eq!(imp.portfolio.holdings[0].shares, 300);
    let toml = "\u{feff}[[holding]]\nsymbol = \"NVDA\"\nshares = 300\n";
    assert_eq!(
        load_holdings(toml, "h.toml", None).unwrap().format,
        "ccplan toml"
    );
}

#[test]
fn toml_written_back_reads_the_same() {
    for file in [
        "schwab_positions.csv",
        "schwab_all_accounts.csv",
        "fidelity_positions.csv",
        "ibkr_activity.csv",
        "ibkr_flex.csv",
        "ibkr_tws_portfolio.csv",
        "etrade_portfolio.csv",
        "tastytrade_positions.csv",
        "robinhood_positions.csv",
    ] {
        let imp = load(file, None);
        let mut out = Vec::new();
        write_toml(
            &imp.portfolio,
            &[format!("from {file}")],
            &imp.ignored,
            &mut out,
        )
        .unwrap();
        let text = String::from_utf8(out).unwrap();
        let back =
            parse_holdings(&text, "back.toml").unwrap_or_else(|e| panic!("{file}: {e}\n{text}"));
        assert_eq!(back, imp.portfolio, "{file}\n{text}");
        assert!(text.starts_with(&format!("# from {file}\n")));
        if !imp.ignored.is_empty() {
            assert!(text.contains("# Left out of the export:"), "{text}");
        }
    }
}

#[test]
fn older_fidelity_and_unsigned_tastytrade_layouts() {
    let old = "Account Name/Number,Symbol,Description,Quantity,Last Price,Last Price Change,Current Value,Today's Gain/Loss Dollar,Cost Basis,Cost Basis Per Share,Type\n\
               Individual - TOD X12345678,NVDA,NVIDIA CORP,200,$140.15,+$1.66,\"$28,030.00\",,\"$24,000.00\",$120.00,Cash\n\
               Individual - TOD X12345678, -NVDA251219C150,NVDA DEC 19 2025 $150 CALL,-1,$3.20,,-$320.00,,$410.00,$4.10,Margin\n";
    assert_eq!(detect(old), Some(BrokerFormat::Fidelity));
    let imp = load_holdings(old, "old.csv", None).unwrap();
    close(imp.portfolio.holdings[0].cost_basis, 120.0);
    assert_eq!(imp.portfolio.holdings[0].written[0].contracts, 1);
    assert_eq!(
        imp.positions.unwrap().accounts,
        ["Individual - TOD X12345678"]
    );

    let tt = "Account,Symbol,Type,Direction,Quantity,Exp Date,Strike Price,Call/Put,Trade Price\n\
              5WT1,AMD,Equity,Long,300,,,,95.00\n\
              5WT1,AMD 1/16/2026 170 C,Equity Option,Short,3,1/16/2026,170,CALL,5.05\n";
    let imp = load_holdings(tt, "tt.csv", None).unwrap();
    let amd = &imp.portfolio.holdings[0];
    assert_eq!(written(amd), [("AMD260116C00170000".to_string(), 3)]);
}

#[test]
fn ibkr_statement_with_an_account_column() {
    let text = "Statement,Header,Field Name,Field Value\n\
                Open Positions,Header,DataDiscriminator,Asset Category,Currency,Account,Symbol,Quantity,Mult,Cost Price,Cost Basis,Close Price,Value,Unrealized P/L,Code\n\
                Open Positions,Data,Summary,Stocks,USD,U111,NVDA,100,1,100,10000,140,14000,4000,\n\
                Open Positions,Data,Summary,Stocks,USD,U222,NVDA,200,1,130,26000,140,28000,2000,\n\
                Open Positions,Data,Summary,Equity and Index Options,USD,U222,NVDA 19DEC25 150 C,-2,100,4.1,-820,3.2,-640,180,\n";
    let all = load_holdings(text, "ib.csv", None).unwrap();
    assert_eq!(all.portfolio.holdings[0].shares, 300);
    close(all.portfolio.holdings[0].cost_basis, 36_000.0 / 300.0);
    let one = load_holdings(text, "ib.csv", Some("U111")).unwrap();
    assert_eq!(one.portfolio.holdings[0].shares, 100);
    assert!(one.portfolio.holdings[0].written.is_empty());
    assert!(one
        .ignored
        .iter()
        .any(|i| i.line == 5 && i.reason.contains("another account")));
}
