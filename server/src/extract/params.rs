//! Query-string parsing that never fails on odd input: repeated keys are kept, invalid
//! percent-encoding and invalid UTF-8 decode to U+FFFD instead of erroring, and every value
//! is validated by the handler with the parameter named in the error.

use std::collections::HashMap;

use quanze_registry::domain::{RegionCode, RegionLevel};

use crate::error::ApiError;

/// All values of every key, in order.
pub struct QueryParams {
    values: HashMap<String, Vec<String>>,
    /// The keys a parser asked for, so a test can compare them with the documented ones.
    #[cfg(test)]
    asked: std::cell::RefCell<std::collections::BTreeSet<String>>,
}

impl QueryParams {
    pub fn parse(query_string: &str) -> QueryParams {
        let mut values: HashMap<String, Vec<String>> = HashMap::new();
        for (k, v) in form_urlencoded::parse(query_string.as_bytes()) {
            values
                .entry(k.into_owned())
                .or_default()
                .push(v.into_owned());
        }
        QueryParams {
            values,
            #[cfg(test)]
            asked: Default::default(),
        }
    }

    fn values(&self, key: &str) -> Option<&Vec<String>> {
        #[cfg(test)]
        self.asked.borrow_mut().insert(key.to_string());
        self.values.get(key)
    }

    /// The last value of a key (a repeated single-valued key: the last one wins).
    pub fn one(&self, key: &str) -> Option<&str> {
        self.values(key).and_then(|v| v.last()).map(String::as_str)
    }

    pub fn all(&self, key: &str) -> Vec<String> {
        self.values(key).cloned().unwrap_or_default()
    }

    /// `true`, `false`, `1`, `0` (or absent), else a 400 naming the key.
    pub fn flag(&self, key: &'static str) -> Result<Option<bool>, ApiError> {
        match self.one(key).map(str::trim).filter(|s| !s.is_empty()) {
            None => Ok(None),
            Some("true" | "1") => Ok(Some(true)),
            Some("false" | "0") => Ok(Some(false)),
            Some(_) => Err(ApiError::bad_request(key, "must be true or false")),
        }
    }

    /// A trimmed, non-blank value (at most `max_chars` characters: longer input is cut, never
    /// an error, since it can only match less).
    pub fn text(&self, key: &str, max_chars: usize) -> Option<String> {
        self.one(key)
            .map(str::trim)
            .filter(|s| !s.is_empty())
            .map(|s| s.chars().take(max_chars).collect())
    }

    /// A whole number within `min..=max`, or None when absent or blank.
    pub fn whole(&self, key: &'static str, min: i64, max: i64) -> Result<Option<i64>, ApiError> {
        match self.one(key).map(str::trim).filter(|s| !s.is_empty()) {
            None => Ok(None),
            Some(v) => match v.parse::<i64>() {
                Ok(n) if (min..=max).contains(&n) => Ok(Some(n)),
                _ => Err(ApiError::bad_request(
                    key,
                    format!(
                        "must be a whole number from {min} to {max}, got {:?}",
                        v.chars().take(20).collect::<String>()
                    ),
                )),
            },
        }
    }

    /// A whole number within `min..=max` as `T` (which holds that range), or None when absent.
    pub fn number<T: TryFrom<i64>>(
        &self,
        key: &'static str,
        min: i64,
        max: i64,
    ) -> Result<Option<T>, ApiError> {
        Ok(self.whole(key, min, max)?.and_then(|n| T::try_from(n).ok()))
    }

    /// A positive integer, or the default when absent or blank.
    pub fn positive(
        &self,
        key: &'static str,
        default: usize,
        max: usize,
    ) -> Result<usize, ApiError> {
        match self.one(key).map(str::trim).filter(|s| !s.is_empty()) {
            None => Ok(default),
            Some(v) => match v.parse::<usize>() {
                Ok(n) if (1..=max).contains(&n) => Ok(n),
                _ => Err(ApiError::bad_request(
                    key,
                    format!(
                        "must be a whole number from 1 to {max}, got {:?}",
                        v.chars().take(20).collect::<String>()
                    ),
                )),
            },
        }
    }
}

/// A route's query parameters, as one type that both documents them (`IntoParams`, for the
/// OpenAPI document) and parses them (`parse`), so the two lists cannot drift apart; a test
/// compares the keys each `parse` reads with the documented names.
pub trait RouteParams: utoipa::IntoParams + Sized {
    /// Validates every parameter, naming the first bad one in a 400.
    fn parse(q: &QueryParams) -> Result<Self, ApiError>;

    fn from_query(query_string: &str) -> Result<Self, ApiError> {
        Self::parse(&QueryParams::parse(query_string))
    }
}

/// The names `P` documents and the names its `parse` reads from an empty query (where every
/// parameter is optional), for the drift test.
#[cfg(test)]
pub fn documented_and_parsed<P: RouteParams>() -> (Vec<String>, Vec<String>) {
    let mut documented: Vec<String> = P::into_params(|| None)
        .into_iter()
        .map(|p| p.name)
        .collect();
    documented.sort();
    let q = QueryParams::parse("");
    let parsed = match P::parse(&q) {
        Ok(_) => q.asked.borrow().iter().cloned().collect(),
        Err(e) => vec![format!("parse failed on an empty query: {e}")],
    };
    (documented, parsed)
}

/// A numeric id from the path, or a 400 naming it.
pub fn path_id(name: &'static str, raw: &str) -> Result<i64, ApiError> {
    raw.trim().parse::<i64>().map_err(|_| {
        ApiError::bad_request(
            name,
            format!(
                "must be a numeric id, got {:?}",
                raw.chars().take(20).collect::<String>()
            ),
        )
    })
}

/// A region code parameter, or a 400 naming it.
pub fn region_code(parameter: &'static str, raw: &str) -> Result<RegionCode, ApiError> {
    RegionCode::parse(raw.trim()).map_err(|m| ApiError::bad_request(parameter, m))
}

/// A region level parameter (`level`), or a 400.
pub fn region_level(raw: &str) -> Result<RegionLevel, ApiError> {
    RegionLevel::parse(raw).ok_or_else(|| {
        ApiError::bad_request(
            "level",
            "must be province, city, county, township or village",
        )
    })
}
