//! `cargo bench -p quanze-indexer --bench search -- [ITEMS] [QUERIES]`: a benchmark harness
//! (not a test). Generates N realistic items from
//! the demo's real item names and real law articles, builds the search index, runs ≥1,000
//! varied queries in process, runs the same queries against an SQLite FTS5 trigram table over
//! the same items, and prints one table. Machines here are shared and noisy: compare the
//! ratios of one run, not absolute figures across runs.

use std::path::Path;
use std::sync::Arc;
use std::time::{Duration, Instant};

use diesel::connection::SimpleConnection;
use diesel::prelude::*;
use diesel::sql_types::{BigInt, Text};
use quanze_indexer::SearchIndex;
use quanze_indexer::index::Analysis;
use quanze_indexer::schema::IndexableItem;
use quanze_indexer::search::SearchRequest;
use quanze_indexer::semantic::Semantic;
use quanze_registry::interchange::{DepartmentRef, LegalBasis, PowerItemRecord};

type BenchResult<T> = Result<T, Box<dyn std::error::Error>>;

/// Deterministic xorshift, so every run benchmarks the same items and queries.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }

    fn below(&mut self, n: usize) -> usize {
        (self.next() % n.max(1) as u64) as usize
    }
}

struct Corpus {
    names: Vec<String>,
    departments: Vec<String>,
    articles: Vec<(String, String, String)>,
}

fn load_corpus(demo_dir: &Path) -> BenchResult<Corpus> {
    let mut names = Vec::new();
    let mut departments = Vec::new();
    let items_dir = demo_dir.join("items");
    let mut files: Vec<_> = std::fs::read_dir(&items_dir)?
        .flatten()
        .map(|e| e.path())
        .collect();
    files.sort();
    for f in files {
        for line in std::fs::read_to_string(&f)?.lines() {
            let r: PowerItemRecord = serde_json::from_str(line)?;
            names.push(r.name);
            if !departments.contains(&r.department.name) {
                departments.push(r.department.name);
            }
        }
    }
    let mut articles = Vec::new();
    let mut stack = vec![demo_dir.join("laws")];
    while let Some(dir) = stack.pop() {
        for e in std::fs::read_dir(&dir)?.flatten() {
            let p = e.path();
            if p.is_dir() {
                stack.push(p);
            } else if p.extension().is_some_and(|x| x == "md") {
                let stem = p
                    .file_stem()
                    .and_then(|s| s.to_str())
                    .unwrap_or_default()
                    .to_string();
                let text = std::fs::read_to_string(&p)?;
                if let Ok(law) = quanze_registry::import::lawref::parse_lawref(&stem, &text) {
                    for a in law.articles {
                        articles.push((
                            law.title.clone(),
                            a.label,
                            a.text.chars().take(400).collect(),
                        ));
                    }
                }
            }
        }
    }
    Ok(Corpus {
        names,
        departments,
        articles,
    })
}

/// Item `i`: a real name (the same catalogue recurs across regions, as it does nationally),
/// a real department name in a generated region, two real articles as legal bases.
fn item(c: &Corpus, i: usize) -> IndexableItem {
    const PROVINCES: [u32; 8] = [11, 31, 32, 33, 37, 44, 50, 51];
    let region = format!(
        "{:02}{:02}{:02}",
        PROVINCES[i % PROVINCES.len()],
        1 + (i / 8) % 20,
        1 + (i / 160) % 30
    );
    let a1 = &c.articles[(i * 7) % c.articles.len()];
    let a2 = &c.articles[(i * 13 + 5) % c.articles.len()];
    let category = [
        "licensing",
        "penalty",
        "inspection",
        "enforcement",
        "public_service",
        "other",
    ][i % 6];
    let basis = |a: &(String, String, String)| LegalBasis {
        role: "实施依据".into(),
        law: a.0.clone(),
        version: None,
        article: Some(a.1.clone()),
        text: Some(a.2.clone()),
    };
    IndexableItem {
        id: i as i64 + 1,
        status: "published".into(),
        department_id: (i % c.departments.len()) as i64 + 1,
        law_ids: vec![],
        record: PowerItemRecord {
            code: format!("B{:08}-{region}000000", i),
            name: c.names[i % c.names.len()].clone(),
            category: category.into(),
            department: DepartmentRef {
                name: c.departments[i % c.departments.len()].clone(),
                uscc: None,
                region,
            },
            legal_bases: vec![basis(a1), basis(a2)],
            ..Default::default()
        },
    }
}

fn char_slice(s: &str, from: usize, len: usize) -> String {
    s.chars().skip(from).take(len).collect()
}

/// ≥1,000 varied queries: name fragments, whole names, department + topic, code prefixes,
/// article phrases, and the judged citizen queries.
fn queries(c: &Corpus, n_items: usize, count: usize, judged: &[String]) -> Vec<String> {
    let mut rng = Rng(0x9e37_79b9_7f4a_7c15);
    let mut out: Vec<String> = judged.to_vec();
    while out.len() < count {
        let name = &c.names[rng.below(c.names.len())];
        let len = name.chars().count();
        let q = match rng.below(10) {
            0..=3 => {
                let l = 2 + rng.below(5);
                char_slice(name, rng.below(len.saturating_sub(l).max(1)), l)
            }
            4 => name.clone(),
            5 => format!(
                "{} {}",
                c.departments[rng.below(c.departments.len())],
                char_slice(name, 0, 4)
            ),
            6 => format!("B{:08}", rng.below(n_items)),
            _ => {
                let a = &c.articles[rng.below(c.articles.len())].2;
                let l = 3 + rng.below(5);
                char_slice(a, rng.below(a.chars().count().saturating_sub(l).max(1)), l)
            }
        };
        if q.trim().chars().count() >= 2 {
            out.push(q);
        }
    }
    out
}

fn percentile(sorted: &[Duration], p: f64) -> f64 {
    if sorted.is_empty() {
        return 0.0;
    }
    let i = ((sorted.len() as f64 - 1.0) * p).round() as usize;
    sorted[i].as_secs_f64() * 1000.0
}

#[derive(QueryableByName)]
struct RowId {
    #[diesel(sql_type = BigInt)]
    #[allow(dead_code)]
    rowid: i64,
}

fn main() -> BenchResult<()> {
    // `cargo bench` passes --bench; numbers are ITEMS then QUERIES.
    // Flags for iterating on the search path: `--index DIR` keeps the built index in DIR and
    // reuses it when DIR already holds one (the build figures then show as "reused");
    // `--no-fts` skips the SQLite FTS5 comparison; `--slowest N` lists the N slowest queries.
    let mut numbers: Vec<usize> = Vec::new();
    let mut kept_index: Option<std::path::PathBuf> = None;
    let mut run_fts = true;
    let mut show_slowest = 8;
    // `--semantic`: the hybrid search (the committed model, seeded with the demo data's
    // vectors unless `--no-seed`, when every distinct name is embedded during the build).
    let mut with_semantic = false;
    let mut seed = true;
    let mut args = std::env::args().skip(1);
    while let Some(arg) = args.next() {
        match arg.as_str() {
            "--index" => kept_index = args.next().map(std::path::PathBuf::from),
            "--no-fts" => run_fts = false,
            "--slowest" => show_slowest = args.next().and_then(|n| n.parse().ok()).unwrap_or(8),
            "--semantic" => with_semantic = true,
            "--no-seed" => seed = false,
            other => numbers.extend(other.parse::<usize>().ok()),
        }
    }
    let n_items = numbers.first().copied().unwrap_or(100_000);
    let n_queries = numbers.get(1).copied().unwrap_or(1_000);
    let demo_dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../demo");
    let demo_dir = demo_dir.as_path();
    let corpus = load_corpus(demo_dir)?;
    let judged: Vec<String> =
        std::fs::read_to_string(demo_dir.join("../indexer/tests/relevance/queries.json"))
            .ok()
            .and_then(|t| serde_json::from_str::<Vec<serde_json::Value>>(&t).ok())
            .map(|v| {
                v.iter()
                    .filter_map(|q| q["query"].as_str().map(str::to_string))
                    .collect()
            })
            .unwrap_or_default();
    let queries = queries(&corpus, n_items, n_queries.max(1_000), &judged);
    let scratch = tempfile_dir()?;
    eprintln!(
        "corpus: {} real item names, {} departments, {} law articles; {n_items} items, {} queries",
        corpus.names.len(),
        corpus.departments.len(),
        corpus.articles.len(),
        queries.len()
    );

    // quanze: tantivy + ChineseAnalyzer.
    let analysis = Analysis::load(None)?;
    let index_dir = kept_index.clone().unwrap_or_else(|| scratch.join("index"));
    let mut index = SearchIndex::open(&index_dir, analysis, true)?;
    if with_semantic {
        let semantic = Semantic::load(
            &demo_dir.join("../indexer/embed/model/e5-small-q4.bin"),
            None,
        )?;
        if seed {
            semantic.seed(&demo_dir.join("vectors"))?;
        }
        index = index.with_semantic(Arc::new(semantic))?;
    }
    let reused = index.document_count() as usize == n_items;
    if !reused && index.document_count() > 0 {
        return Err(format!(
            "{} holds an index of {} items, not {n_items}: remove it or give another directory",
            index_dir.display(),
            index.document_count()
        )
        .into());
    }
    let started = Instant::now();
    if !reused {
        index.bulk_index((0..n_items).map(|i| item(&corpus, i)))?;
        // As `quanze reindex` does before a new index goes live.
        index.wait_for_merges()?;
    }
    let mut embedded = 0;
    if let Some(semantic) = index.semantic() {
        embedded = semantic.pending();
        semantic.wait_idle(Duration::from_secs(24 * 3600));
    }
    let build = started.elapsed();
    let size = index.size_on_disk();
    eprintln!(
        "index: {} documents in {} segments{}",
        index.document_count(),
        index.segment_count(),
        if reused { " (reused)" } else { "" }
    );
    // One pass first, for both engines: page cache and dictionaries warm, as in a server that
    // has been answering for a while. With the semantic channel it is also the first ask of
    // each question (its vector computed), timed on its own.
    let mut first_ask = Vec::new();
    for q in &queries {
        let t = Instant::now();
        let r = index.search(&SearchRequest {
            q: q.clone(),
            per_page: 20,
            ..Default::default()
        })?;
        if r.semantic {
            first_ask.push(t.elapsed());
        }
    }
    first_ask.sort();
    let mut latencies = Vec::with_capacity(queries.len());
    let mut semantic_latencies = Vec::new();
    let mut words_only_latencies = Vec::new();
    let mut hits = 0usize;
    let mut slowest: Vec<(Duration, String, usize)> = Vec::new();
    for q in &queries {
        let t = Instant::now();
        let r = index.search(&SearchRequest {
            q: q.clone(),
            per_page: 20,
            ..Default::default()
        })?;
        let took = t.elapsed();
        if r.semantic {
            semantic_latencies.push(took);
        } else {
            words_only_latencies.push(took);
        }
        latencies.push(took);
        slowest.push((took, q.clone(), r.total));
        hits += usize::from(r.total > 0);
    }
    latencies.sort();
    semantic_latencies.sort();
    words_only_latencies.sort();
    slowest.sort_by_key(|s| std::cmp::Reverse(s.0));
    // Suggestions: prefixes of 1–6 characters of real names.
    let mut suggest_latencies = Vec::with_capacity(queries.len());
    for (i, name) in corpus.names.iter().cycle().take(queries.len()).enumerate() {
        let prefix = char_slice(name, 0, 1 + i % 6);
        let t = Instant::now();
        index.suggest(&prefix, 10)?;
        suggest_latencies.push(t.elapsed());
    }
    suggest_latencies.sort();

    // The bench process's memory once the index is built and searched (before FTS5 runs):
    // the index is memory-mapped, so this is what building and searching it keeps resident.
    let (rss_now, rss_peak) = memory_mb();

    // SQLite FTS5 with the trigram tokenizer over the same text.
    let fts_path = scratch.join("fts.db");
    let n_fts = if run_fts { n_items } else { 0 };
    let mut conn = diesel::SqliteConnection::establish(&fts_path.to_string_lossy())?;
    conn.batch_execute("PRAGMA journal_mode = OFF; PRAGMA synchronous = OFF; CREATE VIRTUAL TABLE items USING fts5(name, department, body, tokenize = 'trigram');")?;
    let started = Instant::now();
    conn.batch_execute("BEGIN")?;
    for i in 0..n_fts {
        let it = item(&corpus, i);
        let body: String = it
            .record
            .legal_bases
            .iter()
            .filter_map(|b| b.text.clone())
            .collect::<Vec<_>>()
            .join("\n");
        diesel::sql_query("INSERT INTO items(rowid, name, department, body) VALUES (?, ?, ?, ?)")
            .bind::<BigInt, _>(it.id)
            .bind::<Text, _>(&it.record.name)
            .bind::<Text, _>(&it.record.department.name)
            .bind::<Text, _>(body)
            .execute(&mut conn)?;
    }
    conn.batch_execute("COMMIT")?;
    let fts_build = started.elapsed();
    let fts_size = std::fs::metadata(&fts_path).map(|m| m.len()).unwrap_or(0);
    let mut fts_latencies = Vec::with_capacity(queries.len());
    let mut fts_hits = 0usize;
    for pass in 0..if run_fts { 2 } else { 0 } {
        for q in &queries {
            let t = Instant::now();
            let rows: Vec<RowId> = if q.chars().count() >= 3 {
                // The whole query as one phrase: what plain trigram matching does.
                diesel::sql_query(
                    "SELECT rowid FROM items WHERE items MATCH ? ORDER BY rank LIMIT 20",
                )
                .bind::<Text, _>(format!("\"{}\"", q.replace('"', "\"\"")))
                .load(&mut conn)
                .unwrap_or_default()
            } else {
                // Trigrams cannot index two characters: FTS5 falls back to scanning.
                diesel::sql_query("SELECT rowid FROM items WHERE name LIKE ? OR department LIKE ? OR body LIKE ? LIMIT 20")
                .bind::<Text, _>(format!("%{q}%"))
                .bind::<Text, _>(format!("%{q}%"))
                .bind::<Text, _>(format!("%{q}%"))
                .load(&mut conn)
                .unwrap_or_default()
            };
            if pass == 1 {
                fts_latencies.push(t.elapsed());
                fts_hits += usize::from(!rows.is_empty());
            }
        }
    }
    fts_latencies.sort();
    let _ = std::fs::remove_dir_all(&scratch);

    let (p50, p99) = (percentile(&latencies, 0.5), percentile(&latencies, 0.99));
    let (f50, f99) = (
        percentile(&fts_latencies, 0.5),
        percentile(&fts_latencies, 0.99),
    );
    let rate = |d: Duration| n_items as f64 / d.as_secs_f64().max(1e-9);
    println!(
        "| {n_items} items, {} queries | quanze (tantivy + jieba) | SQLite FTS5 trigram | FTS5 / quanze |",
        queries.len()
    );
    println!("| --- | ---: | ---: | ---: |");
    println!(
        "| build, items/s | {:.0} | {:.0} | {:.2} |",
        rate(build),
        rate(fts_build),
        rate(fts_build) / rate(build)
    );
    println!(
        "| index size, MB | {:.1} | {:.1} | {:.2} |",
        size as f64 / 1e6,
        fts_size as f64 / 1e6,
        fts_size as f64 / size.max(1) as f64
    );
    println!(
        "| search p50, ms | {p50:.2} | {f50:.2} | {:.1}× |",
        f50 / p50.max(1e-9)
    );
    println!(
        "| search p99, ms | {p99:.2} | {f99:.2} | {:.1}× |",
        f99 / p99.max(1e-9)
    );
    println!("| queries with hits | {hits} | {fts_hits} | |");
    println!(
        "| suggest p50 / p99, ms | {:.2} / {:.2} | | |",
        percentile(&suggest_latencies, 0.5),
        percentile(&suggest_latencies, 0.99)
    );
    println!(
        "| process memory after build and search, MB (resident / peak) | {rss_now:.0} / {rss_peak:.0} | | |"
    );
    let over = |ms: f64| {
        latencies
            .iter()
            .filter(|d| d.as_secs_f64() * 1000.0 > ms)
            .count()
    };
    println!(
        "\nquanze queries over 5 / 10 / 20 ms: {} / {} / {}",
        over(5.0),
        over(10.0),
        over(20.0)
    );
    if let Some(semantic) = index.semantic() {
        let ms = |v: &[Duration], p| percentile(v, p);
        println!(
            "\nsemantic channel: {} distinct names with a vector ({:.1} MB), {embedded} embedded during the build; used by {} of {} queries",
            semantic.store().len(),
            (semantic.store().len() * (semantic.store().dim() + 12)) as f64 / 1e6,
            semantic_latencies.len(),
            queries.len()
        );
        println!("| queries | count | p50, ms | p99, ms |");
        println!("| --- | ---: | ---: | ---: |");
        for (label, v) in [
            (
                "without the semantic channel (codes, numbers, Latin)",
                &words_only_latencies,
            ),
            (
                "with it, question asked before (vector cached)",
                &semantic_latencies,
            ),
            ("with it, first ask (question embedded)", &first_ask),
        ] {
            println!(
                "| {label} | {} | {:.2} | {:.2} |",
                v.len(),
                ms(v, 0.5),
                ms(v, 0.99)
            );
        }
    }
    println!("\nslowest quanze queries:");
    for (took, q, total) in slowest.iter().take(show_slowest) {
        println!(
            "  {:>8.2} ms  {total:>7} hits  {q}",
            took.as_secs_f64() * 1000.0
        );
    }
    println!(
        "\nquanze's figures include facet counts and highlighting for each query; FTS5's are the top 20 rowids only."
    );
    Ok(())
}

fn tempfile_dir() -> BenchResult<std::path::PathBuf> {
    let dir = std::env::temp_dir().join(format!("quanze-bench-{}", std::process::id()));
    std::fs::create_dir_all(&dir)?;
    Ok(dir)
}

/// (resident, peak resident) memory of this process, in MB (Linux; zeros elsewhere).
fn memory_mb() -> (f64, f64) {
    let status = std::fs::read_to_string("/proc/self/status").unwrap_or_default();
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
