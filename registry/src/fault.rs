//! Crash points for the crash-safety tests. With `QUANZE_TEST_PAUSE_AT=<point>#<n>:<marker
//! file>` in its environment, a process that reaches `<point>` for the `n`th time (`#<n>` may
//! be left out for the first) writes its id into the marker file and waits there until it is
//! killed, so that a test kills it (SIGKILL) at exactly that moment
//! — inside a write transaction, between an index's prepare and commit — instead of guessing
//! with a sleep. Without the variable (always, outside the tests) a point costs one load of a
//! static. The points are named where they are: `import.batch`, `approve.commit`,
//! `index.commit`, `reindex.swap`.

use std::path::PathBuf;
use std::sync::OnceLock;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

/// The environment variable that names the point to pause at and the marker file.
pub const PAUSE_AT: &str = "QUANZE_TEST_PAUSE_AT";

/// The point, which time it is reached, the marker file.
static TARGET: OnceLock<Option<(String, usize, PathBuf)>> = OnceLock::new();
static REACHED: AtomicUsize = AtomicUsize::new(0);

/// A crash point: pauses here for good when the environment names it (see the module).
pub fn point(name: &str) {
    let target = TARGET.get_or_init(|| {
        let value = std::env::var(PAUSE_AT).ok()?;
        let (point, marker) = value.split_once(':')?;
        let (point, nth) = match point.split_once('#') {
            Some((point, nth)) => (point, nth.parse().ok()?),
            None => (point, 1),
        };
        Some((point.to_string(), nth, PathBuf::from(marker)))
    });
    if let Some((point, nth, marker)) = target
        && point == name
        && REACHED.fetch_add(1, Ordering::SeqCst) + 1 == *nth
    {
        // The marker is written whole under another name and renamed, so the test never reads
        // half of it.
        let partial = marker.with_extension("partial");
        if std::fs::write(&partial, std::process::id().to_string()).is_ok() {
            let _ = std::fs::rename(&partial, marker);
        }
        loop {
            std::thread::sleep(Duration::from_secs(3600));
        }
    }
}
