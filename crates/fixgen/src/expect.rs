//! What `portmatrix check --format json` must report for a fixture (the
//! object `inputs[0]`), accumulated while the fixture's bytes are written.
//!
//! The container writers append to a [`Ledger`] for every packet record they
//! emit that a reader must deliver, and the fixture code adds the errors it
//! planted. [`Ledger::expected`] turns that into an [`Expected`] holding every
//! key; a fixture then drops (`None`) the keys its construction cannot vouch
//! for, and only the remaining keys are compared by the tests.

use std::collections::BTreeMap;

use serde_json::{json, Map, Value};

use crate::link::Frame;
use crate::packet::{Known, Layer, L3, L4};

/// LINKTYPE values used by the fixtures.
pub mod linktype {
    pub const NULL: u16 = 0;
    pub const ETHERNET: u16 = 1;
    pub const RAW: u16 = 101;
    pub const LOOP: u16 = 108;
    pub const LINUX_SLL: u16 = 113;
    pub const IPV4: u16 = 228;
    pub const IPV6: u16 = 229;
    pub const LINUX_SLL2: u16 = 276;

    /// The report's short name of a link type.
    pub fn name(code: u16) -> &'static str {
        match code {
            NULL => "null",
            ETHERNET => "ether",
            RAW => "raw",
            LOOP => "loop",
            LINUX_SLL => "linux-sll",
            IPV4 => "rawip4",
            IPV6 => "rawip6",
            LINUX_SLL2 => "linux-sll2",
            other => panic!("no report name for link type {other}"),
        }
    }
}

/// One packet record a reader must deliver.
#[derive(Clone, Debug)]
pub struct Delivered {
    /// `None` for blocks without a timestamp (pcapng SPB).
    pub ts_ns: Option<i64>,
    pub caplen: u64,
    pub l3: Known<L3>,
    pub l4: Known<L4>,
    pub vlan_tagged: bool,
    pub malformed: Known<Layer>,
    /// Index into [`Ledger::interfaces`].
    pub interface: usize,
}

impl Delivered {
    /// A record holding the first `caplen` octets of `frame`. When the
    /// capture cut the frame short, whether a decoder calls the rest
    /// malformed is not fixed by the construction, so that fact becomes
    /// [`Known::Unsure`]; when the cut falls inside the headers, so do the
    /// protocols.
    pub fn of(frame: &Frame, ts_ns: Option<i64>, caplen: usize, interface: usize) -> Delivered {
        let headers_cut = caplen < frame.header_len;
        Delivered {
            ts_ns,
            caplen: caplen as u64,
            l3: if headers_cut { Known::Unsure } else { frame.l3 },
            l4: if headers_cut { Known::Unsure } else { frame.l4 },
            vlan_tagged: frame.vlan_tags > 0,
            malformed: if caplen < frame.bytes.len() {
                Known::Unsure
            } else {
                frame.malformed
            },
            interface,
        }
    }
}

/// One interface (the pcap file itself, or a pcapng IDB), in order of appearance.
#[derive(Clone, Debug)]
pub struct Interface {
    pub link_type: u16,
    pub snaplen: u32,
    /// Drops recorded by an ISB `isb_ifdrop`; `None` when none was written.
    pub dropped: Option<u64>,
}

/// A read error the fixture planted.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ErrorAt {
    /// Byte offset of the damaged record header or block start.
    pub offset: u64,
    /// 1-based number the damaged packet record would have had.
    pub record: Option<u64>,
    /// Reading stops there.
    pub fatal: Option<bool>,
}

/// Everything written into one capture that a reader must report.
#[derive(Clone, Debug, Default)]
pub struct Ledger {
    pub interfaces: Vec<Interface>,
    pub delivered: Vec<Delivered>,
    pub errors: Vec<ErrorAt>,
    pub skipped_bytes: u64,
    pub unknown_blocks: u64,
}

impl Ledger {
    /// The 1-based number the next packet record gets.
    pub fn next_record(&self) -> u64 {
        self.delivered.len() as u64 + 1
    }

    /// The expected summary, every key filled in from the construction.
    pub fn expected(&self, format: &'static str) -> Expected {
        let mut link_types: Vec<&'static str> = Vec::new();
        for i in &self.interfaces {
            let n = linktype::name(i.link_type);
            if !link_types.contains(&n) {
                link_types.push(n);
            }
        }
        let ts: Option<Vec<i64>> = self.delivered.iter().map(|d| d.ts_ns).collect();
        let (first_ts_ns, last_ts_ns) = match ts {
            Some(ts) if !ts.is_empty() => (ts.iter().min().copied(), ts.iter().max().copied()),
            _ => (None, None),
        };
        let l3 = tally(self.delivered.iter().map(|d| d.l3), &L3::ALL, L3::name);
        let l4 = tally(self.delivered.iter().map(|d| d.l4), &L4::ALL, L4::name);
        let malformed = tally(
            self.delivered.iter().map(|d| d.malformed),
            &Layer::ALL,
            Layer::name,
        );
        let interfaces = self
            .interfaces
            .iter()
            .enumerate()
            .map(|(id, i)| ExpectedInterface {
                id: id as u32,
                link_type: linktype::name(i.link_type),
                snaplen: Some(i.snaplen),
                packets: Some(self.delivered.iter().filter(|d| d.interface == id).count() as u64),
                dropped: i.dropped,
            })
            .collect();
        Expected {
            format: Some(format),
            compressed: Some(false),
            link_types: Some(link_types),
            packets: Some(self.delivered.len() as u64),
            bytes: Some(self.delivered.iter().map(|d| d.caplen).sum()),
            first_ts_ns,
            last_ts_ns,
            l3,
            l4,
            vlan_tagged: Some(self.delivered.iter().filter(|d| d.vlan_tagged).count() as u64),
            malformed,
            errors: Some(self.errors.clone()),
            skipped_bytes: Some(self.skipped_bytes),
            unknown_blocks: Some(self.unknown_blocks),
            interfaces: Some(interfaces),
        }
    }
}

/// Counts per name, with every name present (zeros included) so that a
/// decoder counting a packet under the wrong name is caught; `None` when any
/// packet's fact at this layer is [`Known::Unsure`].
fn tally<T: Copy + Eq>(
    facts: impl Iterator<Item = Known<T>>,
    all: &[T],
    name: fn(T) -> &'static str,
) -> Option<BTreeMap<&'static str, u64>> {
    let mut counts: BTreeMap<&'static str, u64> = all.iter().map(|&t| (name(t), 0)).collect();
    for f in facts {
        match f {
            Known::Is(t) => *counts.get_mut(name(t)).expect("name in table") += 1,
            Known::Absent => {}
            Known::Unsure => return None,
        }
    }
    Some(counts)
}

/// One interface entry of the expected summary.
#[derive(Clone, Debug)]
pub struct ExpectedInterface {
    pub id: u32,
    pub link_type: &'static str,
    pub snaplen: Option<u32>,
    pub packets: Option<u64>,
    pub dropped: Option<u64>,
}

/// The expected `inputs[0]`; `None` keys are left out of the JSON.
#[derive(Clone, Debug, Default)]
pub struct Expected {
    pub format: Option<&'static str>,
    pub compressed: Option<bool>,
    pub link_types: Option<Vec<&'static str>>,
    pub packets: Option<u64>,
    pub bytes: Option<u64>,
    pub first_ts_ns: Option<i64>,
    pub last_ts_ns: Option<i64>,
    pub l3: Option<BTreeMap<&'static str, u64>>,
    pub l4: Option<BTreeMap<&'static str, u64>>,
    pub vlan_tagged: Option<u64>,
    pub malformed: Option<BTreeMap<&'static str, u64>>,
    pub errors: Option<Vec<ErrorAt>>,
    pub skipped_bytes: Option<u64>,
    pub unknown_blocks: Option<u64>,
    pub interfaces: Option<Vec<ExpectedInterface>>,
}

impl Expected {
    /// Leaves out the timestamps.
    pub fn without_timestamps(mut self) -> Expected {
        self.first_ts_ns = None;
        self.last_ts_ns = None;
        self
    }

    /// Leaves out every per-protocol and per-layer count.
    pub fn without_protocols(mut self) -> Expected {
        self.l3 = None;
        self.l4 = None;
        self
    }

    /// The JSON object, keys sorted, absent keys omitted.
    pub fn to_json(&self) -> Value {
        let mut m = Map::new();
        let mut put = |k: &str, v: Option<Value>| {
            if let Some(v) = v {
                m.insert(k.to_string(), v);
            }
        };
        put("format", self.format.map(|f| json!(f)));
        put("compressed", self.compressed.map(|c| json!(c)));
        put("link_types", self.link_types.as_ref().map(|l| json!(l)));
        put("packets", self.packets.map(|p| json!(p)));
        put("bytes", self.bytes.map(|b| json!(b)));
        put("first_ts_ns", self.first_ts_ns.map(|t| json!(t)));
        put("last_ts_ns", self.last_ts_ns.map(|t| json!(t)));
        let mut protocols = Map::new();
        if let Some(l3) = &self.l3 {
            protocols.insert("l3".into(), json!(l3));
        }
        if let Some(l4) = &self.l4 {
            protocols.insert("l4".into(), json!(l4));
        }
        put(
            "protocols",
            (!protocols.is_empty()).then_some(Value::Object(protocols)),
        );
        put("vlan_tagged", self.vlan_tagged.map(|v| json!(v)));
        put("malformed", self.malformed.as_ref().map(|m| json!(m)));
        put(
            "errors",
            self.errors.as_ref().map(|errs| {
                Value::Array(
                    errs.iter()
                        .map(|e| {
                            let mut o = Map::new();
                            o.insert("offset".into(), json!(e.offset));
                            if let Some(r) = e.record {
                                o.insert("record".into(), json!(r));
                            }
                            if let Some(f) = e.fatal {
                                o.insert("fatal".into(), json!(f));
                            }
                            Value::Object(o)
                        })
                        .collect(),
                )
            }),
        );
        put("skipped_bytes", self.skipped_bytes.map(|s| json!(s)));
        put("unknown_blocks", self.unknown_blocks.map(|u| json!(u)));
        put(
            "interfaces",
            self.interfaces.as_ref().map(|ifs| {
                Value::Array(
                    ifs.iter()
                        .map(|i| {
                            let mut o = Map::new();
                            o.insert("id".into(), json!(i.id));
                            o.insert("link_type".into(), json!(i.link_type));
                            if let Some(s) = i.snaplen {
                                o.insert("snaplen".into(), json!(s));
                            }
                            if let Some(p) = i.packets {
                                o.insert("packets".into(), json!(p));
                            }
                            if let Some(d) = i.dropped {
                                o.insert("dropped".into(), json!(d));
                            }
                            Value::Object(o)
                        })
                        .collect(),
                )
            }),
        );
        Value::Object(m)
    }

    /// Pretty JSON text with a trailing newline, as committed.
    pub fn to_text(&self) -> String {
        let mut s = serde_json::to_string_pretty(&self.to_json()).expect("JSON values serialise");
        s.push('\n');
        s
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn delivered(l3: Known<L3>, ts: Option<i64>) -> Delivered {
        Delivered {
            ts_ns: ts,
            caplen: 60,
            l3,
            l4: Known::Absent,
            vlan_tagged: false,
            malformed: Known::Absent,
            interface: 0,
        }
    }

    #[test]
    fn unsure_fact_drops_the_whole_layer() {
        let mut l = Ledger::default();
        l.interfaces.push(Interface {
            link_type: linktype::ETHERNET,
            snaplen: 65535,
            dropped: None,
        });
        l.delivered.push(delivered(Known::Is(L3::Arp), Some(5)));
        let e = l.expected("pcap");
        assert_eq!(e.l3.unwrap()["arp"], 1);
        l.delivered.push(delivered(Known::Unsure, Some(3)));
        let e = l.expected("pcap");
        assert!(e.l3.is_none());
        assert_eq!((e.first_ts_ns, e.last_ts_ns), (Some(3), Some(5)));
        assert_eq!(e.bytes, Some(120));
    }

    #[test]
    fn missing_timestamp_drops_both_bounds() {
        let mut l = Ledger::default();
        l.delivered.push(delivered(Known::Absent, Some(5)));
        l.delivered.push(delivered(Known::Absent, None));
        let e = l.expected("pcapng");
        assert_eq!((e.first_ts_ns, e.last_ts_ns), (None, None));
    }
}
