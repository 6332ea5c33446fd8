//! The alternatives a team would deploy instead of quanze, each set up the way its own
//! documentation suggests for substring search in Chinese, over the same items and asked the
//! same queries: SQLite FTS5 with the trigram tokenizer, PostgreSQL with `pg_trgm`, and
//! Groonga's HTTP server with its N-gram tokenizer and NFKC normalizer. Each returns the codes
//! of its first hits; none counts all matches or facets them as quanze does.

use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use diesel::connection::SimpleConnection;
use diesel::prelude::*;
use diesel::sql_types::Text;

use super::BenchResult;

/// What every engine indexes of an item: its code and the text a citizen would search.
#[derive(Clone)]
pub struct Doc {
    pub code: String,
    pub name: String,
    pub department: String,
    pub category: String,
    /// The legal bases: law titles and article texts, one per line.
    pub body: String,
}

impl Doc {
    pub fn of(record: &serde_json::Value) -> Doc {
        let text = |v: &serde_json::Value| v.as_str().unwrap_or_default().to_string();
        let body = record["legal_bases"]
            .as_array()
            .map(|bases| {
                bases
                    .iter()
                    .map(|b| format!("{} {}", text(&b["law"]), text(&b["text"])))
                    .collect::<Vec<_>>()
                    .join("\n")
            })
            .unwrap_or_default();
        Doc {
            code: text(&record["code"]),
            name: text(&record["name"]),
            department: text(&record["department"]["name"]),
            category: text(&record["category"]),
            body,
        }
    }
}

/// The filters of a judged query.
#[derive(Default, Clone)]
pub struct Filters {
    pub categories: Vec<String>,
    pub department: Option<String>,
}

/// Hits wanted from every engine (a page of quanze's search).
pub const PAGE: usize = 20;

/// One connection to an engine, owned by one client thread.
pub trait Client {
    /// The codes of up to `limit` hits, best first.
    fn search(&mut self, q: &str, filters: &Filters, limit: usize) -> Result<Vec<String>, String>;
}

/// An engine with its index built: makes clients.
pub trait Engine: Send + Sync {
    fn name(&self) -> &'static str;
    fn client(&self) -> Result<Box<dyn Client>, String>;
}

/// How building an engine's index went.
pub struct Built {
    pub seconds: f64,
    pub bytes: u64,
}

#[derive(QueryableByName)]
struct Code {
    #[diesel(sql_type = Text)]
    code: String,
}

/// Splits a query as a user's search box would: whitespace-separated terms, all required.
fn terms(q: &str) -> Vec<&str> {
    q.split_whitespace().collect()
}

/// `%` and `_` match literally in a LIKE pattern (escape character `\`).
fn like_pattern(term: &str) -> String {
    let escaped = term
        .replace('\\', "\\\\")
        .replace('%', "\\%")
        .replace('_', "\\_");
    format!("%{escaped}%")
}

// ---------------------------------------------------------------------------------------
// SQLite FTS5, trigram tokenizer.

pub struct Fts5 {
    path: PathBuf,
}

impl Fts5 {
    /// One FTS5 table with the trigram tokenizer (the only built-in tokenizer that finds
    /// Chinese substrings), loaded in one transaction.
    pub fn build(path: &Path, docs: impl Iterator<Item = Doc>) -> BenchResult<(Fts5, Built)> {
        let started = Instant::now();
        let mut conn = SqliteConnection::establish(&path.to_string_lossy())?;
        conn.batch_execute(
            "PRAGMA journal_mode = WAL; PRAGMA synchronous = OFF;
             CREATE VIRTUAL TABLE items USING fts5(code, category UNINDEXED,
                 name, department, body, tokenize = 'trigram');
             BEGIN;",
        )?;
        for d in docs {
            diesel::sql_query(
                "INSERT INTO items(code, category, name, department, body) VALUES (?, ?, ?, ?, ?)",
            )
            .bind::<Text, _>(&d.code)
            .bind::<Text, _>(&d.category)
            .bind::<Text, _>(&d.name)
            .bind::<Text, _>(&d.department)
            .bind::<Text, _>(&d.body)
            .execute(&mut conn)?;
        }
        conn.batch_execute("COMMIT; PRAGMA wal_checkpoint(TRUNCATE);")?;
        let built = Built {
            seconds: started.elapsed().as_secs_f64(),
            bytes: std::fs::metadata(path)?.len(),
        };
        Ok((
            Fts5 {
                path: path.to_path_buf(),
            },
            built,
        ))
    }
}

struct Fts5Client(SqliteConnection);

impl Engine for Fts5 {
    fn name(&self) -> &'static str {
        "SQLite FTS5 trigram"
    }

    fn client(&self) -> Result<Box<dyn Client>, String> {
        let conn =
            SqliteConnection::establish(&self.path.to_string_lossy()).map_err(|e| e.to_string())?;
        Ok(Box::new(Fts5Client(conn)))
    }
}

impl Client for Fts5Client {
    fn search(&mut self, q: &str, filters: &Filters, limit: usize) -> Result<Vec<String>, String> {
        // Terms of three characters or more go to the trigram index as phrases (ranked by
        // bm25); shorter ones, which trigrams cannot index, are LIKE conditions (a scan).
        let (long, short): (Vec<&str>, Vec<&str>) =
            terms(q).into_iter().partition(|t| t.chars().count() >= 3);
        let mut conditions = Vec::new();
        let mut binds = Vec::new();
        if !long.is_empty() {
            conditions.push("items MATCH ?".to_string());
            binds.push(
                long.iter()
                    .map(|t| format!("\"{}\"", t.replace('"', "\"\"")))
                    .collect::<Vec<_>>()
                    .join(" "),
            );
        }
        for t in &short {
            conditions.push(
                "(code LIKE ? ESCAPE '\\' OR name LIKE ? ESCAPE '\\' OR department LIKE ? ESCAPE '\\' OR body LIKE ? ESCAPE '\\')"
                    .into(),
            );
            binds.extend(std::iter::repeat_n(like_pattern(t), 4));
        }
        if conditions.is_empty() {
            return Ok(Vec::new());
        }
        if !filters.categories.is_empty() {
            conditions.push(format!(
                "category IN ({})",
                vec!["?"; filters.categories.len()].join(", ")
            ));
            binds.extend(filters.categories.iter().cloned());
        }
        if let Some(d) = &filters.department {
            conditions.push("department = ?".into());
            binds.push(d.clone());
        }
        let order = if long.is_empty() { "rowid" } else { "rank" };
        let sql = format!(
            "SELECT code FROM items WHERE {} ORDER BY {order} LIMIT {limit}",
            conditions.join(" AND ")
        );
        let mut query = diesel::sql_query(sql).into_boxed::<diesel::sqlite::Sqlite>();
        for b in binds {
            query = query.bind::<Text, _>(b);
        }
        query
            .load::<Code>(&mut self.0)
            .map(|rows| rows.into_iter().map(|r| r.code).collect())
            .map_err(|e| e.to_string())
    }
}

// ---------------------------------------------------------------------------------------
// PostgreSQL, pg_trgm.

pub struct PgTrgm {
    url: String,
}

impl PgTrgm {
    /// One table with the searchable text in one column, a GIN trigram index on it (what the
    /// pg_trgm documentation suggests for `LIKE '%…%'`), built after the load.
    pub fn build(url: &str, docs: impl Iterator<Item = Doc>) -> BenchResult<(PgTrgm, Built)> {
        let started = Instant::now();
        let mut conn = PgConnection::establish(url)?;
        conn.batch_execute(
            "CREATE EXTENSION IF NOT EXISTS pg_trgm;
             CREATE TABLE items (code text PRIMARY KEY, category text NOT NULL, name text NOT NULL,
                 department text NOT NULL, body text NOT NULL,
                 doc text GENERATED ALWAYS AS (code || ' ' || name || ' ' || department || ' ' || body) STORED);",
        )?;
        let mut batch = Vec::with_capacity(1_000);
        let mut docs = docs.peekable();
        while docs.peek().is_some() {
            batch.clear();
            batch.extend(docs.by_ref().take(1_000));
            let rows: Vec<String> = (0..batch.len())
                .map(|i| {
                    let p = i * 5;
                    format!(
                        "(${}, ${}, ${}, ${}, ${})",
                        p + 1,
                        p + 2,
                        p + 3,
                        p + 4,
                        p + 5
                    )
                })
                .collect();
            let mut query = diesel::sql_query(format!(
                "INSERT INTO items (code, category, name, department, body) VALUES {}",
                rows.join(", ")
            ))
            .into_boxed::<diesel::pg::Pg>();
            for d in &batch {
                query = query
                    .bind::<Text, _>(d.code.clone())
                    .bind::<Text, _>(d.category.clone())
                    .bind::<Text, _>(d.name.clone())
                    .bind::<Text, _>(d.department.clone())
                    .bind::<Text, _>(d.body.clone());
            }
            query.execute(&mut conn)?;
        }
        conn.batch_execute(
            "CREATE INDEX items_doc_trgm ON items USING gin (doc gin_trgm_ops); ANALYZE items;",
        )?;
        let seconds = started.elapsed().as_secs_f64();
        #[derive(QueryableByName)]
        struct Size {
            #[diesel(sql_type = diesel::sql_types::BigInt)]
            bytes: i64,
        }
        let size: Size = diesel::sql_query("SELECT pg_total_relation_size('items') AS bytes")
            .get_result(&mut conn)?;
        Ok((
            PgTrgm {
                url: url.to_string(),
            },
            Built {
                seconds,
                bytes: size.bytes.max(0) as u64,
            },
        ))
    }
}

struct PgClient(PgConnection);

impl Engine for PgTrgm {
    fn name(&self) -> &'static str {
        "PostgreSQL pg_trgm"
    }

    fn client(&self) -> Result<Box<dyn Client>, String> {
        let conn = PgConnection::establish(&self.url).map_err(|e| e.to_string())?;
        Ok(Box::new(PgClient(conn)))
    }
}

impl Client for PgClient {
    fn search(&mut self, q: &str, filters: &Filters, limit: usize) -> Result<Vec<String>, String> {
        // Every term a substring (ILIKE through the trigram index), the page ordered by how
        // similar the name is to the query.
        let terms = terms(q);
        if terms.is_empty() {
            return Ok(Vec::new());
        }
        let mut conditions = Vec::new();
        let mut binds: Vec<String> = vec![q.to_string()];
        for t in &terms {
            binds.push(like_pattern(t));
            conditions.push(format!("doc ILIKE ${}", binds.len()));
        }
        if !filters.categories.is_empty() {
            let mut marks = Vec::new();
            for c in &filters.categories {
                binds.push(c.clone());
                marks.push(format!("${}", binds.len()));
            }
            conditions.push(format!("category IN ({})", marks.join(", ")));
        }
        if let Some(d) = &filters.department {
            binds.push(d.clone());
            conditions.push(format!("department = ${}", binds.len()));
        }
        let sql = format!(
            "SELECT code FROM items WHERE {} ORDER BY similarity(name, $1) DESC, code LIMIT {limit}",
            conditions.join(" AND ")
        );
        let mut query = diesel::sql_query(sql).into_boxed::<diesel::pg::Pg>();
        for b in binds {
            query = query.bind::<Text, _>(b);
        }
        query
            .load::<Code>(&mut self.0)
            .map(|rows| rows.into_iter().map(|r| r.code).collect())
            .map_err(|e| e.to_string())
    }
}

// ---------------------------------------------------------------------------------------
// Groonga over its HTTP server.

pub struct Groonga {
    child: Child,
    base: String,
}

impl Drop for Groonga {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn groonga_agent() -> ureq::Agent {
    ureq::Agent::config_builder()
        .http_status_as_error(false)
        .timeout_global(Some(Duration::from_secs(600)))
        .build()
        .into()
}

/// A Groonga command's body, or its error message.
fn groonga_call(agent: &ureq::Agent, url: &str, body: Option<String>) -> Result<String, String> {
    let response = match body {
        Some(b) => agent
            .post(url)
            .header("Content-Type", "application/json")
            .send(b),
        None => agent.get(url).call(),
    };
    let mut response = response.map_err(|e| e.to_string())?;
    let status = response.status();
    let text = response
        .body_mut()
        .with_config()
        .limit(u64::MAX)
        .read_to_string()
        .map_err(|e| e.to_string())?;
    if status != 200 {
        return Err(format!(
            "{status}: {}",
            text.chars().take(300).collect::<String>()
        ));
    }
    Ok(text)
}

fn enc(s: &str) -> String {
    super::enc(s)
}

impl Groonga {
    /// `groonga --protocol http` over a new database: a table of items, a lexicon with
    /// TokenBigram (Groonga's N-gram tokenizer) and NormalizerNFKC100, loaded over HTTP
    /// and indexed after the load (Groonga's offline index construction).
    pub fn start(dir: &Path, docs: impl Iterator<Item = Doc>) -> BenchResult<(Groonga, Built)> {
        std::fs::create_dir_all(dir)?;
        let port = std::net::TcpListener::bind("127.0.0.1:0")?
            .local_addr()?
            .port();
        let threads = std::thread::available_parallelism().map_or(2, |n| n.get());
        let child = Command::new("groonga")
            .args([
                "-n",
                "-s",
                "--protocol",
                "http",
                "--bind-address",
                "127.0.0.1",
            ])
            .args(["-p", &port.to_string(), "-t", &threads.to_string()])
            .arg(dir.join("db"))
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .map_err(|e| format!("groonga (Debian package groonga-bin): {e}"))?;
        let groonga = Groonga {
            child,
            base: format!("http://127.0.0.1:{port}"),
        };
        let agent = groonga_agent();
        let deadline = Instant::now() + Duration::from_secs(30);
        while groonga_call(&agent, &format!("{}/d/status", groonga.base), None).is_err() {
            if Instant::now() > deadline {
                return Err("groonga did not start".into());
            }
            std::thread::sleep(Duration::from_millis(100));
        }
        let started = Instant::now();
        for command in [
            "table_create?name=Items&flags=TABLE_HASH_KEY&key_type=ShortText",
            "column_create?table=Items&name=code&flags=COLUMN_SCALAR&type=ShortText",
            "column_create?table=Items&name=category&flags=COLUMN_SCALAR&type=ShortText",
            "column_create?table=Items&name=name&flags=COLUMN_SCALAR&type=ShortText",
            "column_create?table=Items&name=department&flags=COLUMN_SCALAR&type=ShortText",
            "column_create?table=Items&name=body&flags=COLUMN_SCALAR&type=LongText",
        ] {
            groonga_call(&agent, &format!("{}/d/{command}", groonga.base), None)?;
        }
        let mut docs = docs.peekable();
        while docs.peek().is_some() {
            let rows: Vec<serde_json::Value> = docs
                .by_ref()
                .take(10_000)
                .map(|d| {
                    serde_json::json!({"_key": d.code, "code": d.code, "category": d.category, "name": d.name,
                        "department": d.department, "body": d.body})
                })
                .collect();
            groonga_call(
                &agent,
                &format!("{}/d/load?table=Items", groonga.base),
                Some(serde_json::Value::Array(rows).to_string()),
            )?;
        }
        for command in [
            "table_create?name=Terms&flags=TABLE_PAT_KEY&key_type=ShortText&default_tokenizer=TokenBigram&normalizer=NormalizerNFKC100",
            "column_create?table=Terms&name=items_text&flags=COLUMN_INDEX%7CWITH_POSITION%7CWITH_SECTION&type=Items&source=code,name,department,body",
        ] {
            groonga_call(&agent, &format!("{}/d/{command}", groonga.base), None)?;
        }
        let seconds = started.elapsed().as_secs_f64();
        let bytes = super::dir_size(dir);
        Ok((groonga, Built { seconds, bytes }))
    }
}

struct GroongaClient {
    agent: ureq::Agent,
    base: String,
}

impl Engine for Groonga {
    fn name(&self) -> &'static str {
        "Groonga (HTTP)"
    }

    fn client(&self) -> Result<Box<dyn Client>, String> {
        Ok(Box::new(GroongaClient {
            agent: groonga_agent(),
            base: self.base.clone(),
        }))
    }
}

/// A Groonga script string literal.
fn groonga_string(s: &str) -> String {
    format!("\"{}\"", s.replace('\\', "\\\\").replace('"', "\\\""))
}

impl Client for GroongaClient {
    fn search(&mut self, q: &str, filters: &Filters, limit: usize) -> Result<Vec<String>, String> {
        // Each term quoted (Groonga's query syntax would otherwise read `-`, `(`, `OR` as
        // operators), all required; the name weighs most.
        let query = terms(q)
            .iter()
            .map(|t| groonga_string(t))
            .collect::<Vec<_>>()
            .join(" ");
        if query.is_empty() {
            return Ok(Vec::new());
        }
        let mut filter = Vec::new();
        if !filters.categories.is_empty() {
            let values: Vec<String> = filters
                .categories
                .iter()
                .map(|c| groonga_string(c))
                .collect();
            filter.push(format!("in_values(category, {})", values.join(", ")));
        }
        if let Some(d) = &filters.department {
            filter.push(format!("department == {}", groonga_string(d)));
        }
        let mut url = format!(
            "{}/d/select?table=Items&match_columns={}&query={}&output_columns=_key&sort_keys=-_score,_key&limit={limit}",
            self.base,
            enc("code || name * 5 || department || body"),
            enc(&query)
        );
        if !filter.is_empty() {
            url.push_str(&format!("&filter={}", enc(&filter.join(" && "))));
        }
        let text = groonga_call(&self.agent, &url, None)?;
        let body: serde_json::Value = serde_json::from_str(&text).map_err(|e| e.to_string())?;
        // [header, [[[count], [columns], row, row, …]]]
        let records = body[1][0].as_array().ok_or("unexpected groonga answer")?;
        Ok(records
            .iter()
            .skip(2)
            .filter_map(|row| row[0].as_str().map(str::to_string))
            .collect())
    }
}

// ---------------------------------------------------------------------------------------
// quanze itself, over its public API, as another system calls it.

pub struct QuanzeHttp {
    pub base: String,
    /// `false`: words only (`semantic=false`).
    pub semantic: bool,
}

struct QuanzeClient {
    agent: ureq::Agent,
    url: String,
}

impl Engine for QuanzeHttp {
    fn name(&self) -> &'static str {
        if self.semantic {
            "quanze (default)"
        } else {
            "quanze (words only)"
        }
    }

    fn client(&self) -> Result<Box<dyn Client>, String> {
        let mode = if self.semantic { "" } else { "&semantic=false" };
        Ok(Box::new(QuanzeClient {
            agent: super::agent(),
            url: format!("{}/api/v1/search?{mode}", self.base),
        }))
    }
}

impl Client for QuanzeClient {
    fn search(&mut self, q: &str, filters: &Filters, limit: usize) -> Result<Vec<String>, String> {
        let mut url = format!("{}&per_page={limit}&q={}", self.url, enc(q));
        for c in &filters.categories {
            url.push_str(&format!("&category={}", enc(c)));
        }
        if let Some(d) = &filters.department {
            url.push_str(&format!("&department={}", enc(d)));
        }
        let mut response = self.agent.get(&url).call().map_err(|e| e.to_string())?;
        let status = response.status();
        let text = response
            .body_mut()
            .read_to_string()
            .map_err(|e| e.to_string())?;
        if status != 200 {
            return Err(format!("{status}"));
        }
        let body: serde_json::Value = serde_json::from_str(&text).map_err(|e| e.to_string())?;
        Ok(body["hits"]
            .as_array()
            .map(|hits| {
                hits.iter()
                    .filter_map(|h| h["code"].as_str().map(str::to_string))
                    .collect()
            })
            .unwrap_or_default())
    }
}
