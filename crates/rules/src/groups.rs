//! Multicast groups of a rule: one address, an inclusive range, or a prefix.

use std::fmt;
use std::net::IpAddr;

use crate::error::ProblemKind;
use crate::ports::SpecError;

/// A multicast group (or set of groups) a rule's traffic is sent to.
///
/// Written as `224.0.0.251`, `224.0.1.129-224.0.1.132`, `ff02::fb`, or as a
/// prefix `239.0.0.0/8` when the document names only a block of groups.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Group {
    /// One group address.
    Addr(IpAddr),
    /// Every group from the first to the second address, inclusive (same family).
    Range(IpAddr, IpAddr),
    /// Every group under a prefix.
    Prefix(IpAddr, u8),
}

/// Both ends of a group set as `(is_ipv6, low, high)`.
type Bounds = (bool, u128, u128);

fn key(ip: IpAddr) -> (bool, u128) {
    match ip.to_canonical() {
        IpAddr::V4(a) => (false, u128::from(u32::from(a))),
        IpAddr::V6(a) => (true, u128::from(a)),
    }
}

fn is_multicast_key(v6: bool, value: u128) -> bool {
    if v6 {
        value >> 120 == 0xff
    } else {
        value >> 28 == 0xe
    }
}

impl Group {
    #[inline]
    fn bounds(&self) -> Bounds {
        match *self {
            Group::Addr(a) => {
                let (v6, k) = key(a);
                (v6, k, k)
            }
            Group::Range(a, b) => {
                let (v6, lo) = key(a);
                let (_, hi) = key(b);
                (v6, lo, hi)
            }
            Group::Prefix(a, len) => {
                let (v6, k) = key(a);
                let bits = if v6 { 128 } else { 32 };
                let host = bits - u32::from(len);
                let span = if host == 128 {
                    u128::MAX
                } else {
                    (1u128 << host) - 1
                };
                (v6, k, k | span)
            }
        }
    }

    /// Whether `addr` is one of the groups (IPv4-mapped IPv6 addresses count as IPv4).
    #[inline]
    pub fn contains(&self, addr: IpAddr) -> bool {
        let (v6, lo, hi) = self.bounds();
        let (a6, a) = key(addr);
        v6 == a6 && lo <= a && a <= hi
    }

    /// Parses one entry of `multicast_groups`, checking that every address is
    /// multicast (224.0.0.0/4 or ff00::/8) and that a range is not reversed.
    pub fn parse(text: &str) -> Result<Group, SpecError> {
        let t = text.trim();
        let lead = text.len() - text.trim_start().len();
        if let Some((addr, len)) = t.split_once('/') {
            let a = parse_addr(addr.trim(), lead)?;
            let len_offset = lead + addr.len() + 1;
            let max = if a.is_ipv4() { 32 } else { 128 };
            let len: u8 = match len.trim().parse::<u8>() {
                Ok(l) if l <= max => l,
                _ => {
                    return Err(SpecError::new(
                        len_offset,
                        ProblemKind::BadGroup,
                        format!("`{}` is not a prefix length (0-{max})", len.trim()),
                    ))
                }
            };
            let host = u32::from(max - len);
            let mask = if host == 128 {
                u128::MAX
            } else {
                (1u128 << host) - 1
            };
            let (v6, low) = key(a);
            if low & mask != 0 {
                return Err(SpecError::new(
                    lead,
                    ProblemKind::BadGroup,
                    format!("`{t}` has bits set after the prefix"),
                ));
            }
            if !is_multicast_key(v6, low) || !is_multicast_key(v6, low | mask) {
                return Err(SpecError::new(
                    lead,
                    ProblemKind::NotMulticast,
                    format!(
                        "`{t}` is not inside the multicast range ({})",
                        family_range(v6)
                    ),
                ));
            }
            let g = Group::Prefix(a, len);
            return Ok(g);
        }
        if let Some((a, b)) = t.split_once('-') {
            let a_text = a.trim();
            let b_offset = lead + a.len() + 1 + (b.len() - b.trim_start().len());
            let lo = parse_addr(a_text, lead)?;
            let hi = parse_addr(b.trim(), b_offset)?;
            check_multicast(lo, lead)?;
            check_multicast(hi, b_offset)?;
            let (v6a, ka) = key(lo);
            let (v6b, kb) = key(hi);
            if v6a != v6b {
                return Err(SpecError::new(
                    lead,
                    ProblemKind::ReversedGroupRange,
                    format!("range `{t}` mixes IPv4 and IPv6"),
                ));
            }
            if ka > kb {
                return Err(SpecError::new(
                    lead,
                    ProblemKind::ReversedGroupRange,
                    format!("range `{t}` has its low end above its high end"),
                ));
            }
            return Ok(Group::Range(lo, hi));
        }
        let a = parse_addr(t, lead)?;
        check_multicast(a, lead)?;
        Ok(Group::Addr(a))
    }
}

fn family_range(v6: bool) -> &'static str {
    if v6 {
        "ff00::/8"
    } else {
        "224.0.0.0/4"
    }
}

fn parse_addr(text: &str, offset: usize) -> Result<IpAddr, SpecError> {
    text.parse::<IpAddr>()
        .map(|a| a.to_canonical())
        .map_err(|_| {
            SpecError::new(
                offset,
                ProblemKind::BadGroup,
                format!("`{text}` is not an IPv4 or IPv6 address"),
            )
        })
}

fn check_multicast(a: IpAddr, offset: usize) -> Result<(), SpecError> {
    let (v6, k) = key(a);
    if is_multicast_key(v6, k) {
        Ok(())
    } else {
        Err(SpecError::new(
            offset,
            ProblemKind::NotMulticast,
            format!("{a} is not a multicast address ({})", family_range(v6)),
        ))
    }
}

impl fmt::Display for Group {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Group::Addr(a) => write!(f, "{a}"),
            Group::Range(a, b) => write!(f, "{a}-{b}"),
            Group::Prefix(a, l) => write!(f, "{a}/{l}"),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ip(s: &str) -> IpAddr {
        s.parse().unwrap()
    }

    #[test]
    fn parse_single_range_prefix_v4_and_v6() {
        assert_eq!(
            Group::parse("224.0.0.251").unwrap(),
            Group::Addr(ip("224.0.0.251"))
        );
        assert_eq!(
            Group::parse("224.0.1.129 - 224.0.1.132").unwrap(),
            Group::Range(ip("224.0.1.129"), ip("224.0.1.132"))
        );
        assert_eq!(
            Group::parse("ff02::fb").unwrap(),
            Group::Addr(ip("ff02::fb"))
        );
        assert_eq!(
            Group::parse("239.0.0.0/8").unwrap(),
            Group::Prefix(ip("239.0.0.0"), 8)
        );
        assert_eq!(
            Group::parse("ff00::/8").unwrap(),
            Group::Prefix(ip("ff00::"), 8)
        );
    }

    #[test]
    fn contains_checks_family_and_bounds() {
        let r = Group::parse("224.0.1.129-224.0.1.132").unwrap();
        assert!(r.contains(ip("224.0.1.129")) && r.contains(ip("224.0.1.132")));
        assert!(!r.contains(ip("224.0.1.128")) && !r.contains(ip("224.0.1.133")));
        assert!(r.contains(ip("::ffff:224.0.1.130")));
        let p = Group::parse("239.0.0.0/8").unwrap();
        assert!(p.contains(ip("239.255.255.255")) && !p.contains(ip("238.255.255.255")));
        let v6 = Group::parse("ff02::fb").unwrap();
        assert!(v6.contains(ip("ff02::fb")) && !v6.contains(ip("224.0.0.251")));
    }

    #[test]
    fn parse_rejects_unicast_v4_and_v6() {
        let e = Group::parse("192.168.1.1").unwrap_err();
        assert_eq!((e.kind, e.offset), (ProblemKind::NotMulticast, 0));
        let e = Group::parse("fe80::1").unwrap_err();
        assert_eq!(e.kind, ProblemKind::NotMulticast);
        // The range's high end is checked too: 240.0.0.0 is past 239.255.255.255.
        let e = Group::parse("239.0.0.1-240.0.0.0").unwrap_err();
        assert_eq!((e.kind, e.offset), (ProblemKind::NotMulticast, 10));
        let e = Group::parse("224.0.0.0/3").unwrap_err();
        assert_eq!(e.kind, ProblemKind::NotMulticast);
    }

    #[test]
    fn parse_rejects_reversed_and_mixed_ranges() {
        let e = Group::parse("224.0.0.233-224.0.0.230").unwrap_err();
        assert_eq!(e.kind, ProblemKind::ReversedGroupRange);
        let e = Group::parse("224.0.0.1-ff02::1").unwrap_err();
        assert_eq!(e.kind, ProblemKind::ReversedGroupRange);
    }

    #[test]
    fn parse_rejects_garbage_and_bad_prefixes() {
        assert_eq!(
            Group::parse("mdns").unwrap_err().kind,
            ProblemKind::BadGroup
        );
        assert_eq!(
            Group::parse("224.0.0.256").unwrap_err().kind,
            ProblemKind::BadGroup
        );
        let e = Group::parse("239.0.0.0/33").unwrap_err();
        assert_eq!((e.kind, e.offset), (ProblemKind::BadGroup, 10));
        assert_eq!(
            Group::parse("239.1.0.0/8").unwrap_err().kind,
            ProblemKind::BadGroup
        );
    }
}
