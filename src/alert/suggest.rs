//! "Did you mean" hints for names typed in config.

/// The known name closest to `typed`, when it is close enough to be a likely
/// typo; a far-fetched suggestion is worse than none.
pub fn closest<'a, I>(typed: &str, known: I) -> Option<&'a str>
where
    I: IntoIterator<Item = &'a str>,
{
    let typed_lower = typed.to_lowercase();
    known
        .into_iter()
        .map(|k| (strsim::jaro_winkler(&typed_lower, &k.to_lowercase()), k))
        .filter(|(score, _)| *score >= 0.8)
        .max_by(|a, b| a.0.total_cmp(&b.0))
        .map(|(_, k)| k)
}

/// " (did you mean \"X\"?)" or nothing, ready to append to a message.
pub fn hint<'a, I>(typed: &str, known: I) -> String
where
    I: IntoIterator<Item = &'a str>,
{
    match closest(typed, known) {
        Some(k) => format!(" (did you mean {k:?}?)"),
        None => String::new(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn suggests_a_near_miss_ignoring_case() {
        let known = ["HostHighCpu", "HostHighMemory", "SiteDown"];
        assert_eq!(closest("hosthighcpu", known), Some("HostHighCpu"));
        assert_eq!(closest("HostHighMem", known), Some("HostHighMemory"));
        assert_eq!(hint("SiteDwn", known), " (did you mean \"SiteDown\"?)");
    }

    #[test]
    fn says_nothing_when_nothing_is_close() {
        assert_eq!(closest("Quux", ["HostHighCpu", "SiteDown"]), None);
        assert_eq!(hint("Quux", []), "");
    }
}
