//! `cargo bench -p quanze-server --bench http_load -- [ITEMS] [SECONDS]`: the service as its
//! users meet it, over HTTP on loopback (a benchmark harness, never a test). Loads the demo,
//! adds generated items up to ITEMS (the demo's real items again under new codes: the same
//! power in many places, as a national registry holds it) through `quanze import`, builds the
//! index with `quanze reindex`, starts `quanze serve` (default configuration, semantic channel
//! on) and measures, with a bounded client of its own (one keep-alive connection per thread,
//! on the same machine): search at 1, 8, 32 and 128 connections for SECONDS each, by default
//! and by words only (`semantic=false`), while one change a second is
//! published through the API (revise, submit, approve); item pages; a full export; the
//! server's memory. Then, in the same run, the same items and queries through SQLite FTS5
//! trigram, PostgreSQL pg_trgm and Groonga (`engines.rs`; `--no-fts5`, `--no-pg`,
//! `--no-groonga` leave one out), and every engine's relevance on the judged sets over the
//! demo's items. Prints tables. The machines here are shared and noisy: compare figures of one
//! run.

use std::io::Read;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

mod engines;
#[path = "../../../indexer/tests/judged/mod.rs"]
mod judged;

use engines::{Built, Doc, Engine, Filters, Fts5, Groonga, PAGE, PgTrgm, QuanzeHttp};
use quanze_testkit::{Backend, TestDatabase};

type BenchResult<T> = Result<T, Box<dyn std::error::Error>>;

const GENERATED_PER_FILE: usize = 100_000;

fn bin() -> &'static Path {
    Path::new(env!("CARGO_BIN_EXE_quanze"))
}

fn repo_root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("..")
}

/// Deterministic xorshift: every run asks the same queries.
struct Rng(u64);

impl Rng {
    fn below(&mut self, n: usize) -> usize {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        (self.0 % n.max(1) as u64) as usize
    }
}

fn quanze(data: &Path, args: &[&str]) -> BenchResult<String> {
    let out = Command::new(bin())
        .arg("--data-dir")
        .arg(data)
        .args(args)
        .stderr(Stdio::inherit())
        .output()?;
    if !out.status.success() {
        return Err(format!("quanze {args:?} failed").into());
    }
    Ok(String::from_utf8(out.stdout)?)
}

fn demo_records() -> BenchResult<Vec<serde_json::Value>> {
    let mut records = Vec::new();
    let mut files: Vec<PathBuf> = std::fs::read_dir(repo_root().join("demo/items"))?
        .flatten()
        .map(|e| e.path())
        .collect();
    files.sort();
    for f in files {
        for line in std::fs::read_to_string(&f)?.lines() {
            records.push(serde_json::from_str(line)?);
        }
    }
    Ok(records)
}

/// Queries as citizens type them: fragments of names, whole names, everyday questions, codes.
fn queries(records: &[serde_json::Value]) -> Vec<String> {
    let mut rng = Rng(0x9e37_79b9_7f4a_7c15);
    let mut out: Vec<String> = [
        "驾驶证",
        "营业执照",
        "出租车",
        "家里老人去世了要办什么手续",
        "想给孩子改个名字",
        "开饭店要办什么证",
        "食品经营许可",
        "道路运输",
        "行政处罚",
        "建筑施工",
    ]
    .iter()
    .map(|s| s.to_string())
    .collect();
    while out.len() < 1_000 {
        let r = &records[rng.below(records.len())];
        let name: Vec<char> = r["name"].as_str().unwrap_or_default().chars().collect();
        let q: String = match rng.below(4) {
            0 => name.iter().collect(),
            1 => r["code"]
                .as_str()
                .unwrap_or_default()
                .chars()
                .take(11)
                .collect(),
            _ => {
                let len = 2 + rng.below(5);
                let from = rng.below(name.len().saturating_sub(len).max(1));
                name.iter().skip(from).take(len).collect()
            }
        };
        if q.chars().count() >= 2 {
            out.push(q);
        }
    }
    out
}

fn enc(s: &str) -> String {
    s.bytes()
        .map(|b| {
            if b.is_ascii_alphanumeric() {
                (b as char).to_string()
            } else {
                format!("%{b:02X}")
            }
        })
        .collect()
}

struct Served {
    child: Child,
    base: String,
}

impl Drop for Served {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// (current, peak) resident memory of a process, in MB.
fn rss_mb(pid: u32) -> (f64, f64) {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).unwrap_or_default();
    let field = |name: &str| {
        status
            .lines()
            .find_map(|l| l.strip_prefix(name))
            .and_then(|v| v.split_whitespace().next()?.parse::<f64>().ok())
            .unwrap_or(0.0)
            / 1024.0
    };
    (field("VmRSS:"), field("VmHWM:"))
}

fn agent() -> ureq::Agent {
    ureq::Agent::config_builder()
        .http_status_as_error(false)
        .timeout_global(Some(Duration::from_secs(60)))
        .build()
        .into()
}

fn percentile(sorted: &[Duration], p: f64) -> f64 {
    if sorted.is_empty() {
        return 0.0;
    }
    sorted[((sorted.len() as f64 - 1.0) * p).round() as usize].as_secs_f64() * 1000.0
}

/// What one load level gave.
struct Level {
    connections: usize,
    requests: usize,
    errors: usize,
    seconds: f64,
    p50: f64,
    p99: f64,
}

/// What one client thread does: its `i`-th request, true when it succeeded.
type Request = Box<dyn FnMut(usize) -> bool>;

/// `connections` threads, each with a client of its own made by `client(thread)`, send
/// requests for `seconds`; thread `c` starts at request `c * 7919` (so that threads ask
/// different things at once).
fn load(
    connections: usize,
    seconds: f64,
    client: Arc<dyn Fn() -> Result<Request, String> + Send + Sync>,
) -> Level {
    let stop = Arc::new(AtomicBool::new(false));
    let errors = Arc::new(AtomicUsize::new(0));
    let latencies = Arc::new(Mutex::new(Vec::new()));
    let started = Instant::now();
    let threads: Vec<_> = (0..connections)
        .map(|c| {
            let (client, stop, errors, latencies) = (
                client.clone(),
                stop.clone(),
                errors.clone(),
                latencies.clone(),
            );
            std::thread::spawn(move || {
                let Ok(mut request) = client() else {
                    errors.fetch_add(1, Ordering::Relaxed);
                    return;
                };
                let mut mine = Vec::new();
                let mut i = c * 7919;
                while !stop.load(Ordering::Relaxed) {
                    let t = Instant::now();
                    if !request(i) {
                        errors.fetch_add(1, Ordering::Relaxed);
                    }
                    i += 1;
                    mine.push(t.elapsed());
                }
                if let Ok(mut all) = latencies.lock() {
                    all.extend(mine);
                }
            })
        })
        .collect();
    std::thread::sleep(Duration::from_secs_f64(seconds));
    stop.store(true, Ordering::Relaxed);
    for t in threads {
        let _ = t.join();
    }
    let elapsed = started.elapsed().as_secs_f64();
    let mut all = latencies.lock().map(|l| l.clone()).unwrap_or_default();
    all.sort_unstable();
    Level {
        connections,
        requests: all.len(),
        errors: errors.load(Ordering::Relaxed),
        seconds: elapsed,
        p50: percentile(&all, 0.50),
        p99: percentile(&all, 0.99),
    }
}

/// GETs of `paths` on `base`, a 200 being success.
fn get_paths(
    base: &str,
    paths: Vec<String>,
) -> Arc<dyn Fn() -> Result<Request, String> + Send + Sync> {
    let (base, paths) = (base.to_string(), Arc::new(paths));
    Arc::new(move || {
        let (agent, base, paths) = (agent(), base.clone(), paths.clone());
        Ok(Box::new(move |i: usize| {
            match agent
                .get(format!("{base}{}", paths[i % paths.len()]))
                .call()
            {
                Ok(mut r) => {
                    let _ = r.body_mut().read_to_vec();
                    r.status() == 200
                }
                Err(_) => false,
            }
        }) as Request)
    })
}

/// Searches of `queries` through `engine`, a page of hits each.
fn searches(
    engine: Arc<dyn Engine>,
    queries: Arc<Vec<String>>,
) -> Arc<dyn Fn() -> Result<Request, String> + Send + Sync> {
    Arc::new(move || {
        let mut client = engine.client()?;
        let queries = queries.clone();
        Ok(Box::new(move |i: usize| {
            client
                .search(&queries[i % queries.len()], &Filters::default(), PAGE)
                .is_ok()
        }) as Request)
    })
}

/// Publishes one change a second through the API until stopped: a revision of one of
/// `codes`, submitted and approved. Returns (changes published, requests that failed).
fn writer(
    base: String,
    editor: String,
    reviewer: String,
    codes: Vec<String>,
    stop: Arc<AtomicBool>,
) -> std::thread::JoinHandle<(usize, usize)> {
    std::thread::spawn(move || {
        let agent = agent();
        let (mut published, mut failed) = (0, 0);
        let mut n = 0;
        while !stop.load(Ordering::Relaxed) {
            let tick = Instant::now();
            let code = &codes[n % codes.len()];
            n += 1;
            let call = |method: &str, path: &str, token: &str, body: Option<&str>| {
                let mut req = ureq::http::Request::builder()
                    .method(method)
                    .uri(format!("{base}{path}"))
                    .header("Authorization", format!("Bearer {token}"))
                    .header("If-Match", "*");
                if body.is_some() {
                    req = req.header("Content-Type", "application/json");
                }
                let req = req
                    .body(body.unwrap_or_default().as_bytes().to_vec())
                    .ok()?;
                let mut r = agent.run(req).ok()?;
                let text = r.body_mut().read_to_string().ok()?;
                let ok = r.status().is_success();
                ok.then(|| serde_json::from_str::<serde_json::Value>(&text).ok())
                    .flatten()
            };
            let done = call(
                "POST",
                &format!("/api/v1/items/{code}/revise"),
                &editor,
                Some(r#"{"reason":"负载测试"}"#),
            )
            .and_then(|d| d["id"].as_i64())
            .and_then(|id| {
                call(
                    "POST",
                    &format!("/api/v1/drafts/{id}/submit"),
                    &editor,
                    None,
                )?;
                call(
                    "POST",
                    &format!("/api/v1/drafts/{id}/approve"),
                    &reviewer,
                    None,
                )
            });
            match done {
                Some(_) => published += 1,
                None => failed += 1,
            }
            std::thread::sleep(Duration::from_secs(1).saturating_sub(tick.elapsed()));
        }
        (published, failed)
    })
}

fn token(data: &Path, user: &str, role: &str) -> BenchResult<String> {
    quanze(
        data,
        &[
            "user",
            "add",
            user,
            "--role",
            role,
            "--department",
            "临江市交通运输局",
        ],
    )?;
    Ok(quanze(data, &["token", "create", "--user", user])?
        .trim()
        .to_string())
}

/// The i-th generated item: a demo item again under a new code.
fn generated(records: &[serde_json::Value], i: usize) -> serde_json::Value {
    let mut r = records[i % records.len()].clone();
    let code = format!("{}-G{i}", r["code"].as_str().unwrap_or("X"));
    r["code"] = serde_json::json!(code);
    if let Some(o) = r.as_object_mut() {
        o.remove("parent_code");
    }
    r
}

/// Starts `quanze serve` on `data` and waits until its index has caught up.
fn serve(data: &Path) -> BenchResult<Served> {
    let port = std::net::TcpListener::bind("127.0.0.1:0")?
        .local_addr()?
        .port();
    let child = Command::new(bin())
        .arg("--data-dir")
        .arg(data)
        .args([
            "serve",
            "--bind",
            &format!("127.0.0.1:{port}"),
            "--search-limit",
            "100000000",
            "--export-limit",
            "100000000",
        ])
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()?;
    let served = Served {
        child,
        base: format!("http://127.0.0.1:{port}"),
    };
    let probe = agent();
    let deadline = Instant::now() + Duration::from_secs(600);
    loop {
        if let Ok(mut r) = probe.get(format!("{}/readyz", served.base)).call()
            && r.status() == 200
            && r.body_mut().read_to_string()?.contains("\"index_lag\":0")
        {
            return Ok(served);
        }
        if Instant::now() > deadline {
            return Err("the server did not become ready".into());
        }
        std::thread::sleep(Duration::from_millis(200));
    }
}

/// An alternative ready to be asked, with its build figures and (PostgreSQL) the throw-away
/// database it lives in, dropped with it.
type BuiltEngine = (Arc<dyn Engine>, Built, Option<TestDatabase>);

/// Which engines besides quanze a run measures (`--no-fts5`, `--no-pg`, `--no-groonga`).
struct Alternatives {
    fts5: bool,
    pg: bool,
    groonga: bool,
}

/// The alternatives built over `docs` in `scratch` (PostgreSQL in a throw-away cluster),
/// with how long each took and how big it is.
fn build_alternatives<'a>(
    which: &Alternatives,
    scratch: &Path,
    docs: &dyn Fn() -> Box<dyn Iterator<Item = Doc> + 'a>,
) -> BenchResult<Vec<BuiltEngine>> {
    let mut out: Vec<BuiltEngine> = Vec::new();
    std::fs::create_dir_all(scratch)?;
    if which.fts5 {
        let (engine, built) = Fts5::build(&scratch.join("fts5.db"), docs())?;
        out.push((Arc::new(engine), built, None));
    }
    if which.pg {
        let db = TestDatabase::new(Backend::Postgres).ok_or("no PostgreSQL on this machine")?;
        let (engine, built) = PgTrgm::build(&db.url, docs())?;
        out.push((Arc::new(engine), built, Some(db)));
    }
    if which.groonga {
        let (engine, built) = Groonga::start(&scratch.join("groonga"), docs())?;
        out.push((Arc::new(engine), built, None));
    }
    Ok(out)
}

/// NDCG@10 and zero-hit queries of one engine on one judged set.
fn judge(engine: &dyn Engine, set: &[judged::Judged]) -> BenchResult<(f64, usize)> {
    let mut client = engine.client()?;
    let (mut sum, mut zero) = (0.0, 0);
    for j in set {
        let filters = Filters {
            categories: j
                .filters
                .as_ref()
                .map(|f| f.category.clone())
                .unwrap_or_default(),
            department: j.filters.as_ref().and_then(|f| f.department.clone()),
        };
        let codes = client.search(&j.query, &filters, 10)?;
        zero += usize::from(codes.is_empty());
        sum += judged::ndcg_at_10(&codes, &j.judgments);
    }
    Ok((sum / set.len().max(1) as f64, zero))
}

fn main() -> BenchResult<()> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let numbers: Vec<usize> = args.iter().filter_map(|a| a.parse().ok()).collect();
    let flag = |f: &str| args.iter().any(|a| a == f);
    let target = numbers.first().copied().unwrap_or(100_000);
    let seconds = numbers.get(1).copied().unwrap_or(10) as f64;
    let which = Alternatives {
        fts5: !flag("--no-fts5"),
        pg: !flag("--no-pg"),
        groonga: !flag("--no-groonga"),
    };
    let dir = tempfile::tempdir()?;
    // QUANZE_BENCH_DATA=DIR keeps the loaded data dir in DIR and reuses it on the next run
    // (then setup figures are those of the first run only), for working on the search path.
    let kept = std::env::var_os("QUANZE_BENCH_DATA").map(PathBuf::from);
    let data = kept.clone().unwrap_or_else(|| dir.path().join("data"));
    let reuse = data.join("quanze.db").exists();
    let records = demo_records()?;
    let cores = std::thread::available_parallelism().map_or(1, |n| n.get());

    // Relevance first, over the demo alone (what the judged sets judge), every engine asked
    // the same judged queries with their filters.
    let relevance_data = dir.path().join("relevance");
    quanze(&relevance_data, &["demo"])?;
    let demo_server = serve(&relevance_data)?;
    let judged_dir = repo_root().join("indexer/tests/relevance");
    let sets = [
        (
            "development",
            judged::read(&judged_dir.join("queries.json"))?,
        ),
        (
            "held-out",
            judged::read(&judged_dir.join("heldout/queries.json"))?,
        ),
    ];
    let mut relevance_engines: Vec<Arc<dyn Engine>> = vec![
        Arc::new(QuanzeHttp {
            base: demo_server.base.clone(),
            semantic: true,
        }),
        Arc::new(QuanzeHttp {
            base: demo_server.base.clone(),
            semantic: false,
        }),
    ];
    let demo_docs = || Box::new(records.iter().map(Doc::of)) as Box<dyn Iterator<Item = Doc> + '_>;
    let small = build_alternatives(
        &which,
        &dir.path().join("relevance-alternatives"),
        &demo_docs,
    )?;
    relevance_engines.extend(small.iter().map(|(e, _, _)| e.clone()));
    let mut relevance = Vec::new();
    for engine in &relevance_engines {
        let mut row = vec![engine.name().to_string()];
        for (_, set) in &sets {
            let (ndcg, zero) = judge(engine.as_ref(), set)?;
            row.push(format!("{ndcg:.3}"));
            row.push(format!("{zero} of {}", set.len()));
        }
        relevance.push(row);
    }
    // The small engines stop here (Groonga's server and PostgreSQL's database with them).
    drop(relevance_engines);
    drop(small);
    drop(demo_server);

    let t = Instant::now();
    if !reuse {
        quanze(&data, &["demo"])?;
    }
    let demo_seconds = t.elapsed().as_secs_f64();
    let mut generated_count = 0usize;
    let mut import_seconds = 0.0;
    let mut file_no = 0;
    let existing = records.len();
    let to_generate = target.saturating_sub(existing);
    while !reuse && generated_count < to_generate {
        let n = (to_generate - generated_count).min(GENERATED_PER_FILE);
        let file = dir.path().join(format!("generated-{file_no}.ndjson"));
        let mut text = String::with_capacity(n * 2_000);
        for i in generated_count..generated_count + n {
            text.push_str(&generated(&records, i).to_string());
            text.push('\n');
        }
        std::fs::write(&file, text)?;
        let t = Instant::now();
        quanze(&data, &["import", file.to_str().unwrap_or_default()])?;
        import_seconds += t.elapsed().as_secs_f64();
        std::fs::remove_file(&file)?;
        generated_count += n;
        file_no += 1;
    }
    let t = Instant::now();
    if !reuse {
        quanze(&data, &["reindex"])?;
    }
    let reindex_seconds = t.elapsed().as_secs_f64();
    let run = std::process::id();
    let editor = token(&data, &format!("bench.editor.{run}"), "editor")?;
    let reviewer = token(&data, &format!("bench.reviewer.{run}"), "reviewer")?;

    let served = serve(&data)?;
    let pid = served.child.id();
    let (rss_ready, _) = rss_mb(pid);
    let queries = Arc::new(queries(&records));
    let default_search: Arc<dyn Engine> = Arc::new(QuanzeHttp {
        base: served.base.clone(),
        semantic: true,
    });
    let words_only: Arc<dyn Engine> = Arc::new(QuanzeHttp {
        base: served.base.clone(),
        semantic: false,
    });
    // Warm the question cache and the page cache once, as a running service is.
    load(
        2,
        seconds.min(5.0),
        searches(default_search.clone(), queries.clone()),
    );

    let transport_codes: Vec<String> = records
        .iter()
        .filter(|r| r["department"]["name"] == "临江市交通运输局")
        .filter_map(|r| r["code"].as_str().map(str::to_string))
        .take(100)
        .collect();
    let mut levels = Vec::new();
    let stop = Arc::new(AtomicBool::new(false));
    let writes = writer(
        served.base.clone(),
        editor,
        reviewer,
        transport_codes,
        stop.clone(),
    );
    for engine in [&default_search, &words_only] {
        for connections in [1, 8, 32, 128] {
            let level = load(
                connections,
                seconds,
                searches(engine.clone(), queries.clone()),
            );
            levels.push((engine.name(), level));
        }
    }
    stop.store(true, Ordering::Relaxed);
    let (published, write_failures) = writes.join().map_err(|_| "writer panicked")?;
    let (_, rss_peak_search) = rss_mb(pid);

    let page_paths: Vec<String> = records
        .iter()
        .filter_map(|r| r["code"].as_str())
        .map(|c| format!("/items/{}", enc(c)))
        .collect();
    let pages = load(8, seconds, get_paths(&served.base, page_paths));
    let t = Instant::now();
    let probe = agent();
    let mut export = probe.get(format!("{}/api/v1/export", served.base)).call()?;
    let mut bytes = 0usize;
    let mut lines = 0usize;
    let mut buf = vec![0u8; 1 << 16];
    let mut reader = export.body_mut().with_config().limit(u64::MAX).reader();
    loop {
        let n = reader.read(&mut buf)?;
        if n == 0 {
            break;
        }
        bytes += n;
        lines += buf[..n].iter().filter(|b| **b == b'\n').count();
    }
    let export_seconds = t.elapsed().as_secs_f64();
    let (rss_end, rss_peak) = rss_mb(pid);
    let index_mb = dir_size(&data.join("index")) as f64 / 1e6;
    let db_mb = std::fs::metadata(data.join("quanze.db"))?.len() as f64 / 1e6;
    let zero_hits = |engine: &dyn Engine| -> BenchResult<usize> {
        let mut client = engine.client()?;
        let mut zero = 0;
        for q in queries.iter() {
            zero += usize::from(client.search(q, &Filters::default(), PAGE)?.is_empty());
        }
        Ok(zero)
    };
    let quanze_zero = zero_hits(words_only.as_ref())?;
    drop(served);

    // The alternatives over the same items (the demo and the generated ones), asked the same
    // queries, one after another on the same machine.
    let all_docs = || {
        Box::new(
            records
                .iter()
                .map(Doc::of)
                .chain((0..to_generate).map(|i| Doc::of(&generated(&records, i)))),
        ) as Box<dyn Iterator<Item = Doc> + '_>
    };
    let mut alternatives = Vec::new();
    for (engine, built, db) in
        build_alternatives(&which, &dir.path().join("alternatives"), &all_docs)?
    {
        let zero = zero_hits(engine.as_ref())?;
        let mut engine_levels = Vec::new();
        for connections in [1, 8, 32] {
            engine_levels.push(load(
                connections,
                seconds,
                searches(engine.clone(), queries.clone()),
            ));
        }
        alternatives.push((engine.name(), built, zero, engine_levels));
        drop(engine);
        drop(db);
    }

    println!("## HTTP load, {target} items, {cores} cores, loopback, {seconds} s per level");
    println!();
    println!(
        "setup: demo {demo_seconds:.1} s; {generated_count} generated items imported in {import_seconds:.1} s ({:.0} items/s); reindex {reindex_seconds:.1} s; database {db_mb:.0} MB, index {index_mb:.0} MB",
        generated_count as f64 / import_seconds.max(1e-9)
    );
    println!();
    println!("| search | connections | requests | req/s | p50 ms | p99 ms | errors |");
    println!("| --- | ---: | ---: | ---: | ---: | ---: | ---: |");
    let row = |name: &str, l: &Level| {
        println!(
            "| {name} | {} | {} | {:.0} | {:.2} | {:.2} | {} |",
            l.connections,
            l.requests,
            l.requests as f64 / l.seconds,
            l.p50,
            l.p99,
            l.errors
        );
    };
    for (name, l) in &levels {
        row(name, l);
    }
    for (name, _, _, engine_levels) in &alternatives {
        for l in engine_levels {
            row(name, l);
        }
    }
    println!();
    println!(
        "meanwhile {published} changes published through quanze's API (revise, submit, approve; one a second), {write_failures} failed; the alternatives took no writes"
    );
    println!();
    println!(
        "| engine | build s | on disk MB | queries without hits | p50 at 32 / quanze | p99 at 32 / quanze |"
    );
    println!("| --- | ---: | ---: | ---: | ---: | ---: |");
    let quanze_32 = levels
        .iter()
        .find(|(name, l)| *name == words_only.name() && l.connections == 32)
        .map(|(_, l)| (l.p50, l.p99))
        .unwrap_or((f64::NAN, f64::NAN));
    println!(
        "| {} | {reindex_seconds:.1} | {index_mb:.0} | {quanze_zero} of {} | 1 | 1 |",
        words_only.name(),
        queries.len()
    );
    for (name, built, zero, engine_levels) in &alternatives {
        let at_32 = engine_levels.iter().find(|l| l.connections == 32);
        println!(
            "| {name} | {:.1} | {:.0} | {zero} of {} | {:.1}× | {:.1}× |",
            built.seconds,
            built.bytes as f64 / 1e6,
            queries.len(),
            at_32.map_or(f64::NAN, |l| l.p50 / quanze_32.0),
            at_32.map_or(f64::NAN, |l| l.p99 / quanze_32.1),
        );
    }
    println!();
    println!("Relevance over the demo's items alone (the judged sets judge them), NDCG@10:");
    println!();
    println!("| engine | development | without hits | held-out | without hits |");
    println!("| --- | ---: | ---: | ---: | ---: |");
    for row in &relevance {
        println!("| {} |", row.join(" | "));
    }
    println!();
    println!(
        "item pages (8 connections): {:.0} pages/s, p50 {:.2} ms, p99 {:.2} ms, {} errors",
        pages.requests as f64 / pages.seconds,
        pages.p50,
        pages.p99,
        pages.errors
    );
    println!(
        "export (NDJSON, one client): {lines} items, {:.1} MB in {export_seconds:.1} s = {:.0} items/s, {:.1} MB/s",
        bytes as f64 / 1e6,
        lines as f64 / export_seconds.max(1e-9),
        bytes as f64 / 1e6 / export_seconds.max(1e-9)
    );
    println!(
        "quanze's memory: {rss_ready:.0} MB when ready, peak {rss_peak_search:.0} MB during search, {rss_end:.0} MB at the end (peak {rss_peak:.0} MB)"
    );
    Ok(())
}

fn dir_size(path: &Path) -> u64 {
    std::fs::read_dir(path)
        .map(|entries| {
            entries
                .flatten()
                .map(|e| {
                    let p = e.path();
                    if p.is_dir() {
                        dir_size(&p)
                    } else {
                        e.metadata().map(|m| m.len()).unwrap_or(0)
                    }
                })
                .sum()
        })
        .unwrap_or(0)
}
