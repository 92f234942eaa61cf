//! TCP connection state in Zeek's vocabulary.
//!
//! Each side of a connection is an endpoint in one of Zeek's endpoint
//! states; `conn_state` folds the two into the S0/S1/SF/REJ/... summary
//! exactly as Zeek's `conn_state()` does (DOMAIN.md §2.1), and `history`
//! records the letters of §2.2 (upper case = originator).

/// State of one side of a TCP connection (Zeek's `TCP_ENDPOINT_*`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub enum EndpointState {
    #[default]
    Inactive,
    SynSent,
    SynAckSent,
    /// Sent something, but no SYN of its own was seen (midstream).
    Partial,
    Established,
    Closed,
    Reset,
}

impl EndpointState {
    fn inactive(self) -> bool {
        matches!(self, EndpointState::Inactive | EndpointState::Partial)
    }
}

/// Bits of the "seen once" history letters, per direction.
mod hist {
    pub const SYN: u8 = 1;
    pub const FIN: u8 = 2;
    pub const RST: u8 = 4;
    pub const ACK: u8 = 8;
    pub const DATA: u8 = 16;
    pub const MULTI: u8 = 32;
    pub const FIN_RST: u8 = 64;
}

/// The longest history kept; Zeek's letters repeat rarely, so this is
/// plenty, and it bounds memory per flow.
pub const HISTORY_CAP: usize = 24;

/// Per-connection TCP tracking.
#[derive(Clone, Debug, Default)]
pub struct TcpConn {
    /// Endpoint states, `[originator, responder]`.
    pub state: [EndpointState; 2],
    /// First sequence number seen from each side (relative-sequence base).
    start_seq: [Option<u32>; 2],
    /// Payload bytes by sequence span, for Zeek's `size` (`[orig, resp]`).
    pub size: [u64; 2],
    hist_seen: [u8; 2],
    last_syn: [Option<u32>; 2],
    last_fin: [Option<u32>; 2],
    last_rst: [Option<u32>; 2],
    /// SYNs sent by the originator without ACK, counting retransmissions.
    pub syns: u32,
    /// RST seen from the responder before any SYN-ACK from it.
    pub refused: bool,
    /// Originator sent the first packet as a SYN-ACK (roles were flipped).
    pub flipped: bool,
}

/// The flags and numbers of one segment, as the state machine needs them.
#[derive(Clone, Copy, Debug)]
pub struct Segment {
    pub syn: bool,
    pub ack: bool,
    pub fin: bool,
    pub rst: bool,
    pub seq: u32,
    pub len: u32,
}

impl TcpConn {
    /// A connection whose first packet was (`flipped`) or was not a SYN-ACK.
    pub fn new(flipped: bool) -> Self {
        TcpConn {
            flipped,
            ..TcpConn::default()
        }
    }

    /// Feeds one segment sent by side `dir` (0 = originator, 1 = responder),
    /// appending history letters to `history`.
    pub fn update(&mut self, dir: usize, seg: Segment, history: &mut String) {
        let peer = 1 - dir;
        let base = *self.start_seq[dir].get_or_insert(seg.seq);
        let rel = seg.seq.wrapping_sub(base);
        self.update_history(dir, seg, rel, history);
        if dir == 0 && seg.syn && !seg.ack {
            self.syns += 1;
        }
        if seg.len > 0 {
            self.size[dir] = self.size[dir].max(u64::from(rel.wrapping_add(seg.len)));
        }
        match self.state[dir] {
            EndpointState::Inactive => self.update_inactive(dir, peer, seg),
            EndpointState::SynSent | EndpointState::SynAckSent => {
                if seg.fin {
                    self.state[dir] = EndpointState::Closed;
                } else if seg.rst {
                    self.state[dir] = EndpointState::Reset;
                }
                // The originator's ACK after a SYN-ACK completes the handshake.
                if seg.ack
                    && !seg.syn
                    && !seg.rst
                    && !seg.fin
                    && self.state[peer] == EndpointState::Established
                {
                    self.state[dir] = EndpointState::Established;
                }
            }
            EndpointState::Partial | EndpointState::Established => {
                if seg.syn
                    && !seg.ack
                    && self.state[dir] == EndpointState::Partial
                    && self.state[peer] == EndpointState::Inactive
                {
                    self.state[dir] = EndpointState::SynSent;
                }
                if seg.fin && !seg.rst {
                    self.state[dir] = EndpointState::Closed;
                }
                if seg.rst {
                    self.state[dir] = EndpointState::Reset;
                }
            }
            EndpointState::Closed => {
                if seg.rst {
                    self.state[dir] = EndpointState::Reset;
                }
            }
            EndpointState::Reset => {}
        }
    }

    fn update_inactive(&mut self, dir: usize, peer: usize, seg: Segment) {
        if seg.syn {
            if dir == 0 {
                self.state[dir] = if seg.ack {
                    EndpointState::SynAckSent
                } else {
                    EndpointState::SynSent
                };
            } else {
                // The responder answers: the originator's SYN is now acknowledged.
                if self.state[peer] == EndpointState::SynSent
                    || self.state[peer] == EndpointState::SynAckSent
                {
                    self.state[peer] = EndpointState::Established;
                }
                self.state[dir] = EndpointState::Established;
            }
        }
        if seg.fin {
            self.state[dir] = EndpointState::Closed;
        }
        if seg.rst {
            if dir == 1
                && matches!(
                    self.state[peer],
                    EndpointState::SynSent | EndpointState::SynAckSent
                )
            {
                self.refused = true;
            }
            self.state[dir] = EndpointState::Reset;
        }
        if self.state[dir] == EndpointState::Inactive {
            // Anything else from a silent side means we joined midstream.
            self.state[dir] = EndpointState::Partial;
        }
    }

    fn update_history(&mut self, dir: usize, seg: Segment, rel: u32, history: &mut String) {
        let bits = u8::from(seg.syn) + u8::from(seg.fin) + u8::from(seg.rst);
        if bits > 1 {
            if seg.fin && seg.rst {
                self.check(dir, hist::FIN_RST, 'I', history);
            } else {
                self.check(dir, hist::MULTI, 'Q', history);
            }
        } else if bits == 1 {
            if seg.syn {
                let code = if seg.ack { 'H' } else { 'S' };
                if self.check(dir, hist::SYN, code, history) && self.last_syn[dir] != Some(rel) {
                    push(dir, code, history);
                }
                self.last_syn[dir] = Some(rel);
            }
            if seg.fin {
                // A FIN's sequence number counts after the data it carries.
                let rel = rel.wrapping_add(seg.len);
                if self.check(dir, hist::FIN, 'F', history) && self.last_fin[dir] != Some(rel) {
                    push(dir, 'F', history);
                }
                self.last_fin[dir] = Some(rel);
            }
            if seg.rst {
                if self.check(dir, hist::RST, 'R', history) && self.last_rst[dir] != Some(rel) {
                    push(dir, 'R', history);
                }
                self.last_rst[dir] = Some(rel);
            }
        } else if seg.len > 0 {
            self.check(dir, hist::DATA, 'D', history);
        } else if seg.ack {
            self.check(dir, hist::ACK, 'A', history);
        }
    }

    /// Zeek's `CheckHistory`: adds the letter the first time and returns
    /// false; returns true when it was seen before.
    fn check(&mut self, dir: usize, mask: u8, code: char, history: &mut String) -> bool {
        if self.hist_seen[dir] & mask == 0 {
            self.hist_seen[dir] |= mask;
            push(dir, code, history);
            false
        } else {
            true
        }
    }

    /// First sequence number seen from side `dir`.
    pub fn start_seq(&self, dir: usize) -> Option<u32> {
        self.start_seq[dir]
    }

    /// Zeek's `conn_state` for this connection.
    pub fn conn_state(&self, history: &str) -> &'static str {
        let (os, rs) = (self.state[0], self.state[1]);
        let o_inactive = os.inactive();
        let r_inactive = rs.inactive();
        use EndpointState::*;
        if rs == Reset {
            if matches!(os, SynSent | SynAckSent)
                || (os == Reset && self.size[0] == 0 && self.size[1] == 0)
            {
                "REJ"
            } else if o_inactive {
                "RSTRH"
            } else {
                "RSTR"
            }
        } else if os == Reset {
            if r_inactive {
                if rstos0_history(history) {
                    "RSTOS0"
                } else {
                    "OTH"
                }
            } else {
                "RSTO"
            }
        } else if rs == Closed && os == Closed {
            "SF"
        } else if os == Closed {
            if r_inactive {
                "SH"
            } else {
                "S2"
            }
        } else if rs == Closed {
            if o_inactive {
                "SHR"
            } else {
                "S3"
            }
        } else if os == SynSent && rs == Inactive {
            "S0"
        } else if os == Established && rs == Established {
            "S1"
        } else {
            "OTH"
        }
    }
}

fn push(dir: usize, code: char, history: &mut String) {
    if history.len() < HISTORY_CAP {
        history.push(if dir == 0 {
            code
        } else {
            code.to_ascii_lowercase()
        });
    }
}

/// Zeek's `/\^?S[^HAFGIQ]*R.*/` over the history string.
fn rstos0_history(h: &str) -> bool {
    let h = h.strip_prefix('^').unwrap_or(h);
    let Some(rest) = h.strip_prefix('S') else {
        return false;
    };
    for c in rest.chars() {
        match c {
            'R' => return true,
            'H' | 'A' | 'F' | 'G' | 'I' | 'Q' => return false,
            _ => {}
        }
    }
    false
}

#[cfg(test)]
mod tests {
    use super::*;

    fn seg(flags: &str, seq: u32, len: u32) -> Segment {
        Segment {
            syn: flags.contains('S'),
            ack: flags.contains('A'),
            fin: flags.contains('F'),
            rst: flags.contains('R'),
            seq,
            len,
        }
    }

    fn run(pkts: &[(usize, &str, u32, u32)]) -> (String, &'static str) {
        let mut c = TcpConn::default();
        let mut h = String::new();
        for &(dir, flags, seq, len) in pkts {
            c.update(dir, seg(flags, seq, len), &mut h);
        }
        let st = c.conn_state(&h);
        (h, st)
    }

    // Expected pairs are Zeek's, as DOMAIN.md §2.1/§2.2 give them.
    #[test]
    fn full_connection_is_sf() {
        let (h, st) = run(&[
            (0, "S", 100, 0),
            (1, "SA", 500, 0),
            (0, "A", 101, 0),
            (0, "A", 101, 10),
            (1, "A", 501, 0),
            (1, "A", 501, 20),
            (0, "FA", 111, 0),
            (1, "FA", 521, 0),
            (0, "A", 112, 0),
        ]);
        assert_eq!(st, "SF");
        assert_eq!(h, "ShADadFf");
    }

    #[test]
    fn unanswered_syn_with_retransmissions_is_s0_with_one_s() {
        let (h, st) = run(&[(0, "S", 7, 0), (0, "S", 7, 0), (0, "S", 7, 0)]);
        assert_eq!(st, "S0");
        assert_eq!(h, "S");
    }

    #[test]
    fn syn_answered_by_rst_is_rej() {
        let (h, st) = run(&[(0, "S", 7, 0), (1, "RA", 0, 0)]);
        assert_eq!(st, "REJ");
        assert_eq!(h, "Sr");
    }

    #[test]
    fn originator_syn_then_rst_is_rstos0() {
        let (h, st) = run(&[(0, "S", 7, 0), (0, "R", 8, 0)]);
        assert_eq!(st, "RSTOS0");
        assert_eq!(h, "SR");
    }

    #[test]
    fn established_not_closed_is_s1() {
        let (_, st) = run(&[(0, "S", 1, 0), (1, "SA", 9, 0), (0, "A", 2, 0)]);
        assert_eq!(st, "S1");
    }

    #[test]
    fn responder_reset_after_data_is_rstr() {
        let (_, st) = run(&[
            (0, "S", 1, 0),
            (1, "SA", 9, 0),
            (0, "A", 2, 5),
            (1, "R", 10, 0),
        ]);
        assert_eq!(st, "RSTR");
    }

    #[test]
    fn midstream_traffic_is_oth() {
        let (_, st) = run(&[(0, "A", 1000, 100), (1, "A", 5000, 0)]);
        assert_eq!(st, "OTH");
    }

    #[test]
    fn half_open_fin_is_sh() {
        let (h, st) = run(&[(0, "S", 1, 0), (0, "F", 2, 0)]);
        assert_eq!(st, "SH");
        assert_eq!(h, "SF");
    }

    #[test]
    fn rstos0_pattern() {
        // The regex excludes only the originator's upper-case letters, so
        // Zeek's conn_state-RST-behavior baseline has `SaR, RSTOS0` and
        // `SaFR, OTH` (ORACLE.md §1, Zeek conn.log).
        assert!(rstos0_history("SR"));
        assert!(rstos0_history("^SdR"));
        assert!(rstos0_history("SaR"));
        assert!(!rstos0_history("SaFR"));
        assert!(!rstos0_history("SAR"));
    }
}
