//! "Did you mean" suggestions for misspelt keys, roles and rule ids.

/// Edit distance (insertions, deletions, substitutions) between two strings.
pub fn edit_distance(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut prev: Vec<usize> = (0..=b.len()).collect();
    let mut cur = vec![0; b.len() + 1];
    for (i, ca) in a.chars().enumerate() {
        cur[0] = i + 1;
        for (j, cb) in b.iter().enumerate() {
            let sub = prev[j] + usize::from(ca != *cb);
            cur[j + 1] = sub.min(prev[j + 1] + 1).min(cur[j] + 1);
        }
        std::mem::swap(&mut prev, &mut cur);
    }
    prev[b.len()]
}

/// Candidates close to `wanted`, best first, at most `limit`.
///
/// Names longer than this get no suggestions.
const MAX_WANTED_LEN: usize = 256;

/// A candidate is close when its edit distance is at most a third of the
/// longer string (at least 2), or when one string contains the other.
pub fn closest<'a>(
    wanted: &str,
    candidates: impl IntoIterator<Item = &'a str>,
    limit: usize,
) -> Vec<&'a str> {
    // No id is this long; comparing a huge name with every id would cost
    // seconds for nothing.
    if wanted.len() > MAX_WANTED_LEN {
        return Vec::new();
    }
    let mut scored: Vec<(usize, &'a str)> = candidates
        .into_iter()
        .filter_map(|c| {
            let d = edit_distance(wanted, c);
            let longest = wanted.chars().count().max(c.chars().count());
            let close = d <= (longest / 3).max(2);
            let contains = !wanted.is_empty() && (c.contains(wanted) || wanted.contains(c));
            (close || contains || has_all_words(c, wanted)).then_some((d, c))
        })
        .collect();
    scored.sort();
    scored.dedup();
    scored.into_iter().take(limit).map(|(_, c)| c).collect()
}

/// Whether every `.`/`-`/`_`-separated word of `wanted` is a word of `candidate`
/// (`igloo.dante.ptp` finds `igloo.dante-audio.ptp.event`).
fn has_all_words(candidate: &str, wanted: &str) -> bool {
    let split = |s: &str| -> Vec<String> {
        s.split(['.', '-', '_'])
            .filter(|w| !w.is_empty())
            .map(str::to_string)
            .collect()
    };
    let words = split(candidate);
    let want = split(wanted);
    !want.is_empty() && want.iter().all(|w| words.contains(w))
}

/// ` (did you mean `x`?)` for the closest candidate, or an empty string.
pub fn did_you_mean<'a>(wanted: &str, candidates: impl IntoIterator<Item = &'a str>) -> String {
    match closest(wanted, candidates, 1).first() {
        Some(c) => format!(" (did you mean `{c}`?)"),
        None => String::new(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn edit_distance_counts_single_edits() {
        assert_eq!(edit_distance("kitten", "sitting"), 3);
        assert_eq!(edit_distance("", "abc"), 3);
        assert_eq!(edit_distance("same", "same"), 0);
    }

    #[test]
    fn closest_prefers_small_distances_and_substrings() {
        let keys = ["source_role", "source_ports", "destination_role", "quote"];
        assert_eq!(closest("sorce_role", keys, 3), vec!["source_role"]);
        assert_eq!(closest("destination", keys, 3), vec!["destination_role"]);
        assert!(closest("zzzzzz", keys, 3).is_empty());
        let ids = ["igloo.dante-audio.ptp.event", "igloo.dante-audio.sap"];
        assert_eq!(
            closest("igloo.dante.ptp", ids, 3),
            vec!["igloo.dante-audio.ptp.event"]
        );
        assert_eq!(did_you_mean("qoute", keys), " (did you mean `quote`?)");
    }
}
