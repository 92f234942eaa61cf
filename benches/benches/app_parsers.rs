//! Per-packet cost of the application views of `portmatrix_wire::app`
//! against the crates that parse the same protocols, to decide which one
//! a content detector uses (docs/detectors.md, "Parsers: crates weighed").
//!
//! Each pair does the same work on the same bytes and reads the same
//! fields, the way a detector would:
//!
//! - `rtp/*`: 1 000 RTP packets (G.711 20 ms, L24 1 ms with an RFC 8285
//!   extension, H.264-sized with CSRCs and padding) built by `rtp-types`;
//!   validate the header, read sequence, timestamp, SSRC, payload type and
//!   the payload slice. `hand_view` is `app::rtp::check_plausible`,
//!   `rtp_types` is `RtpPacket::parse`.
//! - `sdp/*`: three descriptions (the RFC 8866 example, an AES67 stream
//!   with clock attributes, a WebRTC-style offer); find each media
//!   section's connection address, port, first payload type's clock rate
//!   and whether `a=rtcp-mux` is set. `hand_view` is `app::sdp::Sdp`,
//!   `sdp_types` is `Session::parse` (which builds owned strings).
//! - `dns/*`: three mDNS responses (DNS-SD PTR + SRV + TXT + A, built
//!   compressed by `simple-dns`); visit every record, walk its owner
//!   name's labels, and read the SRV port, PTR target labels, TXT strings
//!   and A address. `hand_view` is `app::dns::Message`, `simple_dns` is
//!   `Packet::parse`.
//!
//! Throughput is in packets (one packet = one parse).

use std::hint::black_box;
use std::time::Duration;

use criterion::{criterion_group, criterion_main, Criterion, SamplingMode, Throughput};
use portmatrix_wire::app::{dns, rtp, sdp};

fn rtp_packets() -> Vec<Vec<u8>> {
    let g711 = [0xd5u8; 160];
    let l24 = vec![0x11u8; 48 * 3 * 2];
    let video = vec![0x42u8; 1200];
    (0..1000u32)
        .map(|i| {
            let b = rtp_types::RtpPacketBuilder::<&[u8], &[u8]>::new()
                .sequence_number(i as u16)
                .timestamp(i * 160)
                .ssrc(0x1234_5678 + (i % 7));
            match i % 3 {
                0 => b.payload_type(8).payload(&g711[..]),
                1 => b
                    .payload_type(97)
                    .extension(0xBEDE, &[0x10, 0x42, 0, 0][..])
                    .payload(&l24[..]),
                _ => b
                    .payload_type(96)
                    .marker_bit(i % 30 == 2)
                    .add_csrc(1)
                    .add_csrc(2)
                    .padding(4)
                    .payload(&video[..]),
            }
            .write_vec()
            .unwrap()
        })
        .collect()
}

fn rtp_hand(packets: &[Vec<u8>]) -> u64 {
    let mut acc = 0u64;
    for p in packets {
        if let Ok(v) = rtp::check_plausible(black_box(p)) {
            acc += u64::from(v.sequence_number()) + u64::from(v.timestamp()) + u64::from(v.ssrc());
            acc += u64::from(v.payload_type()) + v.payload().map_or(0, |x| x.len() as u64);
        }
    }
    acc
}

fn rtp_crate(packets: &[Vec<u8>]) -> u64 {
    let mut acc = 0u64;
    for p in packets {
        if let Ok(v) = rtp_types::RtpPacket::parse(black_box(&p[..])) {
            if (72..=76).contains(&v.payload_type()) {
                continue;
            }
            acc += u64::from(v.sequence_number()) + u64::from(v.timestamp()) + u64::from(v.ssrc());
            acc += u64::from(v.payload_type()) + v.payload().len() as u64;
        }
    }
    acc
}

const SDPS: [&str; 3] = [
    "v=0\r\no=jdoe 3724394400 3724394405 IN IP4 198.51.100.1\r\ns=Call to John Smith\r\n\
i=SDP Offer #1\r\nu=http://www.jdoe.example.com/home.html\r\ne=Jane Doe <jane@jdoe.example.com>\r\n\
p=+1 617 555-6011\r\nc=IN IP4 198.51.100.1\r\nt=0 0\r\nm=audio 49170 RTP/AVP 0\r\n\
m=audio 49180 RTP/AVP 0\r\nm=video 51372 RTP/AVP 99\r\nc=IN IP6 2001:db8::2\r\n\
a=rtpmap:99 h263-1998/90000\r\n",
    "v=0\r\no=- 1311738121 1311738121 IN IP4 192.168.1.11\r\ns=Stage box 1\r\n\
c=IN IP4 239.69.1.10/32\r\nt=0 0\r\na=clock-domain:PTPv2 0\r\nm=audio 5004 RTP/AVP 96\r\n\
i=Channels 1-8\r\na=rtpmap:96 L24/48000/8\r\na=recvonly\r\na=ptime:1\r\n\
a=ts-refclk:ptp=IEEE1588-2008:00-1D-C1-FF-FE-12-34-56:0\r\na=mediaclk:direct=0\r\n",
    "v=0\r\no=- 4611731400430051336 2 IN IP4 127.0.0.1\r\ns=-\r\nt=0 0\r\n\
a=group:BUNDLE 0 1\r\na=msid-semantic: WMS\r\nm=audio 9 UDP/TLS/RTP/SAVPF 111 103 0 8 126\r\n\
c=IN IP4 0.0.0.0\r\na=rtcp:9 IN IP4 0.0.0.0\r\na=ice-ufrag:khLS\r\na=ice-pwd:cxLzteJaJBou3DspNaPsJhlQ\r\n\
a=fingerprint:sha-256 FA:14:42:3B:C7:97:1B:E8:AE:0C:2B:5E:7D:5D:1B:4F:7E:2E:D7:5D:A4:77:3E:A4:8B:29:E4:DD:1E:A8:4F:67\r\n\
a=setup:actpass\r\na=mid:0\r\na=sendrecv\r\na=rtcp-mux\r\na=rtpmap:111 opus/48000/2\r\n\
a=rtcp-fb:111 transport-cc\r\na=fmtp:111 minptime=10;useinbandfec=1\r\na=rtpmap:103 ISAC/16000\r\n\
a=rtpmap:0 PCMU/8000\r\na=rtpmap:8 PCMA/8000\r\na=rtpmap:126 telephone-event/8000\r\n\
m=video 9 UDP/TLS/RTP/SAVPF 96 97\r\nc=IN IP4 0.0.0.0\r\na=rtcp:9 IN IP4 0.0.0.0\r\na=mid:1\r\n\
a=sendrecv\r\na=rtcp-mux\r\na=rtcp-rsize\r\na=rtpmap:96 VP8/90000\r\na=rtcp-fb:96 nack\r\n\
a=rtcp-fb:96 nack pli\r\na=rtpmap:97 rtx/90000\r\na=fmtp:97 apt=96\r\n",
];

fn sdp_hand(texts: &[&str]) -> u64 {
    let mut acc = 0u64;
    for t in texts {
        let s = sdp::Sdp::new(black_box(t.as_bytes()));
        for m in s.media() {
            let Some(line) = m.line else { continue };
            acc += u64::from(line.port);
            acc += m.connection().map_or(0, |c| c.address.len() as u64);
            if let Some(pt) = line.payload_types().next() {
                acc += u64::from(m.clock_rate(pt).unwrap_or(0));
            }
            acc += u64::from(m.rtcp_mux());
        }
    }
    acc
}

fn sdp_crate(texts: &[&str]) -> u64 {
    let mut acc = 0u64;
    for t in texts {
        let Ok(s) = sdp_types::Session::parse(black_box(t.as_bytes())) else {
            continue;
        };
        for m in &s.medias {
            acc += u64::from(m.port);
            let c = m.connections.first().or(s.connection.as_ref());
            acc += c.map_or(0, |c| {
                let a = &c.connection_address;
                a.split('/').next().map_or(0, |x| x.len() as u64)
            });
            if let Some(pt) = m.fmt.split(' ').next().and_then(|f| f.parse::<u8>().ok()) {
                let rate = m
                    .attributes
                    .iter()
                    .filter(|a| a.attribute == "rtpmap")
                    .filter_map(|a| a.value.as_deref())
                    .find_map(|v| {
                        let (p, rest) = v.split_once(' ')?;
                        (p.parse::<u8>().ok()? == pt).then_some(rest)
                    })
                    .and_then(|r| r.split('/').nth(1)?.parse::<u32>().ok())
                    .or_else(|| rtp::static_clock_rate(pt));
                acc += u64::from(rate.unwrap_or(0));
            }
            acc += u64::from(m.has_attribute("rtcp-mux"));
        }
    }
    acc
}

fn mdns_packets() -> Vec<Vec<u8>> {
    use simple_dns::{rdata, Name, Packet, ResourceRecord, CLASS};
    ["_netaudio-arc", "_netaudio-cmc", "_netaudio-chan"]
        .iter()
        .map(|svc| {
            let service = format!("{svc}._udp.local");
            let inst = format!("Stagebox-1.{service}");
            let mut p = Packet::new_reply(0);
            p.answers.push(ResourceRecord::new(
                Name::new_unchecked(&service),
                CLASS::IN,
                4500,
                rdata::RData::PTR(rdata::PTR(Name::new_unchecked(&inst))),
            ));
            p.additional_records.push(ResourceRecord::new(
                Name::new_unchecked(&inst),
                CLASS::IN,
                120,
                rdata::RData::SRV(rdata::SRV {
                    priority: 0,
                    weight: 0,
                    port: 4440,
                    target: Name::new_unchecked("Stagebox-1.local"),
                }),
            ));
            let mut txt = rdata::TXT::new();
            for kv in [
                "arcp_vers=2.7.41",
                "arcp_min=0.2.4",
                "router_vers=4.0.2",
                "mf=Audinate",
            ] {
                txt.add_string(kv).unwrap();
            }
            p.additional_records.push(ResourceRecord::new(
                Name::new_unchecked(&inst),
                CLASS::IN,
                4500,
                rdata::RData::TXT(txt),
            ));
            p.additional_records.push(ResourceRecord::new(
                Name::new_unchecked("Stagebox-1.local"),
                CLASS::IN,
                120,
                rdata::RData::A(rdata::A {
                    address: 0xc0a8_010b,
                }),
            ));
            p.build_bytes_vec_compressed().unwrap()
        })
        .collect()
}

fn dns_hand(packets: &[Vec<u8>]) -> u64 {
    let mut acc = 0u64;
    for p in packets {
        let Ok(m) = dns::Message::new_checked(black_box(&p[..])) else {
            continue;
        };
        for r in m.records() {
            let Ok(r) = r else { break };
            acc += r
                .name
                .labels()
                .map(|l| l.map_or(0, |l| l.len() as u64))
                .sum::<u64>();
            acc += u64::from(r.rtype) + u64::from(r.ttl);
            match r.data() {
                Ok(dns::RData::Srv { port, .. }) => acc += u64::from(port),
                Ok(dns::RData::Ptr(t)) => {
                    acc += t
                        .labels()
                        .map(|l| l.map_or(0, |l| l.len() as u64))
                        .sum::<u64>();
                }
                Ok(dns::RData::Txt(t)) => acc += t.map(|s| s.len() as u64).sum::<u64>(),
                Ok(dns::RData::A(a)) => acc += u64::from(a.octets()[3]),
                _ => {}
            }
        }
    }
    acc
}

fn dns_crate(packets: &[Vec<u8>]) -> u64 {
    use simple_dns::rdata::RData;
    let mut acc = 0u64;
    for p in packets {
        let Ok(m) = simple_dns::Packet::parse(black_box(&p[..])) else {
            continue;
        };
        for r in m
            .answers
            .iter()
            .chain(&m.name_servers)
            .chain(&m.additional_records)
        {
            acc += r.name.as_bytes().map(|l| l.len() as u64).sum::<u64>();
            acc += u64::from(u16::from(r.rdata.type_code())) + u64::from(r.ttl);
            match &r.rdata {
                RData::SRV(s) => acc += u64::from(s.port),
                RData::PTR(t) => acc += t.0.as_bytes().map(|l| l.len() as u64).sum::<u64>(),
                RData::TXT(t) => {
                    // key=value: the key, the '=' and the value.
                    acc += t
                        .iter_raw()
                        .map(|(k, v)| (k.len() + v.map_or(0, |v| v.len() + 1)) as u64)
                        .sum::<u64>();
                }
                RData::A(a) => acc += u64::from(a.address & 0xff),
                _ => {}
            }
        }
    }
    acc
}

fn bench(c: &mut Criterion) {
    let rtp_set = rtp_packets();
    assert_eq!(
        rtp_hand(&rtp_set),
        rtp_crate(&rtp_set),
        "rtp: both read the same fields"
    );
    let mdns = mdns_packets();
    assert_eq!(
        dns_hand(&mdns),
        dns_crate(&mdns),
        "dns: both read the same fields"
    );
    assert_eq!(
        sdp_hand(&SDPS),
        sdp_crate(&SDPS),
        "sdp: both read the same fields"
    );

    let mut g = c.benchmark_group("rtp");
    g.sampling_mode(SamplingMode::Flat).sample_size(50);
    g.throughput(Throughput::Elements(rtp_set.len() as u64));
    g.bench_function("hand_view", |b| b.iter(|| rtp_hand(&rtp_set)));
    g.bench_function("rtp_types", |b| b.iter(|| rtp_crate(&rtp_set)));
    g.finish();

    let mut g = c.benchmark_group("sdp");
    g.throughput(Throughput::Elements(SDPS.len() as u64));
    g.bench_function("hand_view", |b| b.iter(|| sdp_hand(&SDPS)));
    g.bench_function("sdp_types", |b| b.iter(|| sdp_crate(&SDPS)));
    g.finish();

    let mut g = c.benchmark_group("dns");
    g.throughput(Throughput::Elements(mdns.len() as u64));
    g.bench_function("hand_view", |b| b.iter(|| dns_hand(&mdns)));
    g.bench_function("simple_dns", |b| b.iter(|| dns_crate(&mdns)));
    g.finish();
}

criterion_group! {
    name = benches;
    config = Criterion::default()
        .warm_up_time(Duration::from_secs(1))
        .measurement_time(Duration::from_secs(3));
    targets = bench
}
criterion_main!(benches);
