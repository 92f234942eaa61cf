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
    /// The state each endpoint had before its last change (Zeek's `prev_state`).
    prev_state: [EndpointState; 2],
    /// First sequence number seen from each side (relative-sequence base).
    start_seq: [Option<u32>; 2],
    /// Payload bytes by sequence span, for Zeek's `size` (`[orig, resp]`).
    pub size: [u64; 2],
    /// "Seen once" letters by role: like Zeek's connection-level bits they
    /// stay with the role, not the endpoint, when the roles are flipped.
    hist_seen: [u8; 2],
    last_syn: [Option<u32>; 2],
    last_fin: [Option<u32>; 2],
    last_rst: [Option<u32>; 2],
    /// SYNs sent by the originator without ACK, counting retransmissions.
    pub syns: u32,
    /// The responder answered the originator's SYN with a RST.
    pub refused: bool,
    /// The roles were flipped: the sender of the first packet is the responder.
    pub flipped: bool,
    /// The roles were flipped by the last [`TcpConn::update`] and the owner of
    /// the per-side counters has not yet followed ([`TcpConn::take_role_flip`]).
    flip_pending: bool,
    /// Data acknowledged but never captured (docs/mirror.md).
    pub loss: super::loss::Loss,
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
    /// The acknowledgement number (meaningful with `ack`).
    pub ack_no: u32,
}

impl TcpConn {
    /// A connection whose roles were (`flipped`) or were not swapped when it
    /// was created (the first packet came from the responder).
    pub fn new(flipped: bool) -> Self {
        TcpConn {
            flipped,
            ..TcpConn::default()
        }
    }

    /// Feeds one segment sent by side `dir` (0 = originator, 1 = responder),
    /// appending history letters to `history`.
    ///
    /// The roles can flip on the way, as in Zeek: when a connection that
    /// began with a SYN-ACK (history `H`) sees its first ACK or data, and
    /// when a SYN answers an originator's SYN-ACK (the two were captured in
    /// reverse order). The owner of per-side counters learns of it from
    /// [`TcpConn::take_role_flip`].
    pub fn update(&mut self, dir: usize, seg: Segment, history: &mut String) {
        // Zeek decides the state transition with the direction the packet
        // arrived in, even when the history update flipped the roles.
        let is_orig = dir == 0;
        self.loss.segment(dir, &seg);
        let base = *self.start_seq[dir].get_or_insert(seg.seq);
        let rel = seg.seq.wrapping_sub(base);
        let mut dir = self.update_history(dir, seg, rel, history);
        if seg.len > 0 {
            self.size[dir] = self.size[dir].max(u64::from(rel.wrapping_add(seg.len)));
        }
        let peer = 1 - dir;
        use EndpointState::*;
        match self.state[dir] {
            Inactive => dir = self.update_inactive(dir, is_orig, seg, history),
            SynSent | SynAckSent => {
                // Only FIN and RST move an endpoint out of its SYN states;
                // it becomes established when the peer's SYN-ACK arrives.
                if seg.fin {
                    self.set_state(dir, Closed);
                }
                if seg.rst {
                    self.set_state(dir, Reset);
                }
            }
            Partial | Established => {
                if seg.syn && !seg.ack && self.state[dir] == Partial && self.state[peer] == Inactive
                {
                    self.set_state(dir, SynSent);
                }
                if seg.fin && !seg.rst {
                    self.set_state(dir, Closed);
                    if self.state[peer] == Reset && self.prev_state[peer] == Closed {
                        // The peer sent FIN then RST: a normal termination.
                        self.set_state(peer, Closed);
                    }
                }
                if seg.rst {
                    self.set_state(dir, Reset);
                }
            }
            Closed => {
                // After a FIN exchange a RST changes nothing.
                if seg.rst && self.state[peer] != Closed {
                    self.set_state(dir, Reset);
                }
            }
            Reset => {}
        }
        if dir == 0 && seg.syn && !seg.ack {
            self.syns += 1;
        }
    }

    /// Zeek's `UpdateInactiveState`; returns the sender's side afterwards
    /// (it changes when the roles flip).
    fn update_inactive(
        &mut self,
        mut dir: usize,
        is_orig: bool,
        seg: Segment,
        history: &mut String,
    ) -> usize {
        use EndpointState::*;
        let mut peer = 1 - dir;
        if seg.syn {
            if dir == 0 {
                self.set_state(dir, if seg.ack { SynAckSent } else { SynSent });
            } else {
                if !seg.ack && self.state[peer] == SynAckSent {
                    // A SYN answering the originator's SYN-ACK: the two were
                    // captured in reverse order. The SYN's sender opened it.
                    self.flip_roles();
                    history.push('^');
                    (dir, peer) = (peer, dir);
                    self.set_state(peer, Established);
                }
                // The responder answers: the originator's SYN is now acknowledged.
                if self.state[peer] == SynSent {
                    self.set_state(peer, Established);
                }
                self.set_state(dir, Established);
            }
        }
        if seg.fin {
            self.set_state(dir, Closed);
        }
        if seg.rst {
            if dir == 1 && self.state[peer] == SynSent {
                self.refused = true;
            }
            self.set_state(dir, Reset);
        }
        if self.state[dir] == Inactive {
            if !is_orig && seg.len == 0 && self.state[0] == SynSent {
                // A bare ACK before the SYN-ACK (some stacks send one):
                // the responder still has not answered.
            } else if seg.ack && self.state[peer] == Established {
                // The peer's SYN-ACK was seen, our SYN was missed: the
                // handshake is complete all the same.
                self.set_state(dir, Established);
            } else {
                // Anything else from a silent side means we joined midstream.
                self.set_state(dir, Partial);
            }
        }
        dir
    }

    fn set_state(&mut self, dir: usize, state: EndpointState) {
        if self.state[dir] != state {
            self.prev_state[dir] = self.state[dir];
            self.state[dir] = state;
        }
    }

    /// Swaps originator and responder (Zeek's `FlipRoles`): every per-endpoint
    /// field moves with its endpoint, except the seen-once history bits.
    fn flip_roles(&mut self) {
        self.loss.flip();
        self.state.swap(0, 1);
        self.prev_state.swap(0, 1);
        self.start_seq.swap(0, 1);
        self.size.swap(0, 1);
        self.last_syn.swap(0, 1);
        self.last_fin.swap(0, 1);
        self.last_rst.swap(0, 1);
        self.flipped = !self.flipped;
        self.flip_pending = !self.flip_pending;
    }

    /// Whether the roles were flipped since the last call: the caller must
    /// then swap its own per-side data (endpoints, counters) to follow.
    pub fn take_role_flip(&mut self) -> bool {
        std::mem::take(&mut self.flip_pending)
    }

    /// Zeek's `update_history`; returns the sender's side afterwards.
    fn update_history(
        &mut self,
        dir: usize,
        seg: Segment,
        rel: u32,
        history: &mut String,
    ) -> usize {
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
        } else if seg.len > 0 || seg.ack {
            let dir = if history == "H" {
                // A connection that began with a SYN-ACK now carries an ACK
                // or data: Zeek takes this as proof that the SYN was missed
                // (not a stealth scan), flips the roles and rewrites the
                // history as if the flip had been made at the first packet.
                self.flip_roles();
                history.clear();
                history.push_str("^h");
                1 - dir
            } else {
                dir
            };
            if seg.len > 0 {
                self.check(dir, hist::DATA, 'D', history);
            } else {
                self.check(dir, hist::ACK, 'A', history);
            }
            return dir;
        }
        dir
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
            ack_no: 0,
        }
    }

    fn run(pkts: &[(usize, &str, u32, u32)]) -> (String, &'static str) {
        let (c, h) = feed(TcpConn::default(), String::new(), pkts);
        let st = c.conn_state(&h);
        (h, st)
    }

    fn feed(mut c: TcpConn, mut h: String, pkts: &[(usize, &str, u32, u32)]) -> (TcpConn, String) {
        for &(dir, flags, seq, len) in pkts {
            c.update(dir, seg(flags, seq, len), &mut h);
        }
        (c, h)
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

    // The tests below follow Zeek's TCP analyzer (`UpdateInactiveState`,
    // `UpdateSYN_SentState`, `UpdateEstablishedState`, `UpdateClosedState`,
    // `TCP_Endpoint::CheckHistory`) and the `conn_state()` table of
    // DOMAIN.md §2.1.

    #[test]
    fn responder_ack_before_its_syn_ack_leaves_the_attempt_s0() {
        // A zero-length segment from the responder while the originator is
        // in SYN_SENT does not make the responder active; S0 needs it INACTIVE.
        let (h, st) = run(&[(0, "S", 7, 0), (1, "A", 900, 0), (0, "S", 7, 0)]);
        assert_eq!(st, "S0");
        assert_eq!(h, "Sa");
        // The same segment with data does make it a (partial) endpoint.
        let (_, st) = run(&[(0, "S", 7, 0), (1, "A", 900, 5)]);
        assert_eq!(st, "OTH");
    }

    #[test]
    fn missed_syn_then_ack_after_syn_ack_is_established() {
        // Flipped at the first packet (a SYN-ACK from the server port), as in
        // Zeek's missing-syn baseline (`^hADdFaf`, SF when both close).
        let c = TcpConn::new(true);
        let pkts = [
            (1, "SA", 500, 0),
            (0, "A", 101, 0),
            (0, "A", 101, 10),
            (1, "A", 501, 20),
        ];
        let (c, h) = feed(c, "^".to_string(), &pkts);
        assert_eq!(h, "^hADd");
        assert_eq!(c.state, [EndpointState::Established; 2]);
        assert_eq!(c.conn_state(&h), "S1");
        let (c, h) = feed(
            c,
            h,
            &[(0, "FA", 111, 0), (1, "A", 521, 0), (1, "FA", 521, 0)],
        );
        assert_eq!(h, "^hADdFaf");
        assert_eq!(c.conn_state(&h), "SF");
    }

    #[test]
    fn rst_after_both_fins_keeps_sf() {
        let (h, st) = run(&[
            (0, "S", 1, 0),
            (1, "SA", 9, 0),
            (0, "A", 2, 0),
            (0, "FA", 2, 0),
            (1, "FA", 10, 0),
            (0, "R", 3, 0),
        ]);
        assert_eq!(h, "ShAFfR");
        assert_eq!(st, "SF");
    }

    #[test]
    fn rst_after_own_fin_is_rsto_until_the_peer_closes_too() {
        let pkts = [
            (0, "S", 1, 0),
            (1, "SA", 9, 0),
            (0, "A", 2, 0),
            (0, "FA", 2, 0),
            (0, "R", 3, 0),
        ];
        let (c, h) = feed(TcpConn::default(), String::new(), &pkts);
        assert_eq!(c.conn_state(&h), "RSTO");
        // The peer's FIN turns "FIN then RST" back into a normal close.
        let (c, h) = feed(c, h, &[(1, "FA", 10, 0)]);
        assert_eq!(h, "ShAFRf");
        assert_eq!(c.conn_state(&h), "SF");
    }

    #[test]
    fn fin_and_rst_together_after_a_syn_reset_the_endpoint() {
        // SYN_SENT takes the FIN, then the RST of the same segment: RESET,
        // not CLOSED (which would be SH). History `SI` fails the RSTOS0 pattern.
        let (h, st) = run(&[(0, "S", 1, 0), (0, "FR", 2, 0)]);
        assert_eq!(h, "SI");
        assert_eq!(st, "OTH");
    }

    #[test]
    fn unflipped_syn_ack_answered_by_rst_is_rej() {
        // A SYN-ACK that was not flipped (no server port) is the originator's
        // SYN_ACK_SENT; the peer's RST rejects it. No SYN was refused, though.
        let (h, st) = run(&[(0, "SA", 500, 0), (1, "R", 101, 0)]);
        assert_eq!(h, "Hr");
        assert_eq!(st, "REJ");
        let mut c = TcpConn::default();
        let mut h = String::new();
        c.update(0, seg("SA", 500, 0), &mut h);
        c.update(1, seg("R", 101, 0), &mut h);
        assert!(!c.refused);
        let (c, _) = feed(
            TcpConn::default(),
            String::new(),
            &[(0, "S", 7, 0), (1, "RA", 0, 0)],
        );
        assert!(c.refused);
    }

    #[test]
    fn syn_ack_then_ack_flips_the_roles() {
        // Zeek's CheckHistory: history "H" and now an ACK: flip, history "^h".
        let mut c = TcpConn::default();
        let mut h = String::new();
        c.update(0, seg("SA", 500, 0), &mut h);
        assert!(!c.take_role_flip());
        assert_eq!(h, "H");
        c.update(1, seg("A", 101, 0), &mut h);
        assert!(c.take_role_flip());
        assert!(!c.take_role_flip());
        assert!(c.flipped);
        assert_eq!(h, "^hA");
        // The ACK's sender is now the originator; it joined after the
        // SYN-ACK without being established by it (Zeek: PARTIAL).
        assert_eq!(c.state, [EndpointState::Partial, EndpointState::SynAckSent]);
        assert_eq!(c.conn_state(&h), "OTH");
        // Later letters use the new roles.
        c.update(0, seg("A", 101, 10), &mut h);
        c.update(1, seg("A", 501, 20), &mut h);
        assert_eq!(h, "^hADd");
        assert!(!c.take_role_flip());
    }

    #[test]
    fn syn_after_syn_ack_is_a_reversed_handshake() {
        // The SYN-ACK was captured before its SYN: the SYN's sender becomes
        // the originator, both sides are established, history "Hs^" (Zeek's
        // core.connection_flipped baseline on tcp/handshake-reorder.pcap:
        // "H", then "Hs^" at connection_flipped, "Hs^ADadFf" at the end).
        let mut c = TcpConn::default();
        let mut h = String::new();
        c.update(0, seg("SA", 500, 0), &mut h);
        c.update(1, seg("S", 100, 0), &mut h);
        assert!(c.take_role_flip());
        assert_eq!(h, "Hs^");
        assert_eq!(c.state, [EndpointState::Established; 2]);
        assert_eq!(c.syns, 1);
        c.update(0, seg("A", 101, 0), &mut h);
        assert_eq!(h, "Hs^A");
        assert_eq!(c.conn_state(&h), "S1");
    }

    #[test]
    fn ack_of_a_syn_sent_originator_does_not_establish_it() {
        // The originator leaves SYN_SENT only through the peer's SYN-ACK
        // (or its own FIN/RST): a SYN captured after its SYN-ACK leaves it
        // in SYN_SENT, so the unclosed connection is OTH, the closed one SF.
        let c = TcpConn::new(true);
        let pkts = [
            (1, "SA", 500, 0),
            (0, "S", 100, 0),
            (0, "A", 101, 0),
            (0, "A", 101, 5),
        ];
        let (c, h) = feed(c, "^".to_string(), &pkts);
        assert_eq!(h, "^hSAD");
        assert_eq!(
            c.state,
            [EndpointState::SynSent, EndpointState::Established]
        );
        assert_eq!(c.conn_state(&h), "OTH");
        let (c, h) = feed(c, h, &[(0, "FA", 106, 0), (1, "FA", 501, 0)]);
        assert_eq!(c.conn_state(&h), "SF");
    }
}
