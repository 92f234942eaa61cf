//! Properties of the application views: packets built by another library
//! (`rtp-types`) read back field for field, and no input makes any view
//! panic.

use proptest::collection::vec;
use proptest::prelude::*;

use portmatrix_wire::app::{ptp, rtcp, rtp};

#[derive(Debug, Clone)]
struct RtpSpec {
    marker: bool,
    pt: u8,
    seq: u16,
    ts: u32,
    ssrc: u32,
    csrcs: Vec<u32>,
    ext: Option<(u16, Vec<u8>)>,
    padding: Option<u8>,
    payload: Vec<u8>,
}

fn rtp_spec() -> impl Strategy<Value = RtpSpec> {
    (
        any::<bool>(),
        0u8..128,
        any::<u16>(),
        any::<u32>(),
        any::<u32>(),
        vec(any::<u32>(), 0..=15),
        prop::option::of((any::<u16>(), (0usize..8).prop_map(|w| vec![0xa5u8; 4 * w]))),
        prop::option::of(1u8..=255),
        vec(any::<u8>(), 0..64),
    )
        .prop_map(
            |(marker, pt, seq, ts, ssrc, csrcs, ext, padding, payload)| RtpSpec {
                marker,
                pt,
                seq,
                ts,
                ssrc,
                csrcs,
                ext,
                padding,
                payload,
            },
        )
}

fn build(s: &RtpSpec) -> Vec<u8> {
    let mut b = rtp_types::RtpPacketBuilder::<&[u8], &[u8]>::new()
        .marker_bit(s.marker)
        .payload_type(s.pt)
        .sequence_number(s.seq)
        .timestamp(s.ts)
        .ssrc(s.ssrc)
        .maybe_padding(s.padding)
        .payload(&s.payload);
    for c in &s.csrcs {
        b = b.add_csrc(*c);
    }
    if let Some((id, data)) = &s.ext {
        b = b.extension(*id, data);
    }
    b.write_vec().unwrap()
}

proptest! {
    #[test]
    fn rtp_built_by_rtp_types_reads_back(s in rtp_spec()) {
        let bytes = build(&s);
        let p = rtp::Packet::new_checked(&bytes[..]).unwrap();
        prop_assert_eq!(p.version(), 2);
        prop_assert_eq!(p.marker(), s.marker);
        prop_assert_eq!(p.payload_type(), s.pt);
        prop_assert_eq!(p.sequence_number(), s.seq);
        prop_assert_eq!(p.timestamp(), s.ts);
        prop_assert_eq!(p.ssrc(), s.ssrc);
        prop_assert_eq!(p.csrcs().collect::<Vec<_>>(), s.csrcs.clone());
        prop_assert_eq!(p.padding(), s.padding.is_some());
        prop_assert_eq!(p.padding_len(), usize::from(s.padding.unwrap_or(0)));
        match &s.ext {
            Some((id, data)) => {
                prop_assert_eq!(p.extension_header(), Some((*id, (data.len() / 4) as u16)));
                prop_assert_eq!(p.extension_data(), Some(&data[..]));
            }
            None => prop_assert_eq!(p.extension_header(), None),
        }
        prop_assert_eq!(p.payload().unwrap(), &s.payload[..]);
        prop_assert_eq!(rtp::is_plausible(&bytes), !rtp::is_rtcp_conflict(s.pt));
    }

    #[test]
    fn rtp_agrees_with_rtp_types_on_any_input(b in vec(any::<u8>(), 0..80)) {
        // rtp-types checks version 2 first; our check_len does not.
        let theirs = rtp_types::RtpPacket::parse(&b[..]);
        let ours = rtp::Packet::new_checked(&b[..]);
        if let Ok(t) = &theirs {
            let o = ours.unwrap();
            prop_assert_eq!(o.payload().unwrap(), t.payload());
            prop_assert_eq!(o.header_len().unwrap(), t.payload_offset());
        }
    }

    #[test]
    fn views_never_panic(b in vec(any::<u8>(), 0..200)) {
        if let Ok(p) = rtp::Packet::new_checked(&b[..]) {
            let _ = (p.payload(), p.csrcs().count(), p.extension_data(), p.is_rtcp_range());
        }
        let _ = rtp::check_plausible(&b);
        let _ = (rtcp::check_compound(&b), rtcp::check_reduced_size(&b));
        for t in [0, 4, 10] {
            let _ = rtcp::srtcp_trailer(&b, 0, t);
        }
        for (_, p) in rtcp::Packets::new(&b).flatten() {
            let _ = (p.ssrc(), p.sender_info(), p.cname(), p.bye_reason());
            let _ = (p.report_blocks().count(), p.bye_sources().count());
            for c in p.sdes_chunks() {
                let _ = c.items().count();
            }
        }
        let _ = ptp::version(&b);
        if let Ok(p) = ptp::Packet::new_checked(&b[..]) {
            let _ = (p.announce(), p.body(), p.check_message_length(), p.correction_field());
            let _ = (p.source_port_identity(), p.log_message_interval());
        }
        if let Ok(p) = ptp::V1Packet::new_checked(&b[..]) {
            let _ = (p.sync(), p.subdomain(), p.source_uuid(), p.flags());
        }
    }

    #[test]
    fn rtcp_walk_stays_inside(b in vec(any::<u8>(), 0..200)) {
        let mut end = 0;
        for item in rtcp::Packets::new(&b) {
            match item {
                Ok((at, p)) => {
                    prop_assert_eq!(at, end);
                    end = at + p.packet_len();
                    prop_assert!(end <= b.len());
                }
                Err(e) => prop_assert!(e.offset <= b.len()),
            }
        }
    }
}
