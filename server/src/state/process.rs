//! The process's own figures for `/metrics` — resident memory, CPU time, open files — read from
//! Linux's `/proc/self` at each scrape (the names are those of Prometheus's process collector,
//! so dashboards made for other services read them).

/// What the process uses now.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct ProcessFigures {
    pub resident_bytes: u64,
    /// User and system CPU time since the process started.
    pub cpu_seconds: f64,
    pub open_fds: u64,
}

/// Clock ticks per second of `/proc/self/stat` (USER_HZ, 100 on every Linux platform quanze
/// runs on; reading it exactly would take `sysconf`, an unsafe call).
const TICKS_PER_SECOND: f64 = 100.0;

/// The figures, or `None` where `/proc` is not there.
pub fn read() -> Option<ProcessFigures> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let stat = std::fs::read_to_string("/proc/self/stat").ok()?;
    let open_fds = std::fs::read_dir("/proc/self/fd").ok()?.count() as u64;
    Some(ProcessFigures {
        resident_bytes: resident_kib(&status)? * 1024,
        cpu_seconds: cpu_ticks(&stat)? as f64 / TICKS_PER_SECOND,
        open_fds,
    })
}

/// `VmRSS` of `/proc/self/status`, in KiB.
fn resident_kib(status: &str) -> Option<u64> {
    status
        .lines()
        .find_map(|l| l.strip_prefix("VmRSS:"))?
        .split_whitespace()
        .next()?
        .parse()
        .ok()
}

/// utime + stime of `/proc/self/stat` (fields 14 and 15, counted after the command name,
/// which is in parentheses and may hold spaces).
fn cpu_ticks(stat: &str) -> Option<u64> {
    let after_name = &stat[stat.rfind(')')? + 1..];
    let fields: Vec<&str> = after_name.split_whitespace().collect();
    // after_name starts at field 3 (state): utime is field 14, stime 15.
    let utime: u64 = fields.get(11)?.parse().ok()?;
    let stime: u64 = fields.get(12)?.parse().ok()?;
    Some(utime + stime)
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn parses_proc_files() {
        let stat = "4242 (quanze serve) S 1 4242 4242 0 -1 4194560 2563 0 0 0 150 25 0 0 20 0 9 0 1234 1000 200";
        assert_eq!(cpu_ticks(stat), Some(175));
        assert_eq!(
            resident_kib("Name:\tquanze\nVmRSS:\t  204800 kB\n"),
            Some(204_800)
        );
        assert_eq!(resident_kib("Name:\tquanze\n"), None);
        let now = read().unwrap();
        assert!(
            now.resident_bytes > 1_000_000 && now.open_fds > 2,
            "{now:?}"
        );
    }
}
