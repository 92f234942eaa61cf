//! "Nothing analysed is not a pass" (docs/verdicts.md, "Exit status"): an
//! input that had no packets, no decodable packet or no IP flow says so.

use portmatrix_wire::LinkType;

use crate::row::VerdictSummary;
use crate::summary::InputSummary;

/// Why nothing of a readable input was analysed, as one line; `None` when
/// some IP flow was, or when the input could not be read at all (that is
/// an error of its own).
pub fn nothing_analysed(input: &InputSummary, verdicts: &VerdictSummary) -> Option<String> {
    input.format.as_ref()?;
    if input.packets == 0 {
        return Some("no packets".to_string());
    }
    if input.protocols.l3.is_empty() {
        let unsupported: Vec<String> = input
            .interfaces
            .iter()
            .filter(|i| LinkType(i.link_type_code).name().is_none())
            .map(|i| format!("{} ({})", i.link_type_code, i.link_type))
            .collect();
        return Some(if unsupported.is_empty() {
            format!(
                "no decodable packets: all {} are malformed at the link layer",
                input.packets
            )
        } else {
            let mut u = unsupported;
            u.dedup();
            format!(
                "no decodable packets: unsupported link type {}",
                u.join(", ")
            )
        });
    }
    if verdicts.flows == 0 {
        let seen: Vec<String> = input
            .protocols
            .l3
            .iter()
            .map(|(k, n)| format!("{k} {n}"))
            .collect();
        return Some(format!(
            "no IP flows (packets by network protocol: {})",
            seen.join(", ")
        ));
    }
    None
}
