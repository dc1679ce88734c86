//! `*` patterns over series names, e.g. `host:disk:*:used_ratio`.
//!
//! `*` matches any run of characters, `:` and `/` included, because the
//! middle of a series name is itself structured (`workload:T/G/N:cpu`) and
//! `*:latency_p95` must reach across it. There is no other metacharacter.

/// True when `pattern` contains a `*`, i.e. may match several series.
pub fn is_pattern(pattern: &str) -> bool {
    pattern.contains('*')
}

/// Whether `name` matches `pattern` as a whole.
pub fn glob_match(pattern: &str, name: &str) -> bool {
    let mut parts = pattern.split('*');
    // split always yields at least one part; the first is anchored at the start.
    let first = parts.next().unwrap_or("");
    let Some(mut rest) = name.strip_prefix(first) else {
        return false;
    };
    let middle: Vec<&str> = parts.collect();
    let Some((last, inner)) = middle.split_last() else {
        return rest.is_empty();
    };
    // Taking the leftmost occurrence of each inner literal is always safe:
    // it leaves the most room for the parts after it.
    for literal in inner {
        match rest.find(literal) {
            Some(at) => rest = &rest[at + literal.len()..],
            None => return false,
        }
    }
    rest.len() >= last.len() && rest.ends_with(last)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn exact_names_match_only_themselves() {
        assert!(glob_match("host:cpu", "host:cpu"));
        assert!(!glob_match("host:cpu", "host:cpus"));
        assert!(!glob_match("host:cpu", "xhost:cpu"));
        assert!(!is_pattern("host:cpu"));
    }

    #[test]
    fn star_matches_across_separators() {
        assert!(is_pattern("probe:*:up"));
        assert!(glob_match("probe:*:up", "probe:site:up"));
        assert!(glob_match(
            "host:disk:*:used_ratio",
            "host:disk:/:used_ratio"
        ));
        assert!(glob_match(
            "host:disk:*:used_ratio",
            "host:disk:/var/lib:used_ratio"
        ));
        assert!(glob_match("*:latency_p95", "probe:site:latency_p95"));
        assert!(glob_match("workload:*:cpu", "workload:local/shop/api:cpu"));
        assert!(!glob_match("probe:*:up", "probe:site:upx"));
        assert!(!glob_match("probe:*:up", "scrape:site:up"));
    }

    #[test]
    fn star_may_match_nothing() {
        assert!(glob_match("probe:*:up", "probe::up"));
        assert!(glob_match("*", ""));
        assert!(glob_match("a*", "a"));
    }

    #[test]
    fn several_stars() {
        assert!(glob_match("*:*:up", "probe:site:up"));
        assert!(glob_match("a*b*c", "aXbYbZc"));
        assert!(!glob_match("a*b*c", "aXcYb"));
        // The suffix must not overlap what the prefix consumed.
        assert!(!glob_match("ab*ba", "aba"));
        assert!(glob_match("ab*ba", "abba"));
    }
}
