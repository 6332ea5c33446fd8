//! Query-time synonyms: everyday ⇄ official wording (的士 ⇄ 巡游出租汽车, 驾照 ⇄ 机动车驾驶证).
//! Groups are symmetric. The curated lists ship with quanze (`BUILTIN`: indexer/data/synonyms.txt,
//! everyday.txt, situations.txt, needs.txt); an operator adds groups in
//! `<data-dir>/synonyms.txt`, same format: one group per line, terms separated by commas, `#`
//! starts a comment.

use std::collections::HashMap;

use crate::analyzer::normalize;

pub const BUILTIN_SYNONYMS: &str = include_str!("../data/synonyms.txt");
/// Everyday wording for the official terms of a whole catalogue (砍树 → 林木采伐, 驻唱 → 个体演员),
/// written from item names alone, blind to every judged query set (see the file's header).
pub const BUILTIN_EVERYDAY: &str = include_str!("../data/everyday.txt");
/// Life situations as residents describe them (老人去世, 开饭馆, 房子漏水) pointing to the
/// official term of the item they need: the other direction from `BUILTIN_EVERYDAY`, also
/// written from item names alone, blind to every judged query set (see the file's header).
pub const BUILTIN_SITUATIONS: &str = include_str!("../data/situations.txt");
/// Problems, money, papers and errands in residents' words (工资被拖欠, 独生子女费, 单身证明,
/// 停保) pointing to the official term of the item; written like the two before it.
pub const BUILTIN_NEEDS: &str = include_str!("../data/needs.txt");
/// The built-in vocabularies, parsed in this order (a term of a later one already in an
/// earlier one joins its group, as an operator's does).
pub const BUILTIN: [&str; 4] = [
    BUILTIN_SYNONYMS,
    BUILTIN_EVERYDAY,
    BUILTIN_SITUATIONS,
    BUILTIN_NEEDS,
];

/// Most alternatives used for one synonym term found in a query.
pub const MAX_ALTERNATIVES: usize = 10;

#[derive(Debug, Clone, Default)]
pub struct Synonyms {
    groups: Vec<Vec<String>>,
    /// Normalised term → its group.
    by_term: HashMap<String, usize>,
    /// Terms, longest first, for matching inside a query.
    terms_by_length: Vec<String>,
    /// Term → its position in `terms_by_length`.
    rank: HashMap<String, usize>,
    /// Length of the longest term, in bytes.
    longest: usize,
    /// Term → the official wording it stands for: the first term of the line that brought it
    /// (not of its merged group, whose first term may come from another file); a term that
    /// begins any line is official itself.
    official: HashMap<String, String>,
}

impl Synonyms {
    /// Parses synonym files; later files may add terms to new groups. A term already in an
    /// earlier group joins that group's alternatives (groups merge), so operators can extend.
    pub fn parse(sources: &[&str]) -> Synonyms {
        let mut s = Synonyms::default();
        let lines: Vec<Vec<String>> = sources
            .iter()
            .flat_map(|source| source.lines())
            .map(|line| {
                let line = line.split('#').next().unwrap_or_default();
                line.split([',', '，'])
                    .map(|t| normalize(t.trim()))
                    .filter(|t| !t.is_empty())
                    .collect::<Vec<String>>()
            })
            .filter(|terms| terms.len() >= 2)
            .collect();
        for terms in &lines {
            s.official.insert(terms[0].clone(), terms[0].clone());
        }
        for terms in lines {
            for t in &terms[1..] {
                s.official
                    .entry(t.clone())
                    .or_insert_with(|| terms[0].clone());
            }
            let existing = terms.iter().find_map(|t| s.by_term.get(t).copied());
            let group = match existing {
                Some(g) => g,
                None => {
                    s.groups.push(Vec::new());
                    s.groups.len() - 1
                }
            };
            for t in terms {
                if let std::collections::hash_map::Entry::Vacant(e) = s.by_term.entry(t.clone()) {
                    e.insert(group);
                    s.groups[group].push(t);
                }
            }
        }
        s.terms_by_length = s.by_term.keys().cloned().collect();
        s.terms_by_length
            .sort_by(|a, b| b.chars().count().cmp(&a.chars().count()).then(a.cmp(b)));
        s.rank = s
            .terms_by_length
            .iter()
            .enumerate()
            .map(|(i, t)| (t.clone(), i))
            .collect();
        s.longest = s.terms_by_length.iter().map(String::len).max().unwrap_or(0);
        s
    }

    /// The query in official wording: every synonym term found replaced by the official
    /// wording it stands for, the first term of its line (在农村盖房 → 在农村乡村建设规划许可); an
    /// official term stays as it is. What the semantic channel embeds: the model knows the
    /// official words of the item names far better than it relates them to everyday ones.
    pub fn in_official_wording(&self, normalized_query: &str) -> String {
        self.segments(normalized_query)
            .into_iter()
            .map(|segment| match self.official.get(&segment.text) {
                Some(official) => official.clone(),
                None => segment.text,
            })
            .collect()
    }

    pub fn group_count(&self) -> usize {
        self.groups.len()
    }

    /// Splits a normalised query into pieces: plain text, and synonym terms found in it
    /// (longest first, non-overlapping) with their group's other terms as alternatives.
    pub fn segments(&self, normalized_query: &str) -> Vec<QuerySegment> {
        // Every occurrence of every term, found by looking each short substring up (a query
        // has a few hundred of them; the list has over a thousand terms), then taken longest
        // term first, each term's occurrences left to right and not overlapping each other.
        let q = normalized_query;
        let mut occurrences: Vec<(usize, usize)> = Vec::new();
        let boundaries: Vec<usize> = q
            .char_indices()
            .map(|(i, _)| i)
            .chain(std::iter::once(q.len()))
            .collect();
        for (i, &start) in boundaries.iter().enumerate() {
            for &end in boundaries[i + 1..]
                .iter()
                .take_while(|end| **end - start <= self.longest)
            {
                if let Some(rank) = self.rank.get(&q[start..end]) {
                    occurrences.push((*rank, start));
                }
            }
        }
        occurrences.sort_unstable();
        let mut found: Vec<(usize, &str)> = Vec::new();
        let mut covered = vec![false; q.len()];
        let mut term_ends_at: Option<(usize, usize)> = None;
        for (rank, pos) in occurrences {
            let term = self.terms_by_length[rank].as_str();
            if matches!(term_ends_at, Some((r, end)) if r == rank && pos < end) {
                continue;
            }
            term_ends_at = Some((rank, pos + term.len()));
            if covered[pos..pos + term.len()].iter().any(|c| *c) {
                continue;
            }
            covered[pos..pos + term.len()]
                .iter_mut()
                .for_each(|c| *c = true);
            found.push((pos, term));
        }
        found.sort_unstable();
        let mut out = Vec::new();
        let mut at = 0;
        for (pos, term) in found {
            if pos > at {
                out.push(QuerySegment {
                    text: normalized_query[at..pos].to_string(),
                    alternatives: Vec::new(),
                });
            }
            let group = &self.groups[self.by_term[term]];
            let alternatives: Vec<String> = group
                .iter()
                .filter(|t| t.as_str() != term)
                .take(MAX_ALTERNATIVES)
                .cloned()
                .collect();
            out.push(QuerySegment {
                text: term.to_string(),
                alternatives,
            });
            at = pos + term.len();
        }
        if at < normalized_query.len() {
            out.push(QuerySegment {
                text: normalized_query[at..].to_string(),
                alternatives: Vec::new(),
            });
        }
        out
    }
}

/// A piece of a query: plain text, or a synonym term with its alternatives.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct QuerySegment {
    pub text: String,
    pub alternatives: Vec<String>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_longest_terms_and_merges_operator_groups() {
        let s = Synonyms::parse(&[
            "出租车,的士,巡游出租汽车\n# comment\n驾照,机动车驾驶证",
            "的士,计程车",
        ]);
        assert_eq!(s.group_count(), 2);
        let seg = s.segments("的士许可");
        assert_eq!(seg.len(), 2);
        assert_eq!(seg[0].text, "的士");
        assert!(seg[0].alternatives.contains(&"巡游出租汽车".to_string()));
        assert!(seg[0].alternatives.contains(&"计程车".to_string()));
        assert_eq!(
            seg[1],
            QuerySegment {
                text: "许可".into(),
                alternatives: vec![]
            }
        );
        let two = s.segments("驾照和的士");
        assert_eq!(two.iter().filter(|x| !x.alternatives.is_empty()).count(), 2);
        assert_eq!(
            s.segments("无关"),
            [QuerySegment {
                text: "无关".into(),
                alternatives: vec![]
            }]
        );
    }

    /// The first implementation: every term searched for in the query, longest first.
    fn segments_by_searching(s: &Synonyms, q: &str) -> Vec<(usize, String)> {
        let mut found: Vec<(usize, String)> = Vec::new();
        let mut covered = vec![false; q.len()];
        for term in &s.terms_by_length {
            let mut from = 0;
            while let Some(rel) = q[from..].find(term.as_str()) {
                let pos = from + rel;
                from = pos + term.len();
                if covered[pos..pos + term.len()].iter().any(|c| *c) {
                    continue;
                }
                covered[pos..pos + term.len()]
                    .iter_mut()
                    .for_each(|c| *c = true);
                found.push((pos, term.clone()));
            }
        }
        found.sort_unstable();
        found
    }

    proptest::proptest! {
        /// Looking substrings up finds what searching for every term found, on queries
        /// strung together from real terms, their pieces and other characters.
        #[test]
        fn lookup_finds_what_searching_found(picks in proptest::collection::vec((0usize..2000, 0usize..4), 0..8)) {
            static BUILTIN: std::sync::OnceLock<Synonyms> = std::sync::OnceLock::new();
            let s = BUILTIN.get_or_init(|| Synonyms::parse(&super::BUILTIN));
            let mut q = String::new();
            for (i, how) in picks {
                let term = &s.terms_by_length[i % s.terms_by_length.len()];
                match how {
                    0 => q.push_str(term),
                    1 => q.extend(term.chars().skip(1)),
                    2 => q.extend(term.chars().take(2)),
                    _ => q.push_str("的士许"),
                }
            }
            let segments = s.segments(&q);
            let mut at = 0;
            let mut found = Vec::new();
            for seg in &segments {
                if !seg.alternatives.is_empty() {
                    found.push((at, seg.text.clone()));
                }
                at += seg.text.len();
            }
            proptest::prop_assert_eq!(at, q.len());
            proptest::prop_assert_eq!(found, segments_by_searching(s, &q));
        }
    }

    #[test]
    fn questions_are_put_in_official_wording() {
        let s = Synonyms::parse(&["巡游出租汽车,的士,出租车", "林木采伐,砍树"]);
        assert_eq!(
            s.in_official_wording("想开的士要砍树"),
            "想开巡游出租汽车要林木采伐"
        );
        assert_eq!(s.in_official_wording("巡游出租汽车"), "巡游出租汽车");
        assert_eq!(s.in_official_wording("无关的话"), "无关的话");
        // Groups merged across files: each term keeps the official wording of its own line,
        // and a term that begins a line is official, whatever group it joined.
        let merged = Synonyms::parse(&["拖拉机,联合收割机", "联合收割机,收割机", "拖拉机,铁牛"]);
        assert_eq!(merged.in_official_wording("收割机"), "联合收割机");
        assert_eq!(merged.in_official_wording("联合收割机"), "联合收割机");
        assert_eq!(merged.in_official_wording("铁牛"), "拖拉机");
    }

    /// Every line of the built-in vocabularies begins with official wording, which stays.
    #[test]
    fn official_wording_of_the_builtin_lines_stays() {
        let s = Synonyms::parse(&BUILTIN);
        for source in BUILTIN {
            for line in source.lines() {
                let line = line.split('#').next().unwrap_or_default();
                let Some(first) = line.split(',').next().map(|t| normalize(t.trim())) else {
                    continue;
                };
                if line.contains(',') && !first.is_empty() {
                    assert_eq!(s.in_official_wording(&first), first);
                }
            }
        }
    }

    #[test]
    fn builtin_list_is_large_and_traditional_input_is_covered() {
        let s = Synonyms::parse(&[BUILTIN_SYNONYMS]);
        assert!(s.group_count() >= 150, "{}", s.group_count());
        assert!(
            s.segments(&normalize("網約車"))
                .iter()
                .any(|x| !x.alternatives.is_empty())
        );
    }
}
