//! How long changes have waited for this index, by this process's clock. The registry's own
//! timestamps do not say it: an outbox entry is stamped when its transaction starts (every row
//! of an hour-long import carries its first second), and by whichever host wrote it. So a server
//! notes when it first saw the outbox reach a sequence number, and a change has waited since the
//! first time this server saw it pending — found at the first look after it committed (every
//! `/readyz` and `/metrics` asks).

use std::collections::VecDeque;
use std::sync::Mutex;
use std::time::Instant;

/// Sequence numbers the outbox was seen to reach, each with when it was first seen.
#[derive(Default)]
pub struct LagClock {
    seen: Mutex<VecDeque<(i64, Instant)>>,
}

/// At most this many observations are kept (one per look that found a newer sequence number
/// while the index was behind); the oldest are kept, so the age stays an upper bound.
const MAX_OBSERVATIONS: usize = 4096;

impl LagClock {
    /// Notes that the outbox reached `outbox` while the index has applied up to `applied`, and
    /// returns how long, in seconds, the oldest change not yet applied has been seen waiting
    /// (0 when the index is in step).
    pub fn waiting_seconds(&self, outbox: i64, applied: i64) -> f64 {
        let mut seen = self
            .seen
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        if outbox <= applied {
            seen.clear();
            return 0.0;
        }
        while seen.front().is_some_and(|(seq, _)| *seq <= applied) {
            seen.pop_front();
        }
        if seen.back().is_none_or(|(seq, _)| *seq < outbox) && seen.len() < MAX_OBSERVATIONS {
            seen.push_back((outbox, Instant::now()));
        }
        seen.front()
            .map_or(0.0, |(_, first)| first.elapsed().as_secs_f64())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::Duration;

    #[test]
    fn a_change_waits_from_when_it_was_first_seen_until_applied() {
        let clock = LagClock::default();
        assert_eq!(clock.waiting_seconds(10, 10), 0.0);
        // Seq 11 and 12 appear; nothing applied.
        assert!(clock.waiting_seconds(12, 10) < 0.05);
        std::thread::sleep(Duration::from_millis(120));
        // More appear later: the oldest pending one has waited since it was first seen.
        let waited = clock.waiting_seconds(15, 10);
        assert!(waited >= 0.1, "{waited}");
        // 11 and 12 applied: 13–15 were first seen later.
        std::thread::sleep(Duration::from_millis(50));
        let later = clock.waiting_seconds(15, 12);
        assert!(later >= 0.04 && later < waited, "{later} vs {waited}");
        assert_eq!(clock.waiting_seconds(15, 15), 0.0);
        assert!(clock.waiting_seconds(16, 15) < 0.05);
    }
}
