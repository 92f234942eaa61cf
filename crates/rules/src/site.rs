//! The site inventory: which addresses are which devices, and which roles
//! those devices have. See `docs/site.md` for the file format.
//!
//! ```toml
//! [site]
//! name = "Boardroom 4.12"
//!
//! [[device]]
//! name = "room-processor"
//! roles = ["extron.control-processor"]
//! addresses = ["10.1.2.10", "00:05:a6:12:34:56"]
//!
//! [[device]]
//! name = "dante-subnet"
//! roles = ["dante.device"]
//! addresses = ["10.1.3.0/24"]
//! ```
//!
//! [`Site::lookup`] resolves an (IP, MAC) pair: an exact IP address or MAC
//! beats a subnet; among subnets the longest prefix wins.

use std::collections::HashMap;
use std::fmt;
use std::fs;
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};
use std::ops::Range;
use std::path::Path;

use toml::de::DeValue;
use toml::Spanned;

use crate::error::{Diagnostic, Error, Position, ProblemKind, Result};
use crate::model::{Origin, RoleRef, RuleSet};
use crate::reader::{self, FileCx, Shape};
use crate::suggest;

#[derive(Debug, Default, serde::Deserialize)]
#[serde(deny_unknown_fields, default)]
struct RawSiteInfo {
    name: Option<Spanned<String>>,
    note: Option<Spanned<String>>,
}

#[derive(Debug, Default, serde::Deserialize)]
#[serde(deny_unknown_fields, default)]
struct RawDevice {
    name: Option<Spanned<String>>,
    roles: Option<Spanned<Vec<Spanned<String>>>>,
    addresses: Option<Spanned<Vec<Spanned<String>>>>,
    note: Option<Spanned<String>>,
}

/// One address entry of a device.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Address {
    /// One IPv4 or IPv6 address (a `/32` or `/128` subnet is read as this).
    Ip(IpAddr),
    /// A CIDR subnet: network address (no host bits) and prefix length.
    Subnet(IpAddr, u8),
    /// An Ethernet MAC address.
    Mac([u8; 6]),
}

impl fmt::Display for Address {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Address::Ip(a) => write!(f, "{a}"),
            Address::Subnet(a, l) => write!(f, "{a}/{l}"),
            Address::Mac(m) => write!(
                f,
                "{:02x}:{:02x}:{:02x}:{:02x}:{:02x}:{:02x}",
                m[0], m[1], m[2], m[3], m[4], m[5]
            ),
        }
    }
}

/// A problem with one address, at a byte offset of its text.
struct AddressError {
    offset: usize,
    kind: ProblemKind,
    reason: String,
}

fn bits(a: IpAddr) -> u8 {
    if a.is_ipv4() {
        32
    } else {
        128
    }
}

fn to_u128(a: IpAddr) -> u128 {
    match a {
        IpAddr::V4(v) => u128::from(u32::from(v)),
        IpAddr::V6(v) => u128::from(v),
    }
}

fn from_u128(v4: bool, v: u128) -> IpAddr {
    if v4 {
        IpAddr::V4(Ipv4Addr::from(v as u32))
    } else {
        IpAddr::V6(Ipv6Addr::from(v))
    }
}

/// The network mask of a prefix length, in the low `bits` bits.
fn mask(bits: u8, len: u8) -> u128 {
    let full = if bits == 128 {
        u128::MAX
    } else {
        (1u128 << bits) - 1
    };
    if len == 0 {
        0
    } else {
        (u128::MAX << (u32::from(bits) - u32::from(len))) & full
    }
}

fn is_group_or_broadcast(a: IpAddr) -> Option<&'static str> {
    match a {
        IpAddr::V4(v) if v.is_multicast() => Some("a multicast group"),
        IpAddr::V4(v) if v.is_broadcast() => Some("the broadcast address"),
        IpAddr::V4(v) if v.is_unspecified() => Some("the unspecified address"),
        IpAddr::V6(v) if v.is_multicast() => Some("a multicast group"),
        IpAddr::V6(v) if v.is_unspecified() => Some("the unspecified address"),
        _ => None,
    }
}

fn parse_mac(text: &str) -> Option<[u8; 6]> {
    let sep = if text.contains(':') { ':' } else { '-' };
    let parts: Vec<&str> = text.split(sep).collect();
    if parts.len() != 6 {
        return None;
    }
    let mut mac = [0u8; 6];
    for (slot, part) in mac.iter_mut().zip(&parts) {
        if part.len() != 2 || !part.bytes().all(|b| b.is_ascii_hexdigit()) {
            return None;
        }
        *slot = u8::from_str_radix(part, 16).ok()?;
    }
    Some(mac)
}

fn parse_address(text: &str) -> std::result::Result<Address, AddressError> {
    let err = |offset, kind, reason: String| AddressError {
        offset,
        kind,
        reason,
    };
    if let Some((addr, len)) = text.split_once('/') {
        let written: IpAddr = addr.parse().map_err(|_| {
            err(
                0,
                ProblemKind::BadAddress,
                format!("`{addr}` is not an IPv4 or IPv6 address (in subnet `{text}`)"),
            )
        })?;
        let len_offset = addr.len() + 1;
        // The prefix length is checked against the address as written:
        // `::ffff:0:0/96` is an IPv6 subnet, up to /128.
        let written_max = bits(written);
        let len: u8 = match len.parse::<u8>() {
            Ok(l) if l <= written_max && len.bytes().all(|b| b.is_ascii_digit()) => l,
            _ => {
                return Err(err(
                    len_offset,
                    ProblemKind::BadPrefix,
                    format!("`{len}` is not a prefix length for {addr} (0-{written_max})"),
                ))
            }
        };
        // An IPv4-mapped IPv6 subnet (RFC 4291 §2.5.5.2) of /96 or longer is
        // the IPv4 subnet of the last 32 bits (lookups read mapped addresses
        // as IPv4): `::ffff:10.1.3.0/120` is 10.1.3.0/24, `::ffff:0:0/96`
        // every IPv4 address. A shorter prefix would mix the two families.
        let (a, len) = match written {
            IpAddr::V6(v6) if v6.to_ipv4_mapped().is_some() => {
                if len < 96 {
                    return Err(err(
                        len_offset,
                        ProblemKind::BadPrefix,
                        format!(
                            "`{text}` spans IPv4-mapped and other IPv6 addresses; an IPv4-mapped subnet (::ffff:0:0/96) takes a prefix of 96-128, or write the IPv4 and IPv6 subnets separately"
                        ),
                    ));
                }
                (written.to_canonical(), len - 96)
            }
            _ => (written, len),
        };
        let max = bits(a);
        if a.is_multicast() {
            return Err(err(
                0,
                ProblemKind::BadAddress,
                format!("`{text}` is a block of multicast groups; list devices by unicast address"),
            ));
        }
        let value = to_u128(a);
        let m = mask(max, len);
        if value & !m & mask(max, max) != 0 {
            let net = from_u128(a.is_ipv4(), value & m);
            return Err(err(
                0,
                ProblemKind::HostBitsSet,
                format!("`{text}` has host bits set; the subnet is {net}/{len}"),
            ));
        }
        return Ok(if len == max {
            if let Some(what) = is_group_or_broadcast(a) {
                return Err(err(
                    0,
                    ProblemKind::BadAddress,
                    format!("{a} is {what}; list devices by unicast address"),
                ));
            }
            Address::Ip(a)
        } else {
            Address::Subnet(a, len)
        });
    }
    if let Ok(a) = text.parse::<IpAddr>() {
        let a = a.to_canonical();
        if let Some(what) = is_group_or_broadcast(a) {
            return Err(err(
                0,
                ProblemKind::BadAddress,
                format!("{a} is {what}; list devices by unicast address"),
            ));
        }
        return Ok(Address::Ip(a));
    }
    if let Some(mac) = parse_mac(text) {
        if mac[0] & 1 == 1 {
            return Err(err(
                0,
                ProblemKind::BadAddress,
                format!("{text} is a group (multicast/broadcast) MAC address; list the device's own MAC"),
            ));
        }
        if mac == [0; 6] {
            return Err(err(
                0,
                ProblemKind::BadAddress,
                "00:00:00:00:00:00 is not a device's MAC address".to_string(),
            ));
        }
        return Ok(Address::Mac(mac));
    }
    Err(err(
        0,
        ProblemKind::BadAddress,
        format!(
            "`{text}` is not an IPv4/IPv6 address, a CIDR subnet (10.1.3.0/24) or a MAC address (00:05:a6:12:34:56)"
        ),
    ))
}

/// A device of the site.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct Device {
    /// Its unique name.
    pub name: String,
    /// Its roles, as handles of the rule set the site was loaded with (sorted, no duplicates).
    pub roles: Vec<RoleRef>,
    /// Its role ids as written.
    pub role_ids: Vec<String>,
    /// Its addresses, subnets and MACs.
    pub addresses: Vec<Address>,
    /// Free text.
    pub note: Option<String>,
    /// The `[[device]]` table.
    pub origin: Origin,
}

/// How an address was resolved by [`Site::lookup`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Resolution<'s> {
    /// The device listing exactly this IP address.
    pub by_ip: Option<&'s Device>,
    /// The device listing this MAC address.
    pub by_mac: Option<&'s Device>,
    /// The device of the longest subnet containing the IP, with the prefix length.
    pub by_subnet: Option<(&'s Device, u8)>,
}

impl<'s> Resolution<'s> {
    /// The devices the address is, in precedence order: the exact IP match,
    /// then the MAC match (when it is another device); the subnet match only
    /// when there is neither.
    pub fn devices(&self) -> impl Iterator<Item = &'s Device> {
        let exact: Vec<&'s Device> = match (self.by_ip, self.by_mac) {
            (Some(a), Some(b)) if std::ptr::eq(a, b) => vec![a],
            (a, b) => a.into_iter().chain(b).collect(),
        };
        let subnet = if exact.is_empty() {
            self.by_subnet.map(|(d, _)| d)
        } else {
            None
        };
        exact.into_iter().chain(subnet)
    }

    /// The first device of [`Resolution::devices`].
    pub fn primary(&self) -> Option<&'s Device> {
        self.devices().next()
    }

    /// Whether the inventory knows the address at all.
    pub fn is_known(&self) -> bool {
        self.by_ip.is_some() || self.by_mac.is_some() || self.by_subnet.is_some()
    }

    /// The union of the roles of [`Resolution::devices`] (sorted, no duplicates).
    pub fn roles(&self) -> Vec<RoleRef> {
        let mut out: Vec<RoleRef> = self
            .devices()
            .flat_map(|d| d.roles.iter().copied())
            .collect();
        out.sort_unstable();
        out.dedup();
        out
    }
}

/// Prefix tables of one address family, longest prefix first.
type PrefixTables = Vec<(u8, HashMap<u128, usize>)>;

/// A validated site inventory.
#[derive(Debug, Clone)]
pub struct Site {
    name: Option<String>,
    note: Option<String>,
    devices: Vec<Device>,
    warnings: Vec<Diagnostic>,
    exact: HashMap<IpAddr, usize>,
    macs: HashMap<[u8; 6], usize>,
    v4: PrefixTables,
    v6: PrefixTables,
}

impl Site {
    /// Loads and validates `path`; role ids must exist in `rules`.
    ///
    /// # Errors
    ///
    /// Every problem found, with path and line:column.
    pub fn load(path: &Path, rules: &RuleSet) -> Result<Site> {
        match fs::read(path) {
            Ok(bytes) => match String::from_utf8(bytes) {
                Ok(text) => Site::parse(path, &text, rules),
                Err(e) => {
                    let text = String::from_utf8_lossy(e.as_bytes()).into_owned();
                    let p = Position::from_offset(&text, e.utf8_error().valid_up_to());
                    Err(Error::new(vec![Diagnostic::new(
                        path,
                        Some(p),
                        ProblemKind::Io,
                        "the file is not UTF-8 text",
                    )]))
                }
            },
            Err(e) => Err(Error::new(vec![Diagnostic::new(
                path,
                None,
                ProblemKind::Io,
                format!("cannot read: {e}"),
            )])),
        }
    }

    /// Validates an inventory given as text; `path` is used in messages.
    ///
    /// # Errors
    ///
    /// Every problem found, with path and line:column.
    pub fn parse(path: &Path, text: &str, rules: &RuleSet) -> Result<Site> {
        let mut cx = FileCx::new(path, text);
        let mut name = None;
        let mut note = None;
        let mut devices: Vec<Device> = Vec::new();
        // Address → (device index, offset of the entry).
        let mut seen: HashMap<Address, (usize, usize)> = HashMap::new();
        let mut names: HashMap<String, usize> = HashMap::new();
        if let Some(root) = cx.parse() {
            let top = reader::top_level(
                &mut cx,
                root.get_ref(),
                &[("site", Shape::Table), ("device", Shape::ArrayOfTables)],
            );
            if !root.get_ref().contains_key("device") {
                cx.report(
                    0,
                    ProblemKind::MissingKey,
                    "the inventory lists no devices; add [[device]] tables",
                );
            }
            for (key, value) in &top {
                match (*key, value.get_ref()) {
                    ("site", DeValue::Table(t)) => {
                        if let Some(raw) =
                            reader::read_table::<RawSiteInfo>(&mut cx, "[site]", t, value.span())
                        {
                            name = reader::non_empty(&mut cx, raw.name, "name")
                                .map(Spanned::into_inner);
                            note = reader::non_empty(&mut cx, raw.note, "note")
                                .map(Spanned::into_inner);
                        }
                    }
                    ("device", _) => {
                        for (t, span) in reader::tables(value) {
                            let Some(raw) = reader::read_table::<RawDevice>(
                                &mut cx,
                                "[[device]]",
                                t,
                                span.clone(),
                            ) else {
                                continue;
                            };
                            if let Some(d) = read_device(
                                &mut cx,
                                raw,
                                span,
                                rules,
                                devices.len(),
                                &mut seen,
                                &mut names,
                                &devices,
                            ) {
                                devices.push(d);
                            }
                        }
                    }
                    _ => {}
                }
            }
        }
        if !cx.diags.is_empty() {
            let mut d = cx.diags;
            d.sort_by_key(|d| d.position);
            return Err(Error::new(d));
        }
        let warnings = confusable_names(&cx, &devices, &names);
        let mut site = Site::build(name, note, devices);
        site.warnings = warnings;
        Ok(site)
    }

    fn build(name: Option<String>, note: Option<String>, devices: Vec<Device>) -> Site {
        let mut exact = HashMap::new();
        let mut macs = HashMap::new();
        let mut v4: HashMap<u8, HashMap<u128, usize>> = HashMap::new();
        let mut v6: HashMap<u8, HashMap<u128, usize>> = HashMap::new();
        for (i, d) in devices.iter().enumerate() {
            for a in &d.addresses {
                match *a {
                    Address::Ip(ip) => {
                        exact.insert(ip, i);
                    }
                    Address::Mac(m) => {
                        macs.insert(m, i);
                    }
                    Address::Subnet(net, len) => {
                        let table = if net.is_ipv4() { &mut v4 } else { &mut v6 };
                        table.entry(len).or_default().insert(to_u128(net), i);
                    }
                }
            }
        }
        let sorted = |m: HashMap<u8, HashMap<u128, usize>>| {
            let mut v: PrefixTables = m.into_iter().collect();
            v.sort_by_key(|t| std::cmp::Reverse(t.0));
            v
        };
        Site {
            name,
            note,
            devices,
            warnings: Vec::new(),
            exact,
            macs,
            v4: sorted(v4),
            v6: sorted(v6),
        }
    }

    /// The site's name, if given.
    pub fn name(&self) -> Option<&str> {
        self.name.as_deref()
    }

    /// The site's note, if given.
    pub fn note(&self) -> Option<&str> {
        self.note.as_deref()
    }

    /// What is valid but probably a mistake, in file order: device names
    /// that differ only in look-alike characters (`dsp` and `dsр` with a
    /// Cyrillic `р`), kind [`ProblemKind::ConfusableDeviceName`].
    pub fn warnings(&self) -> &[Diagnostic] {
        &self.warnings
    }

    /// Every device, in file order.
    pub fn devices(&self) -> &[Device] {
        &self.devices
    }

    /// The device with this name.
    pub fn device(&self, name: &str) -> Option<&Device> {
        self.devices.iter().find(|d| d.name == name)
    }

    /// Which devices an (IP, MAC) pair is. IPv4-mapped IPv6 addresses count as IPv4.
    ///
    /// Cost: two hash lookups plus one per distinct prefix length of the family.
    pub fn lookup(&self, ip: Option<IpAddr>, mac: Option<[u8; 6]>) -> Resolution<'_> {
        let ip = ip.map(|a| a.to_canonical());
        let by_ip = ip
            .and_then(|a| self.exact.get(&a))
            .map(|&i| &self.devices[i]);
        let by_mac = mac
            .and_then(|m| self.macs.get(&m))
            .map(|&i| &self.devices[i]);
        let by_subnet = ip.and_then(|a| {
            let (tables, b) = if a.is_ipv4() {
                (&self.v4, 32)
            } else {
                (&self.v6, 128)
            };
            let v = to_u128(a);
            tables.iter().find_map(|(len, t)| {
                t.get(&(v & mask(b, *len)))
                    .map(|&i| (&self.devices[i], *len))
            })
        });
        Resolution {
            by_ip,
            by_mac,
            by_subnet,
        }
    }
}

/// Warnings for device names whose Unicode TR39 skeletons are equal while
/// the names differ: they look alike on a screen and in a report. The
/// skeleton (NFD, look-alike characters mapped to a prototype with the
/// Unicode confusables table, NFD again) comes from `unicode-security`.
fn confusable_names(
    cx: &FileCx<'_>,
    devices: &[Device],
    offsets: &HashMap<String, usize>,
) -> Vec<Diagnostic> {
    let mut first: HashMap<String, &Device> = HashMap::new();
    let mut out = Vec::new();
    for d in devices {
        // The names are unique (checked before); only look-alikes warn.
        let skeleton: String = unicode_security::skeleton(&d.name).collect();
        let Some(earlier) = first.get(&skeleton) else {
            first.insert(skeleton, d);
            continue;
        };
        let here = offsets.get(&d.name).copied().unwrap_or(0);
        let there = cx.position(offsets.get(&earlier.name).copied().unwrap_or(0));
        out.push(Diagnostic::new(
            cx.path,
            Some(cx.position(here)),
            ProblemKind::ConfusableDeviceName,
            format!(
                "device name `{}` looks like `{}` (line {}, column {}){}; a report cannot tell them apart",
                d.name,
                earlier.name,
                there.line,
                there.column,
                differences(&d.name, &earlier.name)
            ),
        ));
    }
    out
}

/// `: they differ in U+0440 for U+0070` for names of the same length.
fn differences(a: &str, b: &str) -> String {
    if a.chars().count() != b.chars().count() {
        return String::new();
    }
    let pairs: Vec<String> = a
        .chars()
        .zip(b.chars())
        .filter(|(x, y)| x != y)
        .map(|(x, y)| format!("U+{:04X} for U+{:04X}", u32::from(x), u32::from(y)))
        .collect();
    if pairs.is_empty() {
        String::new()
    } else {
        format!(": they differ only in {}", pairs.join(", "))
    }
}

#[allow(clippy::too_many_arguments)]
fn read_device(
    cx: &mut FileCx<'_>,
    raw: RawDevice,
    span: Range<usize>,
    rules: &RuleSet,
    index: usize,
    seen: &mut HashMap<Address, (usize, usize)>,
    names: &mut HashMap<String, usize>,
    devices: &[Device],
) -> Option<Device> {
    let at = span.start;
    let what = match &raw.name {
        Some(n) => format!("device `{}`", n.get_ref()),
        None => "[[device]]".to_string(),
    };
    let name = reader::required_str(cx, raw.name, "name", &what, at);
    let mut ok = name.is_some();
    if let Some(n) = &name {
        if let Some(&first) = names.get(n.get_ref()) {
            let p = cx.position(first);
            cx.report(
                n.span().start,
                ProblemKind::DuplicateDeviceName,
                format!(
                    "device name `{}` is already used at line {}",
                    n.get_ref(),
                    p.line
                ),
            );
            ok = false;
        } else {
            names.insert(n.get_ref().clone(), n.span().start);
        }
    }

    let mut roles = Vec::new();
    let mut role_ids = Vec::new();
    match raw.roles {
        None => {
            cx.missing(at, "roles", &what);
            ok = false;
        }
        Some(list) if list.get_ref().is_empty() => {
            cx.report(
                list.span().start,
                ProblemKind::EmptyValue,
                "`roles` is empty; a device has at least one role",
            );
            ok = false;
        }
        Some(list) => {
            for r in list.into_inner() {
                match rules.role_ref(r.get_ref()) {
                    Some(rr) => {
                        roles.push(rr);
                        role_ids.push(r.into_inner());
                    }
                    None => {
                        let hint = suggest::did_you_mean(
                            r.get_ref(),
                            rules.roles().iter().map(|x| x.id.as_str()),
                        );
                        cx.report(
                            r.span().start,
                            ProblemKind::UnknownRole,
                            format!(
                                "unknown role `{}`{hint}; roles come from the loaded rule files",
                                r.get_ref()
                            ),
                        );
                        ok = false;
                    }
                }
            }
        }
    }
    roles.sort_unstable();
    roles.dedup();

    let mut addresses = Vec::new();
    match raw.addresses {
        None => {
            cx.missing(at, "addresses", &what);
            ok = false;
        }
        Some(list) if list.get_ref().is_empty() => {
            cx.report(
                list.span().start,
                ProblemKind::EmptyValue,
                "`addresses` is empty; a device has at least one address",
            );
            ok = false;
        }
        Some(list) => {
            for a in list.into_inner() {
                let aspan = a.span();
                let text = a.get_ref().trim();
                match parse_address(text) {
                    Ok(addr) => {
                        if let Some(&(dev, first)) = seen.get(&addr) {
                            let p = cx.position(first);
                            let owner = if dev == index {
                                "this device".to_string()
                            } else {
                                format!("device `{}`", devices[dev].name)
                            };
                            let lead = a.get_ref().len() - a.get_ref().trim_start().len();
                            let off = cx.offset_in_string(&aspan, a.get_ref(), lead);
                            cx.report(
                                off,
                                ProblemKind::DuplicateAddress,
                                format!(
                                    "{addr} is already listed for {owner} (line {}, column {})",
                                    p.line, p.column
                                ),
                            );
                            ok = false;
                        } else {
                            seen.insert(addr, (index, aspan.start));
                            addresses.push(addr);
                        }
                    }
                    Err(e) => {
                        let lead = a.get_ref().len() - a.get_ref().trim_start().len();
                        let off = cx.offset_in_string(&aspan, a.get_ref(), lead + e.offset);
                        cx.report(off, e.kind, e.reason);
                        ok = false;
                    }
                }
            }
        }
    }
    let note = reader::non_empty(cx, raw.note, "note").map(Spanned::into_inner);
    if !ok {
        return None;
    }
    Some(Device {
        name: name?.into_inner(),
        roles,
        role_ids,
        addresses,
        note,
        origin: Origin {
            path: cx.path.to_path_buf(),
            position: cx.position(at),
        },
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ip(s: &str) -> IpAddr {
        s.parse().unwrap()
    }

    #[test]
    fn parse_address_forms() {
        assert_eq!(
            parse_address("10.1.2.10").ok(),
            Some(Address::Ip(ip("10.1.2.10")))
        );
        assert_eq!(
            parse_address("10.1.3.0/24").ok(),
            Some(Address::Subnet(ip("10.1.3.0"), 24))
        );
        assert_eq!(
            parse_address("10.1.3.7/32").ok(),
            Some(Address::Ip(ip("10.1.3.7")))
        );
        assert_eq!(
            parse_address("fd00:1::/64").ok(),
            Some(Address::Subnet(ip("fd00:1::"), 64))
        );
        assert_eq!(
            parse_address("00:05:A6:12:34:56").ok(),
            Some(Address::Mac([0x00, 0x05, 0xa6, 0x12, 0x34, 0x56]))
        );
        assert_eq!(
            parse_address("00-05-a6-12-34-56").ok(),
            Some(Address::Mac([0x00, 0x05, 0xa6, 0x12, 0x34, 0x56]))
        );
        // IPv4-mapped IPv6 subnets (RFC 4291 §2.5.5.2) are their IPv4
        // subnets: /96 is every IPv4 address (issue 9 item 7: it was
        // rejected with "prefix length (0-32)").
        assert_eq!(
            parse_address("::ffff:0:0/96").ok(),
            Some(Address::Subnet(ip("0.0.0.0"), 0))
        );
        assert_eq!(
            parse_address("::ffff:10.1.3.0/120").ok(),
            Some(Address::Subnet(ip("10.1.3.0"), 24))
        );
        assert_eq!(
            parse_address("::ffff:10.1.3.7/128").ok(),
            Some(Address::Ip(ip("10.1.3.7")))
        );
        // The default route: every address no longer prefix claims.
        assert_eq!(
            parse_address("0.0.0.0/0").ok(),
            Some(Address::Subnet(ip("0.0.0.0"), 0))
        );
    }

    #[test]
    fn parse_address_rejects_bad_ones() {
        let kind = |s: &str| parse_address(s).err().map(|e| (e.kind, e.offset));
        assert_eq!(kind("10.1.2.300"), Some((ProblemKind::BadAddress, 0)));
        assert_eq!(kind("10.1.3.0/33"), Some((ProblemKind::BadPrefix, 9)));
        assert_eq!(kind("fd00::/129"), Some((ProblemKind::BadPrefix, 7)));
        assert_eq!(kind("::ffff:0:0/95"), Some((ProblemKind::BadPrefix, 11)));
        assert_eq!(
            kind("::ffff:10.1.3.5/120"),
            Some((ProblemKind::HostBitsSet, 0))
        );
        assert_eq!(kind("10.1.3.5/24"), Some((ProblemKind::HostBitsSet, 0)));
        assert_eq!(kind("224.0.0.251"), Some((ProblemKind::BadAddress, 0)));
        assert_eq!(
            kind("01:00:5e:00:00:fb"),
            Some((ProblemKind::BadAddress, 0))
        );
        assert_eq!(kind("00:05:a6:12:34"), Some((ProblemKind::BadAddress, 0)));
    }

    #[test]
    fn mask_has_prefix_bits() {
        assert_eq!(mask(32, 24), 0xffff_ff00);
        assert_eq!(mask(32, 0), 0);
        assert_eq!(mask(32, 32), 0xffff_ffff);
        assert_eq!(mask(128, 128), u128::MAX);
        assert_eq!(mask(128, 8), 0xff << 120);
    }
}
