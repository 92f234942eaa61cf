//! Live capture from a network interface through libpcap (feature `live`).
//!
//! [`LiveCapture::next_record`] returns `Ok(None)` when the read timeout
//! passes without a packet, so the caller can refresh its display or check
//! for Ctrl-C. Records borrow libpcap's buffer until the next call, like
//! [`CaptureReader`](crate::CaptureReader) records borrow its buffer.
//!
//! Timestamps are requested in microseconds, the precision every libpcap
//! platform supports, and converted to nanoseconds.
//!
//! A capture filter such as `udp port 5004` does not match 802.1Q-tagged
//! frames; write `udp port 5004 or (vlan and udp port 5004)`.

use std::fmt;

use portmatrix_wire::LinkType;

use crate::record::Record;

/// How to open a live capture.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct LiveOptions {
    /// Bytes kept per packet.
    pub snaplen: u32,
    /// BPF capture filter, compiled by libpcap.
    pub filter: Option<String>,
    /// Put the interface in promiscuous mode (a mirror port needs it).
    pub promisc: bool,
    /// Read timeout: `next_record` returns `Ok(None)` after this long
    /// without a packet.
    pub timeout_ms: u32,
    /// Deliver packets as they arrive instead of in batches.
    pub immediate: bool,
    /// Kernel buffer size in bytes (libpcap's default if `None`).
    pub buffer_size: Option<u32>,
}

impl Default for LiveOptions {
    fn default() -> Self {
        LiveOptions {
            snaplen: 262_144,
            filter: None,
            promisc: true,
            timeout_ms: 250,
            immediate: false,
            buffer_size: None,
        }
    }
}

/// libpcap's counters for a live capture (`pcap_stats`).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct LiveStats {
    /// Packets received (what this counts is platform-specific).
    pub received: u32,
    /// Packets dropped because the buffer was full (we read too slowly).
    pub dropped: u32,
    /// Packets dropped by the interface or its driver.
    pub if_dropped: u32,
}

/// Why a live capture failed.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum LiveErrorKind {
    /// Capturing needs root or the CAP_NET_RAW capability.
    NoPermission(String),
    /// No interface of that name; the known names are listed.
    NoSuchInterface {
        /// Interfaces libpcap knows.
        available: Vec<String>,
    },
    /// libpcap could not compile the filter.
    InvalidFilter(String),
    /// The interface went down or disappeared during the capture.
    InterfaceDown(String),
    /// Any other libpcap failure.
    Other(String),
}

/// A live-capture failure on one interface.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct LiveError {
    /// The interface name as given.
    pub interface: String,
    /// What went wrong.
    pub kind: LiveErrorKind,
}

impl fmt::Display for LiveError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let i = &self.interface;
        match &self.kind {
            LiveErrorKind::NoPermission(m) => write!(
                f,
                "{i}: no permission to capture (run as root or grant CAP_NET_RAW): {m}"
            ),
            LiveErrorKind::NoSuchInterface { available } if available.is_empty() => {
                write!(f, "{i}: no such interface")
            }
            LiveErrorKind::NoSuchInterface { available } => {
                write!(
                    f,
                    "{i}: no such interface (available: {})",
                    available.join(", ")
                )
            }
            LiveErrorKind::InvalidFilter(m) => write!(f, "{i}: invalid capture filter: {m}"),
            LiveErrorKind::InterfaceDown(m) => write!(f, "{i}: interface went down: {m}"),
            LiveErrorKind::Other(m) => write!(f, "{i}: capture failed: {m}"),
        }
    }
}

impl std::error::Error for LiveError {}

/// An open live capture.
pub struct LiveCapture {
    cap: pcap::Capture<pcap::Active>,
    interface: String,
    link_type: LinkType,
    snaplen: u32,
    delivered: u64,
    /// How long `next_record` sleeps when nothing is queued.
    idle_wait_ms: u32,
}

impl fmt::Debug for LiveCapture {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("LiveCapture")
            .field("interface", &self.interface)
            .field("link_type", &self.link_type)
            .field("snaplen", &self.snaplen)
            .field("delivered", &self.delivered)
            .finish_non_exhaustive()
    }
}

impl LiveCapture {
    /// Opens `interface` (`any` for all interfaces on Linux).
    ///
    /// # Errors
    /// No such interface, no permission, an invalid filter, or another
    /// libpcap failure, each as a [`LiveErrorKind`].
    pub fn open(interface: &str, options: &LiveOptions) -> Result<Self, LiveError> {
        let err = |kind| LiveError {
            interface: interface.to_string(),
            kind,
        };
        // libpcap's own "no such device" comes only after the permission
        // check; the device list needs no privilege and gives a clearer
        // answer.
        if let Ok(devices) = pcap::Device::list() {
            let available: Vec<String> = devices.into_iter().map(|d| d.name).collect();
            if !available.iter().any(|n| n == interface) {
                return Err(err(LiveErrorKind::NoSuchInterface { available }));
            }
        }
        let snaplen = options.snaplen.clamp(1, i32::MAX as u32);
        let mut inactive = pcap::Capture::from_device(interface)
            .map_err(|e| err(classify_open(e)))?
            .snaplen(snaplen as i32)
            .promisc(options.promisc)
            .timeout(options.timeout_ms.min(i32::MAX as u32) as i32)
            .immediate_mode(options.immediate);
        if let Some(size) = options.buffer_size {
            inactive = inactive.buffer_size(size.min(i32::MAX as u32) as i32);
        }
        let mut cap = inactive.open().map_err(|e| err(classify_open(e)))?;
        if let Some(filter) = &options.filter {
            cap.filter(filter, true).map_err(|e| {
                err(LiveErrorKind::InvalidFilter(crate::error::lowercase_first(
                    &message(e),
                )))
            })?;
        }
        // Non-blocking reads: on Linux a blocking read with immediate mode
        // (or TPACKET_V3 with an empty ring) can wait forever on a silent
        // interface, so the read timeout would never bound a wait. The
        // caller's loop gets `Ok(None)` instead and can refresh or stop.
        let cap = cap
            .setnonblock()
            .map_err(|e| err(LiveErrorKind::Other(message(e))))?;
        let link_type = dlt_to_linktype(cap.get_datalink().0);
        Ok(LiveCapture {
            cap,
            interface: interface.to_string(),
            link_type,
            snaplen,
            delivered: 0,
            idle_wait_ms: options.timeout_ms.clamp(1, 10),
        })
    }

    /// The next packet, or `Ok(None)` when the read timeout passed first.
    ///
    /// # Errors
    /// The interface went down or another read failure.
    pub fn next_record(&mut self) -> Result<Option<Record<'_>>, LiveError> {
        match self.cap.next_packet() {
            Ok(p) => {
                self.delivered += 1;
                let ts = &p.header.ts;
                // `timeval` field types differ between platforms.
                #[allow(clippy::unnecessary_cast)]
                let ts_ns = (ts.tv_sec as i64)
                    .saturating_mul(1_000_000_000)
                    .saturating_add(ts.tv_usec as i64 * 1_000);
                Ok(Some(Record {
                    index: self.delivered,
                    file_offset: 0,
                    ts_ns,
                    interface_id: 0,
                    link_type: self.link_type,
                    fcs_len: 0,
                    orig_len: p.header.len,
                    data: p.data,
                }))
            }
            Err(pcap::Error::TimeoutExpired) | Err(pcap::Error::NoMorePackets) => {
                // Nothing queued: wait a little (bounded by the read timeout)
                // so an idle loop does not spin a core.
                std::thread::sleep(std::time::Duration::from_millis(u64::from(
                    self.idle_wait_ms,
                )));
                Ok(None)
            }
            Err(e) => Err(LiveError {
                interface: self.interface.clone(),
                kind: classify_read(e),
            }),
        }
    }

    /// libpcap's packet and drop counters.
    ///
    /// # Errors
    /// libpcap could not read them.
    pub fn stats(&mut self) -> Result<LiveStats, LiveError> {
        self.cap
            .stats()
            .map(|s| LiveStats {
                received: s.received,
                dropped: s.dropped,
                if_dropped: s.if_dropped,
            })
            .map_err(|e| LiveError {
                interface: self.interface.clone(),
                kind: LiveErrorKind::Other(message(e)),
            })
    }

    /// Link type of the captured frames.
    pub fn link_type(&self) -> LinkType {
        self.link_type
    }

    /// The interface name.
    pub fn interface(&self) -> &str {
        &self.interface
    }

    /// The snapshot length in force.
    pub fn snaplen(&self) -> u32 {
        self.snaplen
    }
}

fn message(e: pcap::Error) -> String {
    match e {
        pcap::Error::PcapError(m) => m,
        other => other.to_string(),
    }
}

/// Sorts an activation failure by libpcap's message (the `pcap` crate
/// keeps only the text of `pcap_geterr`).
fn classify_open(e: pcap::Error) -> LiveErrorKind {
    let m = message(e);
    let lower = m.to_lowercase();
    if lower.contains("permission") || lower.contains("not permitted") {
        LiveErrorKind::NoPermission(m)
    } else if lower.contains("no such device") || lower.contains("doesn't exist") {
        LiveErrorKind::NoSuchInterface {
            available: Vec::new(),
        }
    } else if lower.contains("not up") || lower.contains("went down") {
        LiveErrorKind::InterfaceDown(m)
    } else {
        LiveErrorKind::Other(m)
    }
}

/// Sorts a read failure: libpcap on Linux says "The interface went down"
/// (ENETDOWN) or "The interface disappeared" (ENODEV, ENXIO).
fn classify_read(e: pcap::Error) -> LiveErrorKind {
    let m = message(e);
    let lower = m.to_lowercase();
    if lower.contains("went down")
        || lower.contains("disappeared")
        || lower.contains("no such device")
        || lower.contains("not up")
    {
        LiveErrorKind::InterfaceDown(m)
    } else {
        LiveErrorKind::Other(m)
    }
}

/// `pcap_datalink` returns a DLT_ value; the file formats (and
/// [`LinkType`]) use LINKTYPE_ values. They are equal except for a few
/// historical ones; DLT_RAW is 12 on most systems and 14 on OpenBSD,
/// where 12 is DLT_LOOP.
fn dlt_to_linktype(dlt: i32) -> LinkType {
    match dlt {
        #[cfg(target_os = "openbsd")]
        12 => LinkType::LOOP,
        #[cfg(target_os = "openbsd")]
        14 => LinkType::RAW,
        #[cfg(not(target_os = "openbsd"))]
        12 => LinkType::RAW,
        d => LinkType(u16::try_from(d).unwrap_or(u16::MAX)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{CaptureReader, PcapngWriter};
    use std::io::{Read, Write};
    use std::net::{TcpListener, TcpStream, UdpSocket};
    use std::time::{Duration, Instant};

    /// Opens a capture, or says why the test is skipped.
    fn open_or_skip(iface: &str, options: &LiveOptions) -> Option<LiveCapture> {
        match LiveCapture::open(iface, options) {
            Ok(c) => Some(c),
            Err(LiveError {
                kind: LiveErrorKind::NoPermission(m),
                ..
            }) => {
                println!("skipped: no permission to capture on {iface} ({m}); run as root");
                None
            }
            Err(e) => panic!("{e}"),
        }
    }

    /// IPv4 protocol, destination port, TCP flags and payload of an
    /// Ethernet frame, decoded by hand (RFC 791, 768, 793).
    fn dissect(frame: &[u8]) -> Option<(u8, u16, u8, &[u8])> {
        if frame.len() < 14 + 20 || frame[12..14] != [0x08, 0x00] {
            return None;
        }
        let ip = &frame[14..];
        let ihl = usize::from(ip[0] & 0x0f) * 4;
        let total = usize::from(u16::from_be_bytes([ip[2], ip[3]]));
        let proto = ip[9];
        let l4 = ip.get(ihl..total.min(ip.len()))?;
        let dport = u16::from_be_bytes([*l4.get(2)?, *l4.get(3)?]);
        match proto {
            17 => Some((proto, dport, 0, l4.get(8..)?)),
            6 => {
                let off = usize::from(l4.get(12)? >> 4) * 4;
                Some((proto, dport, *l4.get(13)?, l4.get(off..)?))
            }
            _ => None,
        }
    }

    #[test]
    fn captures_udp_and_tcp_on_loopback() {
        let udp_rx = UdpSocket::bind("127.0.0.1:0").unwrap();
        let udp_port = udp_rx.local_addr().unwrap().port();
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let tcp_port = listener.local_addr().unwrap().port();
        let options = LiveOptions {
            snaplen: 65_535,
            filter: Some(format!("udp port {udp_port} or tcp port {tcp_port}")),
            promisc: false,
            timeout_ms: 100,
            immediate: true,
            buffer_size: None,
        };
        let Some(mut cap) = open_or_skip("lo", &options) else {
            return;
        };
        // Linux gives the loopback interface an Ethernet header.
        assert_eq!(cap.link_type(), LinkType::ETHERNET);

        let acceptor = std::thread::spawn(move || {
            let (mut s, _) = listener.accept().unwrap();
            let mut got = Vec::new();
            s.read_to_end(&mut got).unwrap();
            got
        });
        let sender = std::thread::spawn(move || {
            let tx = UdpSocket::bind("127.0.0.1:0").unwrap();
            for i in 0..5 {
                tx.send_to(format!("pm-udp-{i}").as_bytes(), ("127.0.0.1", udp_port))
                    .unwrap();
            }
            let mut s = TcpStream::connect(("127.0.0.1", tcp_port)).unwrap();
            s.write_all(b"pm-tcp-hello").unwrap();
        });

        let mut udp_seen = [0u32; 5];
        let (mut syn_seen, mut tcp_payload_seen) = (false, false);
        let mut saved: Vec<(i64, u32, Vec<u8>)> = Vec::new();
        let deadline = Instant::now() + Duration::from_secs(10);
        while Instant::now() < deadline && !(udp_seen.iter().all(|&n| n > 0) && tcp_payload_seen) {
            let Some(rec) = cap.next_record().unwrap() else {
                continue;
            };
            saved.push((rec.ts_ns, rec.orig_len, rec.data.to_vec()));
            let Some((proto, dport, flags, payload)) = dissect(rec.data) else {
                continue;
            };
            match (proto, dport) {
                (17, p) if p == udp_port => {
                    let text = std::str::from_utf8(payload).unwrap();
                    let i: usize = text.strip_prefix("pm-udp-").unwrap().parse().unwrap();
                    udp_seen[i] += 1;
                }
                (6, p) if p == tcp_port => {
                    syn_seen |= flags & 0x12 == 0x02;
                    tcp_payload_seen |= payload == b"pm-tcp-hello";
                }
                _ => {}
            }
        }
        sender.join().unwrap();
        assert_eq!(acceptor.join().unwrap(), b"pm-tcp-hello");
        assert_eq!(udp_seen, [1; 5], "each datagram seen exactly once");
        assert!(syn_seen, "the TCP handshake's SYN was captured");
        assert!(tcp_payload_seen, "the TCP payload was captured");
        let stats = cap.stats().unwrap();
        assert!(stats.received as usize >= saved.len());

        // What was captured can be saved and read back.
        let mut w = PcapngWriter::new(Vec::new()).unwrap();
        let id = w
            .add_interface(cap.link_type(), cap.snaplen(), Some("lo"))
            .unwrap();
        for (ts, orig_len, data) in &saved {
            w.write_packet(id, *ts, *orig_len, data).unwrap();
        }
        let bytes = w.into_inner().unwrap();
        let mut r = CaptureReader::new(&bytes[..]).unwrap();
        let mut n = 0;
        while let Some(rec) = r.next_record() {
            let rec = rec.unwrap();
            assert_eq!(rec.data, &saved[n].2[..]);
            assert_eq!(rec.ts_ns, saved[n].0);
            n += 1;
        }
        assert_eq!(n, saved.len());
    }

    #[test]
    fn invalid_filter_is_reported_with_libpcaps_message() {
        let options = LiveOptions {
            filter: Some("udp port notaport".into()),
            promisc: false,
            ..LiveOptions::default()
        };
        match LiveCapture::open("lo", &options) {
            Err(LiveError {
                kind: LiveErrorKind::InvalidFilter(m),
                interface,
            }) => {
                assert_eq!(interface, "lo");
                assert!(!m.is_empty());
            }
            Err(LiveError {
                kind: LiveErrorKind::NoPermission(m),
                ..
            }) => println!("skipped: no permission to capture on lo ({m})"),
            other => panic!("expected an invalid filter error, got {other:?}"),
        }
    }

    #[test]
    fn unknown_interface_lists_the_known_ones() {
        let e = LiveCapture::open("pm-no-such0", &LiveOptions::default()).unwrap_err();
        match &e.kind {
            LiveErrorKind::NoSuchInterface { available } => {
                assert!(available.iter().any(|n| n == "lo"), "{available:?}");
            }
            other => panic!("expected no such interface, got {other:?}"),
        }
        assert!(e.to_string().starts_with("pm-no-such0: no such interface"));
    }

    #[test]
    fn read_failures_are_sorted_by_message() {
        assert!(matches!(
            classify_read(pcap::Error::PcapError("The interface went down".into())),
            LiveErrorKind::InterfaceDown(_)
        ));
        assert!(matches!(
            classify_read(pcap::Error::PcapError("The interface disappeared".into())),
            LiveErrorKind::InterfaceDown(_)
        ));
        assert!(matches!(
            classify_open(pcap::Error::PcapError(
                "socket: Operation not permitted".into()
            )),
            LiveErrorKind::NoPermission(_)
        ));
        assert_eq!(dlt_to_linktype(1), LinkType::ETHERNET);
        assert_eq!(dlt_to_linktype(113), LinkType::LINUX_SLL);
    }
}
