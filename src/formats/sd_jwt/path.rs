//! Claim paths: how people and scripts name a claim inside a credential.
//!
//! The CLI takes the dotted form (`qualification.eqf_level`, `nationalities.0`); an
//! all-digit segment is an array index when the value there is an array, and an object key
//! otherwise, so a key that happens to be numeric still resolves.

use std::fmt;

use serde_json::Value;

#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum PathSegment {
    Key(String),
    Index(usize),
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct ClaimPath(pub Vec<PathSegment>);

impl ClaimPath {
    pub fn root() -> Self {
        Self(Vec::new())
    }

    /// Parses the dotted form. Empty segments (`a..b`, a leading or trailing dot) are errors.
    pub fn parse_dotted(text: &str) -> Result<Self, String> {
        if text.is_empty() {
            return Err("empty claim path".into());
        }
        let mut segs = Vec::new();
        for (i, seg) in text.split('.').enumerate() {
            if seg.is_empty() {
                return Err(format!(
                    "claim path `{text}` has an empty segment at position {i}"
                ));
            }
            if seg.bytes().all(|b| b.is_ascii_digit()) {
                match seg.parse::<usize>() {
                    Ok(n) => segs.push(PathSegment::Index(n)),
                    Err(_) => segs.push(PathSegment::Key(seg.to_owned())),
                }
            } else {
                segs.push(PathSegment::Key(seg.to_owned()));
            }
        }
        Ok(Self(segs))
    }

    pub fn key(&self, k: &str) -> Self {
        let mut v = self.0.clone();
        v.push(PathSegment::Key(k.to_owned()));
        Self(v)
    }

    pub fn index(&self, i: usize) -> Self {
        let mut v = self.0.clone();
        v.push(PathSegment::Index(i));
        Self(v)
    }

    pub fn len(&self) -> usize {
        self.0.len()
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// True when `self` is `other` or lies on the way to it.
    pub fn is_prefix_of(&self, other: &ClaimPath) -> bool {
        self.0.len() <= other.0.len() && self.0.iter().zip(&other.0).all(|(a, b)| a.matches(b))
    }

    /// The first segment, when it is an object key (a top-level claim name).
    pub fn top_level_name(&self) -> Option<&str> {
        match self.0.first() {
            Some(PathSegment::Key(k)) => Some(k),
            _ => None,
        }
    }

    /// Looks the path up in a plain JSON value.
    pub fn lookup<'a>(&self, mut value: &'a Value) -> Option<&'a Value> {
        for seg in &self.0 {
            value = match (seg, value) {
                (PathSegment::Key(k), Value::Object(m)) => m.get(k)?,
                (PathSegment::Index(i), Value::Array(a)) => a.get(*i)?,
                (PathSegment::Index(i), Value::Object(m)) => m.get(&i.to_string())?,
                _ => return None,
            };
        }
        Some(value)
    }
}

impl PathSegment {
    /// Equality that lets an index match a numeric object key.
    fn matches(&self, other: &PathSegment) -> bool {
        match (self, other) {
            (PathSegment::Key(a), PathSegment::Key(b)) => a == b,
            (PathSegment::Index(a), PathSegment::Index(b)) => a == b,
            (PathSegment::Key(k), PathSegment::Index(i))
            | (PathSegment::Index(i), PathSegment::Key(k)) => *k == i.to_string(),
        }
    }
}

impl fmt::Display for ClaimPath {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.0.is_empty() {
            return f.write_str("(root)");
        }
        for (i, seg) in self.0.iter().enumerate() {
            if i > 0 {
                f.write_str(".")?;
            }
            match seg {
                PathSegment::Key(k) => f.write_str(k)?,
                PathSegment::Index(n) => write!(f, "{n}")?,
            }
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn dotted_paths() {
        let p = ClaimPath::parse_dotted("nationalities.0").unwrap();
        assert_eq!(
            p.0,
            vec![
                PathSegment::Key("nationalities".into()),
                PathSegment::Index(0)
            ]
        );
        assert_eq!(p.to_string(), "nationalities.0");
        assert!(ClaimPath::parse_dotted("a..b").is_err());
        assert!(ClaimPath::parse_dotted("").is_err());
        assert!(ClaimPath::parse_dotted(".a").is_err());
    }

    #[test]
    fn index_resolves_numeric_key() {
        let v = json!({"a": {"0": 1}, "b": [5]});
        assert_eq!(
            ClaimPath::parse_dotted("a.0").unwrap().lookup(&v),
            Some(&json!(1))
        );
        assert_eq!(
            ClaimPath::parse_dotted("b.0").unwrap().lookup(&v),
            Some(&json!(5))
        );
        assert_eq!(ClaimPath::parse_dotted("b.1").unwrap().lookup(&v), None);
    }

    #[test]
    fn prefixes() {
        let a = ClaimPath::parse_dotted("q").unwrap();
        let b = ClaimPath::parse_dotted("q.eqf").unwrap();
        assert!(a.is_prefix_of(&b));
        assert!(!b.is_prefix_of(&a));
        assert!(ClaimPath::root().is_prefix_of(&a));
    }
}
