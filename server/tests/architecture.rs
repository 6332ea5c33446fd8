//! Architecture rule: **no import loop apart from a module and its own children.**
//!
//! A module may use its children and its children may use it (that is how a module is split into
//! files), but sibling modules must form a hierarchy of layers: if `http` uses `pages`, then
//! nothing under `pages` may use anything under `http`. Loops make modules impossible to
//! understand, test or move on their own, and they grow silently, so this test reads each crate's
//! source tree and fails, naming the file-level edges to cut, as soon as one appears.
//!
//! Std only, on purpose: a light tokenizer (comments and literals removed) is enough to find the
//! `crate::`, `super::` and `self::` paths that create dependencies, with no syn or cargo metadata.
//! Set `QUANZE_ARCH_ROOT` to the workspace root to check another checkout.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

/// A module's path inside its crate: `[]` is the crate root, `["http", "error"]` is `http::error`.
type ModPath = Vec<String>;

#[test]
fn server_has_no_import_loops() {
    assert_no_import_loops("server");
}

#[test]
fn registry_has_no_import_loops() {
    assert_no_import_loops("registry");
}

#[test]
fn indexer_has_no_import_loops() {
    assert_no_import_loops("indexer");
}

/// `<root>/<krate>/src`, the root being `$QUANZE_ARCH_ROOT`, else this package's parent directory.
fn crate_src(krate: &str) -> PathBuf {
    let root = std::env::var("QUANZE_ARCH_ROOT")
        .ok()
        .or_else(|| option_env!("CARGO_MANIFEST_DIR").map(|dir| format!("{dir}/..")))
        .expect("set QUANZE_ARCH_ROOT to the workspace root (CARGO_MANIFEST_DIR is unset)");
    Path::new(&root).join(krate).join("src")
}

fn assert_no_import_loops(krate: &str) {
    let src = crate_src(krate);
    assert!(src.is_dir(), "no source tree at {}", src.display());
    let loops = find_loops(&dependencies(&src));
    assert!(
        loops.is_empty(),
        "`{krate}` has import loops between sibling modules ({}). A module may use its own \
         children and be used by them, but siblings must not use each other in a circle: move the \
         shared code into one of them, or down into a module both may use.\n\n{}",
        src.display(),
        loops.join("\n")
    );
}

fn display(module: &[String]) -> String {
    if module.is_empty() {
        "crate".to_string()
    } else {
        module.join("::")
    }
}

/// Every module file under `src`: `lib.rs`/`main.rs` is the root, `a.rs` or `a/mod.rs` is `a`.
/// `src/bin/` holds other crates and is skipped.
fn module_files(dir: &Path, prefix: &[String], out: &mut Vec<(ModPath, PathBuf)>) {
    let entries = std::fs::read_dir(dir).unwrap_or_else(|e| panic!("{}: {e}", dir.display()));
    for path in entries.map(|entry| entry.unwrap().path()) {
        let name = path.file_stem().unwrap().to_string_lossy().into_owned();
        let mut module = prefix.to_vec();
        if path.is_dir() {
            if !(prefix.is_empty() && name == "bin") {
                module.push(name);
                module_files(&path, &module, out);
            }
            continue;
        }
        if path.extension().is_none_or(|ext| ext != "rs") {
            continue;
        }
        let is_root = prefix.is_empty() && (name == "lib" || name == "main");
        if !is_root && name != "mod" {
            module.push(name);
        }
        out.push((module, path));
    }
}

/// All module-to-module dependencies of the crate in `src`, self-references left out.
fn dependencies(src: &Path) -> BTreeSet<(ModPath, ModPath)> {
    let mut files = Vec::new();
    module_files(src, &[], &mut files);
    let modules: BTreeSet<ModPath> = files.iter().map(|(module, _)| module.clone()).collect();
    let mut deps = BTreeSet::new();
    for (module, file) in &files {
        let source = std::fs::read_to_string(file).unwrap();
        for target in module_deps(module, &source, &modules) {
            deps.insert((module.clone(), target));
        }
    }
    deps
}

/// The modules that the module `from`, with the given source, refers to by path: each path is
/// resolved to its longest prefix that is a module. Test modules are left out: tests may reach
/// anywhere.
fn module_deps(from: &[String], source: &str, modules: &BTreeSet<ModPath>) -> BTreeSet<ModPath> {
    let tokens = strip_test_modules(tokenize(source));
    paths(&tokens)
        .iter()
        .filter_map(|path| resolve(from, path, modules))
        .filter(|target| target.as_slice() != from)
        .collect()
}

/// Resolves a `crate::`/`super::`/`self::` path, as seen from module `from`, to a module.
fn resolve(from: &[String], path: &[String], modules: &BTreeSet<ModPath>) -> Option<ModPath> {
    let mut target: ModPath = match path.first()?.as_str() {
        "crate" => Vec::new(),
        "self" => from.to_vec(),
        "super" => from.split_last()?.1.to_vec(),
        _ => return None,
    };
    for segment in &path[1..] {
        match segment.as_str() {
            "self" => {}
            "super" => drop(target.pop()?),
            _ => {
                target.push(segment.clone());
                if !modules.contains(&target) {
                    target.pop();
                    break;
                }
            }
        }
    }
    Some(target)
}

/// Splits Rust source into identifiers, `::` and single punctuation characters. Comments are
/// dropped and every literal (strings, raw strings, byte/C strings, chars) becomes `""`, so that
/// text such as `"crate::x"` or `// see crate::x` never looks like a path.
fn tokenize(source: &str) -> Vec<String> {
    let c: Vec<char> = source.chars().collect();
    let at = |i: usize| c.get(i).copied().unwrap_or('\0');
    let is_word = |ch: char| ch.is_alphanumeric() || ch == '_';
    let first = |from: usize, stop: &dyn Fn(char) -> bool| (from..c.len()).find(|&j| stop(c[j]));
    // Where each kind of text starting at `i` ends (the index just past it).
    let string_end = |mut i: usize, raw: bool, hashes: usize| {
        i += 1; // the opening quote
        while i < c.len() && !(c[i] == '"' && (1..=hashes).all(|h| at(i + h) == '#')) {
            i += if c[i] == '\\' && !raw { 2 } else { 1 };
        }
        i + 1 + hashes
    };
    let block_comment_end = |mut i: usize| {
        let mut depth = 0; // block comments nest
        while i < c.len() {
            match (c[i], at(i + 1)) {
                ('/', '*') => (depth, i) = (depth + 1, i + 2),
                ('*', '/') => (depth, i) = (depth - 1, i + 2),
                _ => i += 1,
            }
            if depth == 0 {
                break;
            }
        }
        i
    };
    let literal = || Some("\"\"".to_string());
    let (mut tokens, mut i) = (Vec::new(), 0);
    while i < c.len() {
        let (end, token) = match (c[i], at(i + 1)) {
            (ch, _) if ch.is_whitespace() => (i + 1, None),
            ('/', '/') => (first(i, &|ch| ch == '\n').unwrap_or(c.len()), None),
            ('/', '*') => (block_comment_end(i), None),
            ('"', _) => (string_end(i, false, 0), literal()),
            // A char literal ('x', '"', '\'', '\u{..}'), else a lifetime or label ('a).
            ('\'', '\\') => (
                first(i + 3, &|ch| ch == '\'').map_or(c.len(), |j| j + 1),
                literal(),
            ),
            ('\'', _) if at(i + 2) == '\'' => (i + 3, literal()),
            (':', ':') => (i + 2, Some("::".to_string())),
            (ch, _) if is_word(ch) => {
                let end = first(i, &|ch| !is_word(ch)).unwrap_or(c.len());
                let word: String = c[i..end].iter().collect();
                let hashes = first(end, &|ch| ch != '#').unwrap_or(c.len()) - end;
                match (word.as_str(), at(end + hashes)) {
                    ("r" | "br" | "cr", '"') => (string_end(end + hashes, true, hashes), literal()),
                    ("b" | "c", '"') if hashes == 0 => (string_end(end, false, 0), literal()),
                    ("b", '\'') if hashes == 0 => (end, None), // b'x': the char literal follows
                    ("r", ch) if hashes == 1 && is_word(ch) => (end + 1, None), // raw ident r#name
                    _ => (end, Some(word)),
                }
            }
            (ch, _) => (i + 1, Some(ch.to_string())),
        };
        tokens.extend(token);
        i = end;
    }
    tokens
}

/// Index just past the bracket that closes the one opening at `open`.
fn closing(tokens: &[String], open: usize) -> Option<usize> {
    let mut depth = 0;
    for (j, token) in tokens.iter().enumerate().skip(open) {
        match token.as_str() {
            "{" | "[" | "(" => depth += 1,
            "}" | "]" | ")" => depth -= 1,
            _ => {}
        }
        if depth == 0 {
            return Some(j + 1);
        }
    }
    None
}

/// Drops each `#[cfg(test)] mod name { … }` (or `mod name;`), other attributes and `pub` allowed.
fn strip_test_modules(tokens: Vec<String>) -> Vec<String> {
    let tok = |j: usize| tokens.get(j).map_or("", String::as_str);
    let test_module_end = |mut j: usize| -> Option<usize> {
        while tok(j) == "#" && tok(j + 1) == "[" {
            j = closing(&tokens, j + 1)?;
        }
        if tok(j) == "pub" {
            j += 1;
            if tok(j) == "(" {
                j = closing(&tokens, j)?;
            }
        }
        match (tok(j), tok(j + 2)) {
            ("mod", ";") => Some(j + 3),
            ("mod", "{") => closing(&tokens, j + 2),
            _ => None,
        }
    };
    let cfg_test = ["#", "[", "cfg", "(", "test", ")", "]"];
    let mut kept = Vec::new();
    let mut i = 0;
    while i < tokens.len() {
        if (0..cfg_test.len()).all(|k| tok(i + k) == cfg_test[k])
            && let Some(end) = test_module_end(i + cfg_test.len())
        {
            i = end;
            continue;
        }
        kept.push(tokens[i].clone());
        i += 1;
    }
    kept
}

/// Every path starting with `crate`, `super` or `self`: use trees expanded into one path per leaf
/// (`use crate::a::{b, c::d as e}` gives `crate::a::b` and `crate::a::c::d`), plus inline paths
/// such as `crate::a::f(…)` or `$crate::a::T`. `pub(in crate::a)` is a visibility, not a use.
fn paths(tokens: &[String]) -> Vec<Vec<String>> {
    let tok = |j: usize| tokens.get(j).map_or("", String::as_str);
    let is_root = |t: &str| matches!(t, "crate" | "super" | "self");
    let mut out = Vec::new();
    let mut i = 0;
    while i < tokens.len() {
        if tok(i) == "use" {
            i = use_tree(tokens, i + 1, &[], &mut out).max(i + 1);
        } else if is_root(tok(i))
            && tok(i + 1) == "::"
            && (i == 0 || tok(i - 1) != "::")
            && !(i >= 2 && tok(i - 1) == "in" && tok(i - 2) == "(")
        {
            let mut path = vec![tok(i).to_string()];
            i += 1;
            while tok(i) == "::" && is_ident(tok(i + 1)) {
                path.push(tok(i + 1).to_string());
                i += 2;
            }
            out.push(path);
        } else {
            i += 1;
        }
    }
    out.retain(|path| is_root(&path[0]));
    out
}

fn is_ident(token: &str) -> bool {
    token.starts_with(|ch: char| ch.is_alphabetic() || ch == '_')
}

/// Parses the use tree at `j` under `prefix`, pushing its leaves; returns the index after it.
fn use_tree(
    tokens: &[String],
    mut j: usize,
    prefix: &[String],
    out: &mut Vec<Vec<String>>,
) -> usize {
    let tok = |j: usize| tokens.get(j).map_or("", String::as_str);
    let mut path = prefix.to_vec();
    if tok(j) == "::" {
        path.push("::".to_string()); // `use ::name`: an external crate
        j += 1;
    }
    loop {
        match tok(j) {
            "*" => {
                out.push(path);
                return j + 1;
            }
            "{" => {
                j += 1;
                while tok(j) != "}" {
                    let next = use_tree(tokens, j, &path, out);
                    if next == j {
                        return j; // not a use tree after all
                    }
                    j = next + (tok(next) == ",") as usize;
                }
                return j + 1;
            }
            word if is_ident(word) && word != "as" => {
                path.push(word.to_string());
                j += 1;
                if tok(j) == "::" {
                    j += 1;
                    continue;
                }
                if tok(j) == "as" {
                    j += 2;
                }
                out.push(path);
                return j;
            }
            _ => return j, // e.g. the `use<'a>` of precise capturing
        }
    }
}

/// Lifts each dependency between unrelated modules to the two siblings under their deepest common
/// ancestor, then reports each group of siblings that all reach one another, with its causes.
fn find_loops(deps: &BTreeSet<(ModPath, ModPath)>) -> Vec<String> {
    // parent -> (sibling, sibling) -> module using -> modules used: the causes of that edge
    type Causes = BTreeMap<String, BTreeSet<String>>;
    let mut graphs: BTreeMap<ModPath, BTreeMap<(String, String), Causes>> = BTreeMap::new();
    for (from, to) in deps {
        let k = from.iter().zip(to).take_while(|(a, b)| a == b).count();
        if k == from.len() || k == to.len() {
            continue; // one is the other's ancestor: allowed
        }
        let edges = graphs.entry(from[..k].to_vec()).or_default();
        let causes = edges.entry((from[k].clone(), to[k].clone())).or_default();
        causes.entry(display(from)).or_default().insert(display(to));
    }
    let mut report = Vec::new();
    for (parent, edges) in &graphs {
        let sibling = |name: &String| display(&[parent, std::slice::from_ref(name)].concat());
        for group in strongly_connected(&edges.keys().collect::<Vec<_>>()) {
            let names: Vec<String> = group.iter().map(sibling).collect();
            let mut text = format!("loop among {}:\n", names.join(", "));
            let inside = |(a, b): &(String, String)| group.contains(a) && group.contains(b);
            for ((a, b), causes) in edges.iter().filter(|(edge, _)| inside(edge)) {
                for (user, used) in causes {
                    let used: Vec<&str> = used.iter().map(String::as_str).collect();
                    let (a, b, used) = (sibling(a), sibling(b), used.join(", "));
                    text += &format!("    {a} -> {b} because {user} uses {used}\n");
                }
            }
            report.push(text);
        }
    }
    report
}

/// The strongly connected groups of more than one node: nodes that each reach all the others.
/// (Plain reachability rather than Tarjan: sibling graphs have tens of nodes at most.)
fn strongly_connected(edges: &[&(String, String)]) -> BTreeSet<BTreeSet<String>> {
    let reach = |start: &String| {
        let (mut seen, mut todo) = (BTreeSet::new(), vec![start]);
        while let Some(node) = todo.pop() {
            for (a, b) in edges {
                if a == node && seen.insert(b.clone()) {
                    todo.push(b);
                }
            }
        }
        seen
    };
    let reaches: BTreeMap<&String, BTreeSet<String>> =
        edges.iter().map(|(a, _)| (a, reach(a))).collect();
    let mutual = |n: &String, m: &String| reaches.get(m).is_some_and(|r| r.contains(n));
    let mut groups = BTreeSet::new();
    for (node, reached) in &reaches {
        let group: BTreeSet<String> = reached
            .iter()
            .filter(|m| mutual(node, m))
            .cloned()
            .collect();
        if group.len() > 1 {
            groups.insert(group);
        }
    }
    groups
}

/// The parser and the loop finder on small in-memory sources.
mod parser_tests {
    use super::*;

    fn m(path: &str) -> ModPath {
        path.split("::")
            .filter(|s| !s.is_empty())
            .map(String::from)
            .collect()
    }

    /// What module `from` depends on, in a crate of modules a, a::b, a::f, a::g, x and y.
    fn deps_of(from: &str, source: &str) -> Vec<String> {
        let modules: BTreeSet<ModPath> = ["", "a", "a::b", "a::f", "a::g", "x", "y"].map(m).into();
        let deps = module_deps(&m(from), source, &modules);
        deps.iter().map(|d| display(d)).collect()
    }

    #[test]
    #[rustfmt::skip] // one case a line
    fn paths_are_found_and_resolved() {
        let check = |from, source, expected: &[&str]| assert_eq!(deps_of(from, source), expected);
        // use trees: nested braces, self, renames, globs, visibilities, leading braces
        check("y", "pub(crate) use crate::a::{b::{c, d as e}, self, f::*};", &["a", "a::b", "a::f"]);
        check("y", "pub use {crate::x as z, ::std::io}; use std::fmt;", &["x"]);
        // super::, self:: and inline paths, also in macros
        check("a::b", "use super::super::x::Y; fn f() { super::g::h() }", &["a::g", "x"]);
        check("a", "use self::b::T; let v = crate::y::V::<u8>::new();", &["a::b", "y"]);
        check("x", "macro_rules! m { () => { $crate::a::b::T } }", &["a::b"]);
        // not dependencies: a visibility, `self.`, the module itself
        check("x", "pub(in crate::a) fn f(&self) -> Self { self.g() }", &[]);
        check("x", "use crate::x::T; crate::x::f();", &[]);
    }

    #[test]
    fn comments_and_literals_are_not_code() {
        let source = r####"
            // crate::a
            /* crate::a /* nested */ crate::a */
            /// [`crate::a`]
            const S: &str = "crate::a \" crate::a";
            const R: &str = r#"crate::a " crate::a"#;
            const B: &[u8] = b"crate::a";
            fn f<'a>(s: &'a str) -> bool { s.contains('"') && c != '\'' && b != b'"' }
            fn g() { crate::x::h() }
            const T: &str = "//"; fn r#type() { crate::y::k() }
        "####;
        assert_eq!(deps_of("a::b", source), ["x", "y"]);
    }

    #[test]
    fn test_modules_are_ignored() {
        let source = "#[cfg(test)]\n#[allow(clippy::unwrap_used)]\n\
                      mod tests { use crate::x; fn t() { crate::y::f() } }\n\
                      fn after() { crate::a::run() }\n#[cfg(test)] mod more;\n\
                      #[cfg(test)] fn helper() { crate::y::g() }";
        assert_eq!(deps_of("a::b", source), ["a", "y"]);
    }

    #[test]
    fn loops_are_lifted_to_siblings_and_explained() {
        let deps = [
            ("http::error", "pages"),
            ("pages::item", "http::items"),
            ("pages::item", "http"),
            ("http", "http::error"),
            ("http::error", "http"),
            ("repo::departments", "repo::regions"),
            ("repo::regions", "repo::departments::codes"),
            ("cli", "serve"),
        ];
        let loops = find_loops(&deps.iter().map(|(a, b)| (m(a), m(b))).collect());
        assert_eq!(
            loops,
            [
                "loop among http, pages:\n    http -> pages because http::error uses pages\n    \
                 pages -> http because pages::item uses http, http::items\n",
                "loop among repo::departments, repo::regions:\n    repo::departments -> \
                 repo::regions because repo::departments uses repo::regions\n    repo::regions \
                 -> repo::departments because repo::regions uses repo::departments::codes\n",
            ]
        );
    }
}
