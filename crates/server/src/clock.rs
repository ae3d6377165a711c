//! The window's clock: the system clock plus an adjustable offset (tests move it forward to
//! expire challenges and certificates without waiting).

use std::sync::Arc;
use std::sync::atomic::{AtomicI64, Ordering};
use std::time::{Duration, SystemTime};

/// A shared clock.
#[derive(Clone, Debug, Default)]
pub struct Clock {
    offset_secs: Arc<AtomicI64>,
}

impl Clock {
    /// The system clock.
    pub fn system() -> Self {
        Clock::default()
    }

    /// Now, with the offset applied.
    pub fn now(&self) -> SystemTime {
        let off = self.offset_secs.load(Ordering::Relaxed);
        let now = SystemTime::now();
        if off >= 0 {
            now + Duration::from_secs(off as u64)
        } else {
            now - Duration::from_secs(off.unsigned_abs())
        }
    }

    /// Moves the clock by `secs` (negative: back).
    pub fn advance(&self, secs: i64) {
        self.offset_secs.fetch_add(secs, Ordering::Relaxed);
    }
}

/// RFC 3339 UTC text of a system time.
pub fn rfc3339(t: SystemTime) -> String {
    madoguchi_pki::request::format_time(time::OffsetDateTime::from(t))
}
