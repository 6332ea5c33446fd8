//! Query-string parsing that never fails on odd input: repeated keys are kept, invalid
//! percent-encoding and invalid UTF-8 decode to U+FFFD instead of erroring, and every value
//! is validated by the handler with the parameter named in the error.

use std::collections::HashMap;

use quanze_registry::domain::{RegionCode, RegionLevel};

use crate::error::ApiError;

/// All values of every key, in order.
pub struct QueryParams(HashMap<String, Vec<String>>);

impl QueryParams {
    pub fn parse(query_string: &str) -> QueryParams {
        let mut map: HashMap<String, Vec<String>> = HashMap::new();
        for (k, v) in form_urlencoded::parse(query_string.as_bytes()) {
            map.entry(k.into_owned()).or_default().push(v.into_owned());
        }
        QueryParams(map)
    }

    /// The last value of a key (a repeated single-valued key: the last one wins).
    pub fn one(&self, key: &str) -> Option<&str> {
        self.0.get(key).and_then(|v| v.last()).map(String::as_str)
    }

    pub fn all(&self, key: &str) -> Vec<String> {
        self.0.get(key).cloned().unwrap_or_default()
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
