//! The schema in code, in SQLite and in PostgreSQL must agree: `src/schema.rs` is generated
//! from the SQLite migrations (QUANZE_BLESS=1 rewrites it), and the PostgreSQL migrations must
//! give the same tables, columns, types and nullability.

use std::collections::BTreeMap;

use diesel::prelude::*;
use diesel::sql_types::{BigInt, Integer, Text};
use quanze_registry::DbConnection;
use quanze_testkit::{Backend, TestDatabase};

use crate::{open, repo_root};

#[derive(QueryableByName)]
struct Name {
    #[diesel(sql_type = Text)]
    name: String,
}

#[derive(QueryableByName)]
struct SqliteColumn {
    #[diesel(sql_type = Text)]
    name: String,
    #[diesel(sql_type = Text)]
    #[diesel(column_name = type_)]
    type_: String,
    #[diesel(sql_type = Integer)]
    notnull: i32,
    #[diesel(sql_type = Integer)]
    pk: i32,
}

#[derive(QueryableByName)]
struct SqliteForeignKey {
    #[diesel(sql_type = Text)]
    #[diesel(column_name = table_)]
    table_: String,
    #[diesel(sql_type = Text)]
    #[diesel(column_name = from_)]
    from_: String,
}

/// (column, diesel type with Nullable<>) per table, from a migrated SQLite database.
type Columns = BTreeMap<String, Vec<(String, String)>>;

fn sqlite_columns(
    conn: &mut DbConnection,
) -> (Columns, BTreeMap<String, Vec<String>>, Vec<String>) {
    let tables: Vec<Name> = diesel::sql_query(
        "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' AND name <> '__diesel_schema_migrations' ORDER BY name",
    )
    .load(conn)
    .unwrap();
    let mut columns = Columns::new();
    let mut pks = BTreeMap::new();
    let mut joins = Vec::new();
    for t in &tables {
        let cols: Vec<SqliteColumn> = diesel::sql_query(format!(
            "SELECT name, type AS type_, \"notnull\", pk FROM pragma_table_info('{}') ORDER BY cid",
            t.name
        ))
        .load(conn)
        .unwrap();
        let mut list = Vec::new();
        for c in &cols {
            let base = match (c.type_.as_str(), c.pk) {
                ("INTEGER", 1) => "BigInt",
                ("INTEGER", _) => "Integer",
                ("BIGINT", _) => "BigInt",
                ("TEXT", _) => "Text",
                ("BOOLEAN", _) => "Bool",
                ("DATE", _) => "Date",
                ("TIMESTAMP", _) => "Timestamp",
                ("BLOB", _) => "Binary",
                (other, _) => panic!(
                    "column {}.{} has type {other} with no diesel mapping",
                    t.name, c.name
                ),
            };
            let ty = if c.notnull == 0 && c.pk == 0 {
                format!("Nullable<{base}>")
            } else {
                base.to_string()
            };
            list.push((c.name.clone(), ty));
        }
        pks.insert(
            t.name.clone(),
            cols.iter()
                .filter(|c| c.pk > 0)
                .map(|c| c.name.clone())
                .collect(),
        );
        columns.insert(t.name.clone(), list);
        let fks: Vec<SqliteForeignKey> = diesel::sql_query(format!(
            "SELECT \"table\" AS table_, \"from\" AS from_ FROM pragma_foreign_key_list('{}')",
            t.name
        ))
        .load(conn)
        .unwrap();
        let mut by_target: BTreeMap<String, Vec<String>> = BTreeMap::new();
        for fk in fks {
            by_target.entry(fk.table_).or_default().push(fk.from_);
        }
        for (target, cols) in by_target {
            // diesel allows one joinable! per table pair; self references cannot be joinable.
            if target != t.name && cols.len() == 1 {
                joins.push(format!(
                    "diesel::joinable!({} -> {target} ({}));",
                    t.name, cols[0]
                ));
            }
        }
    }
    joins.sort();
    (columns, pks, joins)
}

fn render_schema(
    columns: &Columns,
    pks: &BTreeMap<String, Vec<String>>,
    joins: &[String],
) -> String {
    let mut out = String::from(
        "// @generated from migrations/sqlite by `QUANZE_BLESS=1 cargo test -p quanze-registry --test registry schema_rs`.\n// Do not edit: a test fails when this file and the migrations disagree.\n\n",
    );
    for (table, cols) in columns {
        out += &format!(
            "diesel::table! {{\n    {table} ({}) {{\n",
            pks[table].join(", ")
        );
        for (name, ty) in cols {
            out += &format!("        {name} -> {ty},\n");
        }
        out += "    }\n}\n\n";
    }
    for j in joins {
        out += j;
        out.push('\n');
    }
    out += "\ndiesel::allow_tables_to_appear_in_same_query!(\n";
    for table in columns.keys() {
        out += &format!("    {table},\n");
    }
    out += ");\n";
    out
}

#[test]
fn schema_rs_matches_migrations() {
    let t = TestDatabase::new(Backend::Sqlite).unwrap();
    let db = open(&t);
    let mut conn = db.conn().unwrap();
    let (columns, pks, joins) = sqlite_columns(&mut conn);
    let generated = render_schema(&columns, &pks, &joins);
    let path = repo_root().join("registry/src/schema.rs");
    if std::env::var("QUANZE_BLESS").is_ok_and(|v| v == "1") {
        std::fs::write(&path, &generated).unwrap();
    }
    let committed = std::fs::read_to_string(&path).unwrap();
    assert!(
        committed == generated,
        "registry/src/schema.rs is out of date with migrations/sqlite; regenerate it with\n  QUANZE_BLESS=1 cargo test -p quanze-registry --test registry schema_rs"
    );
}

#[derive(QueryableByName)]
struct PgColumn {
    #[diesel(sql_type = Text)]
    table_name: String,
    #[diesel(sql_type = Text)]
    column_name: String,
    #[diesel(sql_type = Text)]
    data_type: String,
    #[diesel(sql_type = Text)]
    is_nullable: String,
    #[diesel(sql_type = BigInt)]
    is_pk: i64,
}

#[test]
fn postgres_schema_matches_sqlite_schema() {
    let Some(pg) = TestDatabase::new(Backend::Postgres) else {
        return;
    };
    let sqlite = TestDatabase::new(Backend::Sqlite).unwrap();
    let (expected, _, _) = sqlite_columns(&mut open(&sqlite).conn().unwrap());
    let db = open(&pg);
    let mut conn = db.conn().unwrap();
    let rows: Vec<PgColumn> = diesel::sql_query(
        "SELECT c.table_name::text AS table_name, c.column_name::text AS column_name, c.data_type::text AS data_type, c.is_nullable::text AS is_nullable,
                (SELECT count(*) FROM information_schema.key_column_usage k JOIN information_schema.table_constraints tc
                   ON tc.constraint_name = k.constraint_name AND tc.table_name = k.table_name
                 WHERE tc.constraint_type = 'PRIMARY KEY' AND k.table_name = c.table_name AND k.column_name = c.column_name) AS is_pk
         FROM information_schema.columns c
         WHERE c.table_schema = 'public' AND c.table_name <> '__diesel_schema_migrations'
         ORDER BY c.table_name, c.ordinal_position",
    )
    .load(&mut conn)
    .unwrap();
    let mut actual = Columns::new();
    for r in rows {
        let base = match r.data_type.as_str() {
            "bigint" => "BigInt",
            "integer" => "Integer",
            "text" => "Text",
            "boolean" => "Bool",
            "date" => "Date",
            "timestamp without time zone" => "Timestamp",
            "bytea" => "Binary",
            other => panic!(
                "{}.{} has PostgreSQL type {other} with no diesel mapping",
                r.table_name, r.column_name
            ),
        };
        let ty = if r.is_nullable == "YES" && r.is_pk == 0 {
            format!("Nullable<{base}>")
        } else {
            base.to_string()
        };
        actual
            .entry(r.table_name)
            .or_default()
            .push((r.column_name, ty));
    }
    assert_eq!(
        actual, expected,
        "migrations/postgres and migrations/sqlite disagree"
    );
}

#[test]
fn both_backends_have_the_same_migrations() {
    let (sqlite, postgres) = quanze_registry::db::migration_names();
    assert!(!sqlite.is_empty());
    assert_eq!(
        sqlite, postgres,
        "migrations/sqlite and migrations/postgres must have the same folder names"
    );
}

#[test]
fn migrations_run_twice_without_change() {
    for t in TestDatabase::each() {
        let db = open(&t);
        assert!(db.migrate().unwrap().is_empty(), "{}", t.backend.name());
        drop(db);
        let again = open(&t);
        assert!(again.migrate().unwrap().is_empty());
    }
}
