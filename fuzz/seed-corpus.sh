#!/bin/sh
# Seed fuzz/corpus/<target>/ from the test fixtures (and a few hand-written inputs).
# Run from anywhere: sh fuzz/seed-corpus.sh. Existing corpus files are kept.
set -eu
here=$(cd "$(dirname "$0")" && pwd)
fx="$here/../tests/fixtures"
c="$here/corpus"
mkdir -p "$c"
for t in cboe tradier yahoo polygon raw occ holdings chain_file history_file batch_csv broker_import; do
    mkdir -p "$c/$t"
done
for p in cboe tradier yahoo polygon; do
    cp "$fx/$p"/* "$c/$p/"
    for f in "$fx/$p"/*.json; do cp "$f" "$c/raw/$p-$(basename "$f")"; done
done
cp "$fx/file"/*.csv "$fx/file"/*.json "$c/chain_file/"
cp "$fx/file"/history*.csv "$c/history_file/"
cp "$fx/brokers"/*.csv "$c/broker_import/"
for s in KO260417C00060000 "O:KO260417C00060000" "NVDA  261218C00200000" "SPXW261218P05000000" \
         "AAPL1260417C00150000" "KO260230C00060000" "KO260417C00000000"; do
    printf '%s' "$s" > "$c/occ/$(printf '%s' "$s" | tr -c 'A-Za-z0-9' '_')"
done
cat > "$c/holdings/example.toml" <<'TOML'
[[holding]]
symbol = "NVDA"
shares = 300
cost_basis = 118.50
next_earnings = 2027-02-24
ex_dividend = 2026-12-04
dividend = 0.01
written = [{ contract = "NVDA261218C00200000", contracts = 1 }]
TOML
cat > "$c/holdings/example.csv" <<'CSV'
symbol,shares,cost_basis,next_earnings,ex_dividend,dividend,written
NVDA,300,118.50,2027-02-24,2026-12-04,0.01,NVDA261218C00200000:1
MSFT,100,402.10,,,,
CSV
# batch_csv: the first byte selects the mode (bit 0: iv) and --keep-going (bit 1).
printf '\000kind,spot,strike,t_years,rate,div_yield,vol\ncall,42,40,0.5,0.1,0,0.2\nput,187.5,170,0.06,0.04,0.0002,0.52\n' \
    > "$c/batch_csv/price.csv"
printf '\003kind,spot,strike,t_years,rate,div_yield,price,note\ncall,42,40,0.5,0.1,0,4.7594,x\nput,100,100,1,0,0,-1,y\n' \
    > "$c/batch_csv/iv_keep_going.csv"
echo "seeded $(find "$c" -type f | wc -l) files under $c"
