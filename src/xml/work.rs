//! A count of elementary steps (a binding compared, a namespace node
//! considered, a declaration visited), kept in test builds only, so tests
//! can show that the work on hostile input grows linearly with its size
//! without timing anything. In other builds [`tally`] compiles to nothing.

#[cfg(test)]
thread_local! {
    static STEPS: std::cell::Cell<u64> = const { std::cell::Cell::new(0) };
}

/// Counts `n` steps (test builds only).
#[inline(always)]
pub(crate) fn tally(n: usize) {
    #[cfg(test)]
    STEPS.with(|s| s.set(s.get() + n as u64));
    #[cfg(not(test))]
    let _ = n;
}

/// The steps counted on this thread since the last call.
#[cfg(test)]
pub(crate) fn take() -> u64 {
    STEPS.with(|s| s.replace(0))
}
