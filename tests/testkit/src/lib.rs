//! Test support for quanze: a fresh SQLite file or a fresh PostgreSQL database for each test.
//!
//! PostgreSQL comes from a throw-away cluster that this crate starts from the `initdb`/`pg_ctl`
//! binaries on the machine (as the `postgres` user when the tests run as root), listening only
//! on a unix socket in a temporary directory. One cluster serves the whole test process; each
//! test gets its own database in it. A watchdog shell stops the cluster and removes its files
//! when the test process exits, however it exits.
//!
//! Where PostgreSQL is not installed the PostgreSQL tests skip with a loud message, unless
//! `QUANZE_REQUIRE_POSTGRES=1`, where they fail.
#![allow(clippy::expect_used, clippy::unwrap_used)]

pub mod browser;
pub mod server;
pub mod workbench;

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::OnceLock;
use std::sync::atomic::{AtomicUsize, Ordering};

/// Which database a test runs against.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Postgres,
}

impl Backend {
    pub fn name(self) -> &'static str {
        match self {
            Backend::Sqlite => "sqlite",
            Backend::Postgres => "postgres",
        }
    }
}

/// A database that exists for one test. Keep it alive for as long as the test uses the URL.
pub struct TestDatabase {
    pub backend: Backend,
    pub url: String,
    /// Scratch directory of the test (the SQLite file lives here; tests may put data dirs here).
    pub dir: tempfile::TempDir,
}

impl TestDatabase {
    /// A fresh, empty database of the given backend; `None` (after printing why) when the
    /// backend is PostgreSQL and no PostgreSQL is installed and it is not required.
    pub fn new(backend: Backend) -> Option<TestDatabase> {
        let dir = tempfile::Builder::new()
            .prefix("quanze-test-")
            .tempdir()
            .expect("temp dir");
        match backend {
            Backend::Sqlite => {
                let url = format!("sqlite://{}", dir.path().join("quanze.db").display());
                Some(TestDatabase { backend, url, dir })
            }
            Backend::Postgres => {
                let cluster = shared_cluster()?;
                let url = cluster.create_database();
                Some(TestDatabase { backend, url, dir })
            }
        }
    }

    /// Both backends, in order, skipping PostgreSQL where it is unavailable and not required.
    pub fn each() -> Vec<TestDatabase> {
        [Backend::Sqlite, Backend::Postgres]
            .into_iter()
            .filter_map(TestDatabase::new)
            .collect()
    }
}

/// True when the environment demands the PostgreSQL tests run (CI).
pub fn postgres_required() -> bool {
    std::env::var("QUANZE_REQUIRE_POSTGRES").is_ok_and(|v| v == "1" || v == "true")
}

struct PgCluster {
    socket_dir: PathBuf,
    port: u16,
    counter: AtomicUsize,
}

static CLUSTER: OnceLock<Option<PgCluster>> = OnceLock::new();

fn shared_cluster() -> Option<&'static PgCluster> {
    CLUSTER
        .get_or_init(|| match PgCluster::start() {
            Ok(cluster) => Some(cluster),
            Err(why) => {
                if postgres_required() {
                    panic!("QUANZE_REQUIRE_POSTGRES=1 but PostgreSQL could not be started: {why}");
                }
                eprintln!(
                    "\n*** SKIPPING PostgreSQL tests: {why}\n*** (install postgresql, or set QUANZE_REQUIRE_POSTGRES=1 to make this an error)\n"
                );
                None
            }
        })
        .as_ref()
}

/// Runs one of PostgreSQL's client tools (`pg_dump`, `pg_restore`, …) from the cluster's own
/// installation, so that its version matches the server's; its output.
pub fn pg_tool(name: &str, args: &[&str]) -> std::io::Result<std::process::Output> {
    let bindir = find_pg_bindir().map_err(std::io::Error::other)?;
    Command::new(bindir.join(name)).args(args).output()
}

fn find_pg_bindir() -> Result<PathBuf, String> {
    if let Ok(dir) = std::env::var("QUANZE_PG_BINDIR") {
        return Ok(PathBuf::from(dir));
    }
    let mut candidates: Vec<PathBuf> = std::fs::read_dir("/usr/lib/postgresql")
        .map(|rd| {
            rd.filter_map(|e| e.ok())
                .map(|e| e.path().join("bin"))
                .filter(|p| p.join("initdb").exists())
                .collect()
        })
        .unwrap_or_default();
    candidates.sort();
    if let Some(newest) = candidates.pop() {
        return Ok(newest);
    }
    if let Ok(out) = Command::new("pg_config").arg("--bindir").output()
        && out.status.success()
    {
        let dir = PathBuf::from(String::from_utf8_lossy(&out.stdout).trim());
        if dir.join("initdb").exists() {
            return Ok(dir);
        }
    }
    Err("no initdb found (looked in /usr/lib/postgresql/*/bin and pg_config --bindir)".into())
}

fn is_root() -> bool {
    Command::new("id")
        .arg("-u")
        .output()
        .map(|o| String::from_utf8_lossy(&o.stdout).trim() == "0")
        .unwrap_or(false)
}

/// Runs a PostgreSQL binary, as the `postgres` user when we are root (initdb refuses root).
fn pg_command(bin: &Path, as_postgres: bool) -> Command {
    if as_postgres {
        let mut cmd = Command::new("runuser");
        cmd.args(["-u", "postgres", "--"]).arg(bin);
        cmd
    } else {
        Command::new(bin)
    }
}

/// A TCP port nothing listens on now (for a test's own servers).
pub(crate) fn free_port() -> Result<u16, String> {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").map_err(|e| e.to_string())?;
    Ok(listener.local_addr().map_err(|e| e.to_string())?.port())
}

/// A new directory for a cluster, owned by `postgres` when we are root.
fn cluster_dir(root: bool) -> Result<PathBuf, String> {
    let base = tempfile::Builder::new()
        .prefix("quanze-pg-")
        .tempdir()
        .map_err(|e| e.to_string())?
        .keep();
    let status = Command::new("chmod")
        .arg("755")
        .arg(&base)
        .status()
        .map_err(|e| e.to_string())?;
    if !status.success() {
        return Err("chmod of the cluster directory failed".into());
    }
    if root {
        let status = Command::new("chown")
            .arg("postgres:postgres")
            .arg(&base)
            .status()
            .map_err(|e| format!("chown: {e}"))?;
        if !status.success() {
            return Err("chown postgres: failed (is there a postgres user?)".into());
        }
    }
    Ok(base)
}

/// Starts the cluster in `base/data` on a free port, listening on a socket in `base` only, and
/// the watchdog that stops it when the test process is gone.
fn start_cluster(bindir: &Path, base: &Path, root: bool) -> Result<PgCluster, String> {
    let data = base.join("data");
    let mut last_err = String::new();
    for _attempt in 0..5 {
        let port = free_port()?;
        let options = format!(
            "-p {port} -k {} -c listen_addresses='' -c fsync=off -c synchronous_commit=off -c full_page_writes=off -c max_connections=200",
            base.display()
        );
        let out = pg_command(&bindir.join("pg_ctl"), root)
            .arg("-D")
            .arg(&data)
            .arg("-l")
            .arg(base.join("pg.log"))
            .args(["-w", "-t", "60", "-o", &options, "start"])
            .stdin(Stdio::null())
            // The server inherits pg_ctl's descriptors: never hand it a pipe we wait on.
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .status()
            .map_err(|e| format!("pg_ctl: {e}"))?;
        if out.success() {
            spawn_watchdog(bindir, base, root);
            return Ok(PgCluster {
                socket_dir: base.to_path_buf(),
                port,
                counter: AtomicUsize::new(0),
            });
        }
        last_err = format!(
            "pg_ctl start failed: {}",
            std::fs::read_to_string(base.join("pg.log")).unwrap_or_default()
        );
    }
    Err(last_err)
}

impl PgCluster {
    fn start() -> Result<PgCluster, String> {
        let bindir = find_pg_bindir()?;
        let root = is_root();
        let base = cluster_dir(root)?;
        let data = base.join("data");
        let out = pg_command(&bindir.join("initdb"), root)
            .arg("-D")
            .arg(&data)
            .args([
                "-U",
                "postgres",
                "-A",
                "trust",
                "-E",
                "UTF8",
                "--locale=C.UTF-8",
                "--no-sync",
            ])
            .output()
            .map_err(|e| format!("initdb: {e}"))?;
        if !out.status.success() {
            return Err(format!(
                "initdb failed: {}",
                String::from_utf8_lossy(&out.stderr)
            ));
        }
        start_cluster(&bindir, &base, root)
    }

    fn admin_url(&self, db: &str) -> String {
        format!(
            "postgres://postgres@/{db}?host={}&port={}",
            self.socket_dir.display(),
            self.port
        )
    }

    fn create_database(&self) -> String {
        let n = self.counter.fetch_add(1, Ordering::SeqCst);
        let name = format!("quanze_test_{}_{n}", std::process::id());
        let psql = find_pg_bindir().expect("bindir").join("psql");
        let out = Command::new(&psql)
            .arg(self.admin_url("postgres"))
            .args(["-v", "ON_ERROR_STOP=1", "-q", "-c"])
            .arg(format!("CREATE DATABASE {name}"))
            .output();
        match out {
            Ok(o) if o.status.success() => {}
            Ok(o) => panic!(
                "CREATE DATABASE failed: {}",
                String::from_utf8_lossy(&o.stderr)
            ),
            // psql is missing from the server's bin dir: fall back to the client on PATH.
            Err(_) => {
                let o = Command::new("psql")
                    .arg(self.admin_url("postgres"))
                    .args(["-v", "ON_ERROR_STOP=1", "-q", "-c"])
                    .arg(format!("CREATE DATABASE {name}"))
                    .output()
                    .expect("psql");
                assert!(o.status.success(), "CREATE DATABASE failed");
            }
        }
        self.admin_url(&name)
    }
}

/// Stops the cluster and deletes its files once this test process is gone.
fn spawn_watchdog(bindir: &Path, base: &Path, root: bool) {
    let pid = std::process::id();
    let pg_ctl = bindir.join("pg_ctl");
    let stop = if root {
        format!(
            "runuser -u postgres -- {} -D {}/data -m immediate -w stop",
            pg_ctl.display(),
            base.display()
        )
    } else {
        format!(
            "{} -D {}/data -m immediate -w stop",
            pg_ctl.display(),
            base.display()
        )
    };
    let script = format!(
        "while kill -0 {pid} 2>/dev/null; do sleep 0.5; done; {stop} >/dev/null 2>&1; rm -rf {}",
        base.display()
    );
    let _ = Command::new("sh")
        .arg("-c")
        .arg(script)
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn();
}

/// A PostgreSQL primary with a hot standby that streams from it (`pg_basebackup -R`), each a
/// throw-away cluster of this test alone, on loopback Unix sockets, and one database created on
/// the primary (replicated to the standby like everything else).
pub struct ReplicatedDatabase {
    /// The database on the primary: reads and writes.
    pub primary: TestDatabase,
    /// The standby's URL for the same database: reads only, a moment behind.
    pub standby_url: String,
    standby: PgCluster,
}

impl ReplicatedDatabase {
    /// `None` (after printing why) when PostgreSQL is not installed and not required.
    pub fn new() -> Option<ReplicatedDatabase> {
        match ReplicatedDatabase::start() {
            Ok(r) => Some(r),
            Err(why) if !postgres_required() => {
                eprintln!("\n*** SKIPPING the replicated PostgreSQL test: {why}\n");
                None
            }
            Err(why) => panic!("QUANZE_REQUIRE_POSTGRES=1 but no primary and standby: {why}"),
        }
    }

    fn start() -> Result<ReplicatedDatabase, String> {
        let primary = PgCluster::start()?;
        let bindir = find_pg_bindir()?;
        let root = is_root();
        let base = cluster_dir(root)?;
        let data = base.join("data");
        let out = pg_command(&bindir.join("pg_basebackup"), root)
            .arg("-D")
            .arg(&data)
            .arg("-h")
            .arg(&primary.socket_dir)
            .args(["-p", &primary.port.to_string(), "-U", "postgres"])
            .args(["-R", "-X", "stream", "--no-sync", "-c", "fast"])
            .output()
            .map_err(|e| format!("pg_basebackup: {e}"))?;
        if !out.status.success() {
            return Err(format!(
                "pg_basebackup failed: {}",
                String::from_utf8_lossy(&out.stderr)
            ));
        }
        let standby = start_cluster(&bindir, &base, root)?;
        let url = primary.create_database();
        let name = url
            .split('?')
            .next()
            .and_then(|u| u.rsplit('/').next())
            .unwrap_or_default()
            .to_string();
        let standby_url = standby.admin_url(&name);
        // The database appears on the standby once the primary's WAL is replayed there.
        let psql = bindir.join("psql");
        let deadline = std::time::Instant::now() + std::time::Duration::from_secs(30);
        loop {
            let ok = Command::new(&psql)
                .arg(&standby_url)
                .args(["-q", "-c", "SELECT 1"])
                .output()
                .is_ok_and(|o| o.status.success());
            if ok {
                break;
            }
            if std::time::Instant::now() > deadline {
                return Err("the database never appeared on the standby".into());
            }
            std::thread::sleep(std::time::Duration::from_millis(100));
        }
        let dir = tempfile::Builder::new()
            .prefix("quanze-test-")
            .tempdir()
            .map_err(|e| e.to_string())?;
        Ok(ReplicatedDatabase {
            primary: TestDatabase {
                backend: Backend::Postgres,
                url,
                dir,
            },
            standby_url,
            standby,
        })
    }

    /// Sessions connected to the standby's copy of the database, other than this question's.
    pub fn standby_sessions(&self) -> usize {
        self.on_standby(
            "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid()",
        )
        .parse()
        .expect("a count")
    }

    /// The answer of one statement on the standby's copy of the database, unaligned.
    fn on_standby(&self, sql: &str) -> String {
        let psql = find_pg_bindir().expect("bindir").join("psql");
        let out = Command::new(psql)
            .arg(&self.standby_url)
            .args(["-At", "-c", sql])
            .output()
            .expect("psql");
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        String::from_utf8_lossy(&out.stdout).trim().to_string()
    }

    /// Pauses (`true`) or resumes the standby's replay of the primary's changes: while paused,
    /// whatever reads from the standby sees the database as it was.
    pub fn pause_standby_replay(&self, pause: bool) {
        self.on_standby(if pause {
            "SELECT pg_wal_replay_pause()"
        } else {
            "SELECT pg_wal_replay_resume()"
        });
    }

    /// Stops the standby at once, as a crash would.
    pub fn stop_standby(&self) {
        let bindir = find_pg_bindir().expect("bindir");
        let status = pg_command(&bindir.join("pg_ctl"), is_root())
            .arg("-D")
            .arg(self.standby.socket_dir.join("data"))
            .args(["-m", "immediate", "-w", "stop"])
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .status()
            .expect("pg_ctl");
        assert!(status.success(), "pg_ctl stop of the standby failed");
    }
}
