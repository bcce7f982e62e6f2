//! Link the `ccplan` binary as a position-dependent executable on Linux with glibc.
//!
//! A position-independent executable has about 43,000 pointers in its read-only data. The
//! loader fixes them up at every start, and that writes to some 300 pages: `ccplan --version`
//! took 2.5 ms as a whole process as a PIE and takes 1.6 ms without, and every command pays
//! the same 0.9 ms. Linked at a fixed address, the pointers are settled at link time.
//!
//! The price is that the executable's own code is not at a random address (shared libraries,
//! the heap and the stack still are). Set `CCPLAN_PIE=1` when building to keep a PIE.

fn main() {
    println!("cargo:rerun-if-changed=build.rs");
    println!("cargo:rerun-if-env-changed=CCPLAN_PIE");
    let var = |k: &str| std::env::var(k).unwrap_or_default();
    let linux_gnu = var("CARGO_CFG_TARGET_OS") == "linux" && var("CARGO_CFG_TARGET_ENV") == "gnu";
    if linux_gnu && var("CCPLAN_PIE") != "1" {
        println!("cargo:rustc-link-arg-bins=-no-pie");
    }
}
