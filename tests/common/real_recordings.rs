//! The real IdP recordings, `../shared/fixtures/real`: data every developer
//! and every CI run has beside the project (`../shared/README.md`), read in
//! place and never copied. One file, included with `#[path]` by the
//! integration tests and by the unit tests in `src/`, so one rule holds for
//! every test that reads them:
//!
//! - present: the test reads them;
//! - missing: the test fails and says what is missing, so no test reports
//!   `ok` without having looked at them;
//! - missing with `SAML_SP_ALLOW_MISSING_SHARED=1`: the test passes without
//!   them (or on the project's own fixtures only) and writes
//!   `SKIPPED in <test>: ...` to stderr, past the test harness's capture, so
//!   the line shows in a plain `cargo test`.

use std::io::Write as _;
use std::path::{Path, PathBuf};

/// Set to `1`, tests pass without `../shared` and print `SKIPPED` lines.
pub(crate) const ALLOW_MISSING: &str = "SAML_SP_ALLOW_MISSING_SHARED";

/// `../shared/fixtures/real` when it is there (its `manifest.json` is the
/// sign). When it is not: `None` under `SAML_SP_ALLOW_MISSING_SHARED=1`,
/// after a `SKIPPED` line naming the test and `what` it did not check;
/// otherwise a panic that says how to fix it.
pub(crate) fn real_recordings_dir(what: &str) -> Option<PathBuf> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared/fixtures/real");
    if dir.join("manifest.json").is_file() {
        return Some(dir);
    }
    // The test harness names each test's thread after the test.
    let thread = std::thread::current();
    let test = thread.name().unwrap_or("this test");
    if std::env::var_os(ALLOW_MISSING).is_some_and(|v| v == "1") {
        // io::stderr() itself, not eprintln!: the harness swallows what a
        // passing test prints through the macros, and this must be seen.
        let _ = writeln!(
            std::io::stderr(),
            "SKIPPED in {test}: {what} (../shared/fixtures/real not found; {ALLOW_MISSING}=1)"
        );
        return None;
    }
    panic!(
        "{test} needs ../shared/fixtures/real for {what}, and {} is not there.\n\
         Every developer and CI run has ../shared beside the project (README, Tests). \
         Without it, run with {ALLOW_MISSING}=1: the tests that need it then pass \
         without it and print SKIPPED lines.",
        dir.display()
    );
}
